// Cambiar clave y Recuperar clave de una tarjeta de débito o de crédito (manual §1).
// Cambiar: clave anterior, nueva y confirmación (los consejos de seguridad son reglas que
// valida la API) → código SMS → listo. Recuperar: Aceptar → la clave temporal llega al correo.
// The PINs are only typed here and sent once to the API; nothing keeps them.

import { useState } from '../../vendor/preact-htm-3.1.1.js';
import { api } from '../api.js';
import { Alert, Dialog, ErrorMessage, Input, Loading, OtpStep, html, useAction, useApi, useFocus } from '../ui.js';

const enc = encodeURIComponent;

const ADVICE = [
  'Evita utilizar dígitos consecutivos',
  'Evita utilizar tu fecha de nacimiento',
  'Evita utilizar dígitos repetidos',
];

/** The card's PIN management: its state, then "Cambiar clave" or "Recuperar clave". */
export function PinManagement({ card, onCancel, initial = null }) {
  const status = useApi(`/cards/${enc(card.id)}/pin`);
  const [chosen, setChosen] = useState(initial);
  const done = () => {
    if (initial && onCancel) onCancel();
    setChosen(null);
    status.reload();
  };
  return html`<div class="clave-tarjeta">
    ${status.data &&
    html`<p class=${`clave-estado clave-${status.data.estado.toLowerCase()}`}>${status.data.mensaje}</p>`}
    ${chosen === null &&
    html`<div class="acciones" role="group" aria-label="Gestiones de la clave de la tarjeta">
      <button type="button" onClick=${() => setChosen('cambiar')}>Cambiar clave</button>
      <button type="button" class="secundario" onClick=${() => setChosen('recuperar')}>Recuperar clave</button>
      ${onCancel && html`<button type="button" class="secundario" onClick=${onCancel}>Cancelar</button>`}
    </div>`}
    ${chosen === 'cambiar' && html`<${ChangePin} card=${card} onDone=${done} />`}
    ${chosen === 'recuperar' && html`<${RecoverPin} card=${card} onDone=${done} />`}
  </div>`;
}

function ChangePin({ card, onDone }) {
  const [form, setForm] = useState({ anterior: '', nueva: '', confirmacion: '' });
  const [change, setChange] = useState(null);
  const [finished, setFinished] = useState(null);
  const action = useAction();
  const heading = useFocus([change === null, finished]);
  const digits = (field) => (v) => setForm({ ...form, [field]: v.replace(/\D/g, '').slice(0, 4) });
  const base = `/cards/${enc(card.id)}/pin/change`;

  const start = (e) => {
    e.preventDefault();
    action.run(async () => {
      const answer = await api(base, {
        method: 'POST',
        body: { clave_anterior: form.anterior, clave_nueva: form.nueva, confirmacion: form.confirmacion },
      });
      setForm({ anterior: '', nueva: '', confirmacion: '' });
      setChange(answer);
    });
  };
  const confirm = (codigo) =>
    action.run(async () => {
      const answer = await api(`${base}/confirm`, { method: 'POST', body: { codigo } });
      if (answer.estado === 'AWAITING_OTP') setChange(answer);
      else setFinished(answer);
    });
  const cancel = () =>
    action.run(async () => {
      setFinished(await api(`${base}/cancel`, { method: 'POST' }));
    });

  if (finished) {
    const ok = finished.estado === 'CHANGED';
    return html`<div>
      <h3 tabindex="-1" ref=${heading}>${ok ? 'Clave cambiada' : 'Cambio de clave'}</h3>
      <${Alert} kind=${ok ? 'success' : 'warning'}>${finished.mensaje}<//>
      <div class="acciones"><button type="button" onClick=${onDone}>Aceptar</button></div>
    </div>`;
  }
  if (change) {
    return html`<${OtpStep}
      items=${[
        ['Tarjeta', `${card.marca} ${card.numero}`],
        ['Gestión', 'Cambio de clave'],
      ]}
      sentTo=${change.codigo_enviado_a}
      attemptsLeft=${change.intentos_codigo}
      busy=${action.busy}
      error=${action.error}
      onSubmit=${confirm}
      onCancel=${cancel}
    />`;
  }
  const pinProps = { type: 'password', inputmode: 'numeric', autocomplete: 'off', maxlength: '4', required: true };
  return html`<form class="form-clave" onSubmit=${start} aria-labelledby=${`clave-${card.id}-titulo`}>
    <h3 id=${`clave-${card.id}-titulo`} tabindex="-1" ref=${heading}>Cambiar clave</h3>
    <p>Ingresa tu clave anterior y la nueva que deseas (4 dígitos).</p>
    <${Input} label="Clave anterior" value=${form.anterior} onInput=${digits('anterior')} ...${pinProps} />
    <${Input} label="Nueva clave" value=${form.nueva} onInput=${digits('nueva')} ...${pinProps} />
    <${Input} label="Confirma la nueva clave" value=${form.confirmacion} onInput=${digits('confirmacion')} ...${pinProps} />
    <section class="consejos" aria-label="Consejos de seguridad">
      <h4>Consejos de seguridad</h4>
      <ul>${ADVICE.map((a) => html`<li>${a}</li>`)}</ul>
    </section>
    <${ErrorMessage} error=${action.error} />
    <div class="acciones">
      <button type="button" class="secundario" onClick=${onDone} disabled=${action.busy}>Cancelar</button>
      <button type="submit" disabled=${action.busy}>${action.busy ? 'Procesando…' : 'Continuar'}</button>
    </div>
  </form>`;
}

function RecoverPin({ card, onDone }) {
  const action = useAction();
  const [sent, setSent] = useState(null);
  const accept = () =>
    action.run(async () => {
      setSent(await api(`/cards/${enc(card.id)}/pin/recover`, { method: 'POST' }));
    });
  if (sent) {
    return html`<${Dialog} title="Recuperar clave" onClose=${onDone} role="alertdialog">
      <p>${sent.mensaje}</p>
      <p>Correo: <strong>${sent.enviado_a}</strong></p>
      <p>Cuando la recibas, cámbiala con la opción <strong>Cambiar clave</strong>.</p>
      <div class="acciones"><button type="button" onClick=${onDone}>Aceptar</button></div>
    <//>`;
  }
  return html`<${Dialog} title="Recuperar clave" onClose=${onDone}>
    <p>Automáticamente se enviará la clave temporal de tu tarjeta <strong>${card.numero}</strong> a tu correo electrónico registrado.</p>
    <${ErrorMessage} error=${action.error} />
    ${action.busy && html`<${Loading} text="Enviando…" />`}
    <div class="acciones">
      <button type="button" class="secundario" onClick=${onDone} disabled=${action.busy}>Cancelar</button>
      <button type="button" onClick=${accept} disabled=${action.busy}>Aceptar</button>
    </div>
  <//>`;
}
