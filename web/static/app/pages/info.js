// Contacto (manual §6), Ayuda — Preguntas frecuentes (§9) and Solicita tus productos (§7)
// (Diferido de tarjetas, §5, is deferrals.js). Content and rules come from the API:
// GET /contact, /help/faq, /product-requests/types; POST and GET /product-requests.

import { useMemo, useState } from '../../vendor/preact-htm-3.1.1.js';
import { api } from '../api.js';
import { formatDateTime, formatMoney } from '../format.js';
import { Alert, DataTable, ErrorMessage, Field, Input, Loading, html, useAction, useApi, useId } from '../ui.js';

const NEW_TAB = ' (se abre en una nueva pestaña)';

/** Text without accents, in lower case: "Contraseña" and "contrasena" match. */
function plain(text) {
  return String(text || '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

function external(link) {
  return /^https?:/.test(link);
}

// ---- Contacto ---------------------------------------------------------------------------

function ChannelCard({ channel }) {
  const outside = external(channel.enlace);
  return html`<li class="tarjeta info-canal">
    <h3>${channel.nombre}</h3>
    <p class="info-valor">
      <a href=${channel.enlace} target=${outside ? '_blank' : undefined} rel=${outside ? 'noopener noreferrer' : undefined}>
        ${channel.valor}${outside && html`<span class="oculto">${NEW_TAB}</span>`}
      </a>
    </p>
    <p><span class="info-etiqueta">Horario:</span> ${channel.horario}</p>
    <p class="nota">${channel.descripcion}</p>
  </li>`;
}

function AgencyCard({ agency }) {
  return html`<li class="tarjeta info-agencia">
    <h3>${agency.nombre}</h3>
    <p class="nota">${agency.ciudad}</p>
    <p><span class="info-etiqueta">Dirección:</span> ${agency.direccion}</p>
    <p><span class="info-etiqueta">Teléfono:</span> <a href=${`tel:${agency.telefono.replace(/[^\d+]/g, '')}`}>${agency.telefono}</a></p>
    <p class="info-etiqueta">Horario de atención:</p>
    <ul class="info-horario">${agency.horario.map((h) => html`<li>${h}</li>`)}</ul>
  </li>`;
}

export function ContactPage() {
  const { data, error, loading } = useApi('/contact');
  if (loading) return html`<${Loading} />`;
  if (error) return html`<${ErrorMessage} error=${error} />`;
  return html`<div class="info-contacto">
    <p>Accede a los distintos contactos que tendrás con ${data.institucion}.</p>
    <section aria-labelledby="info-canales">
      <h2 id="info-canales">Canales de atención</h2>
      <ul class="info-rejilla">${data.canales.map((c) => html`<${ChannelCard} channel=${c} key=${c.tipo} />`)}</ul>
    </section>
    <section aria-labelledby="info-agencias">
      <h2 id="info-agencias">Agencias</h2>
      <ul class="info-rejilla">${data.agencias.map((a) => html`<${AgencyCard} agency=${a} key=${a.nombre} />`)}</ul>
    </section>
    <section aria-labelledby="info-redes">
      <h2 id="info-redes">Redes sociales</h2>
      <ul class="info-redes">
        ${data.redes_sociales.map(
          (s) => html`<li key=${s.nombre}>
            <a href=${s.enlace} target="_blank" rel="noopener noreferrer">
              <strong>${s.nombre}</strong> ${s.usuario}<span class="oculto">${NEW_TAB}</span>
            </a>
          </li>`,
        )}
      </ul>
    </section>
    <${Alert} kind="warning" title="Tu seguridad es primero">${data.aviso_seguridad}<//>
  </div>`;
}

// ---- Ayuda — Preguntas frecuentes -------------------------------------------------------

function Question({ question, open }) {
  return html`<details class="info-pregunta" open=${open}>
    <summary>${question.pregunta}</summary>
    <div class="info-respuesta">${question.respuesta.map((p) => html`<p>${p}</p>`)}</div>
  </details>`;
}

export function HelpPage() {
  const { data, error, loading } = useApi('/help/faq');
  const [search, setSearch] = useState('');
  const wanted = plain(search.trim());
  const topics = useMemo(() => {
    if (!data) return [];
    return data.temas
      .map((t) => ({
        ...t,
        preguntas: t.preguntas.filter((q) => !wanted || plain(`${q.pregunta} ${q.respuesta.join(' ')} ${t.titulo}`).includes(wanted)),
      }))
      .filter((t) => t.preguntas.length > 0);
  }, [data, wanted]);
  if (loading) return html`<${Loading} />`;
  if (error) return html`<${ErrorMessage} error=${error} />`;
  const found = topics.reduce((n, t) => n + t.preguntas.length, 0);
  return html`<div class="info-ayuda">
    <p>
      Conoce el funcionamiento de Cooprogreso en Línea y resuelve tus dudas. Si no encuentras lo que buscas,
      comunícate con nuestro Call Center: <a href="/banca/contacto">Contacto</a>.
    </p>
    <form class="info-buscar" role="search" onSubmit=${(e) => e.preventDefault()}>
      <${Input} label="Busca tu pregunta" type="search" value=${search} onInput=${setSearch} autocomplete="off" hint="Por ejemplo: contraseña, OTP, transferencia, firma" />
    </form>
    <p class="info-resultado" role="status" aria-live="polite">
      ${wanted ? (found === 1 ? '1 pregunta encontrada.' : `${found} preguntas encontradas.`) : ''}
    </p>
    ${wanted && found === 0 &&
    html`<${Alert} kind="info">No encontramos preguntas con «${search.trim()}». Prueba con otras palabras o comunícate con nuestro <a href="/banca/contacto">Call Center</a>.<//>`}
    ${topics.map(
      (t) => html`<section key=${t.id} aria-labelledby=${`tema-${t.id}`}>
        <h2 id=${`tema-${t.id}`}>${t.titulo}</h2>
        ${t.preguntas.map((q) => html`<${Question} key=${q.id} question=${q} open=${Boolean(wanted) && found <= 3} />`)}
      </section>`,
    )}
  </div>`;
}

// ---- Solicita tus productos -------------------------------------------------------------

const FIELD_LABELS = {
  tipo_producto: 'Tipo de producto',
  canal_contacto: 'Medio de contacto',
  monto: 'Monto',
  comentario: 'Comentario',
};

/** The API's error with each invalid field's Spanish message prefixed by its label. */
function labelled(error) {
  if (!error || !Array.isArray(error.details)) return error;
  const fieldMessages = error.details
    .filter((d) => d && typeof d.message === 'string')
    .map((d) => (FIELD_LABELS[d.field] ? `${FIELD_LABELS[d.field]}: ${d.message}` : d.message));
  return { message: error.message, details: null, fieldMessages };
}

function TextArea({ label, value, onInput, hint, maxLength, ...rest }) {
  const id = useId('texto');
  const left = maxLength - (value || '').length;
  return html`<${Field} label=${label} id=${id}>
    <textarea
      id=${id}
      value=${value}
      onInput=${(e) => onInput(e.currentTarget.value)}
      maxlength=${maxLength}
      aria-describedby=${`${id}-ayuda ${id}-cuenta`}
      ...${rest}
    ></textarea>
    <p class="ayuda" id=${`${id}-ayuda`}>${hint}</p>
    <p class="ayuda" id=${`${id}-cuenta`}>Quedan ${left} caracteres.</p>
  <//>`;
}

function RadioGroup({ legend, name, options, value, onChange, required }) {
  return html`<fieldset class="info-opciones">
    <legend>${legend}${required && html` <span class="obligatorio" aria-hidden="true">*</span>`}</legend>
    ${options.map(
      (o) => html`<label class="info-opcion" key=${o.value}>
        <input type="radio" name=${name} value=${o.value} checked=${value === o.value} onChange=${() => onChange(o.value)} required=${required} />
        <span><strong>${o.label}</strong>${o.note && html`<br /><span class="nota">${o.note}</span>`}</span>
      </label>`,
    )}
  </fieldset>`;
}

function channelNote(code, contact) {
  if ((code === 'LLAMADA' || code === 'WHATSAPP') && contact.celular) return `Tu celular registrado: ${contact.celular}`;
  if (code === 'CORREO' && contact.correo) return `Tu correo registrado: ${contact.correo}`;
  return null;
}

function RequestForm({ catalog, onStart, onSent }) {
  const [product, setProduct] = useState('');
  const [amount, setAmount] = useState('');
  const [comment, setComment] = useState('');
  const [channel, setChannel] = useState('');
  const { busy, error, run } = useAction();
  const chosen = catalog.tipos.find((t) => t.codigo === product);
  const categories = [...new Set(catalog.tipos.map((t) => t.categoria))];

  const submit = (e) => {
    e.preventDefault();
    onStart();
    run(async () => {
      const body = { tipo_producto: product, canal_contacto: channel };
      if (chosen?.etiqueta_monto && amount.trim()) body.monto = amount.trim();
      if (comment.trim()) body.comentario = comment.trim();
      const sent = await api('/product-requests', { method: 'POST', body });
      setProduct('');
      setAmount('');
      setComment('');
      setChannel('');
      onSent(sent);
    });
  };

  return html`<form class="tarjeta info-solicitud" onSubmit=${submit} novalidate aria-labelledby="info-nueva">
    <h2 id="info-nueva">Nueva solicitud</h2>
    <p>Ingresa al tipo de producto que te interesaría solicitar. Un asesor de Cooprogreso te contactará.</p>
    ${categories.map(
      (category) => html`<${RadioGroup}
        key=${category}
        legend=${category}
        name="tipo_producto"
        value=${product}
        onChange=${(v) => {
          setProduct(v);
          setAmount('');
        }}
        options=${catalog.tipos.filter((t) => t.categoria === category).map((t) => ({ value: t.codigo, label: t.nombre, note: t.descripcion }))}
      />`,
    )}
    ${chosen?.etiqueta_monto &&
    html`<${Input}
      label=${`${chosen.etiqueta_monto} (opcional)`}
      value=${amount}
      onInput=${(v) => setAmount(v.replace(/[^\d.]/g, ''))}
      inputmode="decimal"
      autocomplete="off"
      maxlength="10"
      hint="En dólares, por ejemplo 5000.00"
    />`}
    <${TextArea}
      label="Comentario (opcional)"
      value=${comment}
      onInput=${setComment}
      maxLength=${500}
      hint="Cuéntanos para qué lo necesitas o cualquier detalle que nos ayude a atenderte."
    />
    <${RadioGroup}
      legend="¿Cómo prefieres que te contactemos?"
      name="canal_contacto"
      value=${channel}
      onChange=${setChannel}
      required
      options=${catalog.canales.map((c) => ({ value: c.codigo, label: c.nombre, note: channelNote(c.codigo, catalog.contacto) }))}
    />
    <p class="nota">
      Puedes tener ${catalog.maximo_abiertas_por_tipo === 1 ? 'una solicitud' : `${catalog.maximo_abiertas_por_tipo} solicitudes`} en
      atención por cada tipo de producto.
    </p>
    <${ErrorMessage} error=${labelled(error)} />
    <div class="acciones">
      <button type="submit" disabled=${busy || !product || !channel}>${busy ? 'Enviando…' : 'Enviar solicitud'}</button>
    </div>
  </form>`;
}

const REQUEST_COLUMNS = [
  { key: 'fecha', label: 'Fecha', render: (r) => formatDateTime(r.fecha) },
  { key: 'producto', label: 'Producto' },
  { key: 'monto', label: 'Monto', money: true, render: (r) => (r.monto ? formatMoney(r.monto) : '—') },
  { key: 'canal', label: 'Medio de contacto' },
  { key: 'comentario', label: 'Comentario', render: (r) => html`<span class="info-comentario">${r.comentario || '—'}</span>` },
  {
    key: 'estado',
    label: 'Estado',
    render: (r) => html`<span class=${`info-estado info-estado-${r.estado.toLowerCase()}`}>${r.estado_texto}</span>`,
  },
];

export function ProductRequestPage() {
  const catalog = useApi('/product-requests/types');
  const mine = useApi('/product-requests');
  const [sent, setSent] = useState(null);

  const onSent = (request) => {
    setSent(request);
    mine.reload();
  };

  return html`<div class="info-productos">
    ${sent &&
    html`<${Alert} kind="success" title="¡Solicitud enviada!">
      Recibimos tu solicitud de <strong>${sent.producto}</strong>. Un asesor de Cooprogreso te contactará ${sent.canal_contacto === 'AGENCIA'
        ? 'cuando te acerques a una de nuestras agencias'
        : html`por <strong>${sent.canal}</strong>`}.
    <//>`}
    ${catalog.loading && html`<${Loading} />`}
    ${catalog.error && html`<${ErrorMessage} error=${catalog.error} />`}
    ${catalog.data && html`<${RequestForm} catalog=${catalog.data} onStart=${() => setSent(null)} onSent=${onSent} />`}
    <section aria-labelledby="info-tus-solicitudes">
      <h2 id="info-tus-solicitudes">Tus solicitudes</h2>
      ${mine.loading && !mine.data && html`<${Loading} />`}
      ${mine.error && html`<${ErrorMessage} error=${mine.error} />`}
      ${mine.data &&
      html`<${DataTable}
        caption="Tus solicitudes de productos"
        columns=${REQUEST_COLUMNS}
        rows=${mine.data.solicitudes}
        rowKey=${(r) => r.id}
        empty="Aún no has enviado solicitudes."
      />`}
    </section>
  </div>`;
}
