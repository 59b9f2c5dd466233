// The one door to the JSON API (/api/v1): the session token, Spanish errors, no surprises.
//
// Every screen calls `api(path, options)`. It adds the bearer token of the open session,
// turns every failure into an ApiError whose `message` is Spanish text meant for the member
// (the API's own `message`, or a fallback per status when the answer is not the API's JSON),
// and tells the session watcher that the server saw the member (each call extends it).

const SESSION_KEY = 'coop.sesion';

const FALLBACK = {
  0: 'No pudimos conectarnos con Cooprogreso en Línea. Revisa tu conexión e intenta nuevamente.',
  400: 'No pudimos procesar la solicitud. Revisa los datos e intenta nuevamente.',
  401: 'Tu sesión terminó. Ingresa nuevamente.',
  403: 'No tienes acceso a esta opción.',
  404: 'No encontramos lo que buscas.',
  409: 'La operación no puede realizarse en este momento.',
  413: 'El archivo o la solicitud es demasiado grande.',
  422: 'Revisa los datos ingresados.',
  429: 'Realizaste demasiadas solicitudes. Espera un momento e intenta nuevamente.',
  503: 'El servicio no está disponible en este momento. Intenta más tarde.',
};
const GENERIC = 'Ocurrió un error inesperado. Intenta nuevamente en unos minutos.';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details ?? null;
  }

  /** Spanish messages of a DATOS_INVALIDOS answer, one per field. */
  get fieldMessages() {
    if (!Array.isArray(this.details)) return [];
    return this.details
      .map((d) => (typeof d === 'string' ? d : d && typeof d.message === 'string' ? d.message : null))
      .filter(Boolean);
  }
}

export function currentSession() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY));
  } catch {
    return null;
  }
}

export function saveSession(session) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function updateSession(changes) {
  const session = currentSession();
  if (session) saveSession({ ...session, ...changes });
}

export function clearSession() {
  sessionStorage.removeItem(SESSION_KEY);
}

function fallback(status) {
  return FALLBACK[status] ?? GENERIC;
}

async function readBody(response) {
  const type = response.headers.get('content-type') || '';
  if (!type.includes('application/json')) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * Call the API.
 * @param {string} path under /api/v1, e.g. "/position"
 * @param {object} [options]
 * @param {string} [options.method] GET by default
 * @param {any} [options.body] sent as JSON
 * @param {FormData} [options.form] sent as multipart (uploads)
 * @param {object} [options.headers] extra headers (e.g. Idempotency-Key)
 * @param {boolean} [options.anonymous] send no session token (login, enrollment, signing)
 * @param {boolean} [options.blob] answer the body as a Blob (PDF downloads)
 * @returns {Promise<any>} the parsed JSON (or Blob)
 * @throws {ApiError} with a Spanish message
 */
export async function api(path, options = {}) {
  const { method = 'GET', body, form, anonymous = false, blob = false } = options;
  const headers = { Accept: blob ? '*/*' : 'application/json', ...(options.headers || {}) };
  const session = currentSession();
  if (!anonymous && session?.token) headers.Authorization = `Bearer ${session.token}`;
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, body: payload, credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'SIN_CONEXION', fallback(0));
  }
  if (!anonymous && session?.token) window.dispatchEvent(new CustomEvent('coop:server-use'));
  if (response.ok) {
    if (blob) return response.blob();
    return readBody(response);
  }
  const data = await readBody(response);
  const code = (data && typeof data.code === 'string' && data.code) || `HTTP_${response.status}`;
  const message = (data && typeof data.message === 'string' && data.message) || fallback(response.status);
  const error = new ApiError(response.status, code, message, data?.details);
  if (!anonymous && session?.token) {
    if (code === 'SESION_INVALIDA' || code === 'USUARIO_BLOQUEADO') {
      window.dispatchEvent(new CustomEvent('coop:session-ended', { detail: { code, message } }));
    } else if (code === 'CAMBIO_CLAVE_REQUERIDO') {
      window.dispatchEvent(new CustomEvent('coop:password-change'));
    }
  }
  throw error;
}

/** A fresh idempotency key for one money operation (kept by the form that sends it). */
export function newOperationKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Open a PDF (or any file) answered by the API in a new tab, with the session's token. */
export async function openFile(path) {
  const file = await api(path, { blob: true });
  const url = URL.createObjectURL(file);
  window.open(url, '_blank', 'noopener');
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Save a file answered by the API under `filename`. */
export async function downloadFile(path, filename) {
  const file = await api(path, { blob: true });
  const url = URL.createObjectURL(file);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
