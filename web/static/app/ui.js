// Shared building blocks of every screen: data loading, messages, fields, tables, dialogs and
// the OTP step. Screens compose these; none of them holds a business rule.

import { html, useCallback, useEffect, useRef, useState } from '../vendor/preact-htm-3.1.1.js';
import { api } from './api.js';
import { formatMoney } from './format.js';

export { html };

/**
 * Load `path` from the API and re-load when `deps` change.
 * @returns {{data:any, error:ApiError|null, loading:boolean, reload:Function, setData:Function}}
 */
export function useApi(path, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: Boolean(path) });
  const generation = useRef(0);
  const load = useCallback(async () => {
    if (!path) return;
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    try {
      const data = await api(path);
      if (mine === generation.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (mine === generation.current) setState({ data: null, error, loading: false });
    }
  }, [path, ...deps]);
  useEffect(() => {
    load();
  }, [load]);
  const setData = (data) => setState((s) => ({ ...s, data }));
  return { ...state, reload: load, setData };
}

/** Run an async action with a busy flag and its error kept for display. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = useCallback(async (action) => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

export function Loading({ text = 'Cargando…' }) {
  return html`<p class="cargando" role="status" aria-live="polite">${text}</p>`;
}

/** A message box: kind "error" (announced at once), "info", "success" or "warning". */
export function Alert({ kind = 'info', title, children }) {
  const role = kind === 'error' ? 'alert' : 'status';
  return html`<div class=${`alerta alerta-${kind}`} role=${role}>
    ${title && html`<p class="alerta-titulo">${title}</p>`}
    <div>${children}</div>
  </div>`;
}

/** An ApiError for the member: its Spanish message and, for bad input, each field's. */
export function ErrorMessage({ error }) {
  if (!error) return null;
  const fields = error.fieldMessages || [];
  const reasons = Array.isArray(error.details?.motivos) ? error.details.motivos : [];
  const extra = [...fields, ...reasons];
  return html`<${Alert} kind="error">
    <p>${error.message}</p>
    ${extra.length > 0 && html`<ul>${extra.map((m) => html`<li>${m}</li>`)}</ul>`}
  <//>`;
}

let fieldIds = 0;
/** A stable unique id for a field's label/hint wiring. */
export function useId(prefix = 'campo') {
  const ref = useRef(null);
  if (ref.current === null) ref.current = `${prefix}-${++fieldIds}`;
  return ref.current;
}

/**
 * A labelled form control. `children` receives `{id, describedBy}` or is the control itself
 * given `id`. Use `Input`/`Select` below for the usual cases.
 */
export function Field({ label, id, hint, error, required, children }) {
  const hintId = hint ? `${id}-ayuda` : null;
  const errorId = error ? `${id}-error` : null;
  return html`<div class=${`campo${error ? ' campo-error' : ''}`}>
    <label for=${id}>${label}</label>
    ${typeof children === 'function' ? children({ id, describedBy: [hintId, errorId].filter(Boolean).join(' ') || undefined }) : children}
    ${hint && html`<p class="ayuda" id=${hintId}>${hint}</p>`}
    ${error && html`<p class="error-campo" id=${errorId}>${error}</p>`}
  </div>`;
}

/** `<input>` with its label. Extra props go to the input (type, inputmode, autocomplete…). */
export function Input({ label, hint, error, value, onInput, required, ...rest }) {
  const auto = useId();
  const id = rest.id || auto;
  return html`<${Field} label=${label} id=${id} hint=${hint} error=${error} required=${required}>
    ${({ describedBy }) => html`<input
      id=${id}
      value=${value ?? ''}
      onInput=${(e) => onInput && onInput(e.currentTarget.value)}
      required=${required}
      aria-invalid=${error ? 'true' : undefined}
      aria-describedby=${describedBy}
      ...${rest}
    />`}
  <//>`;
}

/** `<select>` with its label; `options` is a list of `[value, text]`. */
export function Select({ label, hint, error, value, onChange, options, required, placeholder, ...rest }) {
  const auto = useId();
  const id = rest.id || auto;
  return html`<${Field} label=${label} id=${id} hint=${hint} error=${error} required=${required}>
    ${({ describedBy }) => html`<select
      id=${id}
      value=${value ?? ''}
      onChange=${(e) => onChange && onChange(e.currentTarget.value)}
      required=${required}
      aria-describedby=${describedBy}
      ...${rest}
    >
      ${placeholder !== undefined && html`<option value="">${placeholder}</option>`}
      ${options.map(([v, text]) => html`<option value=${v} selected=${String(v) === String(value)}>${text}</option>`)}
    </select>`}
  <//>`;
}

/** Money as the manual writes it, right-aligned in tables by the `dinero` class. */
export function Money({ value }) {
  return html`<span class="dinero">${formatMoney(value)}</span>`;
}

/**
 * A table that stays usable at a phone's width (it scrolls sideways inside its region).
 * @param {{caption:string, columns:{key:string,label:string,money?:boolean,render?:Function}[],
 *   rows:object[], empty?:string, rowKey?:Function}} props
 */
export function DataTable({ caption, columns, rows, empty = 'No hay registros.', rowKey }) {
  if (!rows || rows.length === 0) return html`<p class="vacio">${empty}</p>`;
  return html`<div class="tabla" role="region" aria-label=${caption} tabindex="0">
    <table>
      <caption>${caption}</caption>
      <thead><tr>${columns.map((c) => html`<th scope="col" class=${c.money ? 'num' : ''}>${c.label}</th>`)}</tr></thead>
      <tbody>
        ${rows.map(
          (row, i) => html`<tr key=${rowKey ? rowKey(row) : i}>
            ${columns.map((c) => {
              const content = c.render ? c.render(row) : c.money ? formatMoney(row[c.key]) : row[c.key];
              return html`<td class=${c.money ? 'num' : ''} data-label=${c.label}>${content}</td>`;
            })}
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** Label/value pairs (a summary of what is being done). `items` is `[[label, value], …]`. */
export function Summary({ items, title }) {
  return html`<dl class="resumen" aria-label=${title}>
    ${items.filter(Boolean).map(([label, value]) => html`<div class="resumen-fila"><dt>${label}</dt><dd>${value}</dd></div>`)}
  </dl>`;
}

/** A modal dialog: focus moves in, Escape closes, focus returns where it was. */
export function Dialog({ title, onClose, children, role = 'dialog', describedBy }) {
  const box = useRef(null);
  const titleId = useId('dialogo');
  useEffect(() => {
    const before = document.activeElement;
    const first = box.current?.querySelector('button, [href], input, select, textarea');
    (first || box.current)?.focus();
    const onKey = (e) => {
      if (e.key === 'Escape' && onClose) onClose();
      if (e.key === 'Tab' && box.current) {
        const items = [...box.current.querySelectorAll('button, [href], input, select, textarea')];
        if (items.length === 0) return;
        const [head, tail] = [items[0], items[items.length - 1]];
        if (e.shiftKey && document.activeElement === head) {
          e.preventDefault();
          tail.focus();
        } else if (!e.shiftKey && document.activeElement === tail) {
          e.preventDefault();
          head.focus();
        }
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (before && before.focus) before.focus();
    };
  }, []);
  return html`<div class="velo">
    <div class="dialogo" role=${role} aria-modal="true" aria-labelledby=${titleId} aria-describedby=${describedBy} ref=${box} tabindex="-1">
      <div class="dialogo-cabecera">
        <h2 id=${titleId}>${title}</h2>
        ${onClose && html`<button type="button" class="cerrar" aria-label="Cerrar" onClick=${onClose}>×</button>`}
      </div>
      ${children}
    </div>
  </div>`;
}

/**
 * The OTP step of any operation: what is being authorised, next to the code field.
 * @param {{items:[string,any][], sentTo?:string, attemptsLeft?:number, busy?:boolean,
 *   error?:ApiError, onSubmit:Function, onCancel?:Function, submitLabel?:string}} props
 */
export function OtpStep({ items, sentTo, attemptsLeft, busy, error, onSubmit, onCancel, submitLabel = 'Continuar' }) {
  const [code, setCode] = useState('');
  const id = useId('otp');
  const valid = /^\d{6}$/.test(code);
  const submit = (e) => {
    e.preventDefault();
    if (valid && !busy) onSubmit(code);
  };
  return html`<form class="otp" onSubmit=${submit} aria-labelledby=${`${id}-titulo`}>
    <h2 id=${`${id}-titulo`}>Confirma con tu código de seguridad</h2>
    <section class="otp-autoriza" aria-label="Lo que estás autorizando">
      <h3>Estás autorizando</h3>
      <${Summary} items=${items} title="Lo que estás autorizando" />
    </section>
    <p>Enviamos un código a tu celular por SMS${sentTo ? html` (<strong>${sentTo}</strong>)` : ''}. ¡Ingrésalo!</p>
    <${Input}
      id=${id}
      label="Código de seguridad (6 dígitos)"
      value=${code}
      onInput=${(v) => setCode(v.replace(/\D/g, '').slice(0, 6))}
      inputmode="numeric"
      autocomplete="one-time-code"
      maxlength="6"
      required
      hint=${attemptsLeft !== undefined && attemptsLeft !== null ? `Intentos restantes: ${attemptsLeft}` : 'El código vence en 5 minutos.'}
    />
    <${ErrorMessage} error=${error} />
    <div class="acciones">
      ${onCancel && html`<button type="button" class="secundario" onClick=${onCancel} disabled=${busy}>Cancelar</button>`}
      <button type="submit" disabled=${!valid || busy}>${busy ? 'Procesando…' : submitLabel}</button>
    </div>
  </form>`;
}

/** Numbered steps of a journey, the current one marked for assistive technology. */
export function Steps({ steps, current }) {
  return html`<ol class="pasos" aria-label="Pasos">
    ${steps.map((label, i) => html`<li class=${i === current ? 'actual' : i < current ? 'hecho' : ''} aria-current=${i === current ? 'step' : undefined}>
      <span class="paso-numero" aria-hidden="true">${i + 1}</span> ${label}
    </li>`)}
  </ol>`;
}

/** A screen not built yet because the engine has no route for it. */
export function ComingSoon({ what }) {
  return html`<${Alert} kind="info" title="Próximamente">
    <p>${what} estará disponible muy pronto en Cooprogreso en Línea. Mientras tanto, acércate a una de nuestras agencias o comunícate con nuestro Call Center.</p>
  <//>`;
}

/** A ref that takes the focus on mount and whenever `deps` change (headings of a new step). */
export function useFocus(deps) {
  const ref = useRef(null);
  useEffect(() => {
    if (ref.current) ref.current.focus();
  }, deps);
  return ref;
}

/**
 * A dialog asking to confirm a destructive action: `children` say what is affected, then the
 * action's error and the buttons (go back / confirm, class "peligro").
 */
export function ConfirmDialog({ title, onClose, onConfirm, busy, error, cancelLabel = 'Cancelar', confirmLabel = 'Eliminar', busyLabel = 'Eliminando…', children }) {
  return html`<${Dialog} title=${title} onClose=${onClose}>
    ${children}
    <${ErrorMessage} error=${error} />
    <div class="acciones">
      <button type="button" class="secundario" onClick=${onClose} disabled=${busy}>${cancelLabel}</button>
      <button type="button" class="peligro" onClick=${onConfirm} disabled=${busy}>${busy ? busyLabel : confirmLabel}</button>
    </div>
  <//>`;
}
