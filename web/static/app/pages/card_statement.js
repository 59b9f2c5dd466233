// Tarjeta de Crédito (manual §1), below the card's figures: its consumos and its estados de
// cuenta (each PDF downloaded with the session's token; the latest says what is left to pay
// after the payments since its close). The consumos' columns are shared with
// Diferido de tarjetas (deferrals.js). Every figure is the API's string, formatted.

import { downloadFile } from '../api.js';
import { formatDate, formatMoney } from '../format.js';
import { DataTable, ErrorMessage, Loading, html, useAction, useApi, useId } from '../ui.js';

const enc = encodeURIComponent;

/** "Sí, a 6 meses" for a deferred purchase, "No" for one on the revolving balance. */
export function deferredText(purchase) {
  if (!purchase.diferido) return 'No';
  return purchase.plazo_meses ? `Sí, a ${purchase.plazo_meses} meses` : 'Sí';
}

/** Fecha, comercio, monto, diferido: the columns of a card's consumos. */
export const PURCHASE_COLUMNS = [
  { key: 'fecha', label: 'Fecha', render: (c) => formatDate(c.fecha) },
  { key: 'comercio', label: 'Comercio' },
  { key: 'monto', label: 'Monto', money: true },
  { key: 'diferido', label: 'Diferido', render: deferredText },
];

function Block({ title, children }) {
  const id = useId('tarjeta-bloque');
  return html`<section class="prod-seccion" aria-labelledby=${id}>
    <h2 id=${id}>${title}</h2>
    ${children}
  </section>`;
}

/** The card's consumos, newest first. */
export function CardPurchases({ cardId }) {
  const { data, error, loading } = useApi(`/cards/${enc(cardId)}/purchases`);
  return html`<${Block} title="Consumos">
    ${loading && !data && html`<${Loading} text="Cargando consumos…" />`}
    <${ErrorMessage} error=${error} />
    ${data &&
    html`<${DataTable}
      caption="Consumos de la tarjeta"
      columns=${PURCHASE_COLUMNS}
      rows=${data.consumos}
      rowKey=${(c) => c.id}
      empty="Tu tarjeta no registra consumos."
    />`}
  <//>`;
}

/** An API address ("/api/v1/cards/1/statements/1/pdf") as `api()` takes it. */
const apiPath = (url) => url.replace(/^\/api\/v1(?=\/)/, '');

/** The card's monthly statements, newest first, each with its PDF. */
export function CardStatements({ cardId }) {
  const { data, error, loading } = useApi(`/cards/${enc(cardId)}/statements`);
  const download = useAction();
  const pdf = (s) => download.run(() => downloadFile(apiPath(s.pdf), `estado-de-cuenta-${s.corte}.pdf`));
  const columns = [
    { key: 'corte', label: 'Fecha de corte', render: (s) => formatDate(s.corte) },
    { key: 'pagar_hasta_el', label: 'Pagar hasta el', render: (s) => formatDate(s.pagar_hasta_el) },
    { key: 'total_a_pagar', label: 'Total a pagar', money: true },
    { key: 'pago_minimo', label: 'Pago mínimo', money: true },
    { key: 'por_pagar', label: 'Por pagar', render: (s) => (s.por_pagar === null ? '—' : formatMoney(s.por_pagar)) },
    {
      key: 'pdf',
      label: 'Documento',
      render: (s) => html`<button type="button" class="secundario tarj-boton" onClick=${() => pdf(s)} disabled=${download.busy}>
        Descargar PDF<span class="oculto"> del estado de cuenta con corte al ${formatDate(s.corte)}</span>
      </button>`,
    },
  ];
  return html`<${Block} title="Estados de cuenta">
    ${loading && !data && html`<${Loading} text="Cargando estados de cuenta…" />`}
    <${ErrorMessage} error=${error || download.error} />
    ${download.busy && html`<${Loading} text="Descargando el estado de cuenta…" />`}
    ${data &&
    html`<${DataTable}
      caption="Estados de cuenta"
      columns=${columns}
      rows=${data.estados}
      rowKey=${(s) => s.id}
      empty="Aún no tienes estados de cuenta de esta tarjeta."
    />`}
  <//>`;
}
