// Campañas de créditos preaprobados (manual §8): the offers, the notification shown after
// login, and the journey (Simulación, Resumen, Cargar documentos, Finalizar). The journey
// screen draws its step from the workflow's state (GET /credit/offers/{campaña}), never from
// page memory: closing the tab and signing in again brings the member back to the same step.
// Amounts, terms, rubros, the documents to upload and every refusal come from the API.

import { useEffect, useRef, useState } from '../../vendor/preact-htm-3.1.1.js';
import { api } from '../api.js';
import { formatDate, formatMoney } from '../format.js';
import { navigate } from '../router.js';
import { Alert, DataTable, Dialog, ErrorMessage, Input, Loading, Select, Steps, Summary, html, useAction, useApi, useId } from '../ui.js';
import { DocumentsSection, Finish, Sent } from './credit_documents.js';

const STATUS = {
  OFFERED: 'Oferta disponible',
  ACCEPTED: 'Simulación',
  BLOCKED_REQUIREMENTS: 'Debes actualizar tus datos en una agencia',
  SUMMARY: 'Resumen',
  COLLECTING_DOCUMENTS: 'Cargando documentos',
  AWAITING_SIGNATURES: 'Esperando las firmas electrónicas',
  EXPIRED_AWAITING_REGENERATION: 'Plazo de firma vencido',
  DISBURSING: 'Acreditando tu crédito',
  DISBURSED: 'Crédito acreditado',
  DISBURSEMENT_FAILED: 'Crédito no acreditado',
  SIGNATURE_INVALID: 'Firmas en revisión',
  DECLINED: 'Oferta eliminada',
  OFFER_EXPIRED: 'Oferta vencida',
  CANCELLED: 'Solicitud cancelada',
};
const METHODS = { FRENCH: 'Francés', GERMAN: 'Alemán' };
const STEPS = ['Simulación', 'Resumen', 'Cargar documentos', 'Finalizar'];
const STEP_OF = { ACCEPTED: 0, SUMMARY: 1, COLLECTING_DOCUMENTS: 2, AWAITING_SIGNATURES: 3 };
const BEFORE_SENDING = new Set(['OFFERED', 'ACCEPTED', 'BLOCKED_REQUIREMENTS', 'SUMMARY', 'COLLECTING_DOCUMENTS']);
const AGENCY = 'En el caso de que requieras un crédito con Cooprogreso deberás acercarte de manera presencial a tu agencia más cercana.';

const offerPath = (campana, tail = '') => `/credit/offers/${encodeURIComponent(campana)}${tail}`;
const journeyHref = (campana) => `/banca/campanas/${encodeURIComponent(campana)}`;
const terms = (plazos) => `${plazos.join(', ').replace(/, (\d+)$/, ' o $1')} meses`;

/** The offer's figures; the maximum only once accepted (the API hides it before). */
function offerItems(o) {
  return [
    ['Monto máximo calificado', o.monto_maximo ? html`<strong>${formatMoney(o.monto_maximo)}</strong>` : 'Acepta la oferta para conocerlo'],
    ['Monto mínimo', formatMoney(o.monto_minimo)],
    ['Plazos', terms(o.plazos)],
    ['Tasa de interés nominal anual', o.tasa_anual],
    ['Vigente hasta', formatDate(o.vigencia_hasta)],
  ];
}

// ---------------------------------------------------------------- the notification

/** The notification after login while an offer waits: accept, never again, or X (later). */
export function CampaignNotice({ offers, onDone }) {
  const offer = offers?.ofertas?.find((o) => o.estado === 'OFFERED');
  const action = useAction();
  const [declined, setDeclined] = useState(false);
  if (!offer) return null;
  const path = offerPath(offer.campana);
  const accept = () => action.run(async () => {
    await api(`${path}/accept`, { method: 'POST' });
    onDone();
    navigate(journeyHref(offer.campana));
  });
  const decline = () => action.run(async () => {
    await api(`${path}/decline`, { method: 'POST' });
    setDeclined(true);
  });
  const later = () => {
    if (!declined) api(`${path}/dismiss`, { method: 'POST' }).catch(() => {}); // shown again next login
    onDone();
  };
  if (declined) {
    return html`<${Dialog} title="Eliminamos la oferta de crédito" onClose=${onDone}>
      <p>${AGENCY}</p>
      <div class="acciones"><button type="button" onClick=${onDone}>Entendido</button></div>
    <//>`;
  }
  return html`<${Dialog} title="¿Deseas un crédito preaprobado?" onClose=${later}>
    <p>Cooprogreso tiene una oferta de crédito preaprobado para ti (campaña <strong>${offer.campana}</strong>), con plazos de ${terms(offer.plazos)}, vigente hasta el ${formatDate(offer.vigencia_hasta)}.</p>
    <ul class="cred-opciones">
      <li><strong>Aceptar y continuar:</strong> aceptas el tratamiento de tus datos personales y crediticios y te mostraremos el monto máximo al cual calificas.</li>
      <li><strong>No mostrar nuevamente:</strong> eliminaremos la oferta de crédito. ${AGENCY}</li>
      <li><strong>X (cerrar):</strong> podrás visualizar más adelante la oferta de tu crédito preaprobado.</li>
    </ul>
    <${ErrorMessage} error=${action.error} />
    <div class="acciones">
      <button type="button" onClick=${accept} disabled=${action.busy}>Aceptar y continuar</button>
      <button type="button" class="secundario" onClick=${decline} disabled=${action.busy}>No mostrar nuevamente</button>
    </div>
  <//>`;
}

// ---------------------------------------------------------------- Campañas

export function CampaignsPage({ reloadOffers }) {
  const offers = useApi('/credit/offers');
  if (offers.loading && !offers.data) return html`<${Loading} />`;
  if (offers.error) return html`<${ErrorMessage} error=${offers.error} />`;
  const list = offers.data?.ofertas || [];
  return html`<div class="cred">
    <p>Si cuentas con una oferta preaprobada, aquí podrás consultar toda la información de tu campaña de crédito.</p>
    ${list.length === 0 && html`<${Alert} kind="info"><p>No tienes ofertas de crédito preaprobado en este momento.</p><//>`}
    <ul class="cred-ofertas">
      ${list.map((o) => html`<li key=${o.campana}><${OfferCard} offer=${o} onChanged=${() => { offers.reload(); reloadOffers?.(); }} /></li>`)}
    </ul>
  </div>`;
}

function OfferCard({ offer, onChanged }) {
  const titleId = useId('cred-oferta');
  return html`<article class="tarjeta cred-oferta" aria-labelledby=${titleId}>
    <h2 id=${titleId}>Campaña ${offer.campana}</h2>
    <p class="cred-estado">${STATUS[offer.estado] || offer.estado}</p>
    <${Summary} title=${`Campaña ${offer.campana}`} items=${offerItems(offer)} />
    ${offer.estado === 'OFFERED'
      ? html`<${OfferChoice} campana=${offer.campana} onChanged=${onChanged} />`
      : html`<div class="acciones"><a class="boton" href=${journeyHref(offer.campana)}>Continuar<span class="oculto"> con la campaña ${offer.campana}</span></a></div>`}
  </article>`;
}

/** "Aceptar y continuar" / "No mostrar nuevamente" on a screen (the notification's choice). */
function OfferChoice({ campana, onChanged }) {
  const action = useAction();
  const path = offerPath(campana);
  const accept = () => action.run(async () => {
    await api(`${path}/accept`, { method: 'POST' });
    onChanged();
    navigate(journeyHref(campana));
  });
  const decline = () => action.run(async () => {
    onChanged(await api(`${path}/decline`, { method: 'POST' }));
  });
  return html`<p class="nota">Al presionar <strong>Aceptar y continuar</strong> aceptas el tratamiento de tus datos personales y crediticios y te mostraremos el monto máximo al cual calificas. <strong>No mostrar nuevamente</strong> elimina la oferta de crédito.</p>
    <${ErrorMessage} error=${action.error} />
    <div class="acciones">
      <button type="button" onClick=${accept} disabled=${action.busy}>Aceptar y continuar</button>
      <button type="button" class="secundario" onClick=${decline} disabled=${action.busy}>No mostrar nuevamente</button>
    </div>`;
}

// ---------------------------------------------------------------- the journey

export function CreditJourneyPage({ params, reloadOffers }) {
  const path = offerPath(params.campana);
  const journey = useApi(path);
  const [sent, setSent] = useState(null);
  const estado = journey.data?.estado;
  const heading = useRef(null);
  const seen = useRef(null);
  useEffect(() => {
    if (seen.current && estado && seen.current !== estado) heading.current?.focus();
    if (estado) seen.current = estado;
    if (estado === 'DISBURSING') {
      const again = setTimeout(journey.reload, 3000); // the workflow leaves it by itself
      return () => clearTimeout(again);
    }
    return undefined;
  }, [estado, journey.data]);
  if (journey.loading && !journey.data) return html`<${Loading} />`;
  if (journey.error && !journey.data) {
    return html`<${ErrorMessage} error=${journey.error} />
      <p><a href="/banca/campanas">Volver a Campañas de créditos preaprobados</a></p>`;
  }
  const j = journey.data;
  const changed = async (view) => {
    if (view?.estado) journey.setData(view); // the Update's answer is the journey view
    else await journey.reload();
    reloadOffers?.();
  };
  const step = STEP_OF[estado];
  return html`<div class="cred">
    <p class="cred-campana">Campaña <strong>${j.oferta.campana}</strong> · vigente hasta el ${formatDate(j.oferta.vigencia_hasta)}</p>
    ${step !== undefined && html`<${Steps} steps=${STEPS} current=${step} />`}
    <h2 class="cred-paso" tabindex="-1" ref=${heading}>${STATUS[estado] || estado}</h2>
    <${JourneyStep} j=${j} path=${path} sent=${sent} onSent=${setSent} onChanged=${changed} />
    ${BEFORE_SENDING.has(estado) && estado !== 'OFFERED' && html`<${DeclineOffer} path=${path} onChanged=${changed} />`}
  </div>`;
}

function JourneyStep({ j, path, sent, onSent, onChanged }) {
  switch (j.estado) {
    case 'OFFERED':
      return html`<${Summary} title="Tu oferta" items=${offerItems(j.oferta)} />
        <${OfferChoice} campana=${j.oferta.campana} onChanged=${onChanged} />`;
    case 'BLOCKED_REQUIREMENTS':
      return html`<${Blocked} j=${j} path=${path} onChanged=${onChanged} />`;
    case 'ACCEPTED':
      return html`<${Simulation} offer=${j.oferta} path=${path} onChanged=${onChanged} />`;
    case 'SUMMARY':
    case 'COLLECTING_DOCUMENTS':
      return html`<${SummarySection} resumen=${j.resumen} />
        <${DocumentsSection} j=${j} path=${path} onChanged=${onChanged} />
        <${Finish} path=${path} onSent=${onSent} onChanged=${onChanged} />`;
    case 'AWAITING_SIGNATURES':
      return html`<${Sent} j=${j} sent=${sent} />`;
    case 'DISBURSING':
      return html`<${Alert} kind="info"><p>Todas las firmas fueron registradas. Estamos acreditando tu crédito en tu cuenta Cooprogreso.</p><//>`;
    case 'DISBURSED':
      return html`<${Alert} kind="success" title="Tu crédito fue acreditado">
          <p>Acreditamos ${formatMoney(j.monto_acreditado)} en tu cuenta Cooprogreso. Revisa tu correo electrónico: encontrarás los documentos de tu operación firmados electrónicamente.</p>
        <//>
        <p><a class="boton" href=${`/banca/productos/creditos/${encodeURIComponent(j.numero_credito)}`}>Ver mi crédito ${j.numero_credito}</a></p>`;
    case 'DECLINED':
      return html`<${Alert} kind="info"><p>Eliminaste esta oferta de crédito. ${AGENCY}</p><//>`;
    default:
      return html`<${Alert} kind="warning"><p>${j.motivo || 'Esta oferta de crédito ya no está disponible.'}</p><//>
        <p><a href="/banca/contacto">Contacta a Cooprogreso</a></p>`;
  }
}

/** Accepted, but the member's file stops the journey online: the API's reasons. */
function Blocked({ j, path, onChanged }) {
  const action = useAction();
  const [checked, setChecked] = useState(false);
  const again = () => action.run(async () => {
    await api(`${path}/accept`, { method: 'POST' });
    await onChanged();
    setChecked(true); // still blocked: say the check ran (otherwise the step moves on)
  });
  return html`<${Alert} kind="warning" title="No puedes continuar en línea por ahora">
      <ul>${(j.requisitos?.mensajes || []).map((m) => html`<li>${m}</li>`)}</ul>
    <//>
    <p>Cuando hayas actualizado tu información en la agencia, vuelve a esta pantalla y presiona <strong>Verificar nuevamente</strong>.</p>
    ${checked && !action.busy && html`<${Alert} kind="info"><p>Verificamos nuevamente tu información: todavía no puedes continuar en línea.</p><//>`}
    <${ErrorMessage} error=${action.error} />
    <div class="acciones"><button type="button" onClick=${again} disabled=${action.busy}>Verificar nuevamente</button></div>`;
}

// ---------------------------------------------------------------- Simulación

function Simulation({ offer, path, onChanged }) {
  const [monto, setMonto] = useState(offer.monto_maximo || '');
  const [plazo, setPlazo] = useState('');
  const [sim, setSim] = useState(null);
  const action = useAction();
  const result = useRef(null);
  useEffect(() => {
    if (sim) result.current?.focus();
  }, [sim]);
  const edit = (set) => (value) => {
    set(value);
    setSim(null); // a figure changed: the shown installment no longer applies
  };
  const simulate = (e) => {
    e.preventDefault();
    action.run(async () => setSim(await api(`${path}/simulate`, { method: 'POST', body: { monto: monto.trim(), plazo: Number(plazo) } })));
  };
  const choose = () => action.run(async () => {
    await api(`${path}/choose`, { method: 'POST', body: { monto: sim.monto, plazo: sim.plazo } });
    await onChanged();
  });
  return html`<p class="cred-maximo">Monto máximo calificado: <strong>${formatMoney(offer.monto_maximo)}</strong></p>
    <form class="tarjeta cred-simulacion" onSubmit=${simulate} aria-label="Simula tu crédito">
      <p>Modifica el monto si así lo requieres y <strong>escoge el plazo</strong>. Recuerda que el valor del crédito no podrá exceder al monto máximo calificado.</p>
      <${Input} label="Monto del crédito" value=${monto} onInput=${edit(setMonto)} inputmode="decimal" autocomplete="off" required
        hint=${`Desde ${formatMoney(offer.monto_minimo)} hasta ${formatMoney(offer.monto_maximo)}. En dólares, con punto para los centavos.`} />
      <${Select} label="Plazo" value=${plazo} onChange=${edit(setPlazo)} required placeholder="Escoge el plazo"
        options=${offer.plazos.map((p) => [String(p), `${p} meses`])} />
      <p class="nota">Para conocer la cuota estimada, da clic en el botón <strong>Simular</strong>.</p>
      ${!sim && html`<${ErrorMessage} error=${action.error} />`}
      <div class="acciones"><button type="submit" disabled=${action.busy}>${action.busy && !sim ? 'Simulando…' : 'Simular'}</button></div>
    </form>
    ${sim && html`<section class="tarjeta cred-resultado" aria-labelledby="cred-simulacion-titulo">
      <h3 id="cred-simulacion-titulo" tabindex="-1" ref=${result}>Tu simulación</h3>
      <${Summary} title="Tu simulación" items=${[
        ['Monto del crédito', formatMoney(sim.monto)],
        ['Plazo', `${sim.plazo} meses`],
        ['Cuota estimada', html`<strong>${formatMoney(sim.cuota)}</strong>`],
        ['Tasa de interés nominal anual', sim.tasa_anual],
        ['Sistema de amortización', METHODS[sim.metodo] || sim.metodo],
        ['Total intereses', formatMoney(sim.total_interes)],
        ['Total seguro de desgravamen', formatMoney(sim.total_seguro)],
        Number(sim.total_rubros) > 0 && ['Total rubros en cuotas', formatMoney(sim.total_rubros)],
        ['Total a pagar', formatMoney(sim.total_a_pagar)],
      ]} />
      <${DataTable} caption="Tabla de amortización estimada" rows=${sim.tabla} rowKey=${(r) => r.numero} columns=${[
        { key: 'numero', label: 'N°' },
        { key: 'fecha', label: 'Fecha de pago', render: (r) => formatDate(r.fecha) },
        { key: 'cuota', label: 'Cuota', money: true },
        { key: 'capital', label: 'Capital', money: true },
        { key: 'interes', label: 'Interés', money: true },
        { key: 'seguro', label: 'Seguro', money: true },
        { key: 'rubros', label: 'Rubros', money: true },
        { key: 'saldo', label: 'Saldo', money: true },
      ]} />
      <p><strong>¿Estás de acuerdo con el monto y plazo seleccionado?</strong></p>
      <${ErrorMessage} error=${action.error} />
      <div class="acciones">
        <button type="button" class="secundario" onClick=${() => setSim(null)} disabled=${action.busy}>Cancelar</button>
        <button type="button" onClick=${choose} disabled=${action.busy}>${action.busy ? 'Procesando…' : 'Continuar'}</button>
      </div>
    </section>`}`;
}

// ---------------------------------------------------------------- Resumen

const TIMING = { DISBURSEMENT: 'Se descuenta del desembolso', INSTALLMENT: 'Se cobra en cada cuota' };

function SummarySection({ resumen: r }) {
  const [open, setOpen] = useState(false);
  const panel = useId('cred-rubros');
  if (!r) return null;
  return html`<section class="tarjeta cred-resumen" aria-labelledby="cred-resumen-titulo">
    <h3 id="cred-resumen-titulo">Resumen de tu operación crediticia</h3>
    <${Summary} title="Resumen de tu operación crediticia" items=${[
      ['Monto solicitado', formatMoney(r.monto)],
      ['Plazo', `${r.plazo} meses`],
      ['Cuota mensual', html`<strong>${formatMoney(r.cuota)}</strong>`],
      ['Tasa de interés nominal anual', r.tasa_anual],
      ['Sistema de amortización', METHODS[r.metodo] || r.metodo],
      ['Primera cuota', formatDate(r.primera_cuota)],
      ['Última cuota', formatDate(r.ultima_cuota)],
      ['Total intereses', formatMoney(r.total_interes)],
      ['Total seguro de desgravamen', formatMoney(r.total_seguro)],
    ]} />
    <div class="cred-recibir">
      <p class="cred-recibir-fila">
        <span>Monto a recibir</span>
        <button type="button" class="cred-info" aria-expanded=${open ? 'true' : 'false'} aria-controls=${panel} onClick=${() => setOpen(!open)}>
          <svg class="cred-icono" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="2" />
            <path d="M12 10.5v6.5" stroke="currentColor" stroke-width="2.6" stroke-linecap="round" />
            <circle cx="12" cy="7" r="1.6" fill="currentColor" />
          </svg><span class="oculto">Rubros del monto a recibir</span>
        </button>
        <strong class="cred-recibir-valor">${formatMoney(r.monto_a_recibir)}</strong>
      </p>
      <div id=${panel} class="cred-rubros" hidden=${!open}>
        ${r.rubros.length === 0
          ? html`<p>Tu crédito no tiene rubros: recibirás el monto solicitado.</p>`
          : html`<${DataTable} caption="Rubros que forman parte de tu crédito" rows=${r.rubros} rowKey=${(x) => x.codigo} columns=${[
              { key: 'descripcion', label: 'Rubro' },
              { key: 'momento', label: 'Cobro', render: (x) => TIMING[x.momento] || x.momento },
              { key: 'valor', label: 'Valor', money: true },
              { key: 'iva', label: 'IVA', money: true },
            ]} />`}
        <${Summary} title="Cálculo del monto a recibir" items=${[
          ['Monto solicitado', formatMoney(r.monto)],
          ['Descuentos al desembolso (IVA incluido)', `− ${formatMoney(r.total_descuentos)}`],
          ['Monto a recibir', html`<strong>${formatMoney(r.monto_a_recibir)}</strong>`],
        ]} />
        <p class="nota">El seguro de desgravamen (${formatMoney(r.total_seguro)} en todo el plazo) se cobra con cada cuota.</p>
      </div>
    </div>
  </section>`;
}

/** Withdraw the offer for good, after a confirmation. */
function DeclineOffer({ path, onChanged }) {
  const [asking, setAsking] = useState(false);
  const action = useAction();
  const decline = () => action.run(async () => {
    const view = await api(`${path}/decline`, { method: 'POST' });
    setAsking(false);
    await onChanged(view);
  });
  return html`<div class="cred-rechazar">
    <button type="button" class="enlace" onClick=${() => setAsking(true)}>No deseo este crédito</button>
    ${asking && html`<${Dialog} title="¿Deseas eliminar esta oferta de crédito?" onClose=${() => setAsking(false)}>
      <p>Eliminaremos la oferta de crédito. ${AGENCY}</p>
      <${ErrorMessage} error=${action.error} />
      <div class="acciones">
        <button type="button" class="secundario" onClick=${() => setAsking(false)} disabled=${action.busy}>Volver</button>
        <button type="button" class="peligro" onClick=${decline} disabled=${action.busy}>Eliminar la oferta</button>
      </div>
    <//>`}
  </div>`;
}
