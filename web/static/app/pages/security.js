// Seguridad: the member's open sessions (device, origin, last activity) and
// "Cerrar sesión en todos los demás dispositivos"; the way to change the password.

import { useState } from '../../vendor/preact-htm-3.1.1.js';
import { api } from '../api.js';
import { formatDateTime } from '../format.js';
import { Alert, ConfirmDialog, DataTable, ErrorMessage, Loading, html, useAction, useApi } from '../ui.js';

const COLUMNS = [
  {
    key: 'dispositivo',
    label: 'Dispositivo',
    render: (s) => html`${s.dispositivo}${s.actual ? html` <strong class="sesion-actual">(esta sesión)</strong>` : ''}`,
  },
  { key: 'origen', label: 'Origen', render: (s) => s.origen || 'Desconocido' },
  { key: 'abierta', label: 'Ingreso', render: (s) => formatDateTime(s.abierta) },
  { key: 'ultima_actividad', label: 'Última actividad', render: (s) => formatDateTime(s.ultima_actividad) },
];

export function SecurityPage() {
  const { data, error, loading, reload } = useApi('/auth/sessions');
  const [asking, setAsking] = useState(false);
  const [result, setResult] = useState(null);
  const action = useAction();
  const closeOthers = () =>
    action.run(async () => {
      setResult(await api('/auth/sessions/close-others', { method: 'POST' }));
      setAsking(false);
      reload();
    });
  if (loading && !data) return html`<${Loading} />`;
  if (error) return html`<${ErrorMessage} error=${error} />`;
  if (!data) return null;
  const others = data.sesiones.filter((s) => !s.actual).length;
  return html`<div class="seguridad">
    <section aria-labelledby="seg-sesiones">
      <h2 id="seg-sesiones">Tus sesiones abiertas</h2>
      <p>Si no reconoces una sesión, ciérrala y cambia tu contraseña.</p>
      <${DataTable} caption="Sesiones abiertas" columns=${COLUMNS} rows=${data.sesiones} rowKey=${(s) => s.referencia} />
      ${result && html`<${Alert} kind="success">${result.message}<//>`}
      <div class="acciones">
        <button type="button" class="peligro" disabled=${others === 0} onClick=${() => setAsking(true)}>
          Cerrar sesión en todos los demás dispositivos
        </button>
        <a class="boton secundario" href="/banca/cambiar-clave">Cambiar contraseña</a>
      </div>
    </section>
    ${asking &&
    html`<${ConfirmDialog}
      title="Cerrar las demás sesiones"
      onClose=${() => setAsking(false)}
      onConfirm=${closeOthers}
      busy=${action.busy}
      error=${action.error}
      confirmLabel="Cerrar sesiones"
      busyLabel="Cerrando…"
    >
      <p>Se cerrará${others === 1 ? ' 1 sesión' : `n ${others} sesiones`} en otros dispositivos. Esta sesión seguirá abierta.</p>
    <//>`}
  </div>`;
}
