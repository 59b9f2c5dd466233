// Ingreso, "Regístrate aquí" (manual: "Como afiliarte") and the forced password change.

import { useState } from '../../vendor/preact-htm-3.1.1.js';
import { api, clearSession, saveSession } from '../api.js';
import { navigate, queryParams } from '../router.js';
import { Alert, ErrorMessage, Input, OtpStep, Select, Steps, html, useAction } from '../ui.js';

const REASONS = {
  inactividad: 'Por tu seguridad, tu sesión se cerró por inactividad. Ingresa nuevamente.',
  maximo: 'Tu sesión llegó a su tiempo máximo. Ingresa nuevamente.',
  salir: 'Cerraste tu sesión de forma segura.',
};

function reasonMessage() {
  const reason = queryParams().get('motivo');
  if (!reason) return null;
  const stored = sessionStorage.getItem('coop.motivo');
  return REASONS[reason] || (stored && !REASONS[stored] ? stored : 'Tu sesión terminó. Ingresa nuevamente.');
}

function safeReturn(area) {
  const back = queryParams().get('volver');
  const prefix = area === 'oficial' ? '/oficial' : '/banca';
  return back && back.startsWith(`${prefix}/`) && !back.startsWith('//') ? back : null;
}

/** Open a session and keep what the header and the expiry warning need. */
async function signIn(username, password) {
  const login = await api('/auth/login', { method: 'POST', body: { username, password }, anonymous: true });
  saveSession({
    token: login.access_token,
    nombre: login.nombre,
    ultima_conexion: login.ultima_conexion,
    must_change_password: login.must_change_password,
    expira_maximo: login.expires_at,
    rol: 'MEMBER',
  });
  const info = await api('/auth/session');
  const session = {
    token: login.access_token,
    nombre: info.nombre,
    ultima_conexion: login.ultima_conexion,
    must_change_password: info.must_change_password,
    expira_maximo: info.expira_maximo,
    inactividad_segundos: info.inactividad_segundos,
    rol: info.rol,
  };
  saveSession(session);
  return session;
}

export function LoginPage({ onSession }) {
  const area = location.pathname.startsWith('/oficial') ? 'oficial' : 'banca';
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [notice] = useState(reasonMessage);
  const { busy, error, setError, run } = useAction();

  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      const session = await signIn(username.trim(), password);
      const wanted = area === 'oficial' ? 'OFFICER' : 'MEMBER';
      if (session.rol !== wanted) {
        if (session.rol === 'OFFICER') {
          onSession(session);
          navigate('/oficial');
          return;
        }
        await api('/auth/logout', { method: 'POST' }).catch(() => {});
        clearSession();
        setError({ message: 'Este ingreso es solo para oficiales de crédito. Los socios ingresan en Cooprogreso en Línea.' });
        return;
      }
      onSession(session);
      if (session.must_change_password) navigate('/banca/cambiar-clave');
      else navigate(safeReturn(area) || (area === 'oficial' ? '/oficial' : '/banca/productos'));
    });
  };

  return html`<section class="tarjeta estrecha">
    ${notice && html`<${Alert} kind="info">${notice}<//>`}
    <form onSubmit=${submit} novalidate>
      <${Input} label="Usuario" value=${username} onInput=${setUsername} autocomplete="username" required autocapitalize="none" spellcheck="false" />
      <${Input} label="Contraseña" type="password" value=${password} onInput=${setPassword} autocomplete="current-password" required />
      <${ErrorMessage} error=${error} />
      <div class="acciones">
        <button type="submit" disabled=${busy || !username || !password}>${busy ? 'Ingresando…' : 'Ingresar'}</button>
      </div>
    </form>
    ${area === 'banca' &&
    html`<p class="registro">¿Aún no tienes usuario? <a href="/banca/registro">Regístrate aquí</a></p>
      <p class="registro">¿Olvidaste tu contraseña o está bloqueada? <a href="/banca/recuperar-clave">Recuperar clave</a></p>
      <p class="nota">Navegadores sugeridos: Google Chrome, Mozilla Firefox, Safari o Microsoft Edge, siempre actualizados. <a href="/static/navegadores.html">Prerrequisitos</a></p>`}
  </section>`;
}

const ENROLLMENT_STEPS = ['Valida tu identidad', 'Código OTP', 'Revisa tu correo'];

/** "Recuperar clave": the same journey as "Regístrate aquí" (identification, SMS code, a new
 * temporary password by email that also unlocks the user), told as a recovery. */
export function RecoveryPage() {
  return html`<${EnrollmentPage} recovery=${true} />`;
}

export function EnrollmentPage({ recovery = false }) {
  const [kind, setKind] = useState('CEDULA');
  const [identification, setIdentification] = useState('');
  const [enrollment, setEnrollment] = useState(null);
  const [answer, setAnswer] = useState(null);
  const start = useAction();
  const code = useAction();

  const begin = (e) => {
    e.preventDefault();
    start.run(async () => {
      const started = await api('/enrollment', {
        method: 'POST',
        body: { tipo_identificacion: kind, identificacion: identification.trim() },
        anonymous: true,
      });
      setEnrollment(started);
      setAnswer(null);
    });
  };

  const sendCode = (codigo) =>
    code.run(async () => {
      const result = await api(`/enrollment/${encodeURIComponent(enrollment.id_registro)}/codigo`, {
        method: 'POST',
        body: { codigo },
        anonymous: true,
      });
      setAnswer(result);
    });

  const done = answer && (answer.estado === 'COMPLETADO' || answer.estado === 'EN_PROCESO');
  const failed = answer && (answer.estado === 'INTENTOS_AGOTADOS' || answer.estado === 'CODIGO_EXPIRADO');
  const step = done ? 2 : enrollment ? 1 : 0;

  return html`<section class="tarjeta estrecha">
    <${Steps} steps=${ENROLLMENT_STEPS} current=${step} />
    ${step === 0 &&
    html`<form onSubmit=${begin} novalidate>
      <p>${recovery ? 'Para recuperar tu clave, valida tu identidad' : 'Valida tu identidad'}: ingresa tu cédula o pasaporte registrado en Cooprogreso.</p>
      <${Select} label="Tipo de identificación" value=${kind} onChange=${setKind} options=${[['CEDULA', 'Cédula'], ['PASAPORTE', 'Pasaporte']]} />
      <${Input} label=${kind === 'CEDULA' ? 'Número de cédula' : 'Número de pasaporte'} value=${identification} onInput=${setIdentification} inputmode=${kind === 'CEDULA' ? 'numeric' : 'text'} autocomplete="off" required maxlength="20" />
      <${ErrorMessage} error=${start.error} />
      <div class="acciones">
        <a class="boton secundario" href="/banca/ingreso">Cancelar</a>
        <button type="submit" disabled=${start.busy || !identification.trim()}>${start.busy ? 'Enviando…' : 'Continuar'}</button>
      </div>
    </form>`}
    ${step === 1 &&
    html`<div>
      <${Alert} kind="info">${enrollment.mensaje}<//>
      ${answer && !failed && html`<${Alert} kind="error">${answer.mensaje}<//>`}
      ${failed
        ? html`<${Alert} kind="error">${answer.mensaje}<//>
            <div class="acciones"><button type="button" onClick=${() => { setEnrollment(null); setAnswer(null); }}>Empezar de nuevo</button></div>`
        : html`<${OtpStep}
            items=${[
              ['Operación', recovery ? 'Recuperación de clave de Cooprogreso en Línea' : 'Registro en Cooprogreso en Línea'],
              [kind === 'CEDULA' ? 'Cédula' : 'Pasaporte', identification.trim()],
            ]}
            attemptsLeft=${answer?.intentos_restantes}
            busy=${code.busy}
            error=${code.error}
            onSubmit=${sendCode}
            onCancel=${() => navigate('/banca/ingreso')}
          />`}
    </div>`}
    ${step === 2 &&
    html`<div>
      <${Alert} kind="success" title="¡Listo!">${answer.mensaje}<//>
      <p>Revisa tu correo electrónico: te enviamos <strong>tu usuario y ${recovery ? 'una nueva contraseña temporal' : 'contraseña temporal'}</strong>. Al ingresar, el sistema te solicitará personalizar tu contraseña.</p>
      <div class="acciones"><a class="boton" href="/banca/ingreso">Ir al ingreso</a></div>
    </div>`}
  </section>`;
}

export function PasswordChangePage({ session, onSession }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [closeOthers, setCloseOthers] = useState(true);
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction();
  const mismatch = confirm && next !== confirm ? 'La confirmación no coincide con la nueva contraseña.' : null;

  const submit = (e) => {
    e.preventDefault();
    if (mismatch || !next) return;
    run(async () => {
      await api('/auth/password', {
        method: 'POST',
        body: { current_password: current, new_password: next, cerrar_otras_sesiones: closeOthers },
      });
      const updated = { ...session, must_change_password: false };
      saveSession(updated);
      onSession(updated);
      setDone(true);
    });
  };

  if (done) {
    return html`<section class="tarjeta estrecha">
      <${Alert} kind="success">Tu contraseña fue actualizada correctamente.<//>
      <div class="acciones"><a class="boton" href="/banca/productos">Ir a mis productos</a></div>
    </section>`;
  }
  return html`<section class="tarjeta estrecha">
    ${session?.must_change_password &&
    html`<${Alert} kind="info">Estás usando una contraseña temporal. Para continuar, personaliza tu contraseña.<//>`}
    <form onSubmit=${submit} novalidate>
      <${Input} label="Contraseña actual" type="password" value=${current} onInput=${setCurrent} autocomplete="current-password" required />
      <${Input} label="Nueva contraseña" type="password" value=${next} onInput=${setNext} autocomplete="new-password" required
        hint="De 8 a 64 caracteres, con mayúsculas, minúsculas y números; sin tu usuario, tu identificación ni tu fecha de nacimiento; distinta de tu contraseña actual y de las 5 anteriores." />
      <${Input} label="Confirma la nueva contraseña" type="password" value=${confirm} onInput=${setConfirm} autocomplete="new-password" required error=${mismatch} />
      <div class="campo campo-casilla">
        <label><input type="checkbox" checked=${closeOthers} onChange=${(e) => setCloseOthers(e.currentTarget.checked)} />
          Cerrar sesión en todos los demás dispositivos</label>
      </div>
      <${ErrorMessage} error=${error} />
      <div class="acciones">
        <button type="submit" disabled=${busy || !current || !next || !confirm || Boolean(mismatch)}>${busy ? 'Guardando…' : 'Continuar'}</button>
      </div>
    </form>
  </section>`;
}
