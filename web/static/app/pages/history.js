// Historial de Pagos (manual §3): every service payment, by hand or automatic, paid or not,
// with the receipt of each paid one. The filters are optional; the API decides the range
// (the last 3 months by default) and refuses an older one with its own Spanish message.

import { useState } from '../../vendor/preact-htm-3.1.1.js';
import { api, downloadFile } from '../api.js';
import { formatDate, formatMoney, todayIso } from '../format.js';
import { Alert, DataTable, ErrorMessage, Input, Loading, Select, html, useAction, useApi } from '../ui.js';

function hour(text) {
  return text ? text.replace(':', 'H') : '';
}

function ReceiptButton({ payment, onError }) {
  const { busy, run } = useAction();
  const download = () =>
    run(async () => {
      onError(null);
      try {
        await downloadFile(`/payments/${encodeURIComponent(payment.codigo)}/receipt`, `comprobante-${payment.codigo}.pdf`);
      } catch (error) {
        onError(error);
      }
    });
  return html`<button type="button" class="secundario historial-boton" onClick=${download} disabled=${busy}>
    ${busy ? 'Descargando…' : 'Descargar'}<span class="oculto"> comprobante ${payment.codigo}</span>
  </button>`;
}

export function HistoryPage() {
  const [category, setCategory] = useState('');
  const [service, setService] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [code, setCode] = useState('');
  const [result, setResult] = useState(null);
  const [receiptError, setReceiptError] = useState(null);
  const categories = useApi('/services/categories');
  const companies = useApi(category ? `/services/companies?categoria=${encodeURIComponent(category)}` : '/services/companies');
  const query = useAction();

  const consult = (e) => {
    e.preventDefault();
    setReceiptError(null);
    query.run(async () => {
      const params = new URLSearchParams();
      if (category) params.set('categoria', category);
      if (service) params.set('servicio', service);
      if (from) params.set('desde', from);
      if (to) params.set('hasta', to);
      if (code.trim()) params.set('codigo', code.trim());
      const text = params.toString();
      setResult(null);
      setResult(await api(`/payments/history${text ? `?${text}` : ''}`));
    });
  };

  const columns = [
    { key: 'fecha', label: 'Fecha', render: (p) => formatDate(p.fecha) },
    { key: 'hora', label: 'Hora', render: (p) => hour(p.hora) },
    {
      key: 'servicio',
      label: 'Servicio',
      render: (p) => html`<strong>${p.empresa_nombre}</strong>
        <br /><span class="nota">${p.categoria_nombre} · ${p.suministro}</span>
        ${p.recibos.length > 0 && html`<br /><span class="nota">Recibo ${p.recibos.join(', ')}</span>`}`,
    },
    { key: 'codigo', label: 'Código' },
    { key: 'monto', label: 'Monto', money: true },
    { key: 'comision', label: 'Comisión', money: true },
    { key: 'iva', label: 'IVA', money: true },
    { key: 'total', label: 'Total', money: true },
    { key: 'origen', label: 'Origen', render: (p) => (p.automatico ? 'Automático' : 'Manual') },
    { key: 'estado', label: 'Estado', render: (p) => p.estado_descripcion },
    {
      key: 'comprobante',
      label: 'Comprobante',
      // The API gives a receipt only for a payment that paid (PAGADO).
      render: (p) => (p.estado === 'PAGADO' ? html`<${ReceiptButton} payment=${p} onError=${setReceiptError} />` : html`<span class="nota">Sin comprobante</span>`),
    },
  ];

  const companyOptions = (companies.data || []).map((c) => [c.codigo, c.nombre]);

  return html`<section aria-labelledby="historial-filtros">
    <h2 id="historial-filtros">Ingresar los campos que desees consultar</h2>
    <p>Consulta todas las transacciones que ejecutaste, sea por débito automático o no: fecha, hora y monto cancelado.</p>
    <form class="tarjeta historial-filtros" onSubmit=${consult} novalidate>
      <${ErrorMessage} error=${categories.error || companies.error} />
      <div class="historial-campos">
        <${Select}
          label="Categoría"
          value=${category}
          onChange=${(v) => {
            setCategory(v);
            setService('');
          }}
          options=${(categories.data || []).map((c) => [c.codigo, c.nombre])}
          placeholder="Todas las Categorías"
        />
        <${Select} label="Servicio" value=${service} onChange=${setService} options=${companyOptions} placeholder="Todos los Servicios" />
        <${Input} label="Fecha desde" type="date" value=${from} onInput=${setFrom} max=${todayIso()} />
        <${Input} label="Fecha hasta" type="date" value=${to} onInput=${setTo} max=${todayIso()} />
        <${Input} label="Código" value=${code} onInput=${setCode} autocomplete="off" spellcheck="false" maxlength="20" />
      </div>
      <p class="nota">*Puedes consultar por rango de fechas hasta 3 meses de antigüedad de la fecha actual</p>
      <p class="nota">*Los campos no son obligatorios</p>
      <${ErrorMessage} error=${query.error} />
      <div class="acciones">
        <button type="submit" disabled=${query.busy}>${query.busy ? 'Consultando…' : 'Consultar'}</button>
      </div>
    </form>
    ${query.busy && html`<${Loading} text="Consultando tus pagos…" />`}
    ${result &&
    html`<section aria-labelledby="historial-resultado">
      <h2 id="historial-resultado">Pagos del ${formatDate(result.desde)} al ${formatDate(result.hasta)}</h2>
      <${ErrorMessage} error=${receiptError} />
      ${result.pagos.length === 0
        ? html`<${Alert} kind="info">No encontramos pagos con los datos ingresados.<//>`
        : html`<${DataTable} caption="Historial de Pagos" columns=${columns} rows=${result.pagos} rowKey=${(p) => p.codigo} />`}
    </section>`}
  </section>`;
}
