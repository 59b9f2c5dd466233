// Session expiry the member can see coming (WCAG 2.2.1): a warning before the idle timeout
// with a way to stay, and a clean exit when time is up.
//
// The API ends a session after `inactividad_segundos` without requests (5 minutes) and at
// `expira_maximo`. Here "inactivity" is the member's: no key, click or touch. While the
// member works without calling the API, a light GET /auth/session keeps the server in step.

import { html, useEffect, useRef, useState } from '../vendor/preact-htm-3.1.1.js';
import { api, currentSession, updateSession } from './api.js';
import { Dialog } from './ui.js';
import { formatHour } from './format.js';

const PING_EVERY_MS = 60_000;
const ACTIVITY = ['pointerdown', 'keydown', 'input', 'touchstart', 'wheel'];

/** How long before the end the warning shows: a minute, or half of a shorter timeout. */
export function warningLead(idleMs) {
  return Math.min(60_000, Math.floor(idleMs / 2));
}

/**
 * Watches the open session and ends it on inactivity; `onEnd(reason)` leaves the portal.
 * @param {{onEnd:Function}} props
 */
export function SessionWatch({ onEnd }) {
  const session = currentSession();
  const idleMs = (session?.inactividad_segundos ?? 300) * 1000;
  const lead = warningLead(idleMs);
  const lastActivity = useRef(Date.now());
  const lastServerUse = useRef(Date.now());
  const [remaining, setRemaining] = useState(null);
  const [absoluteSoon, setAbsoluteSoon] = useState(false);

  const ping = async () => {
    lastServerUse.current = Date.now();
    try {
      const info = await api('/auth/session');
      updateSession({ expira_maximo: info.expira_maximo, inactividad_segundos: info.inactividad_segundos });
    } catch {
      // a finished session is reported by api() itself (coop:session-ended)
    }
  };

  useEffect(() => {
    const onActivity = () => {
      lastActivity.current = Date.now();
      if (Date.now() - lastServerUse.current > PING_EVERY_MS) ping();
    };
    const onServerUse = () => {
      lastServerUse.current = Date.now();
    };
    for (const name of ACTIVITY) window.addEventListener(name, onActivity, { passive: true });
    window.addEventListener('coop:server-use', onServerUse);
    const timer = setInterval(() => {
      const now = Date.now();
      const left = idleMs - (now - lastActivity.current);
      const absolute = currentSession()?.expira_maximo ? Date.parse(currentSession().expira_maximo) - now : Infinity;
      if (left <= 0) {
        onEnd('inactividad');
        return;
      }
      if (absolute <= 0) {
        onEnd('maximo');
        return;
      }
      setRemaining(left <= lead ? Math.ceil(left / 1000) : null);
      setAbsoluteSoon(absolute <= lead);
    }, 1000);
    return () => {
      for (const name of ACTIVITY) window.removeEventListener(name, onActivity);
      window.removeEventListener('coop:server-use', onServerUse);
      clearInterval(timer);
    };
  }, []);

  const stay = () => {
    lastActivity.current = Date.now();
    setRemaining(null);
    ping();
  };

  if (absoluteSoon) {
    return html`<div class="aviso-sesion" role="alert">
      Por tu seguridad, tu sesión terminará a las ${formatHour(currentSession()?.expira_maximo)}. Guarda lo que estés haciendo; luego podrás ingresar nuevamente.
    </div>`;
  }
  if (remaining === null) return null;
  return html`<${Dialog} title="Tu sesión está por expirar" role="alertdialog" describedBy="aviso-inactividad">
    <p id="aviso-inactividad" aria-live="assertive">
      Por tu seguridad, tu sesión se cerrará por inactividad en <strong>${remaining} segundos</strong>.
    </p>
    <div class="acciones">
      <button type="button" class="secundario" onClick=${() => onEnd('salir')}>Salir</button>
      <button type="button" onClick=${stay}>Continuar conectado</button>
    </div>
  <//>`;
}
