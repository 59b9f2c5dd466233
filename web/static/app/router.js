// Path routing in the browser: the server answers the same shell for every portal path
// (api/web.py) and this module decides which screen draws it.

import { useEffect, useState } from '../vendor/preact-htm-3.1.1.js';

const listeners = new Set();

function notify() {
  for (const listener of listeners) listener();
}

/** Go to `path` (same origin) without reloading the page. */
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  notify();
  window.scrollTo(0, 0);
}

/** The current path and query, re-rendering the caller when it changes. */
export function useLocation() {
  const [where, setWhere] = useState(location.pathname + location.search);
  useEffect(() => {
    const update = () => setWhere(location.pathname + location.search);
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return where;
}

/** The query parameters of the current location. */
export function queryParams() {
  return new URLSearchParams(location.search);
}

/**
 * Match `path` against `pattern` ("/banca/productos/cuentas/:numero").
 * @returns {object|null} the named parameters, or null when it does not match
 */
export function match(pattern, path) {
  const clean = (p) => p.split('?')[0].replace(/\/+$/, '') || '/';
  const want = clean(pattern).split('/');
  const have = clean(path).split('/');
  if (want.length !== have.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i += 1) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(have[i]);
    else if (want[i] !== have[i]) return null;
  }
  return params;
}

// Links inside the portal navigate without a reload.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest && event.target.closest('a[href]');
  if (!link || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin) return;
  if (!/^\/(banca|oficial)(\/|$)/.test(url.pathname)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
