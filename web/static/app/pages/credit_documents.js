// "Cargar documentos" of the preapproved credit (manual §8 Paso 5): one card per document the
// journey requires (GET /credit/offers/{campaña} → requisitos.documentos_requeridos). Each is
// uploaded from a file ("Subir archivo", click or drag) or photographed with the camera
// (getUserMedia, one frame captured to a JPEG); POST .../documents/{tipo} (multipart
// `archivo`, plus `fecha_emision` for the utility bill). The verdict shown is the journey's
// (accepted, or the Spanish reasons); "Eliminar" is DELETE .../documents/{tipo}. Then Paso 6:
// "Finalizar" (POST .../finalize) and the confirmation, drawn from the journey's state.

import { useEffect, useRef, useState } from '../../vendor/preact-htm-3.1.1.js';
import { api } from '../api.js';
import { formatDate, formatDateTime, formatHour } from '../format.js';
import { Alert, DataTable, ErrorMessage, Input, Loading, Summary, html, useAction, useId } from '../ui.js';

export const DOCUMENT_LABELS = {
  ID_FRONT: 'Cédula de identidad (anverso)',
  ID_BACK: 'Cédula de identidad (reverso)',
  UTILITY_BILL: 'Planilla de servicio básico',
  SPOUSE_ID_FRONT: 'Cédula cónyuge (anverso)',
  SPOUSE_ID_BACK: 'Cédula cónyuge (reverso)',
};
const ID_CARD = ['Cédula vigente (.pdf, .png, .jpg).', 'Fecha de vigencia máxima a fecha actual.'];
const ONE_FILE = 'Si seleccionas «Subir archivo» considera que solo se permite subir 1 documento / imagen.';
const ACCEPT = '.pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg';

function requirements(kind, months) {
  if (kind === 'UTILITY_BILL') {
    return ['Agua, luz o teléfono (.pdf, .png, .jpg), con tu dirección de domicilio visible.', `Fecha de emisión no mayor a ${months} meses.`, ONE_FILE];
  }
  return [...ID_CARD, ONE_FILE];
}

export function DocumentsSection({ j, path, onChanged }) {
  const kinds = j.requisitos?.documentos_requeridos || [];
  const uploaded = Object.fromEntries(j.documentos.map((d) => [d.tipo, d]));
  const spouse = kinds.some((k) => k.startsWith('SPOUSE_'));
  return html`<section class="cred-documentos" aria-labelledby="cred-documentos-titulo">
    <h3 id="cred-documentos-titulo">Cargar documentos</h3>
    <p>Presiona <strong>Subir archivo</strong> si ya tienes listos tus documentos; caso contrario presiona <strong>Tomar fotografía</strong> para que tomes una fotografía de tus documentos.</p>
    ${spouse && html`<p>Como registraste tu estado civil casado o en unión de hecho, carga también la <strong>cédula de identidad de tu cónyuge</strong>.</p>`}
    <ul class="cred-lista">
      ${kinds.map((kind) => html`<li key=${kind}>
        <${DocumentCard} kind=${kind} doc=${uploaded[kind]} path=${path} months=${j.oferta.planilla_meses_maximo} onChanged=${onChanged} />
      </li>`)}
    </ul>
  </section>`;
}

function DocumentCard({ kind, doc, path, months, onChanged }) {
  const label = DOCUMENT_LABELS[kind] || kind;
  const titleId = useId('cred-doc');
  const [replacing, setReplacing] = useState(false);
  const [camera, setCamera] = useState(false);
  const [fecha, setFecha] = useState('');
  const action = useAction();
  const send = (file, name) => action.run(async () => {
    const form = new FormData();
    form.append('archivo', file, name);
    if (kind === 'UTILITY_BILL' && fecha) form.append('fecha_emision', fecha);
    await api(`${path}/documents/${kind}`, { method: 'POST', form });
    setCamera(false);
    setReplacing(false);
    await onChanged();
  });
  const remove = () => action.run(async () => {
    await api(`${path}/documents/${kind}`, { method: 'DELETE' });
    setReplacing(false);
    await onChanged();
  });
  const picking = !doc || replacing;
  return html`<article class=${`tarjeta cred-documento${doc ? (doc.aceptado ? ' cred-aceptado' : ' cred-rechazado') : ''}`} aria-labelledby=${titleId}>
    <h4 id=${titleId}>${label} <span class="cred-obligatorio">OBLIGATORIO</span></h4>
    <ul class="cred-requisitos">${requirements(kind, months).map((t) => html`<li>${t}</li>`)}</ul>
    ${doc && html`<${Verdict} doc=${doc} />
      <div class="acciones">
        ${!replacing && html`<button type="button" class="secundario" onClick=${() => setReplacing(true)} disabled=${action.busy}>Modificar<span class="oculto"> ${label}</span></button>`}
        <button type="button" class="secundario" onClick=${remove} disabled=${action.busy}>Eliminar<span class="oculto"> ${label}</span></button>
      </div>`}
    ${picking && html`<div class="cred-carga">
      ${kind === 'UTILITY_BILL' && html`<${Input} type="date" label="Fecha de emisión de la planilla" value=${fecha} onInput=${setFecha} />`}
      <${FilePicker} label=${label} disabled=${action.busy} onFile=${(file) => send(file, file.name)} />
      <button type="button" class="secundario cred-camara-boton" onClick=${() => setCamera(true)} disabled=${action.busy || camera} aria-expanded=${camera ? 'true' : 'false'}>
        <svg class="cred-icono" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path fill="currentColor" d="M9 3 7.2 5H4a2 2 0 0 0-2 2v11a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-3.2L15 3H9zm3 5a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9zm0 2a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z" />
        </svg> Tomar fotografía<span class="oculto"> de ${label}</span>
      </button>
      ${replacing && html`<button type="button" class="enlace" onClick=${() => { setReplacing(false); setCamera(false); }}>Conservar el documento cargado</button>`}
    </div>`}
    ${camera && picking && html`<${CameraCapture} label=${label} busy=${action.busy} onCapture=${(blob) => send(blob, `foto-${kind.toLowerCase()}.jpg`)} onCancel=${() => setCamera(false)} />`}
    ${action.busy && html`<${Loading} text=${`Verificando ${label}…`} />`}
    <${ErrorMessage} error=${action.error} />
  </article>`;
}

/** The journey's verdict on the file now attached. */
function Verdict({ doc }) {
  if (doc.aceptado) {
    return html`<p class="cred-veredicto"><span class="cred-marca" aria-hidden="true">✓</span> Documento cargado correctamente: <strong>${doc.nombre_archivo}</strong></p>`;
  }
  return html`<${Alert} kind="error" title=${`No pudimos aceptar ${doc.nombre_archivo}`}>
    <ul>${doc.motivos.map((m) => html`<li key=${m.codigo}>${m.mensaje}</li>`)}</ul>
    <p>Carga nuevamente el documento con <strong>Modificar</strong>.</p>
  <//>`;
}

/** "Subir archivo": a file input behind a click-or-drop zone (its label). */
function FilePicker({ label, disabled, onFile }) {
  const id = useId('cred-archivo');
  const [over, setOver] = useState(false);
  const pick = (e) => {
    const file = e.currentTarget.files?.[0];
    e.currentTarget.value = ''; // the same file can be chosen again after a refusal
    if (file) onFile(file);
  };
  const drop = (e) => {
    e.preventDefault();
    setOver(false);
    const file = e.dataTransfer?.files?.[0];
    if (file && !disabled) onFile(file);
  };
  return html`<div class="cred-subir">
    <input type="file" id=${id} class="cred-archivo" accept=${ACCEPT} onChange=${pick} disabled=${disabled} />
    <label for=${id} class=${`cred-zona${over ? ' cred-zona-activa' : ''}`}
      onDragOver=${(e) => { e.preventDefault(); setOver(true); }} onDragLeave=${() => setOver(false)} onDrop=${drop}>
      <strong>Subir archivo</strong><span class="oculto">: ${label}.</span>
      <span>Haz clic para seleccionar o arrastra un archivo.</span>
    </label>
  </div>`;
}

/** The camera: a live preview and "Capturar" (one frame → JPEG); the stream stops on close. */
function CameraCapture({ label, busy, onCapture, onCancel }) {
  const video = useRef(null);
  const [ready, setReady] = useState(false);
  const [problem, setProblem] = useState(null);
  useEffect(() => {
    let stream = null;
    let live = true;
    (async () => {
      if (!navigator.mediaDevices?.getUserMedia) {
        setProblem('Tu navegador no permite usar la cámara. Usa «Subir archivo».');
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { facingMode: { ideal: 'environment' }, width: { ideal: 1920 }, height: { ideal: 1080 } },
        });
        if (!live) return;
        video.current.srcObject = stream;
        await video.current.play();
        if (live) setReady(true);
      } catch {
        if (live) setProblem('No pudimos usar la cámara. Revisa los permisos de tu navegador o usa «Subir archivo».');
      }
    })();
    return () => {
      live = false;
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, []);
  const capture = () => {
    const v = video.current;
    if (!v || !v.videoWidth) return;
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    canvas.getContext('2d').drawImage(v, 0, 0);
    canvas.toBlob((blob) => blob && onCapture(blob), 'image/jpeg', 0.92);
  };
  return html`<div class="cred-camara" role="group" aria-label=${`Cámara: ${label}`}>
    ${problem
      ? html`<${Alert} kind="warning"><p>${problem}</p><//>`
      : html`<div class="cred-visor"><video ref=${video} muted playsinline aria-label=${`Vista de la cámara para ${label}`}></video><span class="cred-guia" aria-hidden="true"></span></div>
        <p class="nota">Ubica el documento completo dentro del recuadro, con buena luz y sin reflejos; luego presiona <strong>Capturar</strong>.</p>`}
    <div class="acciones">
      <button type="button" class="secundario" onClick=${onCancel} disabled=${busy}>Cancelar<span class="oculto"> la cámara</span></button>
      ${!problem && html`<button type="button" onClick=${capture} disabled=${!ready || busy}>Capturar<span class="oculto"> ${label}</span></button>`}
    </div>
  </div>`;
}

// ---------------------------------------------------------------- Finalizar

export function Finish({ path, onSent, onChanged }) {
  const action = useAction();
  const back = () => action.run(async () => onChanged(await api(`${path}/back`, { method: 'POST' })));
  const finish = () => action.run(async () => {
    onSent(await api(`${path}/finalize`, { method: 'POST' }));
    await onChanged();
  });
  return html`<div class="cred-finalizar">
    <p class="nota">Presiona <strong>Finalizar</strong> para concluir tu proceso de crédito. <strong>Cancelar</strong> te devuelve a la simulación (tus documentos cargados se mantienen).</p>
    <${ErrorMessage} error=${action.error} />
    ${action.busy && html`<${Loading} text="Procesando tu solicitud…" />`}
    <div class="acciones">
      <button type="button" class="secundario" onClick=${back} disabled=${action.busy}>Cancelar</button>
      <button type="button" onClick=${finish} disabled=${action.busy}>Finalizar</button>
    </div>
  </div>`;
}

const ROLES = { MEMBER: 'Socio', SPOUSE: 'Cónyuge' };
const NEXT = { IDENTITY: 'Pendiente de firma', FACE: 'Pendiente de firma', TERMS: 'Pendiente de firma', OTP: 'Pendiente de firma', SIGNED: 'Firmado', LOCKED: 'Bloqueado: contacta a tu Oficial de Crédito' };

/** The request was sent: where the signing links went and until when they work. */
export function Sent({ j, sent }) {
  const member = j.firmantes.find((f) => f.rol === 'MEMBER');
  const spouse = j.firmantes.find((f) => f.rol === 'SPOUSE');
  const message = sent?.mensaje || `Revisa tu correo electrónico: te enviamos los documentos y el enlace para firmarlos hasta las ${formatHour(j.plazo_firma)} del ${formatDate(j.plazo_firma)}.`;
  return html`<${Alert} kind="success" title="Tu solicitud de crédito fue enviada exitosamente">
      <p>${message}</p>
    <//>
    <p>Los documentos del crédito han sido enviados a tu correo electrónico registrado${member ? html` (<strong>${member.correo}</strong>)` : ''}.</p>
    ${spouse && html`<section class="tarjeta cred-conyuge" aria-labelledby="cred-conyuge-titulo">
      <h3 id="cred-conyuge-titulo">Tu cónyuge también firma</h3>
      <p>Registraste tu estado civil casado o en unión de hecho: ${spouse.nombre} recibirá el enlace para firmar en:</p>
      <${Summary} title="Datos de tu cónyuge" items=${[['Correo electrónico', spouse.correo], ['Número celular', spouse.celular]]} />
    </section>`}
    <p>Si los datos son correctos, podrás continuar con el procedimiento desde el vínculo <strong>AQUÍ</strong> del correo electrónico; caso contrario deberás acercarte a una de nuestras agencias más cercana para actualizar tu información.</p>
    <${DataTable} caption="Firmas de tu crédito" rows=${j.firmantes} rowKey=${(f) => f.rol} columns=${[
      { key: 'rol', label: 'Firmante', render: (f) => `${ROLES[f.rol] || f.rol}: ${f.nombre}` },
      { key: 'correo', label: 'Correo electrónico' },
      { key: 'celular', label: 'Celular' },
      { key: 'estado', label: 'Estado', render: (f) => (f.firmado_en ? `Firmado el ${formatDateTime(f.firmado_en)}` : NEXT[f.siguiente_paso] || f.siguiente_paso) },
    ]} />
    <p class="nota">Plazo para firmar: hasta las ${formatHour(j.plazo_firma)} del ${formatDate(j.plazo_firma)}. Si las firmas de todos los intervinientes no se registran hasta entonces, solicita a tu Oficial de Crédito que genere nuevamente el proceso de desembolso.</p>`;
}
