// Diferido de tarjetas (manual §5): "Diferido Transacciones" — the card, the consumo to defer,
// the simulation in amount and term, the SMS code, the result — and the card's "Diferidos
// vigentes", each with "Precancelar" (its pending principal moves to the revolving balance,
// with no future interest). Cuotas, interest and tables are the API's; nothing is computed
// here. A deferral awaiting its code is resumed from GET /cards/{id}/deferrals/current.

import { useEffect, useState } from '../../vendor/preact-htm-3.1.1.js';
import { api } from '../api.js';
import { formatDate, formatHour, formatMoney } from '../format.js';
import { queryParams } from '../router.js';
import {
  Alert, ConfirmDialog, DataTable, ErrorMessage, Input, Loading, OtpStep, Select, Steps, Summary, html, useAction, useApi, useFocus,
} from '../ui.js';
import { PURCHASE_COLUMNS } from './card_statement.js';

const enc = encodeURIComponent;
const STEPS = ['Tarjeta', 'Consumo', 'Simulación', 'Confirmación'];
const STEP_OF = { consumos: 1, simular: 2, codigo: 3, resultado: 4 };

const Hidden = ({ children }) => html`<span class="oculto">${children}</span>`;
const months = (n) => `${n} ${n === 1 ? 'mes' : 'meses'}`;
const rate = (sim) => (sim.sin_intereses ? 'Sin intereses' : `${sim.tasa_anual}% nominal anual`);
const termLabel = (t) => (t.sin_intereses ? `${months(t.meses)} sin intereses` : `${months(t.meses)}, tasa ${t.tasa_anual}% anual`);

export function DeferralsPage() {
  const position = useApi('/position');
  const cards = (position.data?.tarjetas || []).filter((t) => t.tipo === 'CREDITO');
  const [cardId, setCardId] = useState(queryParams().get('tarjeta') || '');
  useEffect(() => {
    if (cards.length > 0 && !cards.some((c) => String(c.id) === cardId)) setCardId(String(cards[0].id));
  }, [position.data]);
  const card = cards.find((c) => String(c.id) === cardId);
  const choose = (value) => {
    setCardId(value);
    history.replaceState(null, '', `/banca/diferidos?tarjeta=${enc(value)}`);
  };

  if (position.loading && !position.data) return html`<${Loading} />`;
  if (position.error) return html`<${ErrorMessage} error=${position.error} />`;
  if (cards.length === 0) return html`<p class="vacio">No tienes tarjetas de crédito Cooprogreso.</p>`;
  return html`<div class="dif">
    <p>Difiere tus consumos en cuotas mensuales: elige la tarjeta y el consumo, simula el diferido en monto y plazo, y confírmalo con el código de seguridad que enviamos a tu celular.</p>
    <section class="tarjeta dif-tarjeta" aria-labelledby="dif-transacciones">
      <h2 id="dif-transacciones">Diferido Transacciones</h2>
      <${Select} label="Tarjeta a la que aplicarás el diferido" value=${cardId} onChange=${choose}
        options=${cards.map((c) => [String(c.id), `${c.marca} ${c.numero}`])} />
      ${card && html`<${Summary} title="Cupo de la tarjeta" items=${[
        ['Cupo total', formatMoney(card.cupo_total)],
        ['Utilizado rotativo', formatMoney(card.utilizado_rotativo)],
        ['Utilizado diferido', formatMoney(card.utilizado_diferido)],
        ['Cupo disponible', formatMoney(card.cupo_disponible)],
      ]} />
      <p><a href=${`/banca/productos/tarjetas/${enc(card.id)}`}>Ver el detalle de la tarjeta</a></p>`}
    </section>
    ${card && html`<${CardDeferrals} key=${card.id} card=${card} onFigures=${position.reload} />`}
  </div>`;
}

/** One card: its journey (consumos → simulación → código → resultado) and its diferidos. */
function CardDeferrals({ card, onFigures }) {
  const base = `/cards/${enc(card.id)}`;
  const purchases = useApi(`${base}/purchases`);
  const deferrals = useApi(`${base}/deferrals`);
  const current = useApi(`${base}/deferrals/current`);
  const [view, setView] = useState({ name: 'consumos' });
  useEffect(() => {
    if (current.data?.estado === 'AWAITING_OTP') setView({ name: 'codigo', journey: current.data });
  }, [current.data]);
  const show = (journey) => {
    if (journey.estado === 'AWAITING_OTP') return setView({ name: 'codigo', journey });
    setView({ name: 'resultado', journey });
    refresh();
  };
  const refresh = () => {
    purchases.reload();
    deferrals.reload();
    onFigures();
  };
  const back = () => setView({ name: 'consumos' });
  const missing = current.error && current.error.status !== 404 ? current.error : null;

  let step;
  if (view.name === 'simular') step = html`<${Simulation} base=${base} purchase=${view.purchase} onCancel=${back} onStarted=${show} />`;
  else if (view.name === 'codigo') step = html`<${Code} base=${base} card=${card} journey=${view.journey} onChange=${show} />`;
  else if (view.name === 'resultado') step = html`<${Result} journey=${view.journey} onAccept=${back} />`;
  else step = html`<${Purchases} purchases=${purchases} onChoose=${(purchase) => setView({ name: 'simular', purchase })} />`;

  return html`<div>
    <${Steps} steps=${STEPS} current=${STEP_OF[view.name]} />
    <${ErrorMessage} error=${missing} />
    ${step}
    <${ActiveDeferrals} base=${base} deferrals=${deferrals} onPaidOff=${refresh} />
  </div>`;
}

function Purchases({ purchases, onChoose }) {
  const columns = [
    ...PURCHASE_COLUMNS,
    {
      key: 'accion',
      label: 'Diferir',
      render: (c) => (c.diferible && !c.diferido
        ? html`<button type="button" class="tarj-boton" onClick=${() => onChoose(c)}>Diferir<${Hidden}> el consumo ${c.comercio} de ${formatMoney(c.monto)}<//></button>`
        : html`<span class="nota">${c.diferido ? 'Ya diferido' : 'No diferible'}</span>`),
    },
  ];
  return html`<section aria-labelledby="dif-consumos">
    <h2 id="dif-consumos">Selecciona el consumo que deseas diferir</h2>
    ${purchases.loading && !purchases.data && html`<${Loading} text="Cargando consumos…" />`}
    <${ErrorMessage} error=${purchases.error} />
    ${purchases.data && html`<${DataTable} caption="Consumos de la tarjeta" columns=${columns}
      rows=${purchases.data.consumos} rowKey=${(c) => c.id} empty="Tu tarjeta no registra consumos." />`}
  </section>`;
}

function Simulation({ base, purchase, onCancel, onStarted }) {
  const terms = useApi(`${base}/deferrals/terms`);
  const [monto, setMonto] = useState(purchase.monto);
  const [plazo, setPlazo] = useState('');
  const [sim, setSim] = useState(null);
  const action = useAction();
  const heading = useFocus([]);
  const result = useFocus([sim]);
  const edit = (set) => (value) => {
    set(value);
    setSim(null); // another amount or term: the table shown no longer applies
  };
  const simulate = (e) => {
    e.preventDefault();
    const body = { consumo_id: purchase.id, monto: monto.trim().replace(/^\$\s*/, ''), plazo_meses: Number(plazo) };
    action.run(async () => setSim(await api(`${base}/deferrals/simulate`, { method: 'POST', body })));
  };
  const start = () => action.run(async () => {
    const body = { consumo_id: sim.consumo_id, monto: sim.monto, plazo_meses: sim.plazo_meses };
    onStarted(await api(`${base}/deferrals`, { method: 'POST', body }));
  });
  return html`<section class="tarjeta dif-simulacion" aria-labelledby="dif-simula">
    <h2 id="dif-simula" tabindex="-1" ref=${heading}>Simula tu diferido</h2>
    <${Summary} title="Consumo a diferir" items=${[
      ['Consumo', purchase.comercio],
      ['Fecha', formatDate(purchase.fecha)],
      ['Monto del consumo', formatMoney(purchase.monto)],
    ]} />
    <form onSubmit=${simulate} aria-label="Datos del diferido">
      <${Input} label="Monto a diferir" value=${monto} onInput=${edit(setMonto)} inputmode="decimal" autocomplete="off" maxlength="12" required
        hint=${`Hasta ${formatMoney(purchase.monto)}: puedes diferir todo el consumo o una parte. Con punto para los centavos.`} />
      <${Select} label="Plazo" value=${plazo} onChange=${edit(setPlazo)} required placeholder="Escoge el plazo"
        options=${(terms.data?.plazos || []).map((t) => [String(t.meses), termLabel(t)])} />
      <${ErrorMessage} error=${terms.error} />
      ${!sim && html`<${ErrorMessage} error=${action.error} />`}
      <div class="acciones">
        <button type="button" class="secundario" onClick=${onCancel} disabled=${action.busy}>Elegir otro consumo</button>
        <button type="submit" disabled=${action.busy || !plazo || !monto.trim()}>${action.busy && !sim ? 'Simulando…' : 'Simular'}</button>
      </div>
    </form>
    ${sim && html`<section class="dif-resultado" aria-labelledby="dif-tu-simulacion">
      <h3 id="dif-tu-simulacion" tabindex="-1" ref=${result}>Tu simulación</h3>
      <${Summary} title="Tu simulación" items=${[
        ['Monto a diferir', formatMoney(sim.monto)],
        ['Plazo', months(sim.plazo_meses)],
        ['Cuota mensual', html`<strong>${formatMoney(sim.cuota)}</strong>`],
        ['Tasa de interés', rate(sim)],
        !sim.sin_intereses && ['Tasa efectiva anual', `${sim.tasa_efectiva}%`],
        ['Total intereses', formatMoney(sim.total_intereses)],
        ['Total a pagar', formatMoney(sim.total_a_pagar)],
      ]} />
      <${DataTable} caption="Cuotas del diferido" rows=${sim.tabla} rowKey=${(r) => r.numero} columns=${[
        { key: 'numero', label: 'N°' },
        { key: 'corte', label: 'Fecha de corte', render: (r) => formatDate(r.corte) },
        { key: 'capital', label: 'Capital', money: true },
        { key: 'interes', label: 'Interés', money: true },
        { key: 'cuota', label: 'Cuota', money: true },
        { key: 'saldo', label: 'Saldo', money: true },
      ]} />
      <p><strong>¿Estás de acuerdo con el monto y el plazo?</strong> Te enviaremos un código de seguridad por SMS para confirmar el diferido.</p>
      <${ErrorMessage} error=${action.error} />
      <div class="acciones">
        <button type="button" class="secundario" onClick=${() => setSim(null)} disabled=${action.busy}>Cambiar monto o plazo</button>
        <button type="button" onClick=${start} disabled=${action.busy}>${action.busy ? 'Procesando…' : 'Continuar'}</button>
      </div>
    </section>`}
  </section>`;
}

/** The code step; any refusal re-reads the journey (a wrong code leaves fewer attempts). */
function Code({ base, card, journey, onChange }) {
  const action = useAction();
  const sim = journey.simulacion;
  const confirm = (codigo) => action.run(async () => {
    try {
      onChange(await api(`${base}/deferrals/confirm`, { method: 'POST', body: { codigo } }));
    } catch (error) {
      const now = await api(`${base}/deferrals/current`).catch(() => null);
      if (now) onChange(now);
      throw error;
    }
  });
  const cancel = () => action.run(async () => onChange(await api(`${base}/deferrals/cancel`, { method: 'POST' })));
  return html`<div class="dif-codigo">
    ${journey.mensaje && html`<p>${journey.mensaje}</p>`}
    <${OtpStep}
      items=${[
        ['Tarjeta', `${card.marca} ${card.numero}`],
        ['Consumo', sim.comercio],
        ['Monto a diferir', formatMoney(sim.monto)],
        ['Plazo', months(sim.plazo_meses)],
        ['Tasa de interés', rate(sim)],
        ['Cuota mensual', html`<strong>${formatMoney(sim.cuota)}</strong>`],
      ]}
      sentTo=${journey.otp_enviado_a}
      attemptsLeft=${journey.intentos_restantes}
      busy=${action.busy}
      error=${action.error}
      onSubmit=${confirm}
      onCancel=${cancel}
      submitLabel="Confirmar diferido"
    />
    ${journey.otp_vence && html`<p class="nota">El código vence a las ${formatHour(journey.otp_vence)}. Si vence, el consumo queda sin diferir y puedes intentarlo de nuevo.</p>`}
  </div>`;
}

function Result({ journey, onAccept }) {
  const ok = journey.estado === 'DEFERRED';
  const heading = useFocus([]);
  const sim = journey.simulacion;
  return html`<section class="tarjeta" aria-labelledby="dif-final">
    <h2 id="dif-final" tabindex="-1" ref=${heading}>${ok ? 'Diferido realizado' : 'Diferido no realizado'}</h2>
    <${Alert} kind=${ok ? 'success' : 'warning'}><p>${journey.mensaje}</p><//>
    ${ok && sim && html`<${Summary} title="Detalle del diferido" items=${[
      ['Consumo', sim.comercio],
      ['Monto diferido', formatMoney(sim.monto)],
      ['Plazo', months(sim.plazo_meses)],
      ['Cuota mensual', formatMoney(sim.cuota)],
      ['Total a pagar', formatMoney(sim.total_a_pagar)],
      ['Número de diferido', journey.diferido_id],
    ]} />`}
    <div class="acciones"><button type="button" onClick=${onAccept}>Aceptar</button></div>
  </section>`;
}

function ActiveDeferrals({ base, deferrals, onPaidOff }) {
  const [paying, setPaying] = useState(null);
  const [notice, setNotice] = useState(null);
  const action = useAction();
  const told = useFocus([notice]);
  const rows = (deferrals.data?.diferidos || []).filter((d) => d.estado === 'VIGENTE');
  const open = (d) => {
    action.setError(null);
    setPaying(d);
  };
  const payOff = () => action.run(async () => {
    const answer = await api(`${base}/deferrals/${enc(paying.id)}/payoff`, { method: 'POST' });
    setPaying(null);
    setNotice(answer);
    onPaidOff();
  });
  const columns = [
    { key: 'comercio', label: 'Consumo' },
    { key: 'fecha', label: 'Fecha', render: (d) => formatDate(d.fecha) },
    { key: 'monto', label: 'Monto diferido', money: true },
    { key: 'plazo_meses', label: 'Plazo', render: (d) => months(d.plazo_meses) },
    { key: 'tasa_anual', label: 'Tasa anual', render: (d) => (Number(d.tasa_anual) === 0 ? 'Sin intereses' : `${d.tasa_anual}%`) },
    { key: 'cuota', label: 'Cuota', money: true },
    { key: 'cuotas_facturadas', label: 'Cuotas facturadas', render: (d) => `${d.cuotas_facturadas} de ${d.plazo_meses}` },
    { key: 'capital_pendiente', label: 'Capital pendiente', money: true },
    {
      key: 'accion',
      label: 'Precancelar',
      render: (d) => html`<button type="button" class="secundario tarj-boton" onClick=${() => open(d)}>Precancelar<${Hidden}> el diferido de ${d.comercio}<//></button>`,
    },
  ];
  return html`<section class="prod-seccion" aria-labelledby="dif-vigentes">
    <h2 id="dif-vigentes">Diferidos vigentes</h2>
    <div aria-live="polite" class="dif-aviso" tabindex="-1" ref=${notice ? told : null}>
      ${notice && html`<${Alert} kind="success" title="Diferido precancelado">
        <p>${notice.mensaje}</p>
        <p>Capital trasladado a tu saldo rotativo: <strong>${formatMoney(notice.capital_trasladado)}</strong></p>
      <//>`}
    </div>
    ${deferrals.loading && !deferrals.data && html`<${Loading} text="Cargando diferidos…" />`}
    <${ErrorMessage} error=${deferrals.error} />
    ${deferrals.data && html`<${DataTable} caption="Diferidos vigentes" columns=${columns} rows=${rows}
      rowKey=${(d) => d.id} empty="Tu tarjeta no tiene diferidos vigentes." />`}
    ${paying && html`<${ConfirmDialog} title="Precancelar diferido" onClose=${() => setPaying(null)} onConfirm=${payOff}
      busy=${action.busy} error=${action.error} cancelLabel="Volver" confirmLabel="Precancelar" busyLabel="Precancelando…">
      <p>¿Deseas precancelar el diferido de <strong>${paying.comercio}</strong>?</p>
      <p>El capital pendiente de <strong>${formatMoney(paying.capital_pendiente)}</strong> pasará a tu saldo rotativo y se cobrará en tu próximo estado de cuenta, sin intereses futuros.</p>
    <//>`}
  </section>`;
}
