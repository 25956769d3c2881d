// The app's pages. To add one (Live, Forecast, Anomalies, ...): create src/pages/<name>/<name>-page.ts
// exporting `mount(root, ctx): PageInstance`, and add an entry here. The nav is built from this list
// and each page is loaded on demand (its own chunk).
import type { DataRange } from '../api/cost';

export interface PageContext {
  /** The store's first/last charge day, fetched once per app load and shared by all pages. */
  dataRange(): Promise<DataRange>;
  /** Query parameters of the current route (`#/overview?from=...`). */
  readonly params: URLSearchParams;
  /** Replaces the route's query parameters without reloading the page (for shareable URLs). */
  setParams(params: URLSearchParams): void;
  /** Marks the page as fully rendered (`body[data-ready="true"]`) or (re)loading ("false"). */
  setReady(ready: boolean): void;
}

export interface PageInstance {
  unmount(): void;
}

export interface PageModule {
  mount(root: HTMLElement, ctx: PageContext): PageInstance;
}

export interface PageDefinition {
  /** Route path, e.g. "/overview" → `#/overview`. */
  path: string;
  /** Nav label and document title. */
  title: string;
  load(): Promise<PageModule>;
}

export const PAGES: readonly PageDefinition[] = [
  { path: '/overview', title: 'Cost overview', load: () => import('./overview/overview-page') },
  { path: '/forecast', title: 'Forecast', load: () => import('./forecast/forecast-page') },
  { path: '/live', title: 'Live', load: () => import('./live/live-page') },
  { path: '/anomalies', title: 'Anomalies', load: () => import('./anomalies/anomalies-page') },
];

export const DEFAULT_PATH = '/overview';
