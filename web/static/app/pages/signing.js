// "Firma electrónica de tu crédito" (/firma/<token>): the page the signing email links to
// (manual §8 Pasos 8-12). No session: the link's token is the credential. Each signatory has
// their own link; the step comes from the workflow (GET /signing/{token}), so reopening the
// link resumes where the signatory left off. Every refusal shown is the API's Spanish text.

import { useCallback, useEffect, useRef, useState } from '../../vendor/preact-htm-3.1.1.js';
import { api } from '../api.js';
import { formatHour } from '../format.js';
import { Alert, ErrorMessage, Input, Loading, OtpStep, Steps, html, useAction, useId } from '../ui.js';

const STEPS = ['Identidad', 'Autenticación facial', 'Documentos', 'Código de seguridad'];
const STEP_INDEX = { IDENTITY: 0, FACE: 1, TERMS: 2, OTP: 3, SIGNED: 4 };
const BURST_FRAMES = 16;
const BURST_GAP_MS = 130; // 16 frames over ~2 s: a blink (0.1-0.4 s) lands on at least one

const call = (path, options = {}) => api(path, { ...options, anonymous: true });
const localPath = (url) => url.replace(/^\/api\/v1/, '');

/** Load `path` without the session (as ui.js useApi); `reload` keeps the data meanwhile. */
function useLink(path) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const load = useCallback(async () => {
    setState((s) => ({ ...s, loading: true }));
    try {
      setState({ data: await call(path), error: null, loading: false });
    } catch (error) {
      setState({ data: null, error, loading: false });
    }
  }, [path]);
  useEffect(() => {
    load();
  }, [load]);
  return { ...state, reload: load };
}

/** A step's answer with `aprobado: false`: its reasons, shown like an API error. */
function refusal(result) {
  const reasons = (result.motivos || []).map((m) => m.mensaje);
  return { message: reasons[0] || 'No pudimos validar este paso. Inténtalo de nuevo.', fieldMessages: reasons.slice(1) };
}

/** Each step's heading takes the focus when the step appears (screen readers hear it). */
function StepHeading({ id, children }) {
  const ref = useRef(null);
  useEffect(() => ref.current && ref.current.focus(), []);
  return html`<h2 id=${id} tabindex="-1" ref=${ref} class="firma-titulo">${children}</h2>`;
}

function Attempts({ left }) {
  if (left === undefined || left === null) return null;
  return html`<p class="nota">Intentos restantes: ${left}</p>`;
}

// ---------------------------------------------------------------- Paso 8: identidad

function IdentityStep({ base, attempts, onPassed }) {
  const [cedula, setCedula] = useState('');
  const [codigo, setCodigo] = useState('');
  const [left, setLeft] = useState(attempts);
  const action = useAction();
  const submit = (e) => {
    e.preventDefault();
    action.run(async () => {
      const result = await call(`${base}/identity`, { method: 'POST', body: { cedula, codigo_dactilar: codigo.trim().toUpperCase() } });
      if (result.aprobado) return onPassed(result);
      setLeft(result.intentos_restantes);
      throw refusal(result);
    });
  };
  return html`<form class="firma-paso" onSubmit=${submit}>
    <${StepHeading}>Verifica tu identidad<//>
    <p>Ingresa tu número de cédula y código dactilar en los campos correspondientes.</p>
    <${Input} label="Número de cédula" value=${cedula} onInput=${(v) => setCedula(v.replace(/\D/g, '').slice(0, 10))}
      inputmode="numeric" autocomplete="off" maxlength="10" required hint="Los 10 dígitos de tu cédula." />
    <${Input} label="Código dactilar" value=${codigo} onInput=${(v) => setCodigo(v.slice(0, 10))}
      autocomplete="off" autocapitalize="characters" maxlength="10" required
      hint="Está en el reverso de tu cédula, junto a tu huella (por ejemplo V1234V5678)." />
    <${ErrorMessage} error=${action.error} />
    <${Attempts} left=${left} />
    <div class="acciones"><button type="submit" disabled=${action.busy}>${action.busy ? 'Verificando…' : 'Continuar'}</button></div>
  </form>`;
}

// ---------------------------------------------------------------- Paso 9: autenticación facial

function useCamera() {
  const video = useRef(null);
  const [camera, setCamera] = useState({ ready: false, failed: null });
  useEffect(() => {
    let stream = null;
    let live = true;
    const start = async () => {
      if (!navigator.mediaDevices?.getUserMedia) throw new DOMException('', 'NotFoundError');
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
      if (!live) return stream.getTracks().forEach((t) => t.stop()); // left the step meanwhile
      video.current.srcObject = stream;
      await video.current.play().catch(() => {});
      setCamera({ ready: true, failed: null });
    };
    start().catch((err) => {
      if (!live) return;
      const refused = err && (err.name === 'NotAllowedError' || err.name === 'SecurityError');
      setCamera({
        ready: false,
        failed: refused
          ? 'No tenemos permiso para usar tu cámara. Habilítala en tu navegador y recarga la página, o sube tus fotos.'
          : 'No encontramos una cámara en este dispositivo. Puedes subir tus fotos.',
      });
    });
    return () => {
      live = false;
      if (stream) stream.getTracks().forEach((t) => t.stop());
    };
  }, []);
  return { video, ...camera };
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** BURST_FRAMES JPEG frames of the video, BURST_GAP_MS apart. */
async function burst(video) {
  if (!video || !video.videoWidth) throw { message: 'Tu cámara aún no está lista. Inténtalo de nuevo en un momento.' };
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d');
  const shots = [];
  for (let i = 0; i < BURST_FRAMES; i += 1) {
    if (i > 0) await pause(BURST_GAP_MS);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    shots.push(new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9)));
  }
  return (await Promise.all(shots)).filter(Boolean);
}

/** Before the camera opens: the explicit, versioned consent to process the facial image. */
function BiometricConsent({ base, onGiven }) {
  const { data, error, loading } = useLink(`${base}/biometric-consent`);
  const [agreed, setAgreed] = useState(false);
  const action = useAction();
  const checkId = useId('consentimiento-biometrico');
  useEffect(() => {
    if (data && data.otorgado_en) onGiven();
  }, [data]);
  if (loading && !data) return html`<${Loading} />`;
  if (error) return html`<${ErrorMessage} error=${error} />`;
  if (!data || data.otorgado_en) return null;
  const submit = (e) => {
    e.preventDefault();
    action.run(async () => {
      await call(`${base}/biometric-consent`, { method: 'POST', body: { version: data.version, acepto: agreed } });
      onGiven();
    });
  };
  return html`<form class="firma-paso" onSubmit=${submit} aria-labelledby="firma-rostro">
    <${StepHeading} id="firma-rostro">Autenticación facial<//>
    <p>Para firmar verificamos que eres tú comparando tu rostro con la foto de tu cédula. Tu imagen facial es un dato biométrico: necesitamos tu autorización antes de abrir la cámara.</p>
    <p class="firma-consentimiento" id="texto-consentimiento">${data.texto}</p>
    <p class="nota">Finalidad: ${data.finalidad}. Versión ${data.version}.</p>
    <div class="casilla">
      <input id=${checkId} type="checkbox" checked=${agreed} aria-describedby="texto-consentimiento" onChange=${(e) => setAgreed(e.currentTarget.checked)} />
      <label for=${checkId}>Autorizo el tratamiento de mi imagen facial para verificar mi identidad.</label>
    </div>
    <${ErrorMessage} error=${action.error} />
    <div class="acciones"><button type="submit" disabled=${!agreed || action.busy}>${action.busy ? 'Registrando…' : 'Autorizar y continuar'}</button></div>
  </form>`;
}

function FaceStep(props) {
  const [consented, setConsented] = useState(false);
  if (!consented) return html`<${BiometricConsent} base=${props.base} onGiven=${() => setConsented(true)} />`;
  return html`<${CameraStep} ...${props} />`;
}

function CameraStep({ base, attempts, onPassed }) {
  const { video, ready, failed } = useCamera();
  const [left, setLeft] = useState(attempts);
  const [capturing, setCapturing] = useState(false);
  const action = useAction();
  const inputId = useId('fotos');
  const send = async (files) => {
    const form = new FormData();
    files.forEach((file, i) => form.append('fotogramas', file, file.name || `fotograma-${String(i + 1).padStart(2, '0')}.jpg`));
    const result = await call(`${base}/face`, { method: 'POST', form });
    if (result.aprobado) return onPassed(result);
    setLeft(result.intentos_restantes);
    throw refusal(result);
  };
  const upload = (files) => action.run(() => send(files));
  const capture = () =>
    action.run(async () => {
      setCapturing(true);
      let frames;
      try {
        frames = await burst(video.current);
      } finally {
        setCapturing(false);
      }
      return send(frames);
    });
  const busy = capturing || action.busy;
  return html`<section class="firma-paso" aria-labelledby="firma-rostro">
    <${StepHeading} id="firma-rostro">Autenticación facial<//>
    <ul class="firma-guia">
      <li>Evita contraluces o lugares con poca iluminación.</li>
      <li>Asegúrate de que tu rostro se enmarque dentro del círculo verde.</li>
      <li>Al presionar <strong>Capturar</strong>, mira a la cámara y parpadea.</li>
    </ul>
    ${!failed && html`<div class=${`firma-camara${capturing ? ' firma-capturando' : ''}`}>
      <video ref=${video} class="firma-video" autoplay muted playsinline aria-label="Vista de tu cámara"></video>
      <div class="firma-circulo" aria-hidden="true"></div>
    </div>`}
    <p class="firma-estado" role="status" aria-live="polite">
      ${capturing ? '¡Parpadea ahora! Mantén tu rostro dentro del círculo verde…' : action.busy ? 'Verificando tu rostro…' : !ready && !failed ? 'Abriendo tu cámara…' : ''}
    </p>
    ${failed && html`<div class="firma-respaldo">
      <${Alert} kind="warning">${failed}<//>
      <p>Selecciona varias fotos seguidas de tu rostro (una ráfaga de tu cámara) en las que parpadees.</p>
      <input id=${inputId} class="firma-archivo" type="file" accept="image/jpeg,image/png" multiple disabled=${busy}
        onChange=${(e) => { const files = [...e.currentTarget.files]; e.currentTarget.value = ''; if (files.length) upload(files); }} />
      <label for=${inputId} class="boton">Subir fotos</label>
    </div>`}
    <${ErrorMessage} error=${action.error} />
    <${Attempts} left=${left} />
    ${!failed && html`<div class="acciones">
      <button type="button" onClick=${capture} disabled=${!ready || busy}>${busy ? 'Procesando…' : 'Capturar'}</button>
    </div>`}
  </section>`;
}

// ---------------------------------------------------------------- Paso 10: documentos y términos

async function fileUrl(doc) {
  return URL.createObjectURL(await call(localPath(doc.url), { blob: true }));
}

function Viewer({ doc, onClose }) {
  const [url, setUrl] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let made = null;
    setUrl(null);
    fileUrl(doc).then((u) => { made = u; setUrl(u); }, setError);
    return () => made && URL.revokeObjectURL(made);
  }, [doc.tipo]);
  return html`<section class="firma-visor" aria-labelledby="firma-visor-titulo">
    <div class="firma-visor-cabecera">
      <h3 id="firma-visor-titulo">${doc.nombre}</h3>
      <div class="acciones">
        ${url && html`<a class="boton secundario" href=${url} download=${`${doc.tipo}.pdf`}>Descargar</a>`}
        <button type="button" class="secundario" onClick=${onClose}>Cerrar</button>
      </div>
    </div>
    <${ErrorMessage} error=${error} />
    ${url ? html`<iframe class="firma-pdf" src=${url} title=${`Documento: ${doc.nombre}`}></iframe>` : !error && html`<${Loading} text="Abriendo el documento…" />`}
  </section>`;
}

function DocumentList({ docs, onView }) {
  const action = useAction();
  const download = (doc) =>
    action.run(async () => {
      const url = await fileUrl(doc);
      const link = document.createElement('a');
      link.href = url;
      link.download = `${doc.tipo}.pdf`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    });
  return html`<div>
    <ul class="firma-documentos" aria-label="Documentos de tu operación de crédito">
      ${docs.map((d) => html`<li key=${d.tipo}>
        <span class="firma-documento">${d.nombre} <span class="nota">(PDF, ${Math.max(1, Math.round(d.tamano / 1024))} KB)</span></span>
        <span class="acciones">
          <button type="button" class="secundario" onClick=${() => onView(d)} aria-label=${`Ver ${d.nombre}`}>Ver</button>
          <button type="button" class="secundario" onClick=${() => download(d)} aria-label=${`Descargar ${d.nombre}`}>Descargar</button>
        </span>
      </li>`)}
    </ul>
    <${ErrorMessage} error=${action.error} />
  </div>`;
}

function TermsStep({ base, onAccepted }) {
  const { data, error, loading } = useLink(`${base}/documents`);
  const [viewing, setViewing] = useState(null);
  const [agreed, setAgreed] = useState(false);
  const action = useAction();
  const checkId = useId('terminos');
  if (loading && !data) return html`<${Loading} />`;
  if (error) return html`<${ErrorMessage} error=${error} />`;
  if (!data) return null;
  const submit = (e) => {
    e.preventDefault();
    action.run(async () => {
      const result = await call(`${base}/terms`, { method: 'POST', body: { document_hashes: data.hashes_a_aceptar } });
      if (!result.aprobado) throw refusal(result);
      onAccepted(result);
    });
  };
  return html`<form class="firma-paso" onSubmit=${submit}>
    <${StepHeading}>Revisa los documentos<//>
    <p>Revisa los documentos generados para tu operación de crédito. Si estás de acuerdo, acepta los términos y condiciones.</p>
    <${DocumentList} docs=${data.documentos} onView=${setViewing} />
    ${viewing && html`<${Viewer} doc=${viewing} onClose=${() => setViewing(null)} />`}
    <div class="casilla firma-aceptar">
      <input id=${checkId} type="checkbox" checked=${agreed} onChange=${(e) => setAgreed(e.currentTarget.checked)} />
      <label for=${checkId}>He revisado los documentos y acepto los términos y condiciones.</label>
    </div>
    <${ErrorMessage} error=${action.error} />
    <div class="acciones"><button type="submit" disabled=${!agreed || action.busy}>${action.busy ? 'Enviando…' : 'Aceptar y continuar'}</button></div>
  </form>`;
}

// ---------------------------------------------------------------- Paso 11: código OTP

function CodeStep({ base, name, sentTo, attempts, onSigned }) {
  const { data, error } = useLink(`${base}/documents`);
  const [left, setLeft] = useState(attempts);
  const [to, setTo] = useState(sentTo);
  const [resent, setResent] = useState(false);
  const action = useAction();
  const box = useRef(null);
  useEffect(() => box.current?.querySelector('input')?.focus(), []); // the code field
  const submit = (codigo) =>
    action.run(async () => {
      const result = await call(`${base}/otp`, { method: 'POST', body: { codigo } });
      if (result.aprobado) return onSigned(result);
      setLeft(result.intentos_restantes);
      throw refusal(result);
    });
  const resend = () =>
    action.run(async () => {
      const result = await call(`${base}/terms`, { method: 'POST', body: { document_hashes: data.hashes_a_aceptar } });
      setTo(result.enviado_a);
      setResent(true);
    });
  const docs = data ? data.documentos : [];
  const items = [
    ['Firmante', name],
    ['Documentos que firmas', html`<ul class="firma-lista">${docs.map((d) => html`<li key=${d.tipo}>${d.nombre}</li>`)}</ul>`],
  ];
  return html`<div class="firma-paso" ref=${box}>
    <${ErrorMessage} error=${error} />
    ${resent && html`<${Alert} kind="info">Te enviamos un nuevo código.<//>`}
    <${OtpStep} items=${items} sentTo=${to} attemptsLeft=${left} busy=${action.busy} error=${action.error}
      onSubmit=${submit} submitLabel="Firmar documentos" />
    <p><button type="button" class="enlace" onClick=${resend} disabled=${action.busy || !data}>Solicitar un nuevo código</button></p>
  </div>`;
}

// ---------------------------------------------------------------- the page

function Signed({ estado, onRefresh }) {
  useEffect(() => {
    if (estado !== 'DISBURSING') return undefined;
    const timer = setTimeout(onRefresh, 3000); // the disbursement ends within seconds
    return () => clearTimeout(timer);
  }, [estado]);
  const outcome = {
    DISBURSED: 'Todas las firmas están registradas y tu crédito fue desembolsado en la cuenta Cooprogreso.',
    DISBURSING: 'Todas las firmas están registradas: el crédito se está desembolsando en la cuenta Cooprogreso.',
    AWAITING_SIGNATURES:
      'Cuando firmen todos los intervinientes del crédito, se desembolsará de inmediato en la cuenta Cooprogreso y recibirás por correo electrónico los documentos firmados electrónicamente.',
  }[estado];
  const mailed = estado === 'DISBURSED' || estado === 'DISBURSING';
  return html`<section class="firma-paso" aria-labelledby="firma-exito">
    <${StepHeading} id="firma-exito">Procedimiento exitoso<//>
    <${Alert} kind="success" title="¡Tu firma electrónica fue registrada con éxito!">
      ${outcome && html`<p>${outcome}</p>`}
      ${mailed && html`<p>Revisa tu correo electrónico, donde encontrarás los documentos de tu operación firmados electrónicamente.</p>`}
    <//>
  </section>`;
}

export function SigningPage({ params }) {
  const base = `/signing/${encodeURIComponent(params.token || '')}`;
  const { data, error, loading, reload } = useLink(base);
  const [sentTo, setSentTo] = useState(null);
  if (loading && !data) return html`<${Loading} />`;
  if (error) return html`<${ErrorMessage} error=${error} />`;
  if (!data) return null;
  const advance = () => reload(); // the next step and its attempts, as the workflow has them
  const step = data.siguiente_paso;
  const props = { base, attempts: data.intentos_restantes, onPassed: advance };
  return html`<div class="firma">
    <p class="firma-saludo">Firmante: <strong>${data.nombre}</strong>${data.rol === 'SPOUSE' ? ' (cónyuge)' : ''}</p>
    ${step !== 'SIGNED' && data.plazo_firma &&
    html`<p class="nota">Completa tu firma hasta las ${formatHour(data.plazo_firma)} de hoy.</p>`}
    ${step in STEP_INDEX && html`<${Steps} steps=${STEPS} current=${STEP_INDEX[step]} />`}
    ${step === 'IDENTITY' && html`<${IdentityStep} key="identidad" ...${props} />`}
    ${step === 'FACE' && html`<${FaceStep} key="rostro" ...${props} />`}
    ${step === 'TERMS' && html`<${TermsStep} base=${base} onAccepted=${(r) => { setSentTo(r.enviado_a); advance(); }} />`}
    ${step === 'OTP' && html`<${CodeStep} base=${base} name=${data.nombre} sentTo=${sentTo} attempts=${data.intentos_restantes} onSigned=${advance} />`}
    ${step === 'SIGNED' && html`<${Signed} estado=${data.estado} onRefresh=${reload} />`}
    ${step === 'LOCKED' && html`<${Alert} kind="error">${data.mensaje}<//>`}
  </div>`;
}
