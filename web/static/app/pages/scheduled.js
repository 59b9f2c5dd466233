// Pagos Programados (manual §3): "Programar Pago" — the authorisation of a recurring debit
// with its terms and its SMS code — and "Consultar Pagos Programados": pause, resume, cancel
// and a new "Monto máximo" (with its own code). The Schedule lives in the engine; this page
// only asks the API and shows what it answers.

import { useState } from '../../vendor/preact-htm-3.1.1.js';
import { api } from '../api.js';
import { formatDate, formatDateTime, formatMoney, todayIso } from '../format.js';
import { Alert, ConfirmDialog, DataTable, Dialog, ErrorMessage, Input, Loading, OtpStep, Select, Steps, Summary, html, useAction, useApi, useFocus } from '../ui.js';
import { AccountSelect, CompanyFields, useDebitAccounts } from './services.js';

const FREQUENCIES = [
  ['MENSUAL', 'Mensual'],
  ['QUINCENAL', 'Quincenal (cada 14 días)'],
  ['SEMANAL', 'Semanal'],
];
const FREQUENCY_TEXT = Object.fromEntries(FREQUENCIES.map(([v, t]) => [v, t.replace(/ \(.*\)$/, '')]));
// The API's `dia`: ISO weekday (1 = lunes) for weekly and fortnightly, day of the month for monthly.
const WEEKDAYS = ['Lunes', 'Martes', 'Miércoles', 'Jueves', 'Viernes', 'Sábado', 'Domingo'];
const STATE_TEXT = { ACTIVO: 'Activo', PAUSADO: 'Pausado', CANCELADO: 'Cancelado' };

const NOTE_MAX =
  'Recuerda que si la factura es mayor al valor establecido en el campo Monto máximo el pago no se realizará y te lo notificaremos por Mail.';

function dayText(frequency, day) {
  if (!day) return '';
  if (frequency === 'MENSUAL') return `el día ${day} de cada mes`;
  const name = WEEKDAYS[day - 1]?.toLowerCase() || '';
  return frequency === 'SEMANAL' ? `cada ${name}` : `cada 14 días (${name})`;
}

function frequencyText(frequency, day) {
  const base = FREQUENCY_TEXT[frequency] || frequency;
  const when = dayText(frequency, day);
  return when ? `${base}, ${when}` : base;
}

// ---------------------------------------------------------------- Programar Pago

const NEW_STEPS = ['Datos del pago', 'Términos y condiciones', 'Código de seguridad', 'Listo'];

function Terms({ busy, error, onAccept, onClose }) {
  const [accepted, setAccepted] = useState(false);
  return html`<${Dialog} title="Términos y condiciones" onClose=${busy ? undefined : onClose} describedBy="terminos-texto">
    <div id="terminos-texto" class="programados-terminos" tabindex="0" role="document" aria-label="Texto de los términos y condiciones">
      <p>Autorizo a Cooprogreso Cooperativa de Ahorro y Crédito a debitar de la cuenta seleccionada, en la frecuencia y entre las fechas indicadas, el valor de la factura pendiente del servicio registrado, más la comisión y el IVA vigentes.</p>
      <p>El débito se realizará solo si la factura no supera el Monto máximo autorizado y si la cuenta tiene fondos suficientes; en caso contrario el pago no se realizará y te lo notificaremos por correo electrónico.</p>
      <p>Puedes pausar, reanudar o cancelar esta autorización, y cambiar el Monto máximo, en cualquier momento desde Consultar Pagos Programados. Cada pago realizado aparecerá en tu Historial de Pagos.</p>
      <p>Una factura nunca se paga dos veces: si la pagas por otro medio antes del débito, el pago programado no la volverá a pagar.</p>
    </div>
    <div class="casilla">
      <input type="checkbox" id="acepto-terminos" checked=${accepted} onChange=${(e) => setAccepted(e.currentTarget.checked)} />
      <label for="acepto-terminos">He leído y acepto los términos y condiciones</label>
    </div>
    <${ErrorMessage} error=${error} />
    <div class="acciones">
      <button type="button" class="secundario" onClick=${onClose} disabled=${busy}>Cancelar</button>
      <button type="button" onClick=${onAccept} disabled=${!accepted || busy}>${busy ? 'Enviando código…' : 'Programar Pago'}</button>
    </div>
  <//>`;
}

export function ScheduleNewPage() {
  const debit = useDebitAccounts();
  const [account, setAccount] = useState('');
  const [service, setService] = useState({ categoria: '', empresa: '', suministro: '' });
  const [company, setCompany] = useState(null);
  const [max, setMax] = useState('');
  const [frequency, setFrequency] = useState('MENSUAL');
  const [day, setDay] = useState('');
  const [from, setFrom] = useState(todayIso());
  const [to, setTo] = useState('');
  const [terms, setTerms] = useState(false);
  const [challenge, setChallenge] = useState(null);
  const [made, setMade] = useState(null);
  const [nextRun, setNextRun] = useState(undefined);
  const code = useAction();
  const confirm = useAction();
  const step = made ? 3 : challenge ? 2 : terms ? 1 : 0;
  const heading = useFocus([step]);

  const params = () => ({
    cuenta: account,
    empresa: service.empresa,
    suministro: service.suministro,
    monto_maximo: max.trim().replace(/^\$/, ''),
    frecuencia: frequency,
    dia: Number(day),
    desde: from,
    hasta: to,
  });

  const openTerms = (e) => {
    e.preventDefault();
    code.setError(null);
    setTerms(true);
  };

  const requestCode = () =>
    code.run(async () => {
      const issued = await api('/scheduled-payments/code', { method: 'POST', body: { ...params(), acepta_terminos: true } });
      setTerms(false);
      setChallenge({ ...issued, params: params() });
      confirm.setError(null);
    });

  const authorise = (codigo) =>
    confirm.run(async () => {
      const row = await api('/scheduled-payments', {
        method: 'POST',
        body: { ...challenge.params, id_autorizacion: challenge.id_autorizacion, codigo },
      });
      setMade(row);
      setChallenge(null);
      try {
        const listed = await api('/scheduled-payments');
        setNextRun(listed.find((p) => p.id === row.id)?.proxima_ejecucion ?? null);
      } catch {
        setNextRun(null);
      }
    });

  const again = () => {
    setMade(null);
    setNextRun(undefined);
    setService({ categoria: '', empresa: '', suministro: '' });
    setMax('');
    setTo('');
  };

  const dayOptions =
    frequency === 'MENSUAL'
      ? Array.from({ length: 31 }, (_, i) => [String(i + 1), String(i + 1)])
      : WEEKDAYS.map((name, i) => [String(i + 1), name]);
  const referenceLabel = company ? company.etiqueta_referencia : 'Número de cuenta o contrato';
  const ready = account && service.empresa && service.suministro && max.trim() && day && from && to;

  if (made) {
    return html`<section class="tarjeta" aria-labelledby="programado-listo">
      <${Steps} steps=${NEW_STEPS} current=${3} />
      <h2 id="programado-listo" tabindex="-1" ref=${heading}>Pago programado</h2>
      <${Alert} kind="success" title="¡Listo!">
        <p>Tu pago programado de ${made.empresa} quedó registrado.</p>
        ${nextRun === undefined && html`<p>Consultando la próxima ejecución…</p>`}
        ${nextRun && html`<p>Próxima ejecución: <strong>${formatDateTime(nextRun)}</strong>.</p>`}
      <//>
      <${Summary}
        title="Pago programado"
        items=${[
          ['Servicio', made.empresa],
          [referenceLabel, made.suministro],
          ['Cuenta a debitar', made.cuenta],
          ['Monto máximo', formatMoney(made.monto_maximo)],
          ['Frecuencia', frequencyText(made.frecuencia, made.dia)],
          ['Fecha desde', formatDate(made.desde)],
          ['Fecha hasta', formatDate(made.hasta)],
          nextRun && ['Próxima ejecución', formatDateTime(nextRun)],
        ]}
      />
      <div class="acciones">
        <a class="boton" href="/banca/servicios/programados/consultar">Consultar Pagos Programados</a>
        <button type="button" class="secundario" onClick=${again}>Programar otro pago</button>
      </div>
    </section>`;
  }

  if (challenge) {
    const p = challenge.params;
    return html`<section aria-labelledby="programado-otp">
      <${Steps} steps=${NEW_STEPS} current=${2} />
      <h2 id="programado-otp" class="oculto" tabindex="-1" ref=${heading}>Autoriza tu pago programado</h2>
      <${OtpStep}
        items=${[
          ['Operación', 'Pago programado de servicios'],
          ['Servicio', company ? company.nombre : p.empresa],
          [referenceLabel, p.suministro],
          ['Cuenta a debitar', p.cuenta],
          ['Monto máximo', formatMoney(p.monto_maximo)],
          ['Frecuencia', frequencyText(p.frecuencia, p.dia)],
          ['Fecha desde', formatDate(p.desde)],
          ['Fecha hasta', formatDate(p.hasta)],
        ]}
        sentTo=${challenge.enviado_a}
        busy=${confirm.busy}
        error=${confirm.error}
        submitLabel="Programar Pago"
        onSubmit=${authorise}
        onCancel=${() => setChallenge(null)}
      />
      <div class="acciones">
        <button type="button" class="enlace" onClick=${requestCode} disabled=${code.busy || confirm.busy}>Enviar un nuevo código</button>
      </div>
      <${ErrorMessage} error=${code.error} />
    </section>`;
  }

  return html`<section class="tarjeta" aria-labelledby="programar-titulo">
    <${Steps} steps=${NEW_STEPS} current=${step} />
    <h2 id="programar-titulo" tabindex="-1">Programar Pago</h2>
    <p>Genera débitos automáticos de los servicios que consumes de manera más recurrente. En <a href="/banca/servicios/programados/consultar">Consultar Pagos Programados</a> podrás ver los que ya autorizaste.</p>
    ${debit.loading && html`<${Loading} />`}
    <${ErrorMessage} error=${debit.error} />
    <form onSubmit=${openTerms} novalidate>
      <${AccountSelect} accounts=${debit.accounts} value=${account} onChange=${setAccount} label="Cuenta de la que se generarán los débitos automáticos" />
      <${CompanyFields}
        value=${service}
        companyLabel="Entidad"
        onChange=${(next, chosen) => {
          setService(next);
          setCompany(chosen);
        }}
      />
      <${Input}
        label="Monto máximo"
        value=${max}
        onInput=${setMax}
        inputmode="decimal"
        autocomplete="off"
        maxlength="12"
        hint="El valor más alto que nos autorizas a debitar por cada factura, en dólares (por ejemplo 50.00)."
        required
      />
      <${Select}
        label="Frecuencia de pago"
        value=${frequency}
        onChange=${(v) => {
          setFrequency(v);
          setDay('');
        }}
        options=${FREQUENCIES}
        required
      />
      <${Select}
        label=${frequency === 'MENSUAL' ? 'Día del mes' : 'Día de la semana'}
        value=${day}
        onChange=${setDay}
        options=${dayOptions}
        placeholder="Selecciona el día"
        hint=${frequency === 'QUINCENAL' ? 'Desde la fecha desde, ese día de la semana cada 14 días.' : undefined}
        required
      />
      <div class="programados-fechas">
        <${Input} label="Fecha desde" type="date" value=${from} onInput=${setFrom} required />
        <${Input} label="Fecha hasta" type="date" value=${to} onInput=${setTo} required />
      </div>
      <${Alert} kind="warning" title="Nota"><p>${NOTE_MAX}</p><//>
      <${ErrorMessage} error=${!terms && code.error} />
      <div class="acciones">
        <button type="submit" disabled=${!ready}>Programar Pago</button>
      </div>
    </form>
    ${terms && html`<${Terms} busy=${code.busy} error=${code.error} onAccept=${requestCode} onClose=${() => setTerms(false)} />`}
  </section>`;
}

// ---------------------------------------------------------------- Consultar Pagos Programados

function ChangeMax({ payment, onDone, onCancel }) {
  const [amount, setAmount] = useState('');
  const [challenge, setChallenge] = useState(null);
  const ask = useAction();
  const confirm = useAction();
  const heading = useFocus([Boolean(challenge)]);

  const request = (e) => {
    e?.preventDefault();
    ask.run(async () => {
      const value = amount.trim().replace(/^\$/, '');
      const issued = await api(`/scheduled-payments/${payment.id}/max/code`, { method: 'POST', body: { monto_maximo: value } });
      setChallenge({ ...issued, monto_maximo: value });
      confirm.setError(null);
    });
  };

  const submit = (codigo) =>
    confirm.run(async () => {
      const row = await api(`/scheduled-payments/${payment.id}/max`, {
        method: 'POST',
        body: { monto_maximo: challenge.monto_maximo, id_autorizacion: challenge.id_autorizacion, codigo },
      });
      onDone(`El monto máximo del pago programado de ${row.empresa} ahora es ${formatMoney(row.monto_maximo)}.`);
    });

  return html`<section class="tarjeta programados-cambio" aria-labelledby="cambio-titulo">
    <h2 id="cambio-titulo" tabindex="-1" ref=${heading}>Cambiar monto máximo</h2>
    <p>${payment.empresa}, ${payment.suministro}. Monto máximo actual: <strong>${formatMoney(payment.monto_maximo)}</strong>.</p>
    ${challenge
      ? html`<${OtpStep}
            items=${[
              ['Operación', 'Cambio del monto máximo de un pago programado'],
              ['Servicio', `${payment.empresa} - ${payment.suministro}`],
              ['Cuenta a debitar', payment.cuenta],
              ['Monto máximo actual', formatMoney(payment.monto_maximo)],
              ['Nuevo monto máximo', formatMoney(challenge.monto_maximo)],
            ]}
            sentTo=${challenge.enviado_a}
            busy=${confirm.busy}
            error=${confirm.error}
            submitLabel="Cambiar monto máximo"
            onSubmit=${submit}
            onCancel=${onCancel}
          />
          <div class="acciones">
            <button type="button" class="enlace" onClick=${() => request()} disabled=${ask.busy || confirm.busy}>Enviar un nuevo código</button>
          </div>
          <${ErrorMessage} error=${ask.error} />`
      : html`<form onSubmit=${request} novalidate>
          <${Input} label="Nuevo monto máximo" value=${amount} onInput=${setAmount} inputmode="decimal" autocomplete="off" maxlength="12" required
            hint="Te enviaremos un código de seguridad por SMS para autorizar el cambio." />
          <p class="nota">${NOTE_MAX}</p>
          <${ErrorMessage} error=${ask.error} />
          <div class="acciones">
            <button type="button" class="secundario" onClick=${onCancel} disabled=${ask.busy}>Cancelar</button>
            <button type="submit" disabled=${ask.busy || !amount.trim()}>${ask.busy ? 'Enviando código…' : 'Continuar'}</button>
          </div>
        </form>`}
  </section>`;
}

export function ScheduleListPage() {
  const list = useApi('/scheduled-payments');
  const [notice, setNotice] = useState(null);
  const [cancelling, setCancelling] = useState(null);
  const [changing, setChanging] = useState(null);
  const action = useAction();
  const cancel = useAction();

  const label = (p) => `${p.empresa} ${p.suministro}`;
  const change = (p, verb) =>
    action.run(async () => {
      setNotice(null);
      const row = await api(`/scheduled-payments/${p.id}/${verb}`, { method: 'POST' });
      setNotice(verb === 'pause' ? `Pausaste el pago programado de ${row.empresa}.` : `Reanudaste el pago programado de ${row.empresa}.`);
      list.reload();
    });
  const confirmCancel = () =>
    cancel.run(async () => {
      const row = await api(`/scheduled-payments/${cancelling.id}`, { method: 'DELETE' });
      setCancelling(null);
      setNotice(`Cancelaste el pago programado de ${row.empresa}. No se realizarán más débitos.`);
      list.reload();
    });

  const columns = [
    { key: 'empresa', label: 'Servicio', render: (p) => html`<strong>${p.empresa}</strong><br />${p.suministro}` },
    { key: 'cuenta', label: 'Cuenta a debitar' },
    { key: 'monto_maximo', label: 'Monto máximo', money: true },
    { key: 'frecuencia', label: 'Frecuencia', render: (p) => frequencyText(p.frecuencia, p.dia) },
    { key: 'vigencia', label: 'Vigencia', render: (p) => `${formatDate(p.desde)} al ${formatDate(p.hasta)}` },
    {
      key: 'proxima_ejecucion',
      label: 'Próxima ejecución',
      render: (p) => (p.proxima_ejecucion ? formatDateTime(p.proxima_ejecucion) : p.estado === 'PAUSADO' ? 'En pausa' : 'Sin ejecuciones pendientes'),
    },
    { key: 'ultimo_resultado', label: 'Último resultado', render: (p) => p.ultimo_resultado_descripcion || p.ultimo_resultado || 'Aún no se ha ejecutado' },
    { key: 'estado', label: 'Estado', render: (p) => html`<span class=${`programados-estado programados-${(p.estado || '').toLowerCase()}`}>${STATE_TEXT[p.estado] || p.estado}</span>` },
    {
      key: 'acciones',
      label: 'Acciones',
      render: (p) => html`<div class="servicios-acciones">
        ${p.estado === 'PAUSADO'
          ? html`<button type="button" onClick=${() => change(p, 'resume')} disabled=${action.busy}>Reanudar<span class="oculto"> ${label(p)}</span></button>`
          : html`<button type="button" class="secundario" onClick=${() => change(p, 'pause')} disabled=${action.busy}>Pausar<span class="oculto"> ${label(p)}</span></button>`}
        <button type="button" class="secundario" onClick=${() => { setNotice(null); setChanging(p); }} disabled=${action.busy}>Cambiar monto máximo<span class="oculto"> ${label(p)}</span></button>
        <button type="button" class="peligro" onClick=${() => { cancel.setError(null); setCancelling(p); }} disabled=${action.busy}>Cancelar<span class="oculto"> ${label(p)}</span></button>
      </div>`,
    },
  ];

  return html`<section aria-labelledby="consultar-titulo">
    <h2 id="consultar-titulo" class="oculto">Tus pagos programados</h2>
    <p>Estos son los débitos automáticos que autorizaste. <a href="/banca/servicios/programados">Programar Pago</a></p>
    ${notice && html`<${Alert} kind="success">${notice}<//>`}
    <${ErrorMessage} error=${action.error} />
    ${list.loading && !list.data && html`<${Loading} />`}
    <${ErrorMessage} error=${list.error} />
    ${list.data &&
    html`<${DataTable}
      caption="Pagos programados"
      columns=${columns}
      rows=${list.data}
      rowKey=${(p) => p.id}
      empty="No tienes pagos programados. Usa Programar Pago para crear uno."
    />`}
    ${changing &&
    html`<${ChangeMax}
      key=${changing.id}
      payment=${changing}
      onCancel=${() => setChanging(null)}
      onDone=${(message) => {
        setChanging(null);
        setNotice(message);
        list.reload();
      }}
    />`}
    ${cancelling &&
    html`<${ConfirmDialog}
      title="Cancelar pago programado"
      onClose=${() => setCancelling(null)}
      onConfirm=${confirmCancel}
      busy=${cancel.busy}
      error=${cancel.error}
      cancelLabel="Volver"
      confirmLabel="Cancelar pago programado"
      busyLabel="Cancelando…"
    >
      <p>¿Deseas cancelar el pago programado de <strong>${cancelling.empresa}</strong>, ${cancelling.suministro}?</p>
      <p>No se realizarán más débitos automáticos de este servicio. Esta acción no se puede deshacer.</p>
    <//>`}
  </section>`;
}
