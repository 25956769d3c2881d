// "Forecast": 30/60/90-day cost forecasts (GraphQL forecastCosts) with a fan chart of the daily history,
// the forecast mean and its 80% and 95% bands. Which query feeds which panel: docs/dashboard.md.
import { ApiError, graphql, isAbortError, RawNumbers } from '../../api/graphql';
import { Chart } from '../../charts/echarts';
import { h, nextPaint, replaceChildren } from '../../lib/dom';
import { formatMoney, formatPercent } from '../../lib/format';
import type { PageContext, PageInstance } from '../registry';

const PROVIDERS = ['', 'AWS', 'AZURE', 'GCP', 'ORACLE', 'IBM', 'ALIBABA'] as const;

interface DailyPoint { date: string; mean: number; lower: number; upper: number }
interface Forecast {
  period: string; currency: string; currentCost: number; predictedCost: number; confidenceLower: number; confidenceUpper: number;
  level: number; trend: string; seasonality: { weekly: number; monthly: number }; accuracyScore: number | null;
  accuracyUnavailableReason: string | null; model: string; historyFrom: string; historyTo: string; daily: DailyPoint[];
  lowConfidence: boolean; confidenceNotes: string[];
}

const QUERY = `query Forecast($provider: CloudProvider, $service: String, $currency: String) {
  f95: forecastCosts(provider: $provider, service: $service, currency: $currency, periods: ["30d", "60d", "90d"], level: 95) {
    period currency currentCost predictedCost confidenceLower confidenceUpper level trend seasonality { weekly monthly }
    accuracyScore accuracyUnavailableReason model historyFrom historyTo daily { date mean lower upper }
    lowConfidence confidenceNotes
  }
  f80: forecastCosts(provider: $provider, service: $service, currency: $currency, periods: ["90d"], level: 80) {
    daily { date mean lower upper }
  }
}`;

const HISTORY_QUERY = `query History($start: String!, $end: String!, $providers: [CloudProvider!], $services: [String!], $currency: String) {
  getCostMetrics(startDate: $start, endDate: $end, providers: $providers, services: $services, granularity: DAILY, includeProvider: false, currency: $currency, first: 10000) {
    metrics { timestamp cost currency }
  }
}`;

export function mount(root: HTMLElement, ctx: PageContext): PageInstance {
  const provider = h('select', { 'data-testid': 'forecast-provider', 'aria-label': 'Provider' },
    ...PROVIDERS.map((p) => h('option', { value: p }, p === '' ? 'All providers' : p)));
  const service = h('input', { type: 'text', placeholder: 'Service (e.g. Amazon EC2)', 'data-testid': 'forecast-service', 'aria-label': 'Service' });
  const currency = h('input', { type: 'text', placeholder: 'Currency (e.g. USD)', maxlength: 3, size: 6, 'data-testid': 'forecast-currency', 'aria-label': 'Reporting currency' });
  const cards = h('div', { class: 'kpis', 'data-testid': 'forecast-cards' });
  const chartBox = h('div', { class: 'chart', role: 'img', 'aria-label': 'Daily cost history and forecast', 'data-testid': 'forecast-chart', style: 'height: 420px' });
  const error = h('div', { class: 'error', role: 'alert', 'data-testid': 'error', hidden: true });
  const note = h('p', { class: 'muted' },
    'Bands: 80% and 95% prediction intervals of daily cost. Accuracy = 1 − WAPE of a rolling-origin backtest at the same horizon (docs/forecasting.md).');
  provider.value = ctx.params.get('provider') ?? '';
  service.value = ctx.params.get('service') ?? '';
  currency.value = ctx.params.get('currency') ?? '';
  replaceChildren(root, h('section', { class: 'filters' }, provider, service, currency), error, cards, chartBox, note);
  const chart = new Chart(chartBox);
  let controller: AbortController | null = null;

  async function load(): Promise<void> {
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    ctx.setReady(false);
    error.hidden = true;
    const params = new URLSearchParams();
    if (provider.value) params.set('provider', provider.value);
    if (service.value.trim()) params.set('service', service.value.trim());
    if (currency.value.trim()) params.set('currency', currency.value.trim().toUpperCase());
    ctx.setParams(params);
    const vars = {
      provider: provider.value || undefined,
      service: service.value.trim() || undefined,
      currency: currency.value.trim().toUpperCase() || undefined,
    };
    try {
      const { data, raw } = await graphql<{ f95: Forecast[]; f80: Array<{ daily: DailyPoint[] }> }>(QUERY, vars, signal);
      const f90 = data.f95[data.f95.length - 1];
      if (!f90) throw new ApiError(['The server returned no forecast.']);
      const start = f90.daily.length > 0 ? addDays(f90.historyTo, -119) : f90.historyFrom;
      const history = await graphql<{ getCostMetrics: { metrics: Array<{ timestamp: string; cost: number }> } }>(HISTORY_QUERY, {
        start: start < f90.historyFrom ? f90.historyFrom : start, end: f90.historyTo,
        providers: vars.provider ? [vars.provider] : undefined, services: vars.service ? [vars.service] : undefined, currency: vars.currency,
      }, signal);
      renderCards(data.f95, raw);
      renderChart(history.data.getCostMetrics.metrics, f90, data.f80[0]?.daily ?? []);
      await nextPaint();
      ctx.setReady(true);
    } catch (e) {
      if (isAbortError(e)) return;
      error.hidden = false;
      error.textContent = e instanceof ApiError ? e.messages.join(' ') : String(e);
      replaceChildren(cards);
      chart.clear();
      ctx.setReady(true);
    }
  }

  function renderCards(list: Forecast[], raw: RawNumbers): void {
    replaceChildren(cards, ...list.map((f) => h('div', { class: 'kpi', 'data-testid': `forecast-${f.period}` },
      h('div', { class: 'kpi-label' }, `Next ${f.period}`),
      h('div', { class: 'kpi-value', 'data-testid': `predicted-${f.period}`, 'data-value': raw.get(f, 'predictedCost') ?? String(f.predictedCost) },
        formatMoney(f.predictedCost, f.currency)),
      h('div', { class: 'kpi-sub' }, `${f.level}%: ${formatMoney(f.confidenceLower, f.currency)} – ${formatMoney(f.confidenceUpper, f.currency)}`),
      ...(f.lowConfidence ? [h('div', { class: 'kpi-sub', 'data-testid': `low-confidence-${f.period}`, title: f.confidenceNotes.join('; ') }, 'low confidence: ' + f.confidenceNotes.join('; '))] : []),
      h('div', { class: 'kpi-sub' }, `last ${f.period}: ${formatMoney(f.currentCost, f.currency)} · trend ${f.trend}`),
      h('div', { class: 'kpi-sub', 'data-testid': `accuracy-${f.period}` },
        f.accuracyScore === null ? `accuracy: n/a (${f.accuracyUnavailableReason ?? 'too short'})` : `accuracy ${formatPercent(f.accuracyScore)}`),
      h('div', { class: 'kpi-sub muted' }, `${f.model} · weekly ${formatPercent(f.seasonality.weekly)} · monthly ${formatPercent(f.seasonality.monthly)}`))));
  }

  function renderChart(history: Array<{ timestamp: string; cost: number }>, f: Forecast, f80: DailyPoint[]): void {
    const days = [...history.map((m) => m.timestamp), ...f.daily.map((d) => d.date)];
    const pad = (n: number) => Array<number | null>(n).fill(null);
    const hist = [...history.map((m) => m.cost), ...pad(f.daily.length)];
    const mean = [...pad(history.length), ...f.daily.map((d) => d.mean)];
    // Fan: stacked areas (lower edge invisible, then the band's width).
    const band = (pts: DailyPoint[], name: string, color: string, stack: string) => [
      { name: `${name} base`, type: 'line' as const, stack, data: [...pad(history.length), ...pts.map((d) => d.lower)], lineStyle: { opacity: 0 }, symbol: 'none', tooltip: { show: false } },
      { name, type: 'line' as const, stack, data: [...pad(history.length), ...pts.map((d) => d.upper - d.lower)], lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color } },
    ];
    chart.set({
      tooltip: { trigger: 'axis' },
      legend: { data: ['History', 'Forecast mean', '95% band', '80% band'] },
      grid: { left: 70, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value' },
      series: [
        ...band(f.daily, '95% band', 'rgba(59,130,246,0.15)', 'b95'),
        ...band(f80, '80% band', 'rgba(59,130,246,0.30)', 'b80'),
        { name: 'History', type: 'line', data: hist, symbol: 'none', lineStyle: { color: '#334155' } },
        { name: 'Forecast mean', type: 'line', data: mean, symbol: 'none', lineStyle: { color: '#2563eb', type: 'dashed' } },
      ],
    });
    chartBox.setAttribute('aria-label', `Daily cost: ${history.length} days of history and a ${f.daily.length}-day forecast (${f.model}).`);
  }

  for (const el of [provider, service, currency]) el.addEventListener('change', () => void load());
  void load();
  return {
    unmount() {
      controller?.abort();
      chart.dispose();
    },
  };
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
