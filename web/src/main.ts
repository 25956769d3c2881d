// App shell: top nav + hash router (#/overview?from=...&to=...). Pages live in src/pages/.
import './styles/app.css';
import { fetchDataRange, type DataRange } from './api/cost';
import { formatNumber, formatRange } from './lib/format';
import { h, replaceChildren } from './lib/dom';
import { DEFAULT_PATH, PAGES, type PageContext, type PageDefinition, type PageInstance } from './pages/registry';

const nav = document.getElementById('app-nav') as HTMLElement;
const main = document.getElementById('main') as HTMLElement;
const rangeInfo = document.getElementById('data-range-info') as HTMLElement;

let dataRangePromise: Promise<DataRange> | null = null;
function dataRange(): Promise<DataRange> {
  if (!dataRangePromise) {
    dataRangePromise = fetchDataRange().then(
      (r) => {
        rangeInfo.textContent =
          r.from && r.to ? `Data: ${formatRange(r.from, r.to)} · ${formatNumber(r.rowCount)} rows` : 'No data ingested yet';
        return r;
      },
      (e: unknown) => {
        dataRangePromise = null; // let the next attempt retry
        throw e;
      },
    );
  }
  return dataRangePromise;
}

function parseHash(): { path: string; params: URLSearchParams } {
  const hash = location.hash.replace(/^#/, '');
  const [path = '', query = ''] = hash.split('?', 2);
  return { path: path || DEFAULT_PATH, params: new URLSearchParams(query) };
}

function setReady(ready: boolean): void {
  document.body.dataset.ready = ready ? 'true' : 'false';
}

function renderNav(active: PageDefinition | undefined): void {
  replaceChildren(
    nav,
    ...PAGES.map((p) =>
      h('a', { href: `#${p.path}`, class: 'app-nav__link', 'aria-current': p === active ? 'page' : null, 'data-testid': `nav-${p.path.slice(1)}` }, p.title),
    ),
  );
}

let current: { path: string; instance: PageInstance | null } | null = null;
let navigation = 0;

async function route(): Promise<void> {
  const { path, params } = parseHash();
  const page = PAGES.find((p) => p.path === path);
  if (!page) {
    location.replace(`#${DEFAULT_PATH}`);
    return;
  }
  // setParams() uses history.replaceState (no hashchange), so reaching here means a real navigation.
  const token = ++navigation;
  current?.instance?.unmount();
  current = { path, instance: null };
  setReady(false);
  renderNav(page);
  document.title = `${page.title} · DWCP Analytics`;
  main.replaceChildren(h('div', { class: 'page-loading', role: 'status' }, 'Loading…'));

  const module = await page.load();
  if (token !== navigation) return;
  main.replaceChildren();
  const ctx: PageContext = {
    dataRange,
    params,
    setParams(next) {
      const q = next.toString();
      history.replaceState(null, '', `#${path}${q ? `?${q}` : ''}`);
    },
    setReady: (ready) => {
      if (token === navigation) setReady(ready);
    },
  };
  current.instance = module.mount(main, ctx);
}

window.addEventListener('hashchange', () => void route());
void route();
