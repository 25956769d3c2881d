// "Live": chosen stream metrics updating from the GraphQL subscription streamMetrics (WebSocket, graphql-transport-ws),
// one chart per metric (window average, shaded p50–p95 band), the latest closed and the provisional open window per
// series, and the engine's ingest rate and accept → queryable latency (streamStats, polled). See docs/dashboard.md.
import './live.css';
import { ApiError, graphql, isAbortError } from '../../api/graphql';
import { Chart, type ChartOption } from '../../charts/echarts';
import { SERVICE_PALETTE } from '../../lib/colors';
import { h, nextPaint, replaceChildren } from '../../lib/dom';
import { formatNumber } from '../../lib/format';
import type { PageContext, PageInstance } from '../registry';
import { HISTORY_QUERY, META_QUERY, POLL_QUERY, SUBSCRIPTION, WindowHistory, seriesLabel, type StreamMetric, type StreamStats } from './live-data';
import { LiveSocket, graphqlSocketUrl, type SocketStatus } from './live-socket';

const POLL_MS = 2000;

export function mount(root: HTMLElement, ctx: PageContext): PageInstance {
  const history = new WindowHistory();
  let open: StreamMetric[] = [];
  let names: string[] = [];
  let sizes: string[] = [];
  let selected: string[] = (ctx.params.get('metrics') ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  let size = ctx.params.get('size') ?? '';
  let socket: LiveSocket | null = null;
  let pollTimer: ReturnType<typeof setInterval> | null = null;
  let controller = new AbortController();
  let charts = new Map<string, Chart>();
  let renderQueued = false;
  let unmounted = false;

  const metricChips = h('div', { class: 'chips', role: 'group', 'aria-label': 'Metrics', 'data-testid': 'live-metrics' });
  const sizeSelect = h('select', { 'aria-label': 'Window size', 'data-testid': 'live-size' });
  const status = h('span', { class: 'live-status', role: 'status', 'data-testid': 'live-status', 'data-status': 'connecting' }, 'Connecting…');
  const errorText = h('div', { class: 'banner__text' });
  const errorBanner = h('div', { class: 'banner banner--error', role: 'alert', 'data-testid': 'error', hidden: true }, errorText);
  const kpi = (label: string, testid: string) => {
    const value = h('div', { class: 'kpi__value', 'data-testid': testid }, '–');
    const sub = h('div', { class: 'kpi__sub' });
    return { el: h('div', { class: 'kpi' }, h('div', { class: 'kpi__label' }, label), value, sub), value, sub };
  };
  const rate = kpi('Ingest rate', 'live-ingest-rate');
  const latency = kpi('Accept → queryable (p95)', 'live-latency');
  const accepted = kpi('Events accepted', 'live-accepted');
  const watermark = kpi('Watermark', 'live-watermark');
  const empty = h('p', { class: 'muted', 'data-testid': 'live-empty', hidden: true },
    'No metrics yet. Send events to POST /api/v1/events (NDJSON, docs/streaming.md); their metrics appear here.');
  const tableBody = h('tbody');
  const table = h('div', { class: 'card panel table-wrap' },
    h('header', { class: 'panel__head' }, h('h2', { class: 'panel__title' }, 'Latest windows'),
      h('span', { class: 'panel__meta' }, 'closed = final · open = provisional, includes every accepted event')),
    h('table', { class: 'table', 'data-testid': 'live-table' },
      h('thead', {}, h('tr', {}, ...['Metric', 'Series', 'Window end', 'Value (avg)', 'p95', 'Count', 'Trend', 'Open window (avg)'].map((t) => h('th', { scope: 'col' }, t)))),
      tableBody));
  const chartsBox = h('div', { class: 'live-charts', 'data-testid': 'live-charts' });

  replaceChildren(root,
    h('section', { class: 'card filters', 'aria-label': 'Live filters' },
      h('div', { class: 'filters__row' },
        h('label', { class: 'field' }, h('span', { class: 'field__label' }, 'Window'), sizeSelect),
        h('div', { class: 'field' }, h('span', { class: 'field__label' }, 'Metrics'), metricChips),
        status)),
    errorBanner,
    h('section', { class: 'kpis', 'aria-label': 'Engine' }, rate.el, latency.el, accepted.el, watermark.el),
    empty, chartsBox, table);

  function showError(messages: string[] | null): void {
    errorBanner.hidden = messages === null;
    errorText.textContent = messages?.join(' ') ?? '';
  }

  function setStatus(s: SocketStatus, detail: string): void {
    status.dataset.status = s;
    status.textContent = detail;
  }

  function renderStats(stats: StreamStats): void {
    rate.value.textContent = stats.ingestRate === null ? 'measuring…' : `${formatNumber(stats.ingestRate, stats.ingestRate < 10 ? 1 : 0)} /s`;
    rate.value.dataset.value = stats.ingestRate === null ? '' : String(stats.ingestRate);
    rate.sub.textContent = stats.ingestRate === null ? 'needs two samples' : `over the last ${stats.ingestRateWindowSeconds.toFixed(1)} s`;
    const ms = (v: number | null) => (v === null ? '–' : `${v < 10 ? v.toFixed(2) : formatNumber(v)} ms`);
    latency.value.textContent = ms(stats.latencyP95Ms);
    latency.value.dataset.value = stats.latencyP95Ms === null ? '' : String(stats.latencyP95Ms);
    latency.sub.textContent = `p50 ${ms(stats.latencyP50Ms)} · p99 ${ms(stats.latencyP99Ms)} · ${formatNumber(stats.latencyCount)} batches`;
    accepted.value.textContent = formatNumber(stats.accepted);
    accepted.value.dataset.value = String(stats.accepted);
    accepted.sub.textContent = `${formatNumber(stats.duplicates)} duplicates · ${formatNumber(stats.rejected)} rejected · ${formatNumber(stats.late)} late`;
    watermark.value.textContent = stats.watermark ? stats.watermark.slice(11, 19) : '–';
    watermark.sub.textContent = stats.watermark ? `${stats.watermark.slice(0, 10)} UTC (event time)` : 'no events yet';
  }

  function renderPicker(): void {
    const known = [...new Set([...names, ...selected])].sort();
    replaceChildren(metricChips, ...known.map((name) => {
      const box = h('input', { type: 'checkbox', value: name, 'data-testid': `live-metric-${name}`, checked: selected.includes(name) });
      box.addEventListener('change', () => {
        selected = box.checked ? [...selected, name] : selected.filter((m) => m !== name);
        restart();
      });
      return h('label', { class: 'chip' }, box, h('span', { class: 'chip__label' }, name));
    }));
    const options = sizes.length > 0 ? sizes : [size || '1m'];
    replaceChildren(sizeSelect, ...options.map((s) => h('option', { value: s, selected: s === size }, s)));
  }

  function scheduleRender(): void {
    if (renderQueued || unmounted) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      if (!unmounted) renderData();
    });
  }

  function renderData(): void {
    empty.hidden = names.length > 0 || selected.length > 0;
    const rows: HTMLElement[] = [];
    for (const metric of selected) {
      const openBySeries = new Map(open.filter((o) => o.name === metric).map((o) => [seriesLabel(o), o]));
      const latest = history.latest(metric);
      const labels = [...new Set([...latest.map(seriesLabel), ...openBySeries.keys()])].sort();
      for (const label of labels) {
        const m = latest.find((l) => seriesLabel(l) === label);
        const o = openBySeries.get(label);
        const trendClass = m?.trend === 'INCREASING' ? 'trend--up' : m?.trend === 'DECREASING' ? 'trend--down' : 'trend--flat';
        rows.push(h('tr', { 'data-testid': 'live-row', 'data-metric': metric, 'data-series': label, 'data-value': m ? String(m.value) : '', 'data-window-end': m?.windowEnd ?? '', 'data-trend': m?.trend ?? '', 'data-p50': m ? String(m.p50) : '', 'data-p95': m ? String(m.p95) : '' },
          h('th', { scope: 'row' }, metric), h('td', {}, label),
          h('td', {}, m ? m.windowEnd.slice(11, 19) : '–'),
          h('td', { class: 'num' }, m ? formatNumber(m.value, 2) : '–'),
          h('td', { class: 'num' }, m ? formatNumber(m.p95, 2) : '–'),
          h('td', { class: 'num' }, m ? formatNumber(m.count) : '–'),
          h('td', { class: trendClass }, m ? m.trend.toLowerCase() : '–'),
          h('td', { class: 'num', 'data-testid': 'live-open-value', 'data-value': o ? String(o.value) : '' }, o ? `${formatNumber(o.value, 2)} (${formatNumber(o.count)})` : '–')));
      }
    }
    replaceChildren(tableBody, ...(rows.length > 0 ? rows : [h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'Waiting for the first closed window…'))]));

    for (const [metric, chart] of charts) {
      const series = [...history.series(metric).entries()].sort(([a], [b]) => a.localeCompare(b));
      const ends = [...new Set(series.flatMap(([, points]) => points.map((p) => p.windowEnd)))].sort();
      const option: ChartOption = {
        tooltip: { trigger: 'axis' },
        legend: { type: 'scroll', top: 0, data: series.map(([label]) => label) },
        grid: { left: 60, right: 16, top: 36, bottom: 28 },
        xAxis: { type: 'category', data: ends.map((e) => e.slice(11, 19)) },
        yAxis: { type: 'value', scale: true },
        series: series.flatMap(([label, points], i) => {
          const color = SERVICE_PALETTE[i % SERVICE_PALETTE.length] ?? '#2563eb';
          const at = new Map(points.map((p) => [p.windowEnd, p]));
          const pick = (f: (p: StreamMetric) => number) => ends.map((e) => { const p = at.get(e); return p ? f(p) : null; });
          const stack = `band-${i}`;
          return [
            { name: `${label} p50`, type: 'line' as const, stack, data: pick((p) => p.p50), lineStyle: { opacity: 0 }, symbol: 'none', tooltip: { show: false } },
            { name: `${label} p50–p95`, type: 'line' as const, stack, data: pick((p) => p.p95 - p.p50), lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color, opacity: 0.18 }, tooltip: { show: false } },
            { name: label, type: 'line' as const, data: pick((p) => p.value), symbol: 'circle', symbolSize: 5, lineStyle: { color, width: 2 }, itemStyle: { color } },
          ];
        }),
      };
      chart.set(option);
      const points = series.reduce((n, [, p]) => n + p.length, 0);
      chart.element.setAttribute('aria-label', `${metric}: ${points} closed windows in ${series.length} series; line = window average, band = p50 to p95.`);
      chart.element.dataset.points = String(points);
      // The plotted p50–p95 bands, per series in legend order: "p50..p95" per closed window (for tests and screen readers' data export).
      chart.element.dataset.bands = series.map(([, pts]) => pts.map((p) => `${p.p50}..${p.p95}`).join(';')).join('|');
    }
  }

  function buildCharts(): void {
    for (const chart of charts.values()) chart.dispose();
    charts = new Map();
    replaceChildren(chartsBox, ...selected.map((metric) => {
      const box = h('div', { class: 'chart live-chart', role: 'img', 'aria-label': metric, 'data-testid': `live-chart-${metric}` });
      charts.set(metric, new Chart(box));
      return h('section', { class: 'card panel' }, h('header', { class: 'panel__head' }, h('h2', { class: 'panel__title' }, metric),
        h('span', { class: 'panel__meta' }, `${size} windows · average, p50–p95 band`)), box);
    }));
  }

  async function loadHistory(signal: AbortSignal): Promise<void> {
    if (selected.length === 0) return;
    const { data } = await graphql<{ streamWindows: StreamMetric[] }>(HISTORY_QUERY, { metrics: selected, size }, signal);
    for (const m of data.streamWindows) history.add(m);
    scheduleRender();
  }

  async function poll(signal: AbortSignal): Promise<void> {
    try {
      const { data } = await graphql<{ streamMetricNames: string[]; streamStats: StreamStats; open: StreamMetric[] }>(
        POLL_QUERY, { metrics: selected.length > 0 ? selected : null, size }, signal);
      renderStats(data.streamStats);
      open = selected.length > 0 ? data.open : [];
      if (data.streamMetricNames.join('\n') !== names.join('\n')) {
        names = data.streamMetricNames;
        renderPicker();
      }
      scheduleRender();
    } catch (e) {
      if (!isAbortError(e)) showError(e instanceof ApiError ? e.messages : [String(e)]);
    }
  }

  function startSocket(onFirst: () => void): void {
    socket?.stop();
    socket = null;
    if (selected.length === 0) {
      setStatus('stopped', 'Pick a metric to go live.');
      onFirst();
      return;
    }
    let first = true;
    const signal = controller.signal;
    const settle = () => {
      if (first) {
        first = false;
        onFirst();
      }
    };
    socket = new LiveSocket(graphqlSocketUrl(), SUBSCRIPTION, { metrics: selected, size }, {
      next(data) {
        const m = (data as { streamMetrics?: StreamMetric }).streamMetrics;
        if (m && history.add(m)) scheduleRender();
      },
      error(messages) {
        showError(messages);
      },
      status(s, detail) {
        setStatus(s, detail);
        if (s === 'reconnecting') settle(); // the first attempt failed: the page is rendered, it keeps retrying
      },
      subscribed() {
        // Closed windows may have been missed while disconnected: refill from the history.
        loadHistory(signal).then(settle, (e: unknown) => {
          if (!isAbortError(e)) showError(e instanceof ApiError ? e.messages : [String(e)]);
          settle();
        });
      },
    });
    socket.start();
  }

  /** (Re)starts everything for the current selection: history, subscription, polling. */
  function restart(): void {
    controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    ctx.setReady(false);
    showError(null);
    const params = new URLSearchParams();
    if (selected.length > 0) params.set('metrics', selected.join(','));
    if (size) params.set('size', size);
    ctx.setParams(params);
    history.clear();
    open = [];
    renderPicker();
    buildCharts();
    renderData();
    if (pollTimer !== null) clearInterval(pollTimer);
    pollTimer = setInterval(() => void poll(signal), POLL_MS);
    startSocket(() => {
      void poll(signal).then(async () => {
        renderData();
        await nextPaint();
        if (!signal.aborted) ctx.setReady(true);
      });
    });
  }

  sizeSelect.addEventListener('change', () => {
    size = sizeSelect.value;
    restart();
  });

  void (async () => {
    ctx.setReady(false);
    try {
      const { data } = await graphql<{ streamMetricNames: string[]; streamStats: StreamStats }>(META_QUERY, {}, controller.signal);
      names = data.streamMetricNames;
      sizes = data.streamStats.windowSizes;
      if (!size || !sizes.includes(size)) size = sizes[0] ?? '1m';
      if (selected.length === 0) selected = names.slice(0, 2);
      renderStats(data.streamStats);
      if (!unmounted) restart();
    } catch (e) {
      if (isAbortError(e)) return;
      showError(e instanceof ApiError ? e.messages : [String(e)]);
      setStatus('stopped', 'Not connected.');
      ctx.setReady(true);
    }
  })();

  return {
    unmount() {
      unmounted = true;
      controller.abort();
      if (pollTimer !== null) clearInterval(pollTimer);
      socket?.stop();
      for (const chart of charts.values()) chart.dispose();
    },
  };
}
