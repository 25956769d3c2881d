// "Anomalies": cost anomalies of the store (GraphQL detectAnomalies), largest dollar impact first. Selecting one shows
// its series with the expected band, the actual line and the flagged days, the root-cause breakdown as bars, the
// probable causes and recommended actions, and buttons that record a verdict (markAnomaly). See docs/anomalies.md.
import './anomalies.css';
import { ApiError, graphql, isAbortError } from '../../api/graphql';
import { Chart } from '../../charts/echarts';
import { h, nextPaint, replaceChildren } from '../../lib/dom';
import { formatMoney } from '../../lib/format';
import type { PageContext, PageInstance } from '../registry';
import { liveAlertsPanel } from './live-alerts';
import { type Anomaly, DETECT_QUERY, FP_RATES, type FeedbackKind, MARK_MUTATION, SEVERITIES, causeLabel } from './anomalies-data';

export function mount(root: HTMLElement, ctx: PageContext): PageInstance {
  const start = h('input', { type: 'date', 'data-testid': 'anomalies-from', 'aria-label': 'From' });
  const end = h('input', { type: 'date', 'data-testid': 'anomalies-to', 'aria-label': 'To' });
  const fp = h('select', { 'data-testid': 'anomalies-fp', 'aria-label': 'Target false-positive rate' },
    ...FP_RATES.map((r) => h('option', { value: r }, `FP rate ${Number(r) * 100}%`)));
  const severity = h('select', { 'data-testid': 'anomalies-severity', 'aria-label': 'Minimum severity' },
    ...SEVERITIES.map((s) => h('option', { value: s }, `${s.toLowerCase()} and above`)));
  const suppressed = h('input', { type: 'checkbox', 'data-testid': 'anomalies-suppressed' });
  const error = h('div', { class: 'error', role: 'alert', 'data-testid': 'error', hidden: true });
  const status = h('p', { class: 'muted', role: 'status', 'data-testid': 'anomalies-status' });
  const list = h('div', { class: 'table-wrap', 'data-testid': 'anomalies-list' });
  const detail = h('div', { class: 'anomaly-detail', 'data-testid': 'anomaly-detail' });
  const chartBox = h('div', { class: 'chart', role: 'img', 'aria-label': 'Select an anomaly', 'data-testid': 'anomaly-chart', style: 'height: 300px' });
  const causesBox = h('div', { class: 'chart', role: 'img', 'aria-label': 'Root-cause breakdown', 'data-testid': 'anomaly-causes-chart', style: 'height: 240px' });
  const info = h('div', { 'data-testid': 'anomaly-info' });
  const alerts = liveAlertsPanel();
  start.value = ctx.params.get('from') ?? '';
  end.value = ctx.params.get('to') ?? '';
  fp.value = ctx.params.get('fp') ?? '0.05';
  severity.value = ctx.params.get('severity') ?? 'LOW';
  suppressed.checked = ctx.params.get('suppressed') === '1';
  replaceChildren(root,
    h('section', { class: 'filters card' }, h('div', { class: 'filters__row' },
      h('div', { class: 'field field--dates' },
        h('label', { class: 'field' }, h('span', { class: 'field__label' }, 'From'), start),
        h('span', { class: 'field__sep' }, '–'),
        h('label', { class: 'field' }, h('span', { class: 'field__label' }, 'To'), end)),
      h('label', { class: 'field' }, h('span', { class: 'field__label' }, 'Sensitivity'), fp),
      h('label', { class: 'field' }, h('span', { class: 'field__label' }, 'Severity'), severity),
      h('label', { class: 'anomalies-check' }, suppressed, ' show suppressed'))),
    error, status,
    h('div', { class: 'anomalies-layout' }, list, h('section', { class: 'panel' }, detail, info, chartBox, causesBox)),
    alerts.el);
  const chart = new Chart(chartBox);
  const causes = new Chart(causesBox);
  let controller: AbortController | null = null;
  let anomalies: Anomaly[] = [];
  let selected: string | null = ctx.params.get('id');

  async function load(): Promise<void> {
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    ctx.setReady(false);
    error.hidden = true;
    const params = new URLSearchParams();
    if (start.value) params.set('from', start.value);
    if (end.value) params.set('to', end.value);
    if (fp.value !== '0.05') params.set('fp', fp.value);
    if (severity.value !== 'LOW') params.set('severity', severity.value);
    if (suppressed.checked) params.set('suppressed', '1');
    try {
      const { data } = await graphql<{ detectAnomalies: Anomaly[] }>(DETECT_QUERY, {
        threshold: Number(fp.value), start: start.value || undefined, end: end.value || undefined,
        min: severity.value, suppressed: suppressed.checked,
      }, signal);
      anomalies = data.detectAnomalies;
      if (!anomalies.some((a) => a.id === selected)) selected = anomalies[0]?.id ?? null;
      if (selected) params.set('id', selected);
      ctx.setParams(params);
      renderList();
      renderDetail();
      await nextPaint();
      ctx.setReady(true);
    } catch (e) {
      if (isAbortError(e)) return;
      error.hidden = false;
      error.textContent = e instanceof ApiError ? e.messages.join(' ') : String(e);
      replaceChildren(list);
      replaceChildren(detail);
      chart.clear();
      causes.clear();
      ctx.setReady(true);
    }
  }

  function renderList(): void {
    status.textContent = anomalies.length === 0
      ? 'No anomalies in this range.'
      : `${anomalies.length} anomal${anomalies.length === 1 ? 'y' : 'ies'}, largest dollar impact first.`;
    const rows = anomalies.map((a) => {
      const top = a.rootCauses[0];
      const row = h('tr', {
        class: 'anomaly-row', 'data-testid': 'anomaly-row', 'data-id': a.id, tabindex: 0, 'aria-selected': String(a.id === selected),
      },
      h('td', { class: 'nowrap' }, a.timestamp),
      h('td', { class: 'anomaly-service', title: `${a.providerName} · ${a.service}${a.billingAccountId ? ` · account ${a.billingAccountId}` : ''}` },
        a.service, h('div', { class: 'muted' }, a.billingAccountId ? `${a.providerName} · ${a.billingAccountId}` : a.providerName)),
      h('td', { class: 'num', 'data-testid': 'anomaly-impact' }, formatMoney(a.actualCost - a.expectedCost, a.currency)),
      h('td', { class: 'num' }, `${a.deviationPercentage > 0 ? '+' : ''}${a.deviationPercentage.toFixed(1)}%`),
      h('td', {}, h('span', { class: `sev sev--${a.severity}` }, a.severity), a.suppressed ? ' (suppressed)' : ''),
      h('td', { class: 'muted anomaly-cause', title: top ? causeLabel(top) : '' }, top ? truncate(causeLabel(top), 48) : ''));
      const choose = () => {
        selected = a.id;
        const p = new URLSearchParams(ctx.params);
        p.set('id', a.id);
        ctx.setParams(p);
        for (const r of rows) r.setAttribute('aria-selected', String(r.dataset.id === a.id));
        renderDetail();
      };
      row.addEventListener('click', choose);
      row.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); choose(); } });
      return row;
    });
    replaceChildren(list, anomalies.length === 0 ? h('div', { class: 'empty' }, 'No anomalies.') : h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Day'), h('th', {}, 'Service'), h('th', { class: 'num' }, 'Impact'),
        h('th', { class: 'num' }, 'Deviation'), h('th', {}, 'Severity'), h('th', {}, 'Top cause'))),
      h('tbody', {}, ...rows)));
  }

  function renderDetail(): void {
    const a = anomalies.find((x) => x.id === selected);
    if (!a) {
      replaceChildren(detail, h('p', { class: 'muted' }, 'Select an anomaly.'));
      replaceChildren(info);
      chart.clear();
      causes.clear();
      return;
    }

    const mark = (kind: FeedbackKind, label: string) => h('button', { type: 'button', 'data-testid': `mark-${kind.toLowerCase()}`, onclick: () => void markAs(a, kind) }, label);
    replaceChildren(detail,
      h('h3', { 'data-testid': 'anomaly-title' }, `${a.providerName} · ${a.service}${a.billingAccountId ? ` · account ${a.billingAccountId}` : ''} · ${a.timestamp}`),
      h('p', {}, `Expected ${formatMoney(a.expectedCost, a.currency)}, actual ${formatMoney(a.actualCost, a.currency)} `,
        `(${a.deviationPercentage > 0 ? '+' : ''}${a.deviationPercentage.toFixed(1)}%), severity ${a.severity}${a.suppressed ? ', suppressed by feedback' : ''}.`),
      h('div', { class: 'anomaly-actions' }, mark('EXPECTED', 'Mark expected'), mark('PLANNED', 'Mark planned'), mark('REAL', 'Mark real')));
    replaceChildren(info,
      h('h4', {}, 'Probable causes'), h('ul', { 'data-testid': 'anomaly-causes' }, ...a.probableCauses.map((c) => h('li', {}, c))),
      h('h4', {}, 'Recommended actions'), h('ul', { 'data-testid': 'anomaly-actions' }, ...a.recommendedActions.map((c) => h('li', {}, c))));

    const days = a.series.map((p) => p.date);
    chart.set({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: ['Expected band', 'Expected', 'Actual', 'Flagged'] },
      grid: { left: 70, right: 20, top: 36, bottom: 30 },
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value' },
      series: [
        { name: 'Expected band base', type: 'line', stack: 'band', data: a.series.map((p) => p.lower), lineStyle: { opacity: 0 }, symbol: 'none', tooltip: { show: false } },
        { name: 'Expected band', type: 'line', stack: 'band', data: a.series.map((p) => p.upper - p.lower), lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color: 'rgba(59,130,246,0.18)' } },
        { name: 'Expected', type: 'line', data: a.series.map((p) => p.expected), symbol: 'none', lineStyle: { color: '#2563eb', type: 'dashed' } },
        { name: 'Actual', type: 'line', data: a.series.map((p) => p.actual), symbol: 'none', lineStyle: { color: '#334155' } },
        { name: 'Flagged', type: 'line', data: a.series.map((p) => (p.flagged ? p.actual : null)), symbol: 'circle', symbolSize: 9, lineStyle: { opacity: 0 }, itemStyle: { color: '#dc2626' } },
      ],
    });
    const flagged = a.series.filter((p) => p.flagged).length;
    chartBox.setAttribute('aria-label', `${a.service}: ${a.series.length} days of actual cost against the expected band; ${flagged} flagged days.`);

    const bars = [...a.rootCauses].slice(0, 10).reverse();
    causes.set({
      tooltip: { trigger: 'axis' },
      grid: { left: 260, right: 30, top: 10, bottom: 30 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: bars.map((c) => truncate(causeLabel(c), 40)) },
      series: [{
        name: 'Dollar delta', type: 'bar',
        data: bars.map((c) => ({ value: c.dollarDelta, itemStyle: { color: c.dollarDelta >= 0 ? '#dc2626' : '#16a34a' } })),
      }],
    });
    causesBox.setAttribute('aria-label', `Root-cause breakdown: ${a.rootCauses.slice(0, 3).map((c) => `${causeLabel(c)} ${formatMoney(c.dollarDelta, a.currency)}`).join('; ')}.`);
  }

  async function markAs(a: Anomaly, kind: FeedbackKind): Promise<void> {
    ctx.setReady(false);
    try {
      await graphql(MARK_MUTATION, { id: a.id, kind });
      status.textContent = `Marked the ${a.timestamp} anomaly of ${a.service} as ${kind.toLowerCase()}.`;
      await load();
      status.textContent = `Marked the ${a.timestamp} anomaly of ${a.service} as ${kind.toLowerCase()}. ${status.textContent ?? ''}`;
    } catch (e) {
      error.hidden = false;
      error.textContent = e instanceof ApiError ? e.messages.join(' ') : String(e);
      ctx.setReady(true);
    }
  }

  for (const el of [start, end, fp, severity, suppressed]) el.addEventListener('change', () => void load());
  void load();
  return {
    unmount() {
      alerts.stop();
      controller?.abort();
      chart.dispose();
      causes.dispose();
    },
  };
}

function truncate(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
