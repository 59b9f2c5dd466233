// Administración de Beneficiarios (manual §2): Buscar by Servicio, Nombre and Identificación;
// "Nuevo Beneficiario +" for the selected service; the Beneficiarios table with its "Buscar:"
// filter, the pencil (Editar, in a dialog), the bin and "Eliminar" for the checked rows, each
// confirmed first. Every rule (cédula, accounts, institutions, duplicates) is the API's.

import { useEffect, useRef, useState } from '../../vendor/preact-htm-3.1.1.js';
import { api } from '../api.js';
import { Alert, ConfirmDialog, DataTable, Dialog, ErrorMessage, Input, Loading, Select, Summary, html, useAction, useApi } from '../ui.js';

const SERVICES = [
  ['COOPROGRESO', 'Transferencias Cooprogreso'],
  ['INTERBANCARIA', 'Transferencias Interbancarias'],
];
const SERVICE_NAME = Object.fromEntries(SERVICES);
const ID_TYPES = [
  ['CEDULA', 'Cédula'],
  ['RUC', 'RUC'],
  ['PASAPORTE', 'Pasaporte'],
];
const ID_TYPE_NAME = Object.fromEntries(ID_TYPES);
const ACCOUNT_TYPES = [
  ['AHORROS', 'Ahorros'],
  ['CORRIENTE', 'Corriente'],
];
const NOTE =
  '* Recuerda que para crear un Nuevo Beneficiario es necesario seleccionar un servicio (Transferencias Cooprogreso o Transferencias Interbancarias)';

function searchPath({ servicio, nombre, identificacion }) {
  const query = new URLSearchParams();
  if (servicio) query.set('servicio', servicio);
  if (nombre.trim()) query.set('nombre', nombre.trim());
  if (identificacion.trim()) query.set('identificacion', identificacion.trim());
  const text = query.toString();
  return text ? `/beneficiaries?${text}` : '/beneficiaries';
}

function accountText(b) {
  const type = b.tipo_cuenta === 'CORRIENTE' ? 'Corriente' : 'Ahorros';
  return `${b.institucion_nombre} · ${type} ${b.cuenta}`;
}

/** What the "Buscar:" box looks at: the texts shown in the row. */
function rowText(b) {
  return fold([SERVICE_NAME[b.servicio], b.nombre, ID_TYPE_NAME[b.tipo_identificacion], b.identificacion, accountText(b)].join(' '));
}

/** Lower case without accents ("Núñez" → "nunez"), as the API compares names. */
function fold(text) {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
}

const PENCIL = html`<svg class="benef-icono" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
  <path fill="currentColor" d="M3 17.25V21h3.75L17.8 9.94l-3.75-3.75L3 17.25zm17.7-10.2a1 1 0 0 0 0-1.42l-2.33-2.33a1 1 0 0 0-1.42 0l-1.83 1.83 3.75 3.75 1.83-1.83z" />
</svg>`;
const BIN = html`<svg class="benef-icono" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
  <path fill="currentColor" d="M6 19a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2V7H6v12zM19 4h-3.5l-1-1h-5l-1 1H5v2h14V4z" />
</svg>`;

export function BeneficiariesPage() {
  const [filters, setFilters] = useState({ servicio: '', nombre: '', identificacion: '' });
  const [path, setPath] = useState('/beneficiaries');
  const list = useApi(path);
  const [filterText, setFilterText] = useState('');
  const [checked, setChecked] = useState([]);
  const [dialog, setDialog] = useState(null);
  const [notice, setNotice] = useState(null);
  const [needService, setNeedService] = useState(false);
  const serviceField = useRef(null);

  useEffect(() => setChecked([]), [list.data]);

  const search = (e) => {
    e.preventDefault();
    setNotice(null);
    const next = searchPath(filters);
    if (next === path) list.reload();
    else setPath(next);
  };
  const startNew = () => {
    setNotice(null);
    if (!filters.servicio) {
      setNeedService(true);
      serviceField.current?.querySelector('select')?.focus();
      return;
    }
    setNeedService(false);
    setDialog({ name: 'form', service: filters.servicio, beneficiary: null });
  };
  const done = (message) => {
    setDialog(null);
    setNotice(message);
    list.reload();
  };

  const rows = list.data || [];
  const wanted = fold(filterText);
  const shown = wanted ? rows.filter((b) => rowText(b).includes(wanted)) : rows;
  const chosen = rows.filter((b) => checked.includes(b.id));
  const toggle = (id, on) => setChecked((now) => (on ? [...now, id] : now.filter((x) => x !== id)));

  const columns = [
    {
      key: 'seleccion',
      label: 'Seleccionar',
      render: (b) => html`<input
        type="checkbox"
        class="benef-casilla"
        checked=${checked.includes(b.id)}
        onChange=${(e) => toggle(b.id, e.currentTarget.checked)}
        aria-label=${`Seleccionar a ${b.nombre}`}
      />`,
    },
    { key: 'servicio', label: 'Servicio', render: (b) => SERVICE_NAME[b.servicio] },
    { key: 'nombre', label: 'Beneficiario', render: (b) => html`<strong>${b.nombre}</strong><br /><span class="nota">${accountText(b)}</span>` },
    { key: 'tipo', label: 'Tipo de identificación', render: (b) => ID_TYPE_NAME[b.tipo_identificacion] || b.tipo_identificacion },
    { key: 'identificacion', label: 'Identificación' },
    {
      key: 'acciones',
      label: 'Acciones',
      render: (b) => html`<div class="benef-acciones">
        <button type="button" class="secundario benef-icono-boton" onClick=${() => { setNotice(null); setDialog({ name: 'form', service: b.servicio, beneficiary: b }); }}>
          ${PENCIL}<span class="oculto">Editar a ${b.nombre}</span>
        </button>
        <button type="button" class="secundario benef-icono-boton" onClick=${() => { setNotice(null); setDialog({ name: 'delete', beneficiaries: [b] }); }}>
          ${BIN}<span class="oculto">Eliminar a ${b.nombre}</span>
        </button>
      </div>`,
    },
  ];

  return html`<section aria-labelledby="benef-busqueda">
    <h2 id="benef-busqueda" class="oculto">Buscar beneficiarios</h2>
    <form class="tarjeta benef-filtros" onSubmit=${search} novalidate>
      <div ref=${serviceField}>
        <${Select}
          label="Servicio:"
          value=${filters.servicio}
          onChange=${(servicio) => { setFilters({ ...filters, servicio }); if (servicio) setNeedService(false); }}
          options=${SERVICES}
          placeholder="TODOS LOS SERVICIOS"
          error=${needService ? 'Selecciona un servicio para crear un Nuevo Beneficiario.' : undefined}
        />
      </div>
      <${Input} label="Nombre:" value=${filters.nombre} onInput=${(nombre) => setFilters({ ...filters, nombre })} maxlength="80" autocomplete="off" />
      <${Input}
        label="Identificación:"
        value=${filters.identificacion}
        onInput=${(identificacion) => setFilters({ ...filters, identificacion })}
        maxlength="20"
        autocomplete="off"
        inputmode="text"
      />
      <div class="acciones benef-botones">
        <button type="submit">Buscar</button>
        <button type="button" class="secundario" onClick=${startNew}>Nuevo Beneficiario +</button>
      </div>
      <p class="nota">${NOTE}</p>
    </form>
    ${notice && html`<${Alert} kind="success">${notice}<//>`}
    <section aria-labelledby="benef-lista">
      <h2 id="benef-lista">Beneficiarios</h2>
      ${list.loading && html`<${Loading} />`}
      <${ErrorMessage} error=${list.error} />
      ${list.data &&
      html`<div class="benef-herramientas">
          <${Input} label="Buscar:" value=${filterText} onInput=${setFilterText} type="search" autocomplete="off" hint="Filtra los beneficiarios de la tabla." />
          <div class="benef-eliminar">
            <button type="button" class="peligro" disabled=${chosen.length === 0} onClick=${() => { setNotice(null); setDialog({ name: 'delete', beneficiaries: chosen }); }}>
              Eliminar
            </button>
            <span class="nota" aria-live="polite">${chosen.length === 0 ? 'Marca las casillas de los beneficiarios que deseas eliminar.' : `${chosen.length} seleccionado${chosen.length === 1 ? '' : 's'}`}</span>
          </div>
        </div>
        <div class="benef-tabla"><${DataTable}
          caption="Beneficiarios"
          columns=${columns}
          rows=${shown}
          rowKey=${(b) => b.id}
          empty=${rows.length ? 'Ningún beneficiario coincide con el texto buscado.' : 'No encontramos beneficiarios con los datos ingresados.'}
        /></div>`}
    </section>
    ${dialog?.name === 'form' &&
    html`<${BeneficiaryDialog} service=${dialog.service} beneficiary=${dialog.beneficiary} onDone=${done} onClose=${() => setDialog(null)} />`}
    ${dialog?.name === 'delete' &&
    html`<${DeleteDialog} beneficiaries=${dialog.beneficiaries} onDone=${done} onClose=${() => setDialog(null)} />`}
  </section>`;
}

/** Nuevo Beneficiario (for the chosen service) or Editar: every field, validated by the API. */
function BeneficiaryDialog({ service, beneficiary, onDone, onClose }) {
  const editing = Boolean(beneficiary);
  const interbank = service === 'INTERBANCARIA';
  const [form, setForm] = useState(() => ({
    nombre: beneficiary?.nombre || '',
    tipo_identificacion: beneficiary?.tipo_identificacion || 'CEDULA',
    identificacion: beneficiary?.identificacion || '',
    cuenta: beneficiary?.cuenta || '',
    institucion: interbank ? beneficiary?.institucion || '' : '',
    tipo_cuenta: beneficiary?.tipo_cuenta || 'AHORROS',
    email: beneficiary?.email || '',
  }));
  const institutions = useApi(interbank ? '/transfers/institutions' : null);
  const { busy, error, run } = useAction();
  const set = (key) => (value) => setForm((now) => ({ ...now, [key]: value }));

  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      const body = {
        servicio: service,
        nombre: form.nombre.trim(),
        tipo_identificacion: form.tipo_identificacion,
        identificacion: form.identificacion.trim(),
        cuenta: form.cuenta.trim(),
        institucion: interbank ? form.institucion || null : null,
        tipo_cuenta: interbank ? form.tipo_cuenta : 'AHORROS',
        email: form.email.trim() || null,
      };
      const saved = editing
        ? await api(`/beneficiaries/${beneficiary.id}`, { method: 'PUT', body })
        : await api('/beneficiaries', { method: 'POST', body });
      onDone(editing ? `Actualizaste los datos de ${saved.nombre}.` : `Registraste a ${saved.nombre} como beneficiario de ${SERVICE_NAME[saved.servicio]}.`);
    });
  };
  const ready = form.nombre.trim() && form.identificacion.trim() && form.cuenta.trim() && (!interbank || form.institucion);

  return html`<${Dialog} title=${editing ? 'Editar beneficiario' : 'Nuevo Beneficiario'} onClose=${onClose}>
    <form onSubmit=${submit} novalidate>
      <${Summary} title="Servicio" items=${[['Servicio', SERVICE_NAME[service]]]} />
      <${Input} label="Beneficiario" value=${form.nombre} onInput=${set('nombre')} maxlength="80" autocomplete="off" hint="Nombres y apellidos, o razón social." required />
      <${Select} label="Tipo de identificación" value=${form.tipo_identificacion} onChange=${set('tipo_identificacion')} options=${ID_TYPES} required />
      <${Input} label="Identificación" value=${form.identificacion} onInput=${set('identificacion')} maxlength="20" autocomplete="off" spellcheck="false" required />
      ${interbank &&
      html`<${Select}
          label="Institución financiera"
          value=${form.institucion}
          onChange=${set('institucion')}
          options=${(institutions.data || []).map((i) => [i.codigo, i.nombre])}
          placeholder=${institutions.loading ? 'Cargando…' : 'Selecciona la institución'}
          required
        />
        <${ErrorMessage} error=${institutions.error} />
        <${Select} label="Tipo de cuenta" value=${form.tipo_cuenta} onChange=${set('tipo_cuenta')} options=${ACCOUNT_TYPES} required />`}
      <${Input}
        label=${interbank ? 'Número de cuenta' : 'Número de cuenta Cooprogreso'}
        value=${form.cuenta}
        onInput=${(v) => set('cuenta')(v.replace(/\D/g, ''))}
        inputmode="numeric"
        maxlength="20"
        autocomplete="off"
        hint=${interbank ? undefined : 'Cuenta de ahorros de otro socio de Cooprogreso.'}
        required
      />
      <${Input} label="Correo electrónico (opcional)" type="email" value=${form.email} onInput=${set('email')} maxlength="120" autocomplete="off" />
      <${ErrorMessage} error=${error} />
      <div class="acciones">
        <button type="button" class="secundario" onClick=${onClose} disabled=${busy}>Cancelar</button>
        <button type="submit" disabled=${busy || !ready}>${busy ? 'Guardando…' : editing ? 'Guardar cambios' : 'Registrar beneficiario'}</button>
      </div>
    </form>
  <//>`;
}

/** The confirmation before deleting one beneficiary (the bin) or the checked ones. */
function DeleteDialog({ beneficiaries, onDone, onClose }) {
  const { busy, error, run } = useAction();
  const many = beneficiaries.length > 1;
  const confirm = () =>
    run(async () => {
      if (many) await api('/beneficiaries/delete', { method: 'POST', body: { ids: beneficiaries.map((b) => b.id) } });
      else await api(`/beneficiaries/${beneficiaries[0].id}`, { method: 'DELETE' });
      onDone(many ? `Eliminaste ${beneficiaries.length} beneficiarios.` : `Eliminaste a ${beneficiaries[0].nombre} de tus beneficiarios.`);
    });
  return html`<${ConfirmDialog} title=${many ? 'Eliminar beneficiarios' : 'Eliminar beneficiario'} onClose=${onClose} onConfirm=${confirm} busy=${busy} error=${error}>
    <p>${many ? `¿Deseas eliminar estos ${beneficiaries.length} beneficiarios?` : '¿Deseas eliminar este beneficiario?'}</p>
    <ul class="benef-lista-eliminar">
      ${beneficiaries.map((b) => html`<li key=${b.id}><strong>${b.nombre}</strong> — ${SERVICE_NAME[b.servicio]}, ${accountText(b)}</li>`)}
    </ul>
    <p class="nota">Podrás registrarlos nuevamente cuando lo necesites.</p>
  <//>`;
}
