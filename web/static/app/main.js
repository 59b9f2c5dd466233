// The portal's shell: picks the screen for the path, guards signed-in screens, draws the
// header ("Última conexión", SALIR) and the "Menú de opciones", and hosts the session watch.

import { html, render, useEffect, useRef, useState } from '../vendor/preact-htm-3.1.1.js';
import { api, clearSession, currentSession } from './api.js';
import { MEMBER_ROUTES, OFFICER_ROUTES, SIGNING_ROUTES, memberMenu, officerMenu } from './routes.js';
import { match, navigate, useLocation } from './router.js';
import { SessionWatch } from './session.js';
import { Alert, Loading } from './ui.js';

const modules = {};
function loadModule(name) {
  modules[name] ??= import(`./pages/${name}.js`);
  return modules[name];
}

function areaOf(path) {
  if (path.startsWith('/oficial')) return 'oficial';
  if (path.startsWith('/firma')) return 'firma';
  return 'banca';
}

function findRoute(path) {
  const area = areaOf(path);
  const table = { oficial: OFFICER_ROUTES, firma: SIGNING_ROUTES, banca: MEMBER_ROUTES }[area];
  for (const route of table) {
    const params = match(route.path, path);
    if (params) return { area, route, params };
  }
  return { area, route: null, params: {} };
}

const LOGIN = { banca: '/banca/ingreso', oficial: '/oficial/ingreso' };
const HOME = { banca: '/banca/productos', oficial: '/oficial' };
const ROLE = { banca: 'MEMBER', oficial: 'OFFICER' };

/** Where the guard sends a request for `path`, or null to draw it. */
function redirectFor(area, route, path, session) {
  if (area === 'firma') return null;
  if (path === '/banca' || path === '/banca/') return session ? HOME.banca : LOGIN.banca;
  if (!route || route.public) {
    if (route && session && path.endsWith('/ingreso') && session.rol === ROLE[area]) return HOME[area];
    return null;
  }
  if (!session) return `${LOGIN[area]}?volver=${encodeURIComponent(path)}`;
  if (session.rol !== ROLE[area]) return null; // drawn as "no access" below
  if (session.must_change_password && !route.passwordChange) return '/banca/cambiar-clave';
  return null;
}

function PageHost({ route, params, context }) {
  const [loaded, setLoaded] = useState({ name: null, Page: null, failed: false });
  useEffect(() => {
    let live = true;
    loadModule(route.module)
      .then((mod) => live && setLoaded({ name: route.page, Page: mod[route.page] || null, failed: !mod[route.page] }))
      .catch(() => live && setLoaded({ name: route.page, Page: null, failed: true }));
    return () => {
      live = false;
    };
  }, [route.module, route.page]);
  if (loaded.failed && loaded.name === route.page) {
    return html`<${Alert} kind="error">No pudimos abrir esta pantalla. Recarga la página e intenta nuevamente.<//>`;
  }
  if (!loaded.Page || loaded.name !== route.page) return html`<${Loading} />`;
  const Page = loaded.Page;
  return html`<${Page} params=${params} ...${context} />`;
}

function Header({ session, onLogout, area }) {
  return html`<header class="cabecera">
    <a class="marca" href=${HOME[area] || '/banca/'} aria-label="Cooprogreso, Cooperativa de Ahorro y Crédito: inicio">
      <span class="marca-nombre">COOPROGRESO</span>
      <span class="marca-sub">Cooperativa de Ahorro y Crédito</span>
    </a>
    ${session &&
    html`<div class="usuario">
      <p class="usuario-nombre">${session.nombre}</p>
      ${session.ultima_conexion && html`<p class="usuario-conexion">Última conexión: ${session.ultima_conexion.texto}</p>`}
      ${area === 'banca' && html`<a class="usuario-seguridad" href="/banca/seguridad">Seguridad</a>`}
      <button type="button" class="salir" onClick=${onLogout}>SALIR</button>
    </div>`}
  </header>`;
}

function Menu({ groups, path }) {
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [path]);
  const current = (href) => (path === href ? 'page' : undefined);
  return html`<nav class="menu" aria-label="Menú de opciones">
    <button type="button" class="menu-boton" aria-expanded=${open} aria-controls="menu-opciones" onClick=${() => setOpen(!open)}>
      Menú de opciones
    </button>
    <ul id="menu-opciones" class=${open ? 'abierto' : ''}>
      ${groups.map((g) =>
        g.items
          ? html`<li class="menu-grupo"><span class="menu-titulo">${g.label}</span>
              <ul>${g.items.map(([label, href]) => html`<li><a href=${href} aria-current=${current(href)}>${label}</a></li>`)}</ul>
            </li>`
          : html`<li><a href=${g.href} aria-current=${current(g.href)}>${g.label}${g.soon && html` <span class="pronto">Próximamente</span>`}</a></li>`,
      )}
    </ul>
  </nav>`;
}

function useOffers(enabled) {
  const [offers, setOffers] = useState(null);
  const reload = async () => {
    try {
      setOffers(await api('/credit/offers'));
    } catch {
      setOffers(null);
    }
  };
  useEffect(() => {
    if (enabled) reload();
    else setOffers(null);
  }, [enabled]);
  return [offers, reload];
}

function CampaignNoticeHost({ offers, onDone }) {
  const [Notice, setNotice] = useState(null);
  useEffect(() => {
    loadModule('credit').then((mod) => mod.CampaignNotice && setNotice(() => mod.CampaignNotice));
  }, []);
  if (!Notice) return null;
  return html`<${Notice} offers=${offers} onDone=${onDone} />`;
}

function App() {
  const where = useLocation();
  const path = where.split('?')[0];
  const [session, setSession] = useState(currentSession());
  const { area, route, params } = findRoute(path);
  const target = redirectFor(area, route, path, session);
  const memberReady = area === 'banca' && session?.rol === 'MEMBER' && !session.must_change_password;
  const [offers, reloadOffers] = useOffers(memberReady);
  const [noticeClosed, setNoticeClosed] = useState(false);
  useEffect(() => setNoticeClosed(false), [session?.token]); // each login shows the notice again
  const heading = useRef(null);

  const end = async (reason, message) => {
    const token = currentSession()?.token;
    clearSession();
    setSession(null);
    if (token && reason !== 'expirada') {
      fetch('/api/v1/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${token}` } }).catch(() => {});
    }
    const login = area === 'oficial' ? LOGIN.oficial : LOGIN.banca;
    sessionStorage.setItem('coop.motivo', message || reason);
    navigate(`${login}?motivo=${reason}`);
  };

  useEffect(() => {
    const onEnded = (e) => end('expirada', e.detail?.message);
    const onPassword = () => navigate('/banca/cambiar-clave');
    window.addEventListener('coop:session-ended', onEnded);
    window.addEventListener('coop:password-change', onPassword);
    return () => {
      window.removeEventListener('coop:session-ended', onEnded);
      window.removeEventListener('coop:password-change', onPassword);
    };
  }, [area]);

  useEffect(() => {
    if (target) navigate(target, { replace: true });
  }, [target]);

  useEffect(() => {
    document.title = route ? `${route.title} | Cooprogreso en Línea` : 'Cooprogreso en Línea';
    if (heading.current) heading.current.focus({ preventScroll: true });
  }, [path]);

  if (target) return html`<${Loading} />`;

  const signedIn = Boolean(session) && route && !route.public && area !== 'firma';
  const wrongRole = signedIn && session.rol !== ROLE[area];
  const context = {
    session,
    onSession: (s) => setSession(s),
    offers,
    reloadOffers,
  };
  const groups = area === 'oficial' ? officerMenu() : memberMenu({ offers: Boolean(offers?.ofertas?.length) });
  const showMenu = signedIn && !wrongRole && !session.must_change_password;

  return html`<div class=${`portal${showMenu ? ' con-menu' : ''}`}>
    <a class="saltar" href="#contenido">Saltar al contenido</a>
    <${Header} session=${signedIn ? session : null} onLogout=${() => end('salir')} area=${area} />
    ${showMenu && html`<${Menu} groups=${groups} path=${path} />`}
    <main id="contenido">
      <h1 tabindex="-1" ref=${heading}>${route ? route.title : 'Página no encontrada'}</h1>
      ${!route && html`<${Alert} kind="error">La página que buscas no existe. <a href=${HOME[area] || '/banca/'}>Volver al inicio</a><//>`}
      ${wrongRole && html`<${Alert} kind="error">Esta sección no corresponde a tu usuario. <button type="button" class="enlace" onClick=${() => end('salir')}>Salir</button><//>`}
      ${route && !wrongRole && html`<${PageHost} route=${route} params=${params} context=${context} key=${route.path} />`}
    </main>
    ${signedIn && html`<${SessionWatch} onEnd=${end} key=${session.token} />`}
    ${memberReady && offers?.mostrar_notificacion && !noticeClosed &&
    html`<${CampaignNoticeHost} offers=${offers} onDone=${() => { setNoticeClosed(true); reloadOffers(); }} />`}
    <footer class="pie">
      <p>Cooprogreso, Cooperativa de Ahorro y Crédito. Entidad regulada por la Superintendencia de Economía Popular y Solidaria.</p>
    </footer>
  </div>`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
