// "Confirma tu operación": every transfer, bill and card payment after its form. The screen
// draws the movement workflow's state (GET /movements/{clave}), so a member who closes the tab
// and signs in again finds the same operation awaiting its code, or its outcome.

import { useEffect } from '../../vendor/preact-htm-3.1.1.js';
import { api } from '../api.js';
import { formatDateTime, formatMoney } from '../format.js';
import { navigate } from '../router.js';
import { Alert, DataTable, ErrorMessage, Loading, OtpStep, Summary, html, useAction, useApi } from '../ui.js';

export const TITLES = {
  TRANSFERENCIA_PROPIA: 'Transferencia a mis Cuentas',
  TRANSFERENCIA_COOPROGRESO: 'Transferencia Cooprogreso',
  TRANSFERENCIA_INTERBANCARIA: 'Transferencia Interbancaria',
  PAGO_SERVICIO: 'Pago de Servicios',
  PAGO_TARJETA_COOPROGRESO: 'Pago de Tarjeta Cooprogreso',
  PAGO_TARJETA_OTRO_BANCO: 'Pago de Tarjeta de Otro Banco',
};

const AGAIN = {
  TRANSFERENCIA_PROPIA: ['Nueva transferencia', '/banca/transferencias/mis-cuentas'],
  TRANSFERENCIA_COOPROGRESO: ['Nueva transferencia', '/banca/transferencias/cooprogreso'],
  TRANSFERENCIA_INTERBANCARIA: ['Nueva transferencia', '/banca/transferencias/interbancarias'],
  PAGO_SERVICIO: ['Nuevo pago', '/banca/servicios'],
  PAGO_TARJETA_COOPROGRESO: ['Nuevo pago', '/banca/tarjetas/cooprogreso'],
  PAGO_TARJETA_OTRO_BANCO: ['Nuevo pago', '/banca/tarjetas/otros-bancos'],
};

/** States the workflow leaves by itself within seconds: the page asks again. */
const MOVING = new Set(['PREPARANDO', 'PROCESANDO']);
const GOOD = new Set(['EXITOSA', 'EN_PROCESO']);
const SPI = new Set(['TRANSFERENCIA_INTERBANCARIA', 'PAGO_TARJETA_OTRO_BANCO']);

/** Asks again by itself: a moving state, or an SPI order whose credit time is not known yet
 * (the workflow submits it right after the debit the confirmation answered). */
function moving(op) {
  if (!op) return false;
  return MOVING.has(op.estado) || (op.estado === 'EN_PROCESO' && SPI.has(op.tipo) && !op.acreditacion_estimada);
}

function destinationItems(tipo, d) {
  if (tipo === 'PAGO_SERVICIO') {
    return [['Empresa', d.empresa || d.nombre], ['Suministro / cuenta', d.suministro]];
  }
  if (tipo === 'PAGO_TARJETA_COOPROGRESO') {
    // The destination's name is the card's ("TARJETA Mastercard Estandar"), not a holder.
    return [['Tarjeta', `${d.nombre} ${d.cuenta}`], ['Institución', d.institucion]];
  }
  if (tipo === 'PAGO_TARJETA_OTRO_BANCO') {
    return [
      ['Titular de la tarjeta', d.nombre],
      ['Institución', d.institucion],
      ['Tarjeta', d.cuenta],
      ['Acreditación', d.acreditacion_inmediata ? 'Inmediata' : 'Hasta 24 horas laborables'],
    ];
  }
  const account = d.tipo_cuenta ? `${d.cuenta} (${d.tipo_cuenta})` : d.cuenta;
  const items = [
    ['Beneficiario', d.nombre],
    ['Institución', d.institucion],
    ['Cuenta destino', account],
  ];
  if (tipo === 'TRANSFERENCIA_INTERBANCARIA') {
    items.push([
      'Acreditación',
      d.acreditacion_inmediata ? 'Inmediata' : 'Hasta 24 horas laborables',
    ]);
  }
  return items;
}

/** What the code authorises: origin, destination, amounts. */
export function operationItems(op) {
  const r = op.resumen;
  if (!r) return [];
  const items = [['Cuenta de origen', r.cuenta_origen], ...destinationItems(op.tipo, r.destino)];
  items.push(['Monto', formatMoney(r.monto)]);
  if (Number(r.comision) > 0 || op.tipo !== 'TRANSFERENCIA_PROPIA') items.push(['Comisión', formatMoney(r.comision)]);
  if (Number(r.iva) > 0) items.push(['IVA', formatMoney(r.iva)]);
  items.push(['Total a debitar', html`<strong>${formatMoney(r.total)}</strong>`]);
  if (r.referencia) items.push([op.tipo.startsWith('TRANSFERENCIA') ? 'Motivo / referencia' : 'Referencia', r.referencia]);
  return items;
}

function Receipts({ destino }) {
  if (!destino.recibos || destino.recibos.length === 0) return null;
  return html`<${DataTable}
    caption="Recibos a pagar"
    rowKey=${(r) => r.numero}
    rows=${destino.recibos}
    columns=${[
      { key: 'numero', label: 'No de Recibo' },
      { key: 'periodo', label: 'Período' },
      { key: 'monto', label: 'Monto', money: true },
      { key: 'comision', label: 'Comisión', money: true },
      { key: 'iva', label: 'IVA', money: true },
      { key: 'total', label: 'Total', money: true },
    ]}
  />`;
}

function Outcome({ op, onRefresh }) {
  const good = GOOD.has(op.estado);
  const [againLabel, againPath] = AGAIN[op.tipo] || ['Volver', '/banca/productos'];
  const when = [];
  if (op.finalizado) when.push(['Fecha y hora', formatDateTime(op.finalizado)]);
  if (op.estado === 'EN_PROCESO' && op.acreditacion_estimada) {
    when.push(['Acreditación estimada', formatDateTime(op.acreditacion_estimada)]);
  }
  when.push(['Número de operación', op.id]);
  return html`<section aria-labelledby="operacion-resultado">
    <h2 id="operacion-resultado" class="oculto">Resultado de la operación</h2>
    <${Alert} kind=${good ? 'success' : 'error'} title=${good ? 'Operación realizada' : 'Operación no realizada'}>
      <p>${op.mensaje}</p>
    <//>
    ${op.resumen && html`<${Summary} title="Detalle de la operación" items=${[...operationItems(op), ...when]} />
      <${Receipts} destino=${op.resumen.destino} />`}
    <div class="acciones">
      ${op.estado === 'EN_PROCESO' && html`<button type="button" class="secundario" onClick=${onRefresh}>Actualizar estado</button>`}
      <a class="boton secundario" href="/banca/productos">Ir a Resumen de Productos</a>
      <a class="boton" href=${againPath}>${againLabel}</a>
    </div>
  </section>`;
}

export function OperationPage({ params }) {
  const key = params.clave;
  const path = `/movements/${encodeURIComponent(key)}`;
  const op = useApi(path);
  const confirm = useAction();
  const cancel = useAction();
  const state = op.data?.estado;

  useEffect(() => {
    if (!moving(op.data)) return undefined;
    const timer = setTimeout(op.reload, 800);
    return () => clearTimeout(timer);
  }, [state, op.data]);

  if (op.loading && !op.data) return html`<${Loading} text="Consultando tu operación…" />`;
  if (op.error && !op.data) {
    return html`<${ErrorMessage} error=${op.error} />
      <p><a href="/banca/productos">Ir a Resumen de Productos</a></p>`;
  }
  const data = op.data;
  const title = TITLES[data.tipo] || 'Operación';

  const submit = (codigo) =>
    confirm.run(async () => {
      try {
        op.setData(await api(`${path}/confirm`, { method: 'POST', body: { codigo } }));
      } catch (error) {
        // A wrong code leaves attempts; too many or an expired code ends the operation.
        await op.reload();
        throw error;
      }
    });
  const abandon = () =>
    cancel.run(async () => {
      op.setData(await api(`${path}/cancel`, { method: 'POST' }));
    });

  let body;
  if (MOVING.has(data.estado)) {
    body = html`<${Loading} text=${data.mensaje} />`;
  } else if (data.estado === 'ESPERANDO_CODIGO') {
    body = html`<p>${data.mensaje}</p>
      <${OtpStep}
        items=${operationItems(data)}
        sentTo=${data.codigo_enviado_a}
        attemptsLeft=${data.intentos_restantes}
        busy=${confirm.busy || cancel.busy}
        error=${confirm.error || cancel.error}
        onSubmit=${submit}
        onCancel=${abandon}
      />
      <${Receipts} destino=${data.resumen?.destino || {}} />
      ${data.codigo_expira && html`<p class="nota">El código vence a las ${formatDateTime(data.codigo_expira).split(' ').pop()}. Si vence, la operación se anula sin débito y puedes iniciarla de nuevo.</p>`}`;
  } else {
    body = html`<${Outcome} op=${data} onRefresh=${op.reload} />`;
  }
  return html`<div class="operacion">
    <p class="migas"><a href="#" onClick=${(e) => { e.preventDefault(); navigate(AGAIN[data.tipo]?.[1] || '/banca/productos'); }}>${title}</a> › Confirmación</p>
    ${body}
  </div>`;
}
