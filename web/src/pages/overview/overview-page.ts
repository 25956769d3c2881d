// "Cost overview": date range + provider + cost-type filters, KPI cards, cost by provider and by
// service over time, and the top 10 services. Which query feeds which panel: docs/dashboard.md.
import {
  COST_TYPES,
  fetchCostByProvider,
  fetchCostByService,
  fetchProviders,
  fetchTopServices,
  type CloudProvider,
  type CostSummary,
  type CostType,
  type DataRange,
  type Granularity,
  type MetricsAnswer,
} from '../../api/cost';
import { ApiError, isAbortError, RawNumbers } from '../../api/graphql';
import { Chart } from '../../charts/echarts';
import { describeSeries, stackedOption } from '../../charts/stacked';
import { providerColor } from '../../lib/colors';
import { addDays, addMonths, isIsoDay, lastFullMonth, maxDay, startOfMonth, startOfYear, todayUtc, daysInclusive } from '../../lib/dates';
import { h, nextPaint, replaceChildren } from '../../lib/dom';
import { formatMoney, formatNumber, formatPercent, formatRange, GRANULARITY_LABELS } from '../../lib/format';
import type { PageContext, PageInstance } from '../registry';
import {
  bucketSpans,
  bucketsFor,
  granularityFor,
  providerOptions,
  providerSeries,
  savingsByCurrency,
  serviceSeries,
  topServiceRows,
  type ProviderOption,
} from './transform';

const PROVIDERS: readonly CloudProvider[] = ['AWS', 'AZURE', 'GCP', 'ORACLE', 'IBM', 'ALIBABA', 'OTHER'];
const COST_TYPE_VALUES = COST_TYPES.map((c) => c.value);
const DATE_DEBOUNCE_MS = 350;

interface State {
  from: string;
  to: string;
  costType: CostType;
  /** null = all providers (no `providers` argument is sent). */
  selection: Set<CloudProvider> | null;
}

interface Preset {
  id: string;
  label: string;
  range(first: string, last: string): { from: string; to: string };
}

const PRESETS: readonly Preset[] = [
  { id: 'last-month', label: 'Last month', range: (first, last) => lastFullMonth(first, last) },
  { id: 'last-30', label: 'Last 30 days', range: (first, last) => ({ from: maxDay(addDays(last, -29), first), to: last }) },
  { id: 'last-3m', label: 'Last 3 months', range: (first, last) => ({ from: maxDay(addDays(addMonths(last, -3), 1), first), to: last }) },
  { id: 'ytd', label: 'Year to date', range: (first, last) => ({ from: maxDay(startOfYear(last), first), to: last }) },
  { id: 'all', label: 'All', range: (first, last) => ({ from: first, to: last }) },
];

function messagesOf(e: unknown): string[] {
  if (e instanceof ApiError) return e.messages;
  return [e instanceof Error ? e.message : String(e)];
}

export function mount(root: HTMLElement, ctx: PageContext): PageInstance {
  // ----------------------------------------------------------------------------------------------
  // Static layout
  // ----------------------------------------------------------------------------------------------
  const periodText = h('p', { class: 'page-head__sub', 'data-testid': 'period' }, '\u00a0');

  const dateFrom = h('input', { type: 'date', id: 'date-from', name: 'from', 'data-testid': 'date-from', required: true });
  const dateTo = h('input', { type: 'date', id: 'date-to', name: 'to', 'data-testid': 'date-to', required: true });

  const presetButtons = PRESETS.map((p) =>
    h('button', { type: 'button', class: 'seg__btn', 'data-preset': p.id, 'data-testid': `preset-${p.id}`, 'aria-pressed': 'false', disabled: true }, p.label),
  );

  const costTypeInputs = COST_TYPES.map((c) =>
    h('input', { type: 'radio', name: 'cost-type', value: c.value, id: `cost-type-${c.value.toLowerCase()}`, 'data-testid': `cost-type-${c.value.toLowerCase()}` }),
  );
  const costTypeGroup = h(
    'div',
    { class: 'seg', role: 'radiogroup', 'aria-labelledby': 'cost-type-label', 'data-testid': 'cost-type' },
    ...COST_TYPES.map((c, i) => h('label', { class: 'seg__radio', title: c.hint }, costTypeInputs[i], h('span', {}, c.label))),
  );

  const providerChips = h('div', { class: 'chips' }, h('span', { class: 'muted' }, 'Loading providers…'));
  const providerAll = h('button', { type: 'button', class: 'link-btn', hidden: true, 'data-testid': 'provider-all' }, 'Select all');
  const providerFilter = h(
    'fieldset',
    { class: 'provider-filter', 'data-testid': 'provider-filter', 'aria-busy': 'true' },
    h('legend', { class: 'field__label' }, 'Providers'),
    providerChips,
    providerAll,
  );

  const filters = h(
    'section',
    { class: 'card filters', 'aria-label': 'Filters' },
    h(
      'div',
      { class: 'filters__row' },
      h(
        'div',
        { class: 'field field--dates' },
        h('div', { class: 'field' }, h('label', { class: 'field__label', for: 'date-from' }, 'From'), dateFrom),
        h('span', { class: 'field__sep', 'aria-hidden': 'true' }, '→'),
        h('div', { class: 'field' }, h('label', { class: 'field__label', for: 'date-to' }, 'To'), dateTo),
      ),
      h(
        'div',
        { class: 'field' },
        h('span', { class: 'field__label', id: 'preset-label' }, 'Quick range'),
        h('div', { class: 'seg', role: 'group', 'aria-labelledby': 'preset-label' }, ...presetButtons),
      ),
      h('div', { class: 'field' }, h('span', { class: 'field__label', id: 'cost-type-label' }, 'Cost type'), costTypeGroup),
    ),
    providerFilter,
  );

  const errorText = h('div', { class: 'banner__text' });
  const errorIcon = h('span', { class: 'banner__icon', 'aria-hidden': 'true' });
  errorIcon.innerHTML =
    '<svg viewBox="0 0 20 20" width="20" height="20" focusable="false"><path fill="currentColor" d="M10 1.5a8.5 8.5 0 1 0 0 17 8.5 8.5 0 0 0 0-17Zm-.9 4.2h1.8v5.6H9.1V5.7Zm0 7h1.8v1.8H9.1v-1.8Z"/></svg>';
  const errorBanner = h('div', { class: 'banner banner--error', role: 'alert', 'data-testid': 'error', hidden: true }, errorIcon, errorText);

  // KPI cards
  const totalValue = h('div', { class: 'kpi__value skeleton', 'data-testid': 'total-cost' }, '\u00a0');
  const totalSub = h('div', { class: 'kpi__sub' }, '\u00a0');
  const avgValue = h('div', { class: 'kpi__value skeleton', 'data-testid': 'avg-daily-cost' }, '\u00a0');
  const avgSub = h('div', { class: 'kpi__sub' }, '\u00a0');
  const trendValue = h('div', { class: 'kpi__value skeleton', 'data-testid': 'trend' }, '\u00a0');
  const trendSub = h('div', { class: 'kpi__sub' }, 'Direction of daily cost over the period');
  const savingsValue = h('div', { class: 'kpi__value skeleton', 'data-testid': 'savings' }, '\u00a0');
  const savingsSub = h('div', { class: 'kpi__sub' }, '\u00a0');
  const kpi = (label: string, value: HTMLElement, sub: HTMLElement, accent = false) =>
    h('div', { class: accent ? 'kpi kpi--accent' : 'kpi' }, h('div', { class: 'kpi__label' }, label), value, sub);
  const kpis = h(
    'section',
    { class: 'kpis panel-loadable', 'aria-label': 'Key figures', 'aria-busy': 'true' },
    kpi('Total cost', totalValue, totalSub, true),
    kpi('Average daily cost', avgValue, avgSub),
    kpi('Trend', trendValue, trendSub),
    kpi('Savings', savingsValue, savingsSub),
  );

  // Panels
  const panel = (id: string, title: string, meta: HTMLElement, body: HTMLElement, empty: HTMLElement, extraClass = '') =>
    h(
      'section',
      { class: `card panel panel-loadable ${extraClass}`.trim(), id, 'aria-labelledby': `${id}-title`, 'aria-busy': 'true' },
      h('header', { class: 'panel__head' }, h('h2', { class: 'panel__title', id: `${id}-title` }, title), meta),
      h('div', { class: 'panel__body' }, body, empty),
    );

  const providerMeta = h('span', { class: 'panel__meta' });
  const providerChartEl = h('div', { class: 'chart', 'data-testid': 'chart-provider', role: 'img', 'aria-label': 'Stacked bar chart of cost by provider over time' });
  const providerEmpty = h('div', { class: 'empty', hidden: true, 'data-testid': 'empty-provider' });
  const providerPanel = panel('panel-provider', 'Cost by provider', providerMeta, providerChartEl, providerEmpty);

  const serviceMeta = h('span', { class: 'panel__meta' });
  const serviceChartEl = h('div', { class: 'chart', 'data-testid': 'chart-service', role: 'img', 'aria-label': 'Stacked area chart of cost by service over time' });
  const serviceEmpty = h('div', { class: 'empty', hidden: true, 'data-testid': 'empty-service' });
  const servicePanel = panel('panel-service', 'Cost by service', serviceMeta, serviceChartEl, serviceEmpty, 'panel--wide');

  const topMeta = h('span', { class: 'panel__meta' }, 'Top 10 · share of total');
  const topBody = h('div', { class: 'table-wrap', 'data-testid': 'top-services' });
  const topEmpty = h('div', { class: 'empty', hidden: true, 'data-testid': 'empty-top-services' });
  const topPanel = panel('panel-top-services', 'Top services', topMeta, topBody, topEmpty);

  const page = h(
    'div',
    { class: 'page' },
    h('div', { class: 'page-head' }, h('div', {}, h('h1', { class: 'page-head__title' }, 'Cost overview'), periodText)),
    filters,
    errorBanner,
    kpis,
    providerPanel,
    h('div', { class: 'grid-2' }, servicePanel, topPanel),
  );
  root.appendChild(page);

  const providerChart = new Chart(providerChartEl);
  const serviceChart = new Chart(serviceChartEl);

  // ----------------------------------------------------------------------------------------------
  // State
  // ----------------------------------------------------------------------------------------------
  let dataRange: DataRange | null = null;
  let state: State = { from: '', to: '', costType: 'BILLED', selection: null };
  let generation = 0;
  let controller: AbortController | null = null;
  let providerList: { key: string; options: ProviderOption[] } | null = null;
  let dateTimer: number | undefined;
  /** True from the start of a load until its last panel has rendered. */
  let inFlight = false;
  let disposed = false;
  /** Errors that outlive a reload (the data range could not be fetched at start-up). */
  let startupErrors: string[] = [];

  const panels = [kpis, providerPanel, servicePanel, topPanel];

  function setLoading(el: HTMLElement, loading: boolean) {
    el.classList.toggle('is-loading', loading);
    el.setAttribute('aria-busy', loading ? 'true' : 'false');
  }

  function showErrors(messages: string[]) {
    const unique = [...new Set([...startupErrors, ...messages])];
    if (unique.length === 0) {
      errorBanner.hidden = true;
      errorText.replaceChildren();
      return;
    }
    replaceChildren(
      errorText,
      h('strong', {}, unique.length === 1 ? 'The data could not be loaded. ' : 'Some data could not be loaded. '),
      ...(unique.length === 1 ? [h('span', { 'data-testid': 'error-message' }, unique[0])] : [h('ul', {}, ...unique.map((m) => h('li', { 'data-testid': 'error-message' }, m)))]),
    );
    errorBanner.hidden = false;
  }

  function firstDay() {
    return dataRange?.from ?? state.from;
  }
  function lastDay() {
    return dataRange?.to ?? state.to;
  }

  function syncControls() {
    dateFrom.value = state.from;
    dateTo.value = state.to;
    if (dataRange?.from && dataRange.to) {
      dateFrom.min = dateTo.min = dataRange.from;
      dateFrom.max = dateTo.max = dataRange.to;
    }
    for (const input of costTypeInputs) input.checked = input.value === state.costType;
    const hasData = Boolean(dataRange?.from && dataRange.to);
    for (const btn of presetButtons) {
      const preset = PRESETS.find((p) => p.id === btn.dataset.preset)!;
      btn.disabled = !hasData;
      const r = hasData ? preset.range(firstDay(), lastDay()) : null;
      btn.setAttribute('aria-pressed', r && r.from === state.from && r.to === state.to ? 'true' : 'false');
    }
    const granularity = granularityFor(state.from, state.to);
    const costLabel = COST_TYPES.find((c) => c.value === state.costType)?.label ?? state.costType;
    const days = daysInclusive(state.from, state.to);
    periodText.textContent =
      days >= 1
        ? `${formatRange(state.from, state.to)} · ${formatNumber(days)} ${days === 1 ? 'day' : 'days'} · ${costLabel} cost`
        : `${state.from} – ${state.to} · ${costLabel} cost`;
    providerMeta.textContent = `${GRANULARITY_LABELS[granularity]} · stacked`;
    serviceMeta.textContent = `${GRANULARITY_LABELS[granularity]} · top 10 + other`;

  }

  function syncUrl() {
    const p = new URLSearchParams();
    p.set('from', state.from);
    p.set('to', state.to);
    if (state.costType !== 'BILLED') p.set('cost', state.costType.toLowerCase());
    if (state.selection) p.set('providers', [...state.selection].join(','));
    ctx.setParams(p);
  }

  function renderProviderFilter(options: ProviderOption[] | null, failed = false) {
    providerFilter.setAttribute('aria-busy', options || failed ? 'false' : 'true');
    if (failed) {
      replaceChildren(providerChips, h('span', { class: 'muted' }, 'Providers unavailable'));
      providerAll.hidden = true;
      return;
    }
    if (!options) return;
    if (options.length === 0) {
      replaceChildren(providerChips, h('span', { class: 'muted' }, 'No providers in this period'));
      providerAll.hidden = true;
      return;
    }
    const total = options.reduce((s, o) => s + o.cost, 0);
    replaceChildren(
      providerChips,
      ...options.map((o) => {
        const input = h('input', {
          type: 'checkbox',
          value: o.provider,
          'data-testid': `provider-${o.provider}`,
          'aria-label': `${o.label}`,
        });
        input.checked = state.selection === null || state.selection.has(o.provider);
        input.addEventListener('change', () => onProviderToggle(o.provider, input.checked, options));
        return h(
          'label',
          { class: 'chip', title: `${o.label}: ${formatMoney(o.cost, o.currency)} (${formatPercent(total ? o.cost / total : 0)})` },
          input,
          h('span', { class: 'chip__dot', style: `background:${providerColor(o.provider)}`, 'aria-hidden': 'true' }),
          h('span', { class: 'chip__label' }, o.label),
          h('span', { class: 'chip__meta', 'aria-hidden': 'true' }, formatPercent(total ? o.cost / total : 0)),
        );
      }),
    );
    providerAll.hidden = state.selection === null;
  }

  function onProviderToggle(provider: CloudProvider, checked: boolean, options: ProviderOption[]) {
    const present = options.map((o) => o.provider);
    const next = new Set(state.selection ?? present);
    if (checked) next.add(provider);
    else next.delete(provider);
    const all = present.every((p) => next.has(p));
    state = { ...state, selection: all ? null : next };
    providerAll.hidden = state.selection === null;
    void load();
  }

  // ----------------------------------------------------------------------------------------------
  // Rendering of the answers
  // ----------------------------------------------------------------------------------------------
  function setKpiText(el: HTMLElement, text: string) {
    el.classList.remove('skeleton');
    el.textContent = text;
  }

  function renderKpis(answer: MetricsAnswer) {
    const summaries: CostSummary[] = answer.summary ? [answer.summary] : answer.summaries;
    totalValue.classList.remove('skeleton');
    delete totalValue.dataset.multiCurrency;
    delete totalValue.dataset.failed;
    if (summaries.length === 0) {
      totalValue.textContent = 'No data';
      totalValue.dataset.value = '';
      totalValue.dataset.empty = 'true';
      delete totalValue.dataset.currency;
      totalSub.textContent = 'No charges in this period';
      setKpiText(avgValue, '–');
      avgSub.textContent = '\u00a0';
      setKpiText(trendValue, '–');
      trendValue.className = 'kpi__value';
      delete trendValue.dataset.value;
    } else if (summaries.length === 1) {
      const s = summaries[0]!;
      totalValue.textContent = formatMoney(Number(s.totalCost), s.currency);
      // The exact JSON text of summary.totalCost (see api/graphql.ts), e.g. "48213.570000".
      totalValue.dataset.value = answer.raw.get(s, 'totalCost') ?? String(s.totalCost);
      totalValue.dataset.currency = s.currency;
      delete totalValue.dataset.empty;
      totalSub.textContent = `${s.currency} · ${formatNumber(s.days)} ${s.days === 1 ? 'day' : 'days'}`;
      setKpiText(avgValue, formatMoney(Number(s.averageDailyCost), s.currency));
      avgValue.dataset.value = answer.raw.get(s, 'averageDailyCost') ?? String(s.averageDailyCost);
      avgSub.textContent = `per day over ${formatNumber(s.days)} ${s.days === 1 ? 'day' : 'days'}`;
      renderTrend(s.trend);
    } else {
      // Several billing currencies: no single total; one line per currency, each with its exact value.
      totalValue.dataset.multiCurrency = 'true';
      totalValue.dataset.value = '';
      delete totalValue.dataset.currency;
      delete totalValue.dataset.empty;
      replaceChildren(
        totalValue,
        ...summaries.map((s) =>
          h('span', { class: 'kpi__line', 'data-currency': s.currency, 'data-value': answer.raw.get(s, 'totalCost') ?? String(s.totalCost) }, formatMoney(Number(s.totalCost), s.currency)),
        ),
      );
      totalSub.textContent = `${summaries.length} currencies, not converted`;
      avgValue.classList.remove('skeleton');
      replaceChildren(avgValue, ...summaries.map((s) => h('span', { class: 'kpi__line' }, formatMoney(Number(s.averageDailyCost), s.currency))));
      avgSub.textContent = 'per day, per currency';
      const trends = new Set(summaries.map((s) => s.trend));
      if (trends.size === 1) renderTrend(summaries[0]!.trend);
      else {
        setKpiText(trendValue, 'Mixed');
        trendValue.className = 'kpi__value';
        trendValue.dataset.value = 'MIXED';
      }
    }

    const savings = savingsByCurrency(answer);
    savingsValue.classList.remove('skeleton');
    if (savings.size === 0) {
      savingsValue.textContent = '–';
      savingsSub.textContent = '\u00a0';
    } else {
      replaceChildren(savingsValue, ...[...savings].map(([cur, v]) => h('span', { class: 'kpi__line' }, formatMoney(v, cur))));
      savingsSub.textContent = 'From discounts and commitments';
    }
  }

  function renderTrend(trend: string) {
    const map: Record<string, { label: string; icon: string; cls: string }> = {
      INCREASING: { label: 'Increasing', icon: '↗', cls: 'trend--up' },
      DECREASING: { label: 'Decreasing', icon: '↘', cls: 'trend--down' },
      STABLE: { label: 'Stable', icon: '→', cls: 'trend--flat' },
    };
    const t = map[trend] ?? { label: trend, icon: '', cls: 'trend--flat' };
    trendValue.className = `kpi__value trend ${t.cls}`;
    trendValue.dataset.value = trend;
    replaceChildren(trendValue, h('span', { class: 'trend__icon', 'aria-hidden': 'true' }, t.icon), t.label);
  }

  function renderKpisFailed() {
    for (const el of [totalValue, avgValue, trendValue, savingsValue]) {
      el.classList.remove('skeleton');
      el.textContent = '–';
    }
    trendValue.className = 'kpi__value';
    delete trendValue.dataset.value;
    delete totalValue.dataset.currency;
    totalValue.dataset.value = '';
    totalValue.dataset.failed = 'true';
    totalSub.textContent = 'Unavailable';
    avgSub.textContent = '\u00a0';
    savingsSub.textContent = '\u00a0';
  }

  function emptyMessage() {
    if (state.selection && state.selection.size === 0) return 'Select at least one provider.';
    if (dataRange && dataRange.rowCount === 0) return 'No cost data has been ingested yet.';
    return `No cost data from ${formatRange(state.from, state.to).replace(' – ', ' to ')}.`;
  }

  function showEmpty(chartEl: HTMLElement, emptyEl: HTMLElement, message: string | null) {
    emptyEl.hidden = message === null;
    emptyEl.textContent = message ?? '';
    chartEl.classList.toggle('is-empty', message !== null);
  }

  function chartTitle(dimension: string, granularity: Granularity) {
    const costLabel = COST_TYPES.find((c) => c.value === state.costType)?.label.toLowerCase() ?? '';
    return `${GRANULARITY_LABELS[granularity]} ${costLabel} cost by ${dimension}, ${formatRange(state.from, state.to)}`;
  }

  function metaText(granularity: Granularity, what: string, spans: ReadonlyArray<{ partial: boolean }>) {
    const partial = spans.some((s) => s.partial) ? ` · faded = partial ${granularity === 'MONTHLY' ? 'month' : 'week'}` : '';
    return `${GRANULARITY_LABELS[granularity]} · ${what}${partial}`;
  }

  function renderProviderChart(answer: MetricsAnswer, granularity: Granularity) {
    const buckets = bucketsFor(state.from, state.to, granularity, answer.metrics);
    const series = providerSeries(answer, buckets);
    const spans = bucketSpans(buckets, granularity, state.from, state.to);
    const currency = answer.currencies.length === 1 ? answer.currencies[0]! : '';
    providerChartEl.dataset.granularity = granularity;
    providerChartEl.dataset.series = series.map((s) => s.name).join('|');
    providerChartEl.dataset.points = String(answer.metrics.length);
    if (answer.metrics.length === 0) {
      providerChart.clear();
      showEmpty(providerChartEl, providerEmpty, emptyMessage());
      return;
    }
    showEmpty(providerChartEl, providerEmpty, null);
    providerChart.set(
      stackedOption({
        buckets,
        granularity,
        series,
        currency,
        kind: 'bar',
        spans,
      }),
    );
    providerChartEl.setAttribute('aria-label', describeSeries(`Stacked bar chart, ${chartTitle('provider', granularity)}`, series, currency));
    providerMeta.textContent = metaText(granularity, 'stacked', spans);
  }

  function renderServiceChart(answer: MetricsAnswer, granularity: Granularity) {
    const buckets = bucketsFor(state.from, state.to, granularity, answer.metrics);
    const series = serviceSeries(answer, buckets);
    const spans = bucketSpans(buckets, granularity, state.from, state.to);
    const currency = answer.currencies.length === 1 ? answer.currencies[0]! : '';
    serviceChartEl.dataset.granularity = granularity;
    serviceChartEl.dataset.series = series.map((s) => s.name).join('|');
    serviceChartEl.dataset.points = String(answer.metrics.length);
    if (answer.metrics.length === 0) {
      serviceChart.clear();
      showEmpty(serviceChartEl, serviceEmpty, emptyMessage());
      return;
    }
    showEmpty(serviceChartEl, serviceEmpty, null);
    // Areas for daily data; bars for weekly/monthly buckets (a partial last week or month then shows
    // as a faded bar instead of a steep drop of the area) and for very few buckets.
    const kind = granularity === 'DAILY' && buckets.length > 3 ? 'area' : 'bar';
    serviceChart.set(
      stackedOption({
        buckets,
        granularity,
        series,
        currency,
        kind,
        spans,
      }),
    );
    serviceChartEl.setAttribute('aria-label', describeSeries(`Stacked ${kind} chart, ${chartTitle('service (top 10 and other)', granularity)}`, series, currency));
    serviceMeta.textContent = metaText(granularity, 'top 10 + other', spans);
  }

  function renderTopServices(answer: MetricsAnswer) {
    const rows = topServiceRows(answer);
    if (rows.length === 0) {
      topBody.replaceChildren();
      topEmpty.hidden = false;
      topEmpty.textContent = emptyMessage();
      return;
    }
    topEmpty.hidden = true;
    const table = h(
      'table',
      { class: 'table' },
      h('caption', { class: 'sr-only' }, `Top services by ${state.costType.toLowerCase()} cost, ${formatRange(state.from, state.to)}`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col', class: 'num rank' }, '#'),
          h('th', { scope: 'col' }, 'Service'),
          h('th', { scope: 'col' }, 'Provider'),
          h('th', { scope: 'col', class: 'num' }, 'Cost'),
          h('th', { scope: 'col', class: 'num share-col' }, 'Share'),
        ),
      ),
      h(
        'tbody',
        {},
        ...rows.map((r) =>
          h(
            'tr',
            { class: r.isOther ? 'row-other' : null, 'data-testid': 'top-services-row', 'data-service': r.isOther ? '' : r.service, 'data-other': r.isOther ? 'true' : null },
            h('td', { class: 'num rank' }, r.rank === null ? '' : String(r.rank)),
            h('th', { scope: 'row', class: 'service-name', title: r.service }, r.service),
            h(
              'td',
              { class: 'provider-cell' },
              r.provider ? h('span', { class: 'chip__dot', style: `background:${providerColor(r.provider)}`, 'aria-hidden': 'true' }) : null,
              r.providerName,
            ),
            h('td', { class: 'num', 'data-value': String(r.cost) }, formatMoney(r.cost, r.currency)),
            h(
              'td',
              { class: 'num share-col' },
              h(
                'div',
                { class: 'share' },
                h('div', { class: 'share__bar', 'aria-hidden': 'true' }, h('span', { style: `width:${Math.max(0, Math.min(100, r.share * 100)).toFixed(1)}%` })),
                h('span', { class: 'share__pct' }, formatPercent(r.share)),
              ),
            ),
          ),
        ),
      ),
    );
    topBody.replaceChildren(table);
  }

  // ----------------------------------------------------------------------------------------------
  // Loading
  // ----------------------------------------------------------------------------------------------
  async function load(): Promise<void> {
    if (disposed) return;
    const gen = ++generation;
    inFlight = true;
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    ctx.setReady(false);
    syncControls();
    syncUrl();
    for (const p of panels) setLoading(p, true);

    const { from, to, costType, selection } = state;
    const granularity = granularityFor(from, to);
    const providers = selection ? [...selection] : undefined;
    const errors: string[] = [];
    const current = () => gen === generation && !disposed;

    const run = <T>(promise: Promise<T>, render: (v: T) => void, fail: () => void, panelEl: HTMLElement | null) =>
      promise.then(
        (v) => {
          if (!current()) return;
          render(v);
          if (panelEl) setLoading(panelEl, false);
        },
        (e: unknown) => {
          if (isAbortError(e) || !current()) return;
          errors.push(...messagesOf(e));
          fail();
          if (panelEl) setLoading(panelEl, false);
        },
      );

    const providerKey = `${from}|${to}|${costType}`;
    const tasks: Promise<void>[] = [];
    if (providerList?.key === providerKey) {
      // Same range and cost type: keep the checkboxes (and the keyboard focus), just sync their state.
      for (const input of providerChips.querySelectorAll<HTMLInputElement>('input[type=checkbox]')) {
        input.checked = selection === null || selection.has(input.value as CloudProvider);
      }
      providerAll.hidden = selection === null;
    } else {
      tasks.push(
        run(
          fetchProviders({ startDate: from, endDate: to, costType }, signal),
          (answer) => {
            providerList = { key: providerKey, options: providerOptions(answer) };
            renderProviderFilter(providerList.options);
          },
          () => renderProviderFilter(null, true),
          null,
        ),
      );
    }

    if (selection && selection.size === 0) {
      // Nothing selected: nothing to ask for.
      const none: MetricsAnswer = { metrics: [], summary: null, summaries: [], currencies: [], totalCount: 0, raw: new RawNumbers() };
      renderKpis(none);
      totalSub.textContent = 'No provider selected';
      renderProviderChart(none, granularity);
      renderServiceChart(none, granularity);
      renderTopServices(none);
      for (const p of panels) setLoading(p, false);
    } else {
      const vars = { startDate: from, endDate: to, providers, costType };
      tasks.push(
        run(
          fetchCostByProvider({ ...vars, granularity }, signal),
          (answer) => {
            renderKpis(answer);
            renderProviderChart(answer, granularity);
            setLoading(kpis, false);
          },
          () => {
            renderKpisFailed();
            providerChart.clear();
            showEmpty(providerChartEl, providerEmpty, 'Could not load this chart.');
            setLoading(kpis, false);
          },
          providerPanel,
        ),
        run(
          fetchCostByService({ ...vars, granularity }, signal),
          (answer) => renderServiceChart(answer, granularity),
          () => {
            serviceChart.clear();
            showEmpty(serviceChartEl, serviceEmpty, 'Could not load this chart.');
          },
          servicePanel,
        ),
        run(
          fetchTopServices(vars, signal),
          (answer) => renderTopServices(answer),
          () => {
            topBody.replaceChildren();
            topEmpty.hidden = false;
            topEmpty.textContent = 'Could not load the top services.';
          },
          topPanel,
        ),
      );
    }

    await Promise.all(tasks);
    if (!current()) return;
    showErrors(errors);
    await nextPaint();
    if (current()) {
      inFlight = false;
      ctx.setReady(true);
    }
  }

  // ----------------------------------------------------------------------------------------------
  // Events
  // ----------------------------------------------------------------------------------------------
  function onDateInput() {
    // Mark as not ready at once, so a test that types a date never sees the previous "true".
    ctx.setReady(false);
    window.clearTimeout(dateTimer);
    dateTimer = window.setTimeout(() => {
      const from = dateFrom.value;
      const to = dateTo.value;
      // Ignore incomplete input (empty, or a year still being typed).
      const unchanged = from === state.from && to === state.to;
      if (!isIsoDay(from) || !isIsoDay(to) || from < '1000' || to < '1000' || unchanged) {
        if (!inFlight) ctx.setReady(true);
        return;
      }
      state = { ...state, from, to };
      void load();
    }, DATE_DEBOUNCE_MS);
  }
  dateFrom.addEventListener('change', onDateInput);
  dateTo.addEventListener('change', onDateInput);

  for (const btn of presetButtons) {
    btn.addEventListener('click', () => {
      const preset = PRESETS.find((p) => p.id === btn.dataset.preset);
      if (!preset || !dataRange?.from || !dataRange.to) return;
      window.clearTimeout(dateTimer);
      state = { ...state, ...preset.range(dataRange.from, dataRange.to) };
      void load();
    });
  }

  for (const input of costTypeInputs) {
    input.addEventListener('change', () => {
      if (!input.checked) return;
      state = { ...state, costType: input.value as CostType };
      void load();
    });
  }

  providerAll.addEventListener('click', () => {
    state = { ...state, selection: null };
    // The button hides itself: move the focus to the first provider checkbox.
    providerChips.querySelector<HTMLInputElement>('input[type=checkbox]')?.focus();
    void load();
  });

  // ----------------------------------------------------------------------------------------------
  // Start: data range → initial state (URL parameters win over the default) → first load
  // ----------------------------------------------------------------------------------------------
  function initialState(range: DataRange | null): State {
    const p = ctx.params;
    let from: string;
    let to: string;
    if (range?.from && range.to) ({ from, to } = lastFullMonth(range.from, range.to));
    else ({ from, to } = { from: startOfMonth(todayUtc()), to: todayUtc() });
    const qFrom = p.get('from');
    const qTo = p.get('to');
    if (isIsoDay(qFrom) && isIsoDay(qTo)) ({ from, to } = { from: qFrom, to: qTo });
    const qCost = (p.get('cost') ?? '').toUpperCase() as CostType;
    const costType = COST_TYPE_VALUES.includes(qCost) ? qCost : 'BILLED';
    const qProviders = p.get('providers');
    const selection =
      qProviders !== null ? new Set(qProviders.split(',').map((s) => s.trim().toUpperCase()).filter((s): s is CloudProvider => PROVIDERS.includes(s as CloudProvider))) : null;
    return { from, to, costType, selection };
  }

  async function start() {
    ctx.setReady(false);
    try {
      dataRange = await ctx.dataRange();
    } catch (e) {
      if (disposed) return;
      dataRange = null;
      startupErrors = messagesOf(e).map((m) => `Data range: ${m}`);
    }
    if (disposed) return;
    state = initialState(dataRange);
    await load();
  }

  void start();

  return {
    unmount() {
      disposed = true;
      controller?.abort();
      window.clearTimeout(dateTimer);
      providerChart.dispose();
      serviceChart.dispose();
      root.replaceChildren();
    },
  };
}
