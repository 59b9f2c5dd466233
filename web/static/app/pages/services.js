// Pago de Servicios (manual §3): "Registro de Servicios" — the registered services, registering
// and removing one — and "Nuevo Pago": the look-up of the pending receipts, "Valores a pagar"
// and the start of the payment, whose code and receipt are on the operation's page.
//
// Every amount shown comes from the API as it answered it (the look-up totals the ticked
// receipts itself); the page never adds money.

import { useEffect, useRef, useState } from '../../vendor/preact-htm-3.1.1.js';
import { api, newOperationKey } from '../api.js';
import { formatDate, formatMoney } from '../format.js';
import { navigate } from '../router.js';
import { Alert, ConfirmDialog, DataTable, ErrorMessage, Input, Loading, Select, Steps, Summary, html, useAction, useApi, useFocus } from '../ui.js';

/** What the reference is called when the company does not say (the manual's wording). */
export const GENERIC_REFERENCE = 'Número de suministro / cuenta / contrapartida / comprobante';

/** The member's accounts that can be debited, as the position lists them. */
export function useDebitAccounts() {
  const position = useApi('/position');
  // The API debits only an active savings account (other choices are refused by it).
  const accounts = (position.data?.cuentas || []).filter((c) => c.tipo_cuenta === 'CUENTA DE AHORROS' && c.estado === 'ACTIVO');
  return { accounts, loading: position.loading, error: position.error };
}

/** `[value, text]` options of the debit account select. */
export function accountOptions(accounts) {
  return accounts.map((c) => [c.numero, `${c.numero} - Ahorros - Disponible ${formatMoney(c.saldo_disponible)}`]);
}

/** The account select; picks the first account when there is only one. */
export function AccountSelect({ accounts, value, onChange, label = 'Cuenta a debitar' }) {
  useEffect(() => {
    if (!value && accounts.length === 1) onChange(accounts[0].numero);
  }, [accounts.length]);
  return html`<${Select}
    label=${label}
    value=${value}
    onChange=${onChange}
    options=${accountOptions(accounts)}
    placeholder="Selecciona la cuenta"
    required
  />`;
}

/**
 * Categoría → Empresa → the company's reference, labelled as the API names it.
 * `value` is `{categoria, empresa, suministro}`; `onChange` receives the whole new value and
 * the chosen company (or null).
 */
export function CompanyFields({ value, onChange, companyLabel = 'Empresa', referenceHint }) {
  const categories = useApi('/services/categories');
  const companies = useApi(value.categoria ? `/services/companies?categoria=${encodeURIComponent(value.categoria)}` : null);
  const list = value.categoria ? companies.data || [] : [];
  const company = list.find((c) => c.codigo === value.empresa) || null;
  const set = (changes) => {
    const next = { ...value, ...changes };
    const chosen = list.find((c) => c.codigo === next.empresa) || null;
    onChange(next, chosen);
  };
  return html`<div class="servicios-campos">
    <${ErrorMessage} error=${categories.error || companies.error} />
    <${Select}
      label="Categoría"
      value=${value.categoria}
      onChange=${(categoria) => set({ categoria, empresa: '' })}
      options=${(categories.data || []).map((c) => [c.codigo, c.nombre])}
      placeholder="Selecciona la categoría"
      required
    />
    <${Select}
      label=${companyLabel}
      value=${value.empresa}
      onChange=${(empresa) => set({ empresa })}
      options=${list.map((c) => [c.codigo, c.nombre])}
      placeholder=${value.categoria ? (companies.loading ? 'Cargando…' : 'Selecciona la empresa') : 'Primero selecciona la categoría'}
      disabled=${!value.categoria}
      required
    />
    <${Input}
      label=${company ? company.etiqueta_referencia : GENERIC_REFERENCE}
      value=${value.suministro}
      onInput=${(suministro) => set({ suministro: suministro.trim() })}
      autocomplete="off"
      spellcheck="false"
      maxlength="30"
      hint=${referenceHint}
      required
    />
  </div>`;
}

// ---------------------------------------------------------------- the screen

export function ServicesPage() {
  const [view, setView] = useState({ name: 'lista' });
  const [notice, setNotice] = useState(null);
  const registered = useApi('/services/registered');
  const debit = useDebitAccounts();

  const show = (name, extra = {}) => {
    setNotice(null);
    setView({ name, ...extra });
  };
  const back = (message) => {
    setNotice(message || null);
    setView({ name: 'lista' });
    registered.reload();
  };

  if (view.name === 'registrar') {
    return html`<${RegisterService} debit=${debit} onDone=${back} onCancel=${() => show('lista')} />`;
  }
  if (view.name === 'pagar') {
    return html`<${NewPayment}
      debit=${debit}
      services=${registered.data || []}
      initial=${view.service || null}
      onCancel=${() => show('lista')}
    />`;
  }
  return html`<${RegisteredServices}
    registered=${registered}
    notice=${notice}
    onPay=${(service) => show('pagar', { service })}
    onRegister=${() => show('registrar')}
    onRemoved=${(message) => back(message)}
  />`;
}

// ---------------------------------------------------------------- Registro de Servicios

function serviceName(s) {
  return s.alias ? `${s.alias} (${s.empresa_nombre})` : s.empresa_nombre;
}

function RegisteredServices({ registered, notice, onPay, onRegister, onRemoved }) {
  const [removing, setRemoving] = useState(null);
  const remove = useAction();

  const confirmRemove = () =>
    remove.run(async () => {
      await api(`/services/registered/${removing.id}`, { method: 'DELETE' });
      const name = serviceName(removing);
      setRemoving(null);
      onRemoved(`Eliminaste el servicio ${name}.`);
    });

  const columns = [
    {
      key: 'servicio',
      label: 'Servicio',
      render: (s) => html`<strong>${s.alias || s.empresa_nombre}</strong>
        <br /><span class="nota">${s.alias ? `${s.empresa_nombre} · ` : ''}${s.categoria_nombre}</span>`,
    },
    { key: 'suministro', label: 'Referencia', render: (s) => html`${s.suministro}<br /><span class="nota">${s.etiqueta_referencia}</span>` },
    { key: 'cuenta', label: 'Cuenta a debitar' },
    {
      key: 'acciones',
      label: 'Acciones',
      render: (s) => html`<div class="servicios-acciones">
        <button type="button" onClick=${() => onPay(s)}>Pagar<span class="oculto"> ${serviceName(s)} ${s.suministro}</span></button>
        <button type="button" class="secundario" onClick=${() => { remove.setError(null); setRemoving(s); }}>
          Eliminar<span class="oculto"> ${serviceName(s)} ${s.suministro}</span>
        </button>
      </div>`,
    },
  ];

  return html`<section aria-labelledby="servicios-titulo">
    <h2 id="servicios-titulo">Registro de Servicios</h2>
    <p>Mediante esta opción podrás realizar el pago de tus servicios públicos y privados.</p>
    ${notice && html`<${Alert} kind="success">${notice}<//>`}
    <div class="acciones servicios-botones">
      <button type="button" onClick=${() => onPay(null)}>Nuevo Pago</button>
      <button type="button" class="secundario" onClick=${onRegister}>Registrar servicio</button>
    </div>
    ${registered.loading && html`<${Loading} />`}
    <${ErrorMessage} error=${registered.error} />
    ${registered.data &&
    html`<${DataTable}
      caption="Servicios registrados"
      columns=${columns}
      rows=${registered.data}
      rowKey=${(s) => s.id}
      empty="Aún no tienes servicios registrados. Registra uno para pagarlo más rápido."
    />`}
    ${removing &&
    html`<${ConfirmDialog} title="Eliminar servicio" onClose=${() => setRemoving(null)} onConfirm=${confirmRemove} busy=${remove.busy} error=${remove.error}>
      <p>¿Deseas eliminar el servicio <strong>${serviceName(removing)}</strong>, ${removing.etiqueta_referencia.toLowerCase()} ${removing.suministro}?</p>
      <p class="nota">Podrás registrarlo nuevamente cuando lo necesites.</p>
    <//>`}
  </section>`;
}

function RegisterService({ debit, onDone, onCancel }) {
  const [account, setAccount] = useState('');
  const [service, setService] = useState({ categoria: '', empresa: '', suministro: '' });
  const [alias, setAlias] = useState('');
  const { busy, error, run } = useAction();
  const heading = useFocus([]);

  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      const saved = await api('/services/registered', {
        method: 'POST',
        body: { cuenta: account, empresa: service.empresa, suministro: service.suministro, alias: alias.trim() },
      });
      onDone(`Registraste el servicio ${serviceName(saved)}, ${saved.etiqueta_referencia.toLowerCase()} ${saved.suministro}.`);
    });
  };
  const ready = account && service.empresa && service.suministro;

  return html`<section class="tarjeta" aria-labelledby="registrar-titulo">
    <h2 id="registrar-titulo" tabindex="-1" ref=${heading}>Registrar servicio</h2>
    ${debit.loading && html`<${Loading} />`}
    <${ErrorMessage} error=${debit.error} />
    <form onSubmit=${submit} novalidate>
      <${AccountSelect} accounts=${debit.accounts} value=${account} onChange=${setAccount} label="Cuenta de la que se generarán los débitos" />
      <${CompanyFields} value=${service} onChange=${setService} />
      <${Input} label="Alias (opcional)" value=${alias} onInput=${setAlias} maxlength="60" autocomplete="off" hint="Un nombre para reconocerlo, por ejemplo «Luz de la casa»." />
      <${ErrorMessage} error=${error} />
      <div class="acciones">
        <button type="button" class="secundario" onClick=${onCancel} disabled=${busy}>Cancelar</button>
        <button type="submit" disabled=${busy || !ready}>${busy ? 'Registrando…' : 'Registrar'}</button>
      </div>
    </form>
  </section>`;
}

// ---------------------------------------------------------------- Nuevo Pago

const PAY_STEPS = ['Datos del servicio', 'Valores a pagar', 'Código de seguridad'];
const OTHER = 'otro';

function NewPayment({ debit, services, initial, onCancel }) {
  const [account, setAccount] = useState(initial?.cuenta || '');
  const [choice, setChoice] = useState(initial ? String(initial.id) : services.length ? '' : OTHER);
  const [typed, setTyped] = useState({ categoria: '', empresa: '', suministro: '' });
  const [typedCompany, setTypedCompany] = useState(null);
  const [found, setFound] = useState(null);
  const lookup = useAction();
  const heading = useFocus([Boolean(found)]);

  const registeredChoice = services.find((s) => String(s.id) === choice) || null;
  const target = registeredChoice
    ? { empresa: registeredChoice.empresa, suministro: registeredChoice.suministro }
    : choice === OTHER
      ? { empresa: typed.empresa, suministro: typed.suministro }
      : null;

  const pickService = (value) => {
    setChoice(value);
    const chosen = services.find((s) => String(s.id) === value);
    if (chosen) setAccount(chosen.cuenta);
  };

  const consult = (e) => {
    e.preventDefault();
    lookup.run(async () => {
      const answer = await api('/services/lookup', { method: 'POST', body: { empresa: target.empresa, suministro: target.suministro } });
      const label = registeredChoice ? registeredChoice.etiqueta_referencia : typedCompany?.etiqueta_referencia;
      setFound({ ...answer, cuenta: account, etiqueta: label || GENERIC_REFERENCE });
    });
  };

  if (found) {
    return html`<section aria-labelledby="pago-titulo">
      <${Steps} steps=${PAY_STEPS} current=${1} />
      <h2 id="pago-titulo" tabindex="-1" ref=${heading}>Revisa los datos del pago</h2>
      <${Receipts} found=${found} onCancel=${() => setFound(null)} />
    </section>`;
  }

  const serviceOptions = [
    ...services.map((s) => [String(s.id), `${serviceName(s)} - ${s.etiqueta_referencia}: ${s.suministro}`]),
    [OTHER, 'Otro servicio (ingresar los datos)'],
  ];
  const ready = account && target && target.empresa && target.suministro;

  return html`<section class="tarjeta" aria-labelledby="pago-titulo">
    <${Steps} steps=${PAY_STEPS} current=${0} />
    <h2 id="pago-titulo" tabindex="-1" ref=${heading}>Nuevo Pago</h2>
    ${debit.loading && html`<${Loading} />`}
    <${ErrorMessage} error=${debit.error} />
    <form onSubmit=${consult} novalidate>
      <${AccountSelect} accounts=${debit.accounts} value=${account} onChange=${setAccount} label="Cuenta de la que se generará el débito" />
      <${Select}
        label="Servicio a pagar"
        value=${choice}
        onChange=${pickService}
        options=${serviceOptions}
        placeholder="Selecciona un servicio registrado"
        hint="Elige uno de tus servicios registrados o ingresa los datos de otro."
        required
      />
      ${choice === OTHER &&
      html`<${CompanyFields}
        value=${typed}
        onChange=${(next, company) => {
          setTyped(next);
          setTypedCompany(company);
        }}
      />`}
      <${ErrorMessage} error=${lookup.error} />
      <div class="acciones">
        <button type="button" class="secundario" onClick=${onCancel} disabled=${lookup.busy}>Cancelar</button>
        <button type="submit" disabled=${lookup.busy || !ready}>${lookup.busy ? 'Consultando…' : 'Consultar'}</button>
      </div>
    </form>
  </section>`;
}

/** The pending receipts ("Seleccionar Pago"), "Valores a pagar", Cancelar / Continuar. */
function Receipts({ found, onCancel }) {
  const [selected, setSelected] = useState(() => found.recibos.map((r) => r.numero));
  const [values, setValues] = useState(found.valores_a_pagar);
  const [key, setKey] = useState(newOperationKey);
  const totals = useAction();
  const start = useAction();
  const generation = useRef(0);

  const toggle = (numero, on) => {
    const next = found.recibos.map((r) => r.numero).filter((n) => (n === numero ? on : selected.includes(n)));
    setSelected(next);
    setKey(newOperationKey()); // another selection is another operation
    const mine = ++generation.current;
    if (next.length === 0) {
      setValues(null);
      return;
    }
    setValues(null);
    totals.run(async () => {
      const answer = await api('/services/lookup', {
        method: 'POST',
        body: { empresa: found.empresa, suministro: found.suministro, recibos: next },
      });
      if (mine === generation.current) setValues(answer.valores_a_pagar);
    });
  };

  const proceed = () =>
    start.run(async () => {
      await api('/services/payments', {
        method: 'POST',
        headers: { 'Idempotency-Key': key },
        body: { cuenta_origen: found.cuenta, empresa: found.empresa, suministro: found.suministro, recibos: values.recibos },
      });
      navigate(`/banca/operaciones/${encodeURIComponent(key)}`);
    });

  const columns = [
    { key: 'numero', label: 'No de Recibo' },
    { key: 'periodo', label: 'Período', render: (r) => r.periodo.split('-').reverse().join('/') },
    { key: 'vencimiento', label: 'Vencimiento', render: (r) => formatDate(r.vencimiento) },
    { key: 'monto', label: 'Monto', money: true },
    { key: 'comision', label: 'Comisión', money: true },
    { key: 'iva', label: 'IVA', money: true },
    { key: 'total', label: 'Total', money: true },
    {
      key: 'seleccionar',
      label: 'Seleccionar Pago',
      render: (r) => html`<input
        type="checkbox"
        class="servicios-casilla"
        checked=${selected.includes(r.numero)}
        onChange=${(e) => toggle(r.numero, e.currentTarget.checked)}
        disabled=${start.busy}
        aria-label=${`Seleccionar pago del recibo ${r.numero}`}
      />`,
    },
  ];
  const ready = values && values.recibos.length > 0 && !totals.busy;

  return html`<div>
    <div class="servicios-resumen"><${Summary}
      title="Servicio consultado"
      items=${[
        ['Empresa', found.nombre_empresa],
        [found.etiqueta, found.suministro],
        found.titular && ['Titular', found.titular],
        ['Cuenta a debitar', found.cuenta],
      ]}
    /></div>
    <${DataTable} caption="Recibos pendientes de pago" columns=${columns} rows=${found.recibos} rowKey=${(r) => r.numero} />
    <section class="valores-pagar" aria-labelledby="valores-titulo" aria-live="polite">
      <h3 id="valores-titulo">Valores a pagar</h3>
      ${totals.busy && html`<${Loading} text="Actualizando los valores…" />`}
      <${ErrorMessage} error=${totals.error} />
      ${selected.length === 0 && html`<p>Selecciona al menos un recibo para continuar.</p>`}
      ${values &&
      html`<${Summary}
        title="Valores a pagar"
        items=${[
          ['Monto', formatMoney(values.monto)],
          ['Comisión', formatMoney(values.comision)],
          ['IVA', formatMoney(values.iva)],
          ['Total a Pagar', html`<strong>${formatMoney(values.total)}</strong>`],
        ]}
      />`}
    </section>
    <p class="nota">Al continuar te enviaremos un código de seguridad por SMS a tu teléfono móvil para confirmar el pago.</p>
    <${ErrorMessage} error=${start.error} />
    <div class="acciones">
      <button type="button" class="secundario" onClick=${onCancel} disabled=${start.busy}>Cancelar</button>
      <button type="button" onClick=${proceed} disabled=${!ready || start.busy}>${start.busy ? 'Procesando…' : 'Continuar'}</button>
    </div>
  </div>`;
}
