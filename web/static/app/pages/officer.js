// The credit officer's pages: journeys (Temporal visibility), campaign load (CSV or JSON),
// one journey (state Query, regenerate / cancel with a reason) and the members' product
// requests. Every rule is the API's: these pages show what it answers, refusals included.

import { useEffect, useRef, useState } from '../../vendor/preact-htm-3.1.1.js';
import { api } from '../api.js';
import { addMonths, formatDate, formatDateTime, formatHour, formatMoney, todayIso } from '../format.js';
import { Alert, DataTable, Dialog, ErrorMessage, Field, Input, Loading, Select, Summary, html, useAction, useApi, useId } from '../ui.js';

const NEW_TAB = ' (se abre en una nueva pestaña)';

export const STATUS_LABELS = {
  OFFERED: 'Ofertada',
  ACCEPTED: 'Aceptada, simulando',
  BLOCKED_REQUIREMENTS: 'Bloqueada por requisitos',
  SUMMARY: 'En resumen',
  COLLECTING_DOCUMENTS: 'Cargando documentos',
  AWAITING_SIGNATURES: 'Esperando firmas',
  EXPIRED_AWAITING_REGENERATION: 'Plazo de firma vencido: regenerar',
  DISBURSING: 'Desembolsando',
  DISBURSED: 'Desembolsada',
  DISBURSEMENT_FAILED: 'Desembolso fallido',
  SIGNATURE_INVALID: 'Firmas no válidas: regenerar',
  DECLINED: 'Rechazada por el socio',
  OFFER_EXPIRED: 'Oferta vencida',
  CANCELLED: 'Cancelada',
};

const STEP_LABELS = {
  IDENTITY: 'Validar identidad',
  FACE: 'Autenticación facial',
  TERMS: 'Aceptar términos',
  OTP: 'Código OTP',
  SIGNED: 'Firmado',
  LOCKED: 'Bloqueado (regenerar)',
};

const ROLE_LABELS = { MEMBER: 'Socio', SPOUSE: 'Cónyuge' };

const DOCUMENT_LABELS = {
  ID_FRONT: 'Cédula de identidad (anverso)',
  ID_BACK: 'Cédula de identidad (reverso)',
  UTILITY_BILL: 'Planilla de servicio básico',
  SPOUSE_ID_FRONT: 'Cédula del cónyuge (anverso)',
  SPOUSE_ID_BACK: 'Cédula del cónyuge (reverso)',
  'contrato-credito': 'Contrato de crédito',
  pagare: 'Pagaré',
  'tabla-amortizacion': 'Tabla de amortización',
  'autorizacion-debito': 'Autorización de débito',
};

function StatusText({ status }) {
  if (!status) return '—';
  return html`<span class="oficial-estado">${STATUS_LABELS[status] || status} <span class="oficial-codigo">(${status})</span></span>`;
}

function TemporalLink({ href, label = 'Ver en Temporal', id }) {
  if (!href) return null;
  return html`<a class="oficial-temporal" href=${href} target="_blank" rel="noopener">
    ${label}<span class="oculto">${id ? ` ${id}` : ''}${NEW_TAB}</span>
  </a>`;
}

function journeyPath(id) {
  return `/oficial/jornadas/${encodeURIComponent(id)}`;
}

function TextArea({ label, value, onInput, hint, required, ...rest }) {
  const id = useId('texto');
  return html`<${Field} label=${label} id=${id} hint=${hint} required=${required}>
    ${({ describedBy }) => html`<textarea
      id=${id}
      value=${value}
      onInput=${(e) => onInput(e.currentTarget.value)}
      aria-describedby=${describedBy}
      required=${required}
      ...${rest}
    ></textarea>`}
  <//>`;
}

// ---- Solicitudes de crédito preaprobado (journeys) --------------------------------------

const JOURNEY_COLUMNS = [
  {
    key: 'workflow_id',
    label: 'Solicitud',
    render: (j) => html`<a href=${journeyPath(j.workflow_id)}>${j.workflow_id}</a>
      <br /><span class="oficial-enlace-temporal"><${TemporalLink} href=${j.enlace_temporal} id=${j.workflow_id} /></span>`,
  },
  { key: 'socio', label: 'Socio', render: (j) => j.socio || '—' },
  { key: 'campana', label: 'Campaña', render: (j) => j.campana || '—' },
  { key: 'estado', label: 'Estado', render: (j) => html`<${StatusText} status=${j.estado} />` },
  { key: 'monto', label: 'Monto', money: true, render: (j) => (j.monto ? formatMoney(j.monto) : '—') },
  { key: 'plazo_firma', label: 'Plazo de firma', render: (j) => (j.plazo_firma ? formatDateTime(j.plazo_firma) : '—') },
  { key: 'inicio', label: 'Inicio', render: (j) => formatDateTime(j.inicio) },
];

function filtersFromLocation() {
  const q = new URLSearchParams(location.search);
  return {
    status: q.get('status') || '',
    campaign: q.get('campaign') || '',
    member: q.get('member') || '',
    minutes: q.get('expiring_within_minutes') || '',
  };
}

function journeysQuery(f) {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.campaign.trim()) q.set('campaign', f.campaign.trim());
  if (f.member.trim()) q.set('member', f.member.trim());
  if (f.minutes.trim()) q.set('expiring_within_minutes', f.minutes.trim());
  return q.toString();
}

export function JourneysPage() {
  const [filters, setFilters] = useState(filtersFromLocation);
  const [applied, setApplied] = useState(() => journeysQuery(filtersFromLocation()));
  const { data, error, loading, reload } = useApi(`/officer/journeys${applied ? `?${applied}` : ''}`);
  const set = (key) => (value) => setFilters((f) => ({ ...f, [key]: value }));

  const search = (e) => {
    e.preventDefault();
    const query = journeysQuery(filters);
    history.replaceState(null, '', `/oficial${query ? `?${query}` : ''}`);
    if (query === applied) reload();
    else setApplied(query);
  };

  return html`<div class="oficial-jornadas">
    <form class="tarjeta oficial-filtros" onSubmit=${search} novalidate aria-labelledby="oficial-filtrar">
      <h2 id="oficial-filtrar">Filtrar solicitudes</h2>
      <div class="oficial-campos">
        <${Select}
          label="Estado"
          value=${filters.status}
          onChange=${set('status')}
          placeholder="Todos los estados"
          options=${Object.entries(STATUS_LABELS).map(([code, label]) => [code, `${label} (${code})`])}
        />
        <${Input} label="Campaña" value=${filters.campaign} onInput=${set('campaign')} autocomplete="off" maxlength="40" hint="Código de la campaña, por ejemplo PRE2026" />
        <${Input} label="ID de socio" value=${filters.member} onInput=${set('member')} inputmode="numeric" autocomplete="off" maxlength="18" />
        <${Input}
          label="Vencen en los próximos (minutos)"
          value=${filters.minutes}
          onInput=${(v) => set('minutes')(v.replace(/\D/g, ''))}
          inputmode="numeric"
          autocomplete="off"
          maxlength="5"
          hint="Plazo de firma dentro de los próximos N minutos"
        />
      </div>
      <div class="acciones"><button type="submit" disabled=${loading}>${loading ? 'Buscando…' : 'Buscar'}</button></div>
    </form>
    ${error && html`<${ErrorMessage} error=${error} />`}
    ${loading && !data && html`<${Loading} />`}
    ${data &&
    html`<section aria-labelledby="oficial-resultado">
      <h2 id="oficial-resultado">Solicitudes encontradas</h2>
      <p role="status">${data.jornadas.length === 1 ? '1 solicitud.' : `${data.jornadas.length} solicitudes.`}</p>
      <${DataTable}
        caption="Solicitudes de crédito preaprobado"
        columns=${JOURNEY_COLUMNS}
        rows=${data.jornadas}
        rowKey=${(j) => j.workflow_id}
        empty="No hay solicitudes con estos filtros."
      />
      <div class="tarjeta oficial-consulta">
        <h3>Consulta en Temporal</h3>
        <p class="nota">Pega esta consulta de visibilidad en la interfaz de Temporal para ver las mismas solicitudes.</p>
        <pre class="oficial-pre" tabindex="0" aria-label="Consulta de visibilidad"><code>${data.consulta}</code></pre>
        <${TemporalLink} href=${data.enlace_consulta} label="Abrir la consulta en Temporal" />
      </div>
    </section>`}
  </div>`;
}

// ---- Cargar campaña ---------------------------------------------------------------------

const CSV_HEADER = 'campaign_id,identificacion,monto_maximo,monto_minimo,plazos,tasa,vigencia_hasta,metodo,seguro_desgravamen';

function exampleRows() {
  const until = addMonths(todayIso(), 2);
  return [
    {
      campaign_id: 'PRE2026',
      identificacion: '1724119076',
      monto_maximo: '10000.00',
      monto_minimo: '500.00',
      plazos: [12, 24, 36],
      tasa: '15.83',
      vigencia_hasta: until,
      metodo: 'FRANCES',
      seguro_desgravamen: '0.05',
      rubros: [{ codigo: 'COMISION', descripcion: 'Comisión por desembolso', tipo: 'PERCENT', valor: '0.01', momento: 'DISBURSEMENT', iva: true }],
    },
  ];
}

function exampleCsv() {
  return `${CSV_HEADER}\nPRE2026,1724119076,10000.00,500.00,12;24;36,15.83,${addMonths(todayIso(), 2)},FRANCES,0.05`;
}

const LOADED_COLUMNS = [
  { key: 'workflow_id', label: 'Solicitud', render: (o) => html`<a href=${journeyPath(o.workflow_id)}>${o.workflow_id}</a>` },
  { key: 'campana', label: 'Campaña' },
  { key: 'identificacion', label: 'Identificación' },
  { key: 'socio', label: 'Socio' },
  {
    key: 'resultado',
    label: 'Resultado',
    render: (o) => html`<span class=${`oficial-resultado oficial-${o.resultado.toLowerCase()}`}>${o.resultado === 'INICIADA' ? 'Iniciada' : 'Ya existía'} (${o.resultado})</span>`,
  },
];

const ROW_ERROR_COLUMNS = [
  { key: 'fila', label: 'Fila' },
  { key: 'identificacion', label: 'Identificación', render: (e) => e.identificacion || '—' },
  { key: 'motivos', label: 'Motivos', render: (e) => html`<ul class="oficial-motivos">${(e.motivos || []).map((m) => html`<li>${m}</li>`)}</ul>` },
];

function LoadResult({ result, error }) {
  if (error) {
    const rows = error.code === 'CAMPANA_INVALIDA' && Array.isArray(error.details) ? error.details : null;
    return html`<section aria-labelledby="oficial-carga-error">
      <h2 id="oficial-carga-error">Resultado de la carga</h2>
      ${rows ? html`<${Alert} kind="error">${error.message}<//>` : html`<${ErrorMessage} error=${error} />`}
      ${rows && html`<${DataTable} caption="Filas con errores" columns=${ROW_ERROR_COLUMNS} rows=${rows} rowKey=${(r) => `${r.fila}-${r.identificacion}`} />`}
    </section>`;
  }
  if (!result) return null;
  return html`<section aria-labelledby="oficial-carga-ok">
    <h2 id="oficial-carga-ok">Resultado de la carga</h2>
    <${Alert} kind="success">
      ${`${result.iniciadas === 1 ? 'Se inició 1 oferta' : `Se iniciaron ${result.iniciadas} ofertas`}; ${
        result.existentes === 1 ? '1 ya existía' : `${result.existentes} ya existían`
      }.`}
    <//>
    <${DataTable} caption="Ofertas cargadas" columns=${LOADED_COLUMNS} rows=${result.ofertas} rowKey=${(o) => o.workflow_id} />
  </section>`;
}

export function CampaignLoadPage() {
  const [file, setFile] = useState(null);
  const [json, setJson] = useState('');
  const [outcome, setOutcome] = useState({ result: null, error: null });
  const upload = useAction();
  const send = useAction();
  const fileId = useId('archivo');

  const finish = async (work) => {
    setOutcome({ result: null, error: null });
    try {
      setOutcome({ result: await work(), error: null });
    } catch (error) {
      setOutcome({ result: null, error });
    }
  };

  const sendFile = (e) => {
    e.preventDefault();
    if (!file) return;
    upload.run(() =>
      finish(() => {
        const form = new FormData();
        form.append('archivo', file, file.name);
        return api('/officer/campaigns/import', { method: 'POST', form });
      }),
    );
  };

  const sendJson = (e) => {
    e.preventDefault();
    let body;
    try {
      body = JSON.parse(json);
    } catch {
      setOutcome({ result: null, error: { message: 'El texto no es un JSON válido. Revisa comas, comillas y corchetes.' } });
      return;
    }
    send.run(() => finish(() => api('/officer/campaigns', { method: 'POST', body })));
  };

  const busy = upload.busy || send.busy;
  return html`<div class="oficial-campana">
    <p>Carga las ofertas de una campaña de créditos preaprobados: se inicia una solicitud por cada socio. Si alguna fila tiene errores, no se carga ninguna oferta.</p>
    <div class="oficial-cargas">
      <form class="tarjeta" onSubmit=${sendFile} aria-labelledby="oficial-csv">
        <h2 id="oficial-csv">Archivo CSV</h2>
        <div class="campo">
          <label for=${fileId}>Archivo CSV de la campaña</label>
          <div class="oficial-selector">
            <input
              id=${fileId}
              class="oficial-archivo"
              type="file"
              accept=".csv,text/csv"
              aria-describedby=${`${fileId}-nombre ${fileId}-ayuda`}
              onChange=${(e) => setFile(e.currentTarget.files[0] || null)}
            />
            <label for=${fileId} class="boton secundario" aria-hidden="true">Seleccionar archivo</label>
            <span class="nota" id=${`${fileId}-nombre`}>${file ? file.name : 'Ningún archivo seleccionado'}</span>
          </div>
          <p class="ayuda" id=${`${fileId}-ayuda`}>UTF-8, separado por comas, con encabezado; plazos separados por punto y coma. Hasta 1 MB.</p>
        </div>
        <p class="nota">Ejemplo:</p>
        <pre class="oficial-pre" tabindex="0" aria-label="Ejemplo de archivo CSV"><code>${exampleCsv()}</code></pre>
        <div class="acciones"><button type="submit" disabled=${busy || !file}>${upload.busy ? 'Cargando…' : 'Cargar archivo'}</button></div>
      </form>
      <form class="tarjeta" onSubmit=${sendJson} aria-labelledby="oficial-json">
        <h2 id="oficial-json">Ofertas en JSON</h2>
        <${TextArea}
          label="Ofertas (JSON)"
          value=${json}
          onInput=${setJson}
          class="oficial-json"
          spellcheck="false"
          hint="Una lista de ofertas con los mismos campos del CSV; opcionalmente rubros."
        />
        <div class="acciones">
          <button type="button" class="secundario" onClick=${() => setJson(JSON.stringify(exampleRows(), null, 2))} disabled=${busy}>Usar el ejemplo</button>
          <button type="submit" disabled=${busy || !json.trim()}>${send.busy ? 'Cargando…' : 'Cargar ofertas'}</button>
        </div>
      </form>
    </div>
    <div aria-live="polite">
      <${LoadResult} result=${outcome.result} error=${outcome.error} />
    </div>
  </div>`;
}

// ---- Una solicitud de crédito (journey) -------------------------------------------------

function ActionDialog({ action, journeyId, onClose, onDone }) {
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();
  const title = action === 'regenerate' ? 'Regenerar la solicitud' : 'Cancelar la solicitud';
  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      const result = await api(`/officer/journeys/${encodeURIComponent(journeyId)}/${action}`, { method: 'POST', body: { motivo: reason.trim() } });
      onDone(action, result);
    });
  };
  return html`<${Dialog} title=${title} onClose=${busy ? undefined : onClose}>
    <form onSubmit=${submit} novalidate>
      <p>
        ${action === 'regenerate'
          ? 'Se generarán nuevos documentos y enlaces de firma, con un nuevo plazo de firma. Los enlaces anteriores dejarán de funcionar.'
          : 'La solicitud terminará y el socio ya no podrá continuarla.'}
      </p>
      <${TextArea} label="Motivo" value=${reason} onInput=${setReason} required maxlength="300" hint="Queda registrado en la bitácora con tu usuario." />
      <${ErrorMessage} error=${error} />
      <div class="acciones">
        <button type="button" class="secundario" onClick=${onClose} disabled=${busy}>Volver</button>
        <button type="submit" class=${action === 'cancel' ? 'peligro' : ''} disabled=${busy || !reason.trim()}>
          ${busy ? 'Procesando…' : action === 'regenerate' ? 'Confirmar regeneración' : 'Confirmar cancelación'}
        </button>
      </div>
    </form>
  <//>`;
}

function deadlineText(value) {
  if (!value) return '—';
  return `${formatHour(value)} del ${formatDate(value)}`;
}

function SummarySection({ view }) {
  const r = view.resumen;
  if (!r) return null;
  return html`<section aria-labelledby="oficial-resumen">
    <h2 id="oficial-resumen">Simulación elegida</h2>
    <${Summary}
      title="Simulación elegida"
      items=${[
        ['Monto', formatMoney(r.monto)],
        ['Plazo', `${r.plazo} meses`],
        ['Tasa', r.tasa_anual],
        ['Cuota', formatMoney(r.cuota)],
        ['Primera cuota', formatDate(r.primera_cuota)],
        ['Última cuota', formatDate(r.ultima_cuota)],
        ['Total interés', formatMoney(r.total_interes)],
        ['Total seguro', formatMoney(r.total_seguro)],
        ['Total descuentos', formatMoney(r.total_descuentos)],
        ['Monto a recibir', formatMoney(r.monto_a_recibir)],
      ]}
    />
    <${DataTable}
      caption="Rubros"
      columns=${[
        { key: 'descripcion', label: 'Rubro' },
        { key: 'momento', label: 'Momento', render: (x) => (x.momento === 'DISBURSEMENT' ? 'Al desembolso' : 'En cada cuota') },
        { key: 'valor', label: 'Valor', money: true },
        { key: 'iva', label: 'IVA', money: true },
      ]}
      rows=${r.rubros}
      empty="Sin rubros."
    />
  </section>`;
}

export function JourneyPage({ params }) {
  const id = params.id;
  const { data, error, loading, reload } = useApi(`/officer/journeys/${encodeURIComponent(id)}`);
  const [dialog, setDialog] = useState(null);
  const [done, setDone] = useState(null);

  const onDone = (action, result) => {
    setDialog(null);
    setDone({ action, result });
    reload();
  };

  if (loading && !data) return html`<${Loading} />`;
  if (error && !data) return html`<${ErrorMessage} error=${error} /><p><a href="/oficial">Volver a las solicitudes</a></p>`;
  const state = data;
  const view = state.presentacion;
  return html`<div class="oficial-jornada">
    <p><a href="/oficial">← Volver a las solicitudes</a></p>
    ${done &&
    html`<${Alert} kind="success">
      ${done.action === 'regenerate'
        ? `La solicitud fue regenerada (generación ${done.result.generacion}). Nuevo plazo de firma: ${deadlineText(done.result.plazo_firma)}.`
        : 'La solicitud fue cancelada.'}
    <//>`}
    ${error && html`<${ErrorMessage} error=${error} />`}
    <section class="tarjeta" aria-labelledby="oficial-estado">
      <h2 id="oficial-estado">Estado</h2>
      <${Summary}
        title="Estado de la solicitud"
        items=${[
          ['Solicitud', state.workflow_id],
          ['Estado', html`<span data-estado=${state.status}><${StatusText} status=${state.status} /></span>`],
          ['Socio', state.socio ? `${state.socio.nombre} — ${state.socio.identificacion} (ID ${state.socio.id})` : `ID ${state.offer.member_id}`],
          ['Campaña', state.offer.campaign_id],
          ['Generación', String(state.generation)],
          ['Plazo de firma', deadlineText(state.deadline)],
          state.reason && ['Motivo', state.reason],
          view.motivo && ['Nota para el socio', view.motivo],
          state.loan_number && ['Número de crédito', state.loan_number],
          view.monto_acreditado && ['Monto acreditado', formatMoney(view.monto_acreditado)],
        ]}
      />
      <div class="acciones">
        <button type="button" onClick=${() => setDialog('regenerate')}>Regenerar</button>
        <button type="button" class="peligro" onClick=${() => setDialog('cancel')}>Cancelar</button>
        <${TemporalLink} href=${state.enlace_temporal} id=${state.workflow_id} />
      </div>
    </section>
    <section aria-labelledby="oficial-oferta">
      <h2 id="oficial-oferta">Oferta</h2>
      <${Summary}
        title="Oferta"
        items=${[
          ['Monto mínimo', formatMoney(view.oferta.monto_minimo)],
          ['Monto máximo', formatMoney(view.oferta.monto_maximo)],
          ['Plazos', `${view.oferta.plazos.join(', ')} meses`],
          ['Tasa anual', view.oferta.tasa_anual],
          ['Método', view.oferta.metodo === 'GERMAN' ? 'Alemán' : 'Francés'],
          ['Vigencia hasta', formatDate(view.oferta.vigencia_hasta)],
          ['Consentimiento', state.consent_at ? `${formatDateTime(state.consent_at)}${state.consent_origin ? ` — ${state.consent_origin}` : ''}` : 'Aún no acepta'],
          ['Simulaciones', String(state.simulations)],
        ]}
      />
    </section>
    ${view.requisitos &&
    (view.requisitos.mensajes.length > 0 || view.requisitos.bloqueos.length > 0) &&
    html`<section aria-labelledby="oficial-requisitos">
      <h2 id="oficial-requisitos">Requisitos</h2>
      <ul>${view.requisitos.mensajes.map((m) => html`<li>${m}</li>`)}</ul>
    </section>`}
    <${SummarySection} view=${view} />
    <section aria-labelledby="oficial-documentos">
      <h2 id="oficial-documentos">Documentos</h2>
      <${DataTable}
        caption="Documentos cargados por el socio"
        columns=${[
          { key: 'kind', label: 'Documento', render: (d) => DOCUMENT_LABELS[d.kind] || d.kind },
          { key: 'filename', label: 'Archivo' },
          { key: 'accepted', label: 'Resultado', render: (d) => (d.accepted ? 'Aceptado' : 'Rechazado') },
          { key: 'reasons', label: 'Motivos', render: (d) => (d.reasons.length ? d.reasons.map((r) => r.message).join(' ') : '—') },
        ]}
        rows=${state.documents}
        empty="El socio no ha cargado documentos."
      />
      <${DataTable}
        caption=${`Documentos para firma (generación ${state.generation})`}
        columns=${[
          { key: 'kind', label: 'Documento', render: (d) => DOCUMENT_LABELS[d.kind] || d.kind },
          { key: 'sha256', label: 'SHA-256', render: (d) => html`<code class="oficial-hash">${d.sha256.slice(0, 16)}…</code>` },
          { key: 'size', label: 'Tamaño', render: (d) => `${Math.ceil(d.size / 1024)} KB` },
        ]}
        rows=${state.signing_documents}
        empty="Aún no se generan los documentos."
      />
    </section>
    <section aria-labelledby="oficial-firmantes">
      <h2 id="oficial-firmantes">Firmantes</h2>
      <${DataTable}
        caption="Firmantes y su avance"
        columns=${[
          { key: 'role', label: 'Rol', render: (s) => ROLE_LABELS[s.role] || s.role },
          { key: 'name', label: 'Nombre' },
          { key: 'email', label: 'Correo' },
          { key: 'mobile', label: 'Celular' },
          { key: 'next_step', label: 'Siguiente paso', render: (s) => STEP_LABELS[s.next_step] || s.next_step },
          {
            key: 'intentos',
            label: 'Intentos restantes',
            render: (s) => `Identidad ${s.identity_attempts_left} · Rostro ${s.face_attempts_left} · OTP ${s.otp_attempts_left}`,
          },
          { key: 'signed_at', label: 'Firmó', render: (s) => (s.signed_at ? formatDateTime(s.signed_at) : '—') },
        ]}
        rows=${state.signatories}
        empty="Aún no hay firmantes: la solicitud no ha sido enviada."
      />
    </section>
    <section aria-labelledby="oficial-bitacora">
      <h2 id="oficial-bitacora">Bitácora</h2>
      <${DataTable}
        caption="Bitácora de la solicitud"
        columns=${[
          { key: 'at', label: 'Fecha', render: (a) => formatDateTime(a.at) },
          { key: 'actor', label: 'Actor' },
          { key: 'action', label: 'Acción' },
          { key: 'detail', label: 'Detalle', render: (a) => html`<span class="oficial-detalle">${a.detail || '—'}</span>` },
        ]}
        rows=${[...state.audit].reverse()}
        empty="Sin registros."
      />
    </section>
    ${dialog && html`<${ActionDialog} action=${dialog} journeyId=${state.workflow_id} onClose=${() => setDialog(null)} onDone=${onDone} />`}
  </div>`;
}

// ---- Solicitudes de productos -----------------------------------------------------------

function AttendDialog({ request, onClose, onDone }) {
  const [note, setNote] = useState('');
  const { busy, error, run } = useAction();
  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      const body = note.trim() ? { nota: note.trim() } : {};
      onDone(await api(`/officer/product-requests/${request.id}/attend`, { method: 'POST', body }));
    });
  };
  return html`<${Dialog} title="Marcar como atendida" onClose=${busy ? undefined : onClose}>
    <form onSubmit=${submit} novalidate>
      <p>Solicitud de <strong>${request.producto}</strong> de <strong>${request.socio.nombre}</strong>.</p>
      <${TextArea} label="Nota (opcional)" value=${note} onInput=${setNote} maxlength="300" hint="Queda registrada en la bitácora con tu usuario." />
      <${ErrorMessage} error=${error} />
      <div class="acciones">
        <button type="button" class="secundario" onClick=${onClose} disabled=${busy}>Volver</button>
        <button type="submit" disabled=${busy}>${busy ? 'Guardando…' : 'Confirmar'}</button>
      </div>
    </form>
  <//>`;
}

function contactOf(r) {
  const channel = r.canal_contacto;
  if (channel === 'CORREO') return r.socio.correo;
  if (channel === 'LLAMADA' || channel === 'WHATSAPP') return r.socio.celular;
  return null;
}

export function ProductRequestsPage() {
  const [status, setStatus] = useState('');
  const [type, setType] = useState('');
  const types = useApi('/product-requests/types');
  const query = new URLSearchParams();
  if (status) query.set('status', status);
  if (type) query.set('tipo', type);
  const text = query.toString();
  const list = useApi(`/officer/product-requests${text ? `?${text}` : ''}`);
  const [attending, setAttending] = useState(null);
  const [done, setDone] = useState(null);
  const notice = useRef(null);

  useEffect(() => setDone(null), [status, type]);
  // The row's button is gone once attended: focus goes to the confirmation instead.
  useEffect(() => {
    if (!done || !notice.current) return;
    notice.current.focus();
    const region = notice.current.parentElement?.querySelector('.tabla');
    if (region) region.scrollLeft = 0; // back to the start of the row, as the page shows it
  }, [done]);

  const columns = [
    { key: 'socio', label: 'Socio', render: (r) => html`<strong>${r.socio.nombre}</strong><br /><span class="nota">${r.socio.identificacion}</span>` },
    { key: 'producto', label: 'Producto y fecha', render: (r) => html`${r.producto}<br /><span class="nota">${formatDateTime(r.fecha)}</span>` },
    { key: 'monto', label: 'Monto', money: true, render: (r) => (r.monto ? formatMoney(r.monto) : '—') },
    { key: 'comentario', label: 'Comentario', render: (r) => html`<span class="oficial-detalle">${r.comentario || '—'}</span>` },
    { key: 'canal', label: 'Contacto preferido', render: (r) => html`${r.canal}${contactOf(r) && html`<br /><span class="nota">${contactOf(r)}</span>`}` },
    { key: 'estado', label: 'Estado', render: (r) => html`<span class=${`info-estado info-estado-${r.estado.toLowerCase()}`}>${r.estado_texto}</span>` },
    {
      key: 'accion',
      label: 'Acción',
      render: (r) =>
        r.estado === 'NUEVA'
          ? html`<button type="button" class="oficial-boton" onClick=${() => setAttending(r)}>
              Marcar como atendida<span class="oculto"> la solicitud ${r.id} de ${r.socio.nombre}</span>
            </button>`
          : html`<span class="oficial-atendida">Por ${r.atendida_por} el ${formatDateTime(r.atendida_en)}</span>`,
    },
  ];

  return html`<div class="oficial-productos">
    <form class="tarjeta oficial-filtros" onSubmit=${(e) => e.preventDefault()} aria-labelledby="oficial-filtrar-productos">
      <h2 id="oficial-filtrar-productos">Filtrar</h2>
      <div class="oficial-campos">
        <${Select} label="Estado" value=${status} onChange=${setStatus} placeholder="Todas" options=${[['NUEVA', 'Recibida (por atender)'], ['ATENDIDA', 'Atendida']]} />
        <${Select}
          label="Tipo de producto"
          value=${type}
          onChange=${setType}
          placeholder="Todos los productos"
          options=${(types.data?.tipos || []).map((t) => [t.codigo, t.nombre])}
        />
      </div>
    </form>
    ${done &&
    html`<div class="oficial-aviso" tabindex="-1" ref=${notice}>
      <${Alert} kind="success">La solicitud de ${done.producto} de ${done.socio.nombre} fue marcada como atendida.<//>
    </div>`}
    ${list.error && html`<${ErrorMessage} error=${list.error} />`}
    ${list.loading && !list.data && html`<${Loading} />`}
    ${list.data &&
    html`<${DataTable}
      caption="Solicitudes de productos de los socios"
      columns=${columns}
      rows=${list.data.solicitudes}
      rowKey=${(r) => r.id}
      empty="No hay solicitudes con estos filtros."
    />`}
    ${attending &&
    html`<${AttendDialog}
      request=${attending}
      onClose=${() => setAttending(null)}
      onDone=${(r) => {
        setAttending(null);
        setDone(r);
        list.reload();
      }}
    />`}
  </div>`;
}
