// Productos (manual §1): Resumen de Productos, Detalle de Movimientos, Detalle de cuenta
// (Últimos Movimientos / Tarjeta débito), Detalle de Préstamos, Inversiones y Tarjeta de Crédito.
// Every figure is the API's string, formatted; nothing is computed here.

import { useEffect, useRef, useState } from '../../vendor/preact-htm-3.1.1.js';
import { api, downloadFile } from '../api.js';
import { addMonths, formatDate, formatMoney, todayIso } from '../format.js';
import { useLocation } from '../router.js';
import { CardPurchases, CardStatements } from './card_statement.js';
import { PinManagement } from './card_pins.js';
import {
  Alert,
  DataTable,
  Dialog,
  ErrorMessage,
  Input,
  Loading,
  Select,
  Summary,
  html,
  useAction,
  useApi,
  useId,
} from '../ui.js';

const enc = encodeURIComponent;

/** A cell with nothing to show: a dash for the eye, "No aplica" for a screen reader. */
function NotApplicable() {
  return html`<span aria-hidden="true">—</span><span class="oculto">No aplica</span>`;
}

const dateOrDash = (value) => (value ? formatDate(value) : html`<${NotApplicable} />`);
const moneyOrDash = (value) => (value === null || value === undefined ? html`<${NotApplicable} />` : formatMoney(value));

/** A product that could not be loaded: the API's Spanish message and the way back. */
function ProductError({ error }) {
  return html`<div>
    <${ErrorMessage} error=${error} />
    <p><a href="/banca/productos">Volver al Resumen de Productos</a></p>
  </div>`;
}

// ---------------------------------------------------------------- the manual's tables

const ACCOUNT_COLUMNS = (onShare) => [
  {
    key: 'numero',
    label: 'Número',
    render: (c) => html`<a href=${`/banca/productos/cuentas/${enc(c.numero)}`}>${c.numero}</a>`,
  },
  { key: 'tipo_cuenta', label: 'Tipo de cuenta' },
  { key: 'estado', label: 'Estado' },
  { key: 'saldo_contable', label: 'Saldo contable', money: true },
  { key: 'saldo_disponible', label: 'Saldo disponible', money: true },
  {
    key: 'compartir',
    label: 'Compartir',
    render: (c) => html`<button type="button" class="secundario prod-compartir-boton" onClick=${(e) => onShare(c, e.currentTarget)}
      aria-label=${`Compartir cuenta ${c.numero}`}>Compartir</button>`,
  },
];

const LOAN_COLUMNS = [
  {
    key: 'numero',
    label: 'Número',
    render: (p) => html`<a href=${`/banca/productos/creditos/${enc(p.numero)}`}>${p.numero}</a>`,
  },
  { key: 'descripcion', label: 'Descripción' },
  { key: 'monto', label: 'Monto', money: true },
  { key: 'saldo_capital', label: 'Saldo de capital', money: true },
  { key: 'valor_a_pagar', label: 'Valor a Pagar', money: true, render: (p) => moneyOrDash(p.valor_a_pagar) },
  { key: 'proximo_pago', label: 'Próximo pago', render: (p) => dateOrDash(p.proximo_pago) },
  { key: 'fecha_emision', label: 'Fecha de emisión', render: (p) => formatDate(p.fecha_emision) },
  { key: 'status', label: 'Status' },
];

const INVESTMENT_COLUMNS = [
  { key: 'numero', label: 'Número' },
  { key: 'monto', label: 'Monto', money: true },
  { key: 'fecha_emision', label: 'Fecha emisión', render: (i) => formatDate(i.fecha_emision) },
  { key: 'fecha_vencimiento', label: 'Fecha vencimiento', render: (i) => formatDate(i.fecha_vencimiento) },
  { key: 'tasa_interes', label: 'Tasa de interés' },
  { key: 'dias', label: 'Días' },
  { key: 'interes_ganado', label: 'Interés ganado', money: true },
  { key: 'interes_pagado', label: 'Interés pagado', money: true },
];

const CARD_COLUMNS = [
  { key: 'marca', label: 'Marca' },
  {
    key: 'numero',
    label: 'Número',
    render: (t) =>
      t.tipo === 'CREDITO'
        ? html`<a href=${`/banca/productos/tarjetas/${enc(t.id)}`}>${t.numero}</a>`
        : t.numero,
  },
  { key: 'utilizado_rotativo', label: 'Utilizado rotativo', money: true, render: (t) => moneyOrDash(t.utilizado_rotativo) },
  { key: 'pago_minimo', label: 'Pago Mínimo', money: true, render: (t) => moneyOrDash(t.pago_minimo) },
  { key: 'fecha_max_pago', label: 'Fecha Max. de pago', render: (t) => dateOrDash(t.fecha_max_pago) },
  { key: 'utilizado_diferido', label: 'Utilizado Diferido', money: true, render: (t) => moneyOrDash(t.utilizado_diferido) },
  { key: 'cupo_disponible', label: 'Cupo Disponible', money: true, render: (t) => moneyOrDash(t.cupo_disponible) },
];

const MOVEMENT_COLUMNS = [
  { key: 'fecha', label: 'Fecha', render: (m) => formatDate(m.fecha) },
  { key: 'descripcion', label: 'Descripción de la transacción' },
  { key: 'tipo', label: 'Tipo de movimiento' },
  { key: 'monto', label: 'Monto', money: true },
  { key: 'saldo', label: 'Saldo', money: true },
];

function Section({ title, children }) {
  const id = useId('seccion');
  return html`<section class="prod-seccion" aria-labelledby=${id}>
    <h2 id=${id}>${title}</h2>
    ${children}
  </section>`;
}

// ---------------------------------------------------------------- Compartir

async function copyText(text, fallbackArea) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection copy
  }
  if (!fallbackArea) return false;
  fallbackArea.focus();
  fallbackArea.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}

function ShareDialog({ account, onClose }) {
  const { data, error, loading } = useApi(`/accounts/${enc(account.numero)}/share`);
  const [copied, setCopied] = useState(null);
  const area = useRef(null);
  const copy = async () => {
    setCopied(await copyText(data.texto, area.current));
  };
  return html`<${Dialog} title="Compartir cuenta" onClose=${onClose}>
    ${loading && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${data &&
    html`<div class="prod-compartir">
      <p>Comparte estos datos con quien desee transferirte a tu cuenta Cooprogreso.</p>
      <${Summary}
        title="Datos de la cuenta"
        items=${[
          ['Titular', data.titular],
          ['Institución', data.institucion],
          ['Tipo de cuenta', data.tipo_cuenta],
          ['Número de cuenta', data.numero],
          ['Moneda', data.moneda],
          ['Identificación', data.identificacion],
        ]}
      />
      <label for="prod-texto-compartir" class="prod-etiqueta">Texto para compartir</label>
      <textarea id="prod-texto-compartir" class="prod-texto-compartir" readonly rows="4" ref=${area} value=${data.texto}></textarea>
      <div class="acciones">
        <button type="button" onClick=${copy}>Copiar</button>
        <button type="button" class="secundario" onClick=${onClose}>Cerrar</button>
      </div>
      <div aria-live="polite" role="status" class="prod-copiado">
        ${copied === true && html`<${Alert} kind="success">¡Datos copiados! Ya puedes pegarlos en tu mensaje.<//>`}
        ${copied === false && html`<${Alert} kind="warning">No pudimos copiar automáticamente. Selecciona el texto y cópialo.<//>`}
      </div>
    </div>`}
  <//>`;
}

// ---------------------------------------------------------------- Resumen de Productos

export function PositionPage() {
  const { data, error, loading } = useApi('/position');
  const [sharing, setSharing] = useState(null);
  if (loading && !data) return html`<${Loading} />`;
  if (error) return html`<${ErrorMessage} error=${error} />`;
  if (!data) return null;
  return html`<div class="prod-posicion">
    <p>Revisa tus cuentas, saldos y productos con Cooprogreso. Selecciona el número de tu cuenta, crédito o tarjeta para ver su detalle.</p>
    <${Section} title="Cuentas">
      <${DataTable} caption="Cuentas" columns=${ACCOUNT_COLUMNS((c) => setSharing(c))} rows=${data.cuentas}
        empty="No tienes cuentas registradas." rowKey=${(c) => c.numero} />
    <//>
    <${Section} title="Préstamos">
      <${DataTable} caption="Préstamos" columns=${LOAN_COLUMNS} rows=${data.prestamos}
        empty="No tienes préstamos con Cooprogreso." rowKey=${(p) => p.numero} />
    <//>
    <${Section} title="Inversiones">
      <${DataTable} caption="Inversiones" columns=${INVESTMENT_COLUMNS} rows=${data.inversiones}
        empty="No tienes inversiones con Cooprogreso." rowKey=${(i) => i.numero} />
    <//>
    <${Section} title="Tarjetas">
      <${DataTable} caption="Tarjetas" columns=${CARD_COLUMNS} rows=${data.tarjetas}
        empty="No tienes tarjetas con Cooprogreso." rowKey=${(t) => t.id} />
    <//>
    ${sharing && html`<${ShareDialog} account=${sharing} onClose=${() => setSharing(null)} />`}
  </div>`;
}

// ---------------------------------------------------------------- Detalle de Movimientos

const PAGE_SIZES = [
  ['10', '10'],
  ['20', '20'],
  ['50', '50'],
  ['100', '100'],
];

function wantedAccount(where) {
  const query = where.includes('?') ? where.slice(where.indexOf('?') + 1) : '';
  return new URLSearchParams(query).get('cuenta') || '';
}

export function MovementsPage() {
  const where = useLocation();
  const position = useApi('/position');
  const today = todayIso();
  const earliest = addMonths(today, -12);
  const [account, setAccount] = useState(wantedAccount(where));
  const [from, setFrom] = useState(earliest);
  const [to, setTo] = useState(today);
  const [query, setQuery] = useState({ desde: earliest, hasta: today, page: 1, pageSize: 20 });
  const [result, setResult] = useState(null);
  const { busy, error, setError, run } = useAction();
  const generation = useRef(0);

  const accounts = position.data?.cuentas || [];

  // ?cuenta= (from "Ver detalle de movimientos") or the first account.
  useEffect(() => {
    const wanted = wantedAccount(where);
    if (wanted) setAccount(wanted);
  }, [where]);
  useEffect(() => {
    if (accounts.length > 0 && !accounts.some((c) => c.numero === account)) setAccount(accounts[0].numero);
  }, [position.data]);

  const known = accounts.some((c) => c.numero === account);
  useEffect(() => {
    if (!known) return;
    const mine = ++generation.current;
    run(async () => {
      const params = new URLSearchParams({
        desde: query.desde,
        hasta: query.hasta,
        page: String(query.page),
        page_size: String(query.pageSize),
      });
      const answer = await api(`/accounts/${enc(account)}/movements?${params}`);
      if (mine === generation.current) setResult(answer);
    });
  }, [account, known, query]);

  const submit = (e) => {
    e.preventDefault();
    if (!from || !to) {
      setError({ message: 'Ingresa las fechas desde y hasta de tu consulta.' });
      return;
    }
    setQuery({ ...query, desde: from, hasta: to, page: 1 });
  };

  if (position.loading && !position.data) return html`<${Loading} />`;
  if (position.error) return html`<${ErrorMessage} error=${position.error} />`;
  if (accounts.length === 0) return html`<p class="vacio">No tienes cuentas registradas.</p>`;

  const total = result?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / query.pageSize));
  const first = total === 0 ? 0 : (query.page - 1) * query.pageSize + 1;
  const last = Math.min(total, query.page * query.pageSize);
  const accountLabel = (c) => `${c.numero} - ${c.tipo_cuenta}`;
  const minimum = error?.details?.desde_minimo;

  return html`<div class="prod-movimientos">
    <p>Revisa las transacciones realizadas en los últimos 12 meses: puedes consultar movimientos hasta 12 meses atrás.</p>
    <form class="prod-filtros" onSubmit=${submit} novalidate aria-label="Filtros de movimientos">
      <${Select}
        label="Cuenta"
        value=${account}
        onChange=${(v) => {
          setAccount(v);
          setQuery({ ...query, page: 1 });
        }}
        options=${accounts.map((c) => [c.numero, accountLabel(c)])}
      />
      <${Input} label="Desde" type="date" value=${from} onInput=${setFrom} max=${today} />
      <${Input} label="Hasta" type="date" value=${to} onInput=${setTo} max=${today} />
      <${Select}
        label="Movimientos por página"
        value=${String(query.pageSize)}
        onChange=${(v) => setQuery({ ...query, page: 1, pageSize: Number(v) })}
        options=${PAGE_SIZES}
      />
      <div class="acciones prod-filtros-acciones">
        <button type="submit" disabled=${busy}>Consultar</button>
      </div>
    </form>
    ${error &&
    html`<div>
      <${ErrorMessage} error=${error} />
      ${minimum && html`<p>Puedes consultar movimientos desde el ${formatDate(minimum)}.</p>`}
    </div>`}
    ${busy && html`<${Loading} text="Consultando movimientos…" />`}
    ${result &&
    !error &&
    html`<div>
      <p class="prod-rango" aria-live="polite">
        Cuenta ${result.numero}: movimientos del ${formatDate(result.desde)} al ${formatDate(result.hasta)}.
        ${total > 0 ? ` Mostrando ${first} a ${last} de ${total}.` : ''}
      </p>
      <${DataTable}
        caption="Movimientos"
        columns=${MOVEMENT_COLUMNS}
        rows=${result.movimientos}
        empty="No tienes movimientos en las fechas seleccionadas."
      />
      ${total > 0 &&
      html`<nav class="prod-paginacion" aria-label="Páginas de movimientos">
        <button type="button" class="secundario" disabled=${busy || query.page <= 1}
          onClick=${() => setQuery({ ...query, page: query.page - 1 })}>Anterior</button>
        <span>Página ${query.page} de ${pages}</span>
        <button type="button" class="secundario" disabled=${busy || query.page >= pages}
          onClick=${() => setQuery({ ...query, page: query.page + 1 })}>Siguiente</button>
      </nav>`}
    </div>`}
  </div>`;
}

// ---------------------------------------------------------------- Detalle de cuenta

/** Accessible tabs: arrows, Home and End move between them (automatic activation). */
function Tabs({ label, tabs, current, onChange }) {
  const base = useId('pestana');
  const refs = useRef([]);
  const move = (e, index) => {
    const count = tabs.length;
    let next = null;
    if (e.key === 'ArrowRight') next = (index + 1) % count;
    else if (e.key === 'ArrowLeft') next = (index - 1 + count) % count;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = count - 1;
    if (next === null) return;
    e.preventDefault();
    onChange(next);
    refs.current[next]?.focus();
  };
  return html`<div>
    <div class="pestanas" role="tablist" aria-label=${label}>
      ${tabs.map(
        (tab, i) => html`<button
          type="button"
          role="tab"
          id=${`${base}-${i}`}
          aria-selected=${i === current ? 'true' : 'false'}
          aria-controls=${`${base}-panel-${i}`}
          tabindex=${i === current ? '0' : '-1'}
          ref=${(el) => (refs.current[i] = el)}
          onClick=${() => onChange(i)}
          onKeyDown=${(e) => move(e, i)}
        >${tab.label}</button>`,
      )}
    </div>
    ${tabs.map(
      (tab, i) => html`<div
        role="tabpanel"
        id=${`${base}-panel-${i}`}
        aria-labelledby=${`${base}-${i}`}
        tabindex="0"
        hidden=${i !== current}
        class="prod-panel"
      >${i === current ? tab.content() : null}</div>`,
    )}
  </div>`;
}

function DebitCards({ cards }) {
  const [selected, setSelected] = useState(null);
  const card = cards.find((c) => c.id === selected);
  if (cards.length === 0) return html`<p class="vacio">No tienes tarjetas de débito en esta cuenta.</p>`;
  return html`<div>
    <p>Selecciona el número de tu tarjeta de débito.</p>
    <${DataTable}
      caption="Tarjetas"
      columns=${[
        { key: 'marca', label: 'Marca' },
        {
          key: 'numero',
          label: 'Número',
          render: (c) => html`<button type="button" class="enlace" aria-pressed=${c.id === selected ? 'true' : 'false'}
            onClick=${() => setSelected(c.id)}>${c.numero}</button>`,
        },
        { key: 'estado', label: 'Estado' },
      ]}
      rows=${cards}
      rowKey=${(c) => c.id}
    />
    ${card &&
    html`<section class="tarjeta prod-tarjeta-debito" aria-label=${`Tarjeta ${card.marca} ${card.numero}`}>
      <h3>Tarjeta débito</h3>
      <p class="prod-tarjeta-datos"><strong>${card.marca}</strong><br />${card.numero}<br />${card.estado}</p>
      <p>¿Qué tipo de gestión quieres realizar?</p>
      <${PinManagement} card=${card} key=${card.id} onCancel=${() => setSelected(null)} />
    </section>`}
  </div>`;
}

export function AccountPage({ params }) {
  const numero = params.numero;
  const { data, error, loading } = useApi(`/accounts/${enc(numero)}`);
  const [tab, setTab] = useState(0);
  if (loading && !data) return html`<${Loading} />`;
  if (error) return html`<${ProductError} error=${error} />`;
  if (!data) return null;
  return html`<div class="prod-cuenta">
    <p class="prod-titulo-cuenta"><strong>Cuenta: ${data.titulo}</strong></p>
    <${Summary}
      title="Saldos de la cuenta"
      items=${[
        ['Estado', data.estado],
        ['Saldo contable', formatMoney(data.saldo_contable)],
        ['Saldo disponible', formatMoney(data.saldo_disponible)],
      ]}
    />
    <${Tabs}
      label="Información de la cuenta"
      current=${tab}
      onChange=${setTab}
      tabs=${[
        {
          label: 'Últimos Movimientos',
          content: () => html`<div>
            <h2>Últimos movimientos</h2>
            <p>Las 10 últimas transacciones de tu cuenta.</p>
            <${DataTable} caption="Movimientos" columns=${MOVEMENT_COLUMNS} rows=${data.ultimos_movimientos}
              empty="No tienes movimientos en esta cuenta." />
            <p><a href=${`/banca/productos/movimientos?cuenta=${enc(data.numero)}`}>Ver detalle de movimientos</a></p>
          </div>`,
        },
        {
          label: 'Tarjeta débito',
          content: () => html`<div>
            <h2>Tarjeta débito</h2>
            <${DebitCards} cards=${data.tarjetas_debito} />
          </div>`,
        },
      ]}
    />
    <p><a href="/banca/productos">Volver al Resumen de Productos</a></p>
  </div>`;
}

// ---------------------------------------------------------------- Detalle de Préstamos

const INSTALLMENT_COLUMNS = [
  ['n_cuota', 'N Cuota', false],
  ['cuota', 'Cuota', true],
  ['capital', 'Capital', true],
  ['interes', 'Interés', true],
  ['mora', 'Mora', true],
  ['seguro', 'Seguro', true],
  ['fecha_pago', 'Fecha de Pago', false],
  ['estado', 'Estado', false],
];

function AmortizationTable({ rows, totals }) {
  if (!rows || rows.length === 0) return html`<p class="vacio">Este crédito no tiene cuotas registradas.</p>`;
  const cell = (row, key, money) => {
    if (money) return formatMoney(row[key]);
    if (key === 'fecha_pago') return formatDate(row[key]);
    return row[key];
  };
  return html`<div class="tabla" role="region" aria-label="Tabla de Amortización" tabindex="0">
    <table class="prod-amortizacion">
      <caption>Tabla de Amortización</caption>
      <thead>
        <tr>${INSTALLMENT_COLUMNS.map(([, label, money]) => html`<th scope="col" class=${money ? 'num' : ''}>${label}</th>`)}</tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) => html`<tr key=${row.n_cuota}>
            ${INSTALLMENT_COLUMNS.map(([key, , money]) => html`<td class=${money ? 'num' : ''}>${cell(row, key, money)}</td>`)}
          </tr>`,
        )}
      </tbody>
      ${totals &&
      html`<tfoot>
        <tr class="prod-totales">
          <th scope="row">Totales</th>
          <td class="num">${formatMoney(totals.cuota)}</td>
          <td class="num">${formatMoney(totals.capital)}</td>
          <td class="num">${formatMoney(totals.interes)}</td>
          <td class="num">${formatMoney(totals.mora)}</td>
          <td class="num">${formatMoney(totals.seguro)}</td>
          <td></td>
          <td></td>
        </tr>
      </tfoot>`}
    </table>
  </div>`;
}

export function LoanPage({ params }) {
  const numero = params.numero;
  const { data, error, loading } = useApi(`/loans/${enc(numero)}`);
  const download = useAction();
  if (loading && !data) return html`<${Loading} />`;
  if (error) return html`<${ProductError} error=${error} />`;
  if (!data) return null;
  const pdf = () =>
    download.run(() => downloadFile(`/loans/${enc(data.numero)}/amortization.pdf`, `tabla-amortizacion-${data.numero}.pdf`));
  return html`<div class="prod-prestamo">
    <p>Consulta la información de tu crédito: cuota a pagar, saldo del crédito y fecha de pago.</p>
    <${Section} title="Datos del crédito">
      <${Summary}
        title="Datos del crédito"
        items=${[
          ['Número', data.numero],
          ['Descripción', data.descripcion],
          ['Monto', formatMoney(data.monto)],
          ['Saldo de capital', formatMoney(data.saldo_capital)],
          ['Tasa', data.tasa_interes],
          ['Plazo', `${data.plazo_meses} meses`],
          ['Próximo pago', data.proximo_pago ? formatDate(data.proximo_pago) : 'Sin cuotas pendientes'],
          ['Valor a Pagar', data.valor_a_pagar ? formatMoney(data.valor_a_pagar) : formatMoney('0.00')],
          ['Fecha de emisión', formatDate(data.fecha_emision)],
          ['Cuenta de débito', data.cuenta],
          ['Status', data.status],
        ]}
      />
    <//>
    <${Section} title="Tabla de Amortización">
      <div class="acciones prod-descarga">
        <button type="button" onClick=${pdf} disabled=${download.busy}>
          ${download.busy ? 'Descargando…' : 'Descargar tabla de amortización (PDF)'}
        </button>
      </div>
      <${ErrorMessage} error=${download.error} />
      <${AmortizationTable} rows=${data.tabla_amortizacion} totals=${data.totales} />
    <//>
    <p><a href="/banca/productos">Volver al Resumen de Productos</a></p>
  </div>`;
}

// ---------------------------------------------------------------- Inversiones

export function InvestmentsPage() {
  const { data, error, loading } = useApi('/investments');
  if (loading && !data) return html`<${Loading} />`;
  if (error) return html`<${ErrorMessage} error=${error} />`;
  if (!data) return null;
  return html`<div class="prod-inversiones">
    <p>Consulta la información de tus inversiones.</p>
    <${DataTable} caption="Inversiones" columns=${INVESTMENT_COLUMNS} rows=${data.inversiones}
      empty="No tienes inversiones con Cooprogreso." rowKey=${(i) => i.numero} />
  </div>`;
}

// ---------------------------------------------------------------- Tarjeta de Crédito

function CreditCard({ card }) {
  const [pin, setPin] = useState(null);
  return html`<div>
    <section class="tarjeta prod-tarjeta-credito" aria-labelledby="prod-tarjeta-titulo">
      <h2 id="prod-tarjeta-titulo">${card.marca} ${card.numero}</h2>
      <${Summary}
        title="Datos de la tarjeta"
        items=${[
          ['Consumo hasta la fecha', formatMoney(card.consumo_hasta_la_fecha)],
          ['Utilizado rotativo', formatMoney(card.utilizado_rotativo)],
          ['Utilizado diferido', formatMoney(card.utilizado_diferido)],
          ['Cupo total', formatMoney(card.cupo_total)],
          ['Disponibles', formatMoney(card.cupo_disponible)],
          ['Pago mínimo', formatMoney(card.pago_minimo)],
          ['Pagar hasta el', card.fecha_max_pago ? formatDate(card.fecha_max_pago) : '—'],
          ['Estado', card.estado],
        ]}
      />
    </section>
    <${Section} title="¿Qué gestión necesitas?">
      <ul class="prod-opciones">
        <li><a class="boton" href=${`/banca/tarjetas/cooprogreso?tarjeta=${enc(card.id)}`}>Pagar tarjeta</a></li>
        <li><a class="boton secundario" href=${`/banca/diferidos?tarjeta=${enc(card.id)}`}>Diferir consumos</a></li>
        <li><button type="button" class="secundario" aria-pressed=${pin === 'recuperar' ? 'true' : 'false'} onClick=${() => setPin('recuperar')}>Recuperar clave</button></li>
        <li><button type="button" class="secundario" aria-pressed=${pin === 'cambiar' ? 'true' : 'false'} onClick=${() => setPin('cambiar')}>Cambiar clave</button></li>
      </ul>
      ${pin && html`<${PinManagement} card=${card} initial=${pin} key=${pin} onCancel=${() => setPin(null)} />`}
    <//>
    <${CardPurchases} cardId=${card.id} />
    <${CardStatements} cardId=${card.id} />
  </div>`;
}

function DebitCardDetail({ card }) {
  return html`<section class="tarjeta" aria-labelledby="prod-tarjeta-titulo">
    <h2 id="prod-tarjeta-titulo">${card.marca} ${card.numero}</h2>
    <${Summary} title="Datos de la tarjeta" items=${[['Estado', card.estado], card.cuenta && ['Cuenta', card.cuenta]]} />
    ${card.cuenta &&
    html`<p>Gestiona tu tarjeta de débito desde el <a href=${`/banca/productos/cuentas/${enc(card.cuenta)}`}>detalle de tu cuenta</a>.</p>`}
  </section>`;
}

export function CardPage({ params }) {
  const id = params.id;
  const valid = /^\d{1,18}$/.test(id || '');
  const { data, error, loading } = useApi(valid ? `/cards/${enc(id)}` : null);
  if (!valid) return html`<${ProductError} error=${{ message: 'No encontramos el producto solicitado.' }} />`;
  if (loading && !data) return html`<${Loading} />`;
  if (error) return html`<${ProductError} error=${error} />`;
  if (!data) return null;
  return html`<div class="prod-tarjeta">
    ${data.tipo === 'CREDITO' ? html`<${CreditCard} card=${data} />` : html`<${DebitCardDetail} card=${data} />`}
    <p><a href="/banca/productos">Volver al Resumen de Productos</a></p>
  </div>`;
}
