// Transferencias (manual §2): the menu, "Transferencias a mis Cuentas", "Transferencias
// Cooprogreso" and "Transferencias Interbancarias". Each form picks the origin account, the
// destination, the amount and the reference / motivo; "Continuar" starts the operation
// (POST /transfers with the form's Idempotency-Key) and the operation's page asks for the SMS
// code, shows what it authorises and the outcome. Fees, totals and limits come from the API.
//
// Every Transferencias screen offers the operations still awaiting their code (GET
// /movements), so a member who closed the tab mid-transfer finds it again after signing in.

import { useState } from '../../vendor/preact-htm-3.1.1.js';
import { api, newOperationKey } from '../api.js';
import { formatHour, formatMoney } from '../format.js';
import { navigate } from '../router.js';
import { Alert, ErrorMessage, Input, Loading, Select, Summary, html, useAction, useApi } from '../ui.js';
import { TITLES } from './operation.js';
import { AccountSelect, accountOptions, useDebitAccounts } from './services.js';

const OPTIONS = [
  ['Transferencias a mis Cuentas', '/banca/transferencias/mis-cuentas', 'Mueve fondos de una de tus cuentas Cooprogreso hacia otra de tus cuentas Cooprogreso.'],
  ['Transferencias Cooprogreso', '/banca/transferencias/cooprogreso', 'Mueve tus fondos de una manera eficiente a otras cuentas Cooprogreso.'],
  ['Transferencias Interbancarias', '/banca/transferencias/interbancarias', 'Mueve tus fondos entre cuentas de diferentes instituciones financieras.'],
  ['Administración de Beneficiarios', '/banca/beneficiarios', 'Busca, crea, edita o elimina los beneficiarios de tus transferencias.'],
];
const OTHER = 'otra';
const AMOUNT_HINT = 'En dólares, con punto para los centavos. Ejemplo: 25.50';

// ---------------------------------------------------------------- pending operations

function destinationText(op) {
  const d = op.resumen?.destino;
  if (!d) return '';
  if (op.tipo === 'PAGO_SERVICIO') return `${d.empresa || d.nombre} ${d.suministro || ''}`.trim();
  return html`${d.nombre}<br />${[d.institucion, d.cuenta].filter(Boolean).join(' · ')}`;
}

/** "Operaciones pendientes de confirmar": each one links back to its code step. */
export function PendingOperations() {
  const pending = useApi('/movements');
  if (pending.error) return html`<${ErrorMessage} error=${pending.error} />`;
  const rows = pending.data || [];
  if (rows.length === 0) return null;
  return html`<section class="transf-pendientes" aria-labelledby="transf-pendientes-titulo">
    <h2 id="transf-pendientes-titulo">Operaciones pendientes de confirmar</h2>
    <p>Estas operaciones esperan tu código de seguridad. Continúa antes de que el código venza; si vence, la operación se anula sin ningún débito.</p>
    <ul class="transf-lista">
      ${rows.map((op) => {
        const title = TITLES[op.tipo] || 'Operación';
        const total = formatMoney(op.resumen?.total);
        return html`<li key=${op.id} class="transf-pendiente" aria-labelledby=${`transf-p-${op.id}`}>
          <h3 id=${`transf-p-${op.id}`}>${title} de ${total}</h3>
          <${Summary}
            title=${`${title} de ${total}`}
            items=${[
              ['Destino', destinationText(op)],
              op.resumen?.referencia && ['Motivo / referencia', op.resumen.referencia],
              ['Total a debitar', total],
              ['El código vence', formatHour(op.codigo_expira)],
            ]}
          />
          <a class="boton transf-continuar" href=${`/banca/operaciones/${encodeURIComponent(op.id)}`}>
            Continuar<span class="oculto"> ${title} de ${total}</span>
          </a>
        </li>`;
      })}
    </ul>
  </section>`;
}

// ---------------------------------------------------------------- the menu

export function TransfersMenuPage() {
  return html`<div class="transf">
    <${PendingOperations} />
    <h2>¿Qué transferencia deseas realizar?</h2>
    <p>Selecciona la opción que deseas ejecutar.</p>
    <ul class="opciones transf-opciones">
      ${OPTIONS.map(([label, href, text]) => html`<li><a class="opcion" href=${href}><strong>${label}</strong>${text}</a></li>`)}
    </ul>
  </div>`;
}

// ---------------------------------------------------------------- the shared form

/**
 * The fields of one transfer and its Idempotency-Key. Any change of a field is another
 * operation (a new key); a double click sends the same key, so the API starts it once.
 */
function useTransferForm(initial) {
  const [fields, setFields] = useState(initial);
  const [key, setKey] = useState(newOperationKey);
  const start = useAction();
  const set = (name) => (value) => {
    setFields((f) => ({ ...f, [name]: value }));
    setKey(newOperationKey());
  };
  const send = (body) =>
    start.run(async () => {
      try {
        await api('/transfers', { method: 'POST', headers: { 'Idempotency-Key': key }, body });
      } catch (error) {
        // A refusal ends that operation: the next try is a new one. A lost answer (no
        // connection, 5xx) keeps the key, so trying again joins the first request.
        if (error.status >= 400 && error.status < 500) setKey(newOperationKey());
        throw error;
      }
      navigate(`/banca/operaciones/${encodeURIComponent(key)}`);
    });
  return { fields, set, send, start };
}

/** "10,50" → "10.50": the API takes a dot; anything else is left for it to explain. */
function amount(text) {
  const value = text.trim();
  return /^\d+,\d{1,2}$/.test(value) ? value.replace(',', '.') : value;
}

function TransferForm({ title, form, debit, ready, onSubmit, referenceLabel, children, note }) {
  const { fields, set, start } = form;
  const submit = (e) => {
    e.preventDefault();
    if (ready && !start.busy) onSubmit();
  };
  return html`<div class="transf">
    <${PendingOperations} />
    <form class="tarjeta transf-formulario" onSubmit=${submit} novalidate aria-labelledby="transf-form-titulo">
      <h2 id="transf-form-titulo">${title}</h2>
      ${debit.loading && html`<${Loading} />`}
      <${ErrorMessage} error=${debit.error} />
      <fieldset class="transf-grupo">
        <legend>Selección de la cuenta origen</legend>
        <${AccountSelect} accounts=${debit.accounts} value=${fields.origen} onChange=${set('origen')} label="Cuenta de origen" />
      </fieldset>
      <fieldset class="transf-grupo">
        <legend>Selección de la cuenta destino</legend>
        ${children}
      </fieldset>
      <fieldset class="transf-grupo">
        <legend>Monto y ${referenceLabel.toLowerCase()}</legend>
        <${Input} label="Monto" value=${fields.monto} onInput=${set('monto')} inputmode="decimal" autocomplete="off" maxlength="12" hint=${AMOUNT_HINT} required />
        <${Input} label=${referenceLabel} value=${fields.referencia} onInput=${set('referencia')} maxlength="120" autocomplete="off" hint="Detalla la transacción (opcional)." />
      </fieldset>
      ${note}
      <p class="nota">Al continuar verás el detalle de la transferencia y te enviaremos un código de seguridad por SMS a tu teléfono móvil para autorizarla.</p>
      <${ErrorMessage} error=${start.error} />
      <div class="acciones">
        <a class="boton secundario" href="/banca/transferencias">Cancelar</a>
        <button type="submit" disabled=${!ready || start.busy}>${start.busy ? 'Procesando…' : 'Continuar'}</button>
      </div>
    </form>
  </div>`;
}

function NewBeneficiaryLink() {
  return html`<p class="transf-nuevo"><a class="boton secundario" href="/banca/beneficiarios">Nuevo Beneficiario</a></p>`;
}

/** The "Beneficiario" select of a form, fed by its `useApi` of beneficiaries. */
function PayeeSelect({ form, payees, options, hint }) {
  return html`<${Select}
    label="Beneficiario"
    value=${form.fields.destino}
    onChange=${form.set('destino')}
    options=${options}
    placeholder=${payees.loading ? 'Cargando…' : 'Selecciona el beneficiario'}
    hint=${hint}
    required
  />`;
}

// ---------------------------------------------------------------- a mis Cuentas

export function OwnTransferPage() {
  const debit = useDebitAccounts();
  const form = useTransferForm({ origen: '', destino: '', monto: '', referencia: '' });
  const { fields, set } = form;
  const targets = debit.accounts.filter((c) => c.numero !== fields.origen);
  const destino = targets.some((c) => c.numero === fields.destino) ? fields.destino : targets.length === 1 ? targets[0].numero : '';
  const ready = Boolean(fields.origen && destino && fields.monto.trim());
  const onSubmit = () =>
    form.send({ tipo: 'PROPIAS', cuenta_origen: fields.origen, cuenta_destino: destino, monto: amount(fields.monto), referencia: fields.referencia.trim() });
  const single = !debit.loading && !debit.error && debit.accounts.length < 2;
  return html`<${TransferForm} title="Transfiere entre tus cuentas Cooprogreso" form=${form} debit=${debit} ready=${ready} onSubmit=${onSubmit} referenceLabel="Referencia">
    ${single
      ? html`<${Alert} kind="info"><p>Para transferir entre tus cuentas necesitas otra cuenta de ahorros activa en Cooprogreso. Para otras cuentas usa <a href="/banca/transferencias/cooprogreso">Transferencias Cooprogreso</a>.</p><//>`
      : html`<${Select}
          label="Cuenta de destino"
          value=${destino}
          onChange=${set('destino')}
          options=${accountOptions(targets)}
          placeholder=${fields.origen ? 'Selecciona la cuenta de destino' : 'Primero selecciona la cuenta de origen'}
          disabled=${!fields.origen}
          required
        />`}
  <//>`;
}

// ---------------------------------------------------------------- Cooprogreso

export function CooprogresoTransferPage() {
  const debit = useDebitAccounts();
  const payees = useApi('/beneficiaries?servicio=COOPROGRESO');
  const form = useTransferForm({ origen: '', destino: '', cuenta: '', monto: '', referencia: '' });
  const { fields, set } = form;
  const other = fields.destino === OTHER;
  const ready = Boolean(fields.origen && (other ? fields.cuenta.trim() : fields.destino) && fields.monto.trim());
  const onSubmit = () =>
    form.send({
      tipo: 'COOPROGRESO',
      cuenta_origen: fields.origen,
      ...(other ? { cuenta_destino: fields.cuenta.trim() } : { beneficiario_id: Number(fields.destino) }),
      monto: amount(fields.monto),
      referencia: fields.referencia.trim(),
    });
  const options = [
    ...(payees.data || []).map((b) => [String(b.id), `${b.nombre} - Cta. ${b.cuenta}`]),
    [OTHER, 'Otra cuenta Cooprogreso (ingresar el número)'],
  ];
  return html`<${TransferForm} title="Transfiere a otras cuentas Cooprogreso" form=${form} debit=${debit} ready=${ready} onSubmit=${onSubmit} referenceLabel="Motivo">
    <${ErrorMessage} error=${payees.error} />
    <${PayeeSelect} form=${form} payees=${payees} options=${options} hint="Tus beneficiarios registrados de Transferencias Cooprogreso, u otra cuenta Cooprogreso." />
    ${other && html`<${Input} label="Número de cuenta Cooprogreso" value=${fields.cuenta} onInput=${set('cuenta')} inputmode="numeric" maxlength="20" autocomplete="off" required />`}
    <${NewBeneficiaryLink} />
  <//>`;
}

// ---------------------------------------------------------------- Interbancarias

function InstitutionsNote({ institutions }) {
  const immediate = (institutions.data || []).filter((i) => i.acreditacion_inmediata);
  return html`<div class="transf-nota">
    <p><strong>Nota:</strong> El tiempo de acreditación varía según el monto y la institución financiera. Consulta aquí las Instituciones con acreditación inmediata; las demás procesarán hasta en 24 horas laborables.</p>
    <${ErrorMessage} error=${institutions.error} />
    <details class="transf-instituciones">
      <summary>Instituciones con acreditación inmediata</summary>
      ${institutions.loading ? html`<${Loading} />` : html`<ul>${immediate.map((i) => html`<li key=${i.codigo}>${i.nombre}</li>`)}</ul>`}
    </details>
  </div>`;
}

export function InterbankTransferPage() {
  const debit = useDebitAccounts();
  const payees = useApi('/beneficiaries?servicio=INTERBANCARIA');
  const institutions = useApi('/transfers/institutions');
  const form = useTransferForm({ origen: '', destino: '', monto: '', referencia: '' });
  const { fields } = form;
  const list = payees.data || [];
  const chosen = list.find((b) => String(b.id) === fields.destino) || null;
  const bank = chosen && (institutions.data || []).find((i) => i.codigo === chosen.institucion);
  const ready = Boolean(fields.origen && chosen && fields.monto.trim());
  const onSubmit = () =>
    form.send({ tipo: 'INTERBANCARIA', cuenta_origen: fields.origen, beneficiario_id: chosen.id, monto: amount(fields.monto), referencia: fields.referencia.trim() });
  const options = list.map((b) => [String(b.id), `${b.nombre} - ${b.institucion_nombre} - ${b.tipo_cuenta === 'CORRIENTE' ? 'Corriente' : 'Ahorros'} ${b.cuenta}`]);
  return html`<${TransferForm}
    title="Transfiere a cuentas de otras instituciones financieras"
    form=${form}
    debit=${debit}
    ready=${ready}
    onSubmit=${onSubmit}
    referenceLabel="Motivo"
    note=${html`<${InstitutionsNote} institutions=${institutions} />`}
  >
    <${ErrorMessage} error=${payees.error} />
    ${payees.data && list.length === 0 && html`<p class="vacio">Aún no tienes beneficiarios de Transferencias Interbancarias. Regístralo con «Nuevo Beneficiario».</p>`}
    <${PayeeSelect} form=${form} payees=${payees} options=${options} hint="Tus beneficiarios registrados de Transferencias Interbancarias." />
    ${bank && html`<p class="transf-acreditacion" aria-live="polite">Acreditación en ${bank.nombre}: <strong>${bank.acreditacion_inmediata ? 'inmediata' : 'hasta 24 horas laborables'}</strong></p>`}
    <${NewBeneficiaryLink} />
  <//>`;
}
