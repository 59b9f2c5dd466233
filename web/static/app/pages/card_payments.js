// Pago de Tarjetas (manual §4): "Tarjetas Cooprogreso" — the member's credit cards with pago
// mínimo, pago total and fecha máxima de pago — and "Otros Bancos" — the registered cards of
// other banks, "Registrar tarjeta" and removing one. The payment form starts the operation
// (POST /card-payments with its own Idempotency-Key); its code and receipt are on the
// operation's page. Amounts to pay come from the API; the page never computes money.

import { useEffect, useState } from '../../vendor/preact-htm-3.1.1.js';
import { api, newOperationKey } from '../api.js';
import { formatDate, formatMoney } from '../format.js';
import { navigate } from '../router.js';
import { Alert, ConfirmDialog, DataTable, ErrorMessage, Input, Loading, Select, Summary, html, useAction, useApi, useFocus, useId } from '../ui.js';
import { AccountSelect, useDebitAccounts } from './services.js';

const BRANDS = [
  ['VISA', 'Visa'],
  ['MASTERCARD', 'Mastercard'],
  ['DINERS', 'Diners Club'],
  ['AMEX', 'American Express'],
  ['DISCOVER', 'Discover'],
];

/** A hidden tail for a row's button ("Pagar" + which card) that stays inside its table. */
function Hidden({ children }) {
  return html`<span class="oculto">${children}</span>`;
}

// ---------------------------------------------------------------- Tarjetas Cooprogreso

export function CooprogresoCardsPage() {
  const payable = useApi('/cards/payable');
  const cards = (payable.data || []).filter((c) => c.tipo === 'COOPROGRESO');
  const [chosen, setChosen] = useState(null);
  useEffect(() => {
    if (chosen === null && cards.length === 1) setChosen(cards[0].id);
  }, [payable.data]);
  const card = cards.find((c) => c.id === chosen) || null;

  const columns = [
    { key: 'marca', label: 'Marca' },
    { key: 'numero', label: 'Número' },
    { key: 'pago_minimo', label: 'Pago Mínimo', money: true },
    { key: 'pago_total', label: 'Pago Total', money: true },
    { key: 'fecha_maxima_pago', label: 'Fecha Max. de pago', render: (c) => formatDate(c.fecha_maxima_pago) },
    {
      key: 'pagar',
      label: 'Pagar',
      render: (c) => html`<button type="button" class="tarj-boton" aria-pressed=${c.id === chosen} onClick=${() => setChosen(c.id)}>
        Pagar<${Hidden}> la tarjeta ${c.numero}<//>
      </button>`,
    },
  ];

  return html`<section aria-labelledby="tarj-lista">
    <h2 id="tarj-lista">Selecciona la tarjeta que vas a cancelar</h2>
    ${payable.loading && html`<${Loading} />`}
    <${ErrorMessage} error=${payable.error} />
    ${payable.data &&
    html`<${DataTable}
      caption="Tarjetas de Crédito Cooprogreso"
      columns=${columns}
      rows=${cards}
      rowKey=${(c) => c.id}
      empty="No tienes tarjetas de crédito Cooprogreso por pagar."
    />`}
    <p class="nota">¿Quieres pagar la tarjeta de otra institución? Ingresa a <a href="/banca/tarjetas/otros-bancos">Pago de Tarjetas de Otros Bancos</a>.</p>
    ${card &&
    html`<${PaymentForm}
      key=${card.id}
      card=${card}
      title=${`Pagar tarjeta ${card.marca} ${card.numero}`}
      details=${[
        ['Tarjeta', `${card.marca} ${card.numero}`],
        ['Pago mínimo', formatMoney(card.pago_minimo)],
        ['Pago total', formatMoney(card.pago_total)],
        ['Fecha máxima de pago', formatDate(card.fecha_maxima_pago)],
      ]}
      onCancel=${() => setChosen(null)}
    />`}
  </section>`;
}

// ---------------------------------------------------------------- Otros Bancos

export function OtherBankCardsPage() {
  const cards = useApi('/cards/other');
  const [view, setView] = useState({ name: 'lista' });
  const [notice, setNotice] = useState(null);
  const [removing, setRemoving] = useState(null);
  const list = cards.data || [];
  const paying = view.name === 'pagar' ? list.find((c) => c.id === view.id) : null;

  const registered = (card) => {
    setNotice(`Registraste la tarjeta ${card.marca} ${card.numero} de ${card.institucion_nombre}. Ahora ingresa el monto a pagar.`);
    setView({ name: 'pagar', id: card.id });
    cards.reload();
  };
  const removed = (card) => {
    setRemoving(null);
    setNotice(`Eliminaste la tarjeta ${card.marca} ${card.numero} de ${card.institucion_nombre}.`);
    if (view.id === card.id) setView({ name: 'lista' });
    cards.reload();
  };

  const columns = [
    { key: 'institucion_nombre', label: 'Institución' },
    { key: 'marca', label: 'Marca' },
    { key: 'numero', label: 'Número' },
    { key: 'titular', label: 'Titular' },
    {
      key: 'acciones',
      label: 'Acciones',
      render: (c) => html`<div class="tarj-acciones">
        <button type="button" class="tarj-boton" aria-pressed=${paying?.id === c.id} onClick=${() => { setNotice(null); setView({ name: 'pagar', id: c.id }); }}>
          Pagar<${Hidden}> la tarjeta ${c.numero} de ${c.institucion_nombre}<//>
        </button>
        <button type="button" class="secundario tarj-boton" onClick=${() => setRemoving(c)}>
          Eliminar<${Hidden}> la tarjeta ${c.numero} de ${c.institucion_nombre}<//>
        </button>
      </div>`,
    },
  ];

  return html`<section aria-labelledby="tarj-otras">
    <h2 id="tarj-otras">Selecciona la tarjeta que vas a cancelar</h2>
    ${notice && html`<${Alert} kind="success">${notice}<//>`}
    ${cards.loading && html`<${Loading} />`}
    <${ErrorMessage} error=${cards.error} />
    ${cards.data &&
    html`<${DataTable}
      caption="Tarjetas de otros bancos registradas"
      columns=${columns}
      rows=${list}
      rowKey=${(c) => c.id}
      empty="Aún no tienes tarjetas de otros bancos registradas."
    />`}
    ${view.name !== 'registrar' &&
    html`<div class="acciones tarj-nueva">
      <p>¿Requieres añadir una nueva tarjeta?</p>
      <button type="button" class="secundario" onClick=${() => { setNotice(null); setView({ name: 'registrar' }); }}>Registrar tarjeta</button>
    </div>`}
    ${view.name === 'registrar' && html`<${RegisterCard} onDone=${registered} onCancel=${() => setView({ name: 'lista' })} />`}
    ${paying &&
    html`<${PaymentForm}
      key=${paying.id}
      card=${{ ...paying, tipo: 'OTRO_BANCO' }}
      title=${`Pagar tarjeta ${paying.marca} ${paying.numero}`}
      details=${[
        ['Institución', paying.institucion_nombre],
        ['Tarjeta', `${paying.marca} ${paying.numero}`],
        ['Titular', paying.titular],
      ]}
      onCancel=${() => setView({ name: 'lista' })}
    />`}
    ${removing && html`<${RemoveCard} card=${removing} onDone=${removed} onClose=${() => setRemoving(null)} />`}
  </section>`;
}

/** "Ingresa los datos de la nueva tarjeta": institution, number (never shown again), holder. */
function RegisterCard({ onDone, onCancel }) {
  const [form, setForm] = useState({ institucion: '', numero: '', titular: '', marca: '' });
  const institutions = useApi('/transfers/institutions');
  const { busy, error, run } = useAction();
  const heading = useFocus([]);
  const set = (key) => (value) => setForm((now) => ({ ...now, [key]: value }));

  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      const body = { institucion: form.institucion, numero: form.numero.trim(), titular: form.titular.trim() };
      if (form.marca) body.marca = form.marca;
      onDone(await api('/cards/other', { method: 'POST', body }));
    });
  };
  const ready = form.institucion && form.numero.trim() && form.titular.trim();

  return html`<section class="tarjeta tarj-formulario" aria-labelledby="tarj-registrar">
    <h2 id="tarj-registrar" tabindex="-1" ref=${heading}>Registrar tarjeta</h2>
    <p>Ingresa los datos de la nueva tarjeta que deseas registrar.</p>
    <form onSubmit=${submit} novalidate>
      <${ErrorMessage} error=${institutions.error} />
      <${Select}
        label="Institución financiera"
        value=${form.institucion}
        onChange=${set('institucion')}
        options=${(institutions.data || []).map((i) => [i.codigo, i.nombre])}
        placeholder=${institutions.loading ? 'Cargando…' : 'Selecciona la institución'}
        required
      />
      <${Input}
        label="Número de tarjeta"
        value=${form.numero}
        onInput=${(v) => set('numero')(v.replace(/[^\d -]/g, ''))}
        inputmode="numeric"
        autocomplete="off"
        maxlength="23"
        hint="De 13 a 19 dígitos. Guardaremos solo los 4 últimos a la vista."
        required
      />
      <${Input} label="Titular de la tarjeta" value=${form.titular} onInput=${set('titular')} maxlength="80" autocomplete="off" required />
      <${Select} label="Marca (opcional)" value=${form.marca} onChange=${set('marca')} options=${BRANDS} placeholder="Según el número de la tarjeta" />
      <${ErrorMessage} error=${error} />
      <div class="acciones">
        <button type="button" class="secundario" onClick=${onCancel} disabled=${busy}>Cancelar</button>
        <button type="submit" disabled=${busy || !ready}>${busy ? 'Registrando…' : 'Registrar'}</button>
      </div>
    </form>
  </section>`;
}

function RemoveCard({ card, onDone, onClose }) {
  const { busy, error, run } = useAction();
  const confirm = () =>
    run(async () => {
      await api(`/cards/other/${card.id}`, { method: 'DELETE' });
      onDone(card);
    });
  return html`<${ConfirmDialog} title="Eliminar tarjeta" onClose=${onClose} onConfirm=${confirm} busy=${busy} error=${error}>
    <p>¿Deseas eliminar la tarjeta <strong>${card.marca} ${card.numero}</strong> de ${card.institucion_nombre}, a nombre de ${card.titular}?</p>
    <p class="nota">Podrás registrarla nuevamente cuando lo necesites.</p>
  <//>`;
}

// ---------------------------------------------------------------- the payment

/** A radio of the "Valor a pagar" group. */
function Choice({ name, value, current, onChange, label, amount }) {
  const id = useId('tarj-opcion');
  return html`<div class="tarj-opcion">
    <input type="radio" id=${id} name=${name} value=${value} checked=${current === value} onChange=${() => onChange(value)} />
    <label for=${id}>${label}${amount && html` <strong class="dinero">${formatMoney(amount)}</strong>`}</label>
  </div>`;
}

/**
 * The payment of one card: the account to debit and the amount (pago mínimo / pago total /
 * otro valor for a Cooprogreso card; the amount typed for another bank's). One Idempotency-Key
 * per operation: a new one when what is paid changes or the API refused the last attempt.
 */
function PaymentForm({ card, title, details, onCancel }) {
  const cooprogreso = card.tipo === 'COOPROGRESO';
  const debit = useDebitAccounts();
  const [account, setAccount] = useState('');
  const [option, setOption] = useState(cooprogreso ? '' : 'OTRO');
  const [amount, setAmount] = useState('');
  const [key, setKey] = useState(newOperationKey);
  const { busy, error, run } = useAction();
  const heading = useFocus([]);
  const group = useId('tarj-valor');

  const change = (setter) => (value) => {
    setter(value);
    setKey(newOperationKey()); // another amount or account is another operation
  };

  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      const body = { cuenta_origen: account, opcion: option };
      if (cooprogreso) body.tarjeta_id = card.id;
      else body.tarjeta_registrada_id = card.id;
      if (option === 'OTRO') body.monto = amount.trim().replace(/^\$\s*/, '');
      try {
        await api('/card-payments', { method: 'POST', headers: { 'Idempotency-Key': key }, body });
      } catch (refused) {
        // A refused operation is closed under its key; the next attempt is a new operation.
        // Without an answer (no connection, 5xx) the same key is kept, so nothing is doubled.
        if (refused.status >= 400 && refused.status < 500) setKey(newOperationKey());
        throw refused;
      }
      navigate(`/banca/operaciones/${encodeURIComponent(key)}`);
    });
  };
  const ready = account && option && (option !== 'OTRO' || amount.trim());

  return html`<section class="tarjeta tarj-formulario" aria-labelledby="tarj-pago">
    <h2 id="tarj-pago" tabindex="-1" ref=${heading}>${title}</h2>
    <${Summary} title="Datos de la tarjeta" items=${details} />
    ${debit.loading && html`<${Loading} />`}
    <${ErrorMessage} error=${debit.error} />
    <form onSubmit=${submit} novalidate>
      <${AccountSelect} accounts=${debit.accounts} value=${account} onChange=${change(setAccount)} label="Cuenta a debitar" />
      ${cooprogreso &&
      html`<fieldset class="tarj-valores">
        <legend>Valor a pagar</legend>
        <${Choice} name=${group} value="MINIMO" current=${option} onChange=${change(setOption)} label="Pago mínimo" amount=${card.pago_minimo} />
        <${Choice} name=${group} value="TOTAL" current=${option} onChange=${change(setOption)} label="Pago total" amount=${card.pago_total} />
        <${Choice} name=${group} value="OTRO" current=${option} onChange=${change(setOption)} label="Otro valor" />
      </fieldset>`}
      ${option === 'OTRO' &&
      html`<${Input}
        label=${cooprogreso ? 'Otro valor a pagar' : 'Monto a pagar'}
        value=${amount}
        onInput=${change(setAmount)}
        inputmode="decimal"
        autocomplete="off"
        maxlength="12"
        hint=${cooprogreso ? `Hasta ${formatMoney(card.pago_total)}, por ejemplo 150.25.` : 'Digita el monto que se va a cancelar, por ejemplo 150.25.'}
        required
      />`}
      <p class="nota">Antes de confirmar verás la comisión y el total a debitar; te enviaremos un código de seguridad por SMS a tu teléfono móvil.</p>
      <${ErrorMessage} error=${error} />
      <div class="acciones">
        <button type="button" class="secundario" onClick=${onCancel} disabled=${busy}>Cancelar</button>
        <button type="submit" disabled=${busy || !ready}>${busy ? 'Procesando…' : 'Continuar'}</button>
      </div>
    </form>
  </section>`;
}
