// How the manual writes money, dates and times: "$1,538.14", "05/02/2025", "20H25".

const money = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** "1538.14" → "$1,538.14"; "-5.50" → "-$5.50"; null → "". Strings from the API stay exact. */
export function formatMoney(value) {
  if (value === null || value === undefined || value === '') return '';
  const text = String(value);
  const negative = text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  const [whole, cents = '00'] = digits.split('.');
  const grouped = money.format(Number(whole)).split('.')[0];
  return `${negative ? '-' : ''}$${grouped}.${(cents + '00').slice(0, 2)}`;
}

/** "2025-02-05" (or an ISO timestamp) → "05/02/2025" (the local day in Ecuador). */
export function formatDate(value) {
  if (!value) return '';
  const text = String(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const [y, m, d] = text.split('-');
    return `${d}/${m}/${y}`;
  }
  const parts = new Intl.DateTimeFormat('es-EC', {
    timeZone: 'America/Guayaquil',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).formatToParts(new Date(text));
  const part = (type) => parts.find((p) => p.type === type)?.value;
  return `${part('day')}/${part('month')}/${part('year')}`;
}

/** An ISO timestamp → "05/02/2025 13:26" in America/Guayaquil. */
export function formatDateTime(value) {
  if (!value) return '';
  const time = new Intl.DateTimeFormat('es-EC', {
    timeZone: 'America/Guayaquil',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(value));
  return `${formatDate(value)} ${time}`;
}

/** An ISO timestamp → "19H00" in America/Guayaquil (the manual's way of writing hours). */
export function formatHour(value) {
  if (!value) return '';
  const text = new Intl.DateTimeFormat('es-EC', {
    timeZone: 'America/Guayaquil',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(value));
  return text.replace(':', 'H');
}

/** Today in Ecuador as "AAAA-MM-DD" (for date inputs). */
export function todayIso() {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/Guayaquil',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
  return parts;
}

/** "AAAA-MM-DD" moved by `months` (negative: back), clamped to the month's last day. */
export function addMonths(iso, months) {
  const [y, m, d] = iso.split('-').map(Number);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, last));
  return target.toISOString().slice(0, 10);
}
