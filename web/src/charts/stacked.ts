// Option builder for the stacked cost-over-time charts (bars or areas).
import type { Granularity } from '../api/cost';
import { formatBucketLong, formatBucketShort, formatMoney, formatMoneyCompact } from '../lib/format';
import type { ChartOption } from './echarts';

export interface StackedSeries {
  name: string;
  color: string;
  /** One value per bucket (0 where the series has no cost). */
  values: number[];
}

export interface StackedChartInput {
  buckets: string[];
  granularity: Granularity;
  series: StackedSeries[];
  currency: string;
  kind: 'bar' | 'area';
  /** Per bucket: days covered and whether it is a partial week/month (drawn faded, flagged in the tooltip). */
  spans?: ReadonlyArray<{ days: number; partial: boolean }>;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

interface TooltipParam {
  seriesName?: string;
  value?: unknown;
  color?: unknown;
  dataIndex?: number;
}

export function stackedOption(input: StackedChartInput): ChartOption {
  const { buckets, granularity, series, currency, kind } = input;
  const many = buckets.length > 45;

  const tooltipFormatter = (raw: unknown): string => {
    const params = (Array.isArray(raw) ? raw : [raw]) as TooltipParam[];
    const index = params[0]?.dataIndex ?? 0;
    const rows = params
      .map((p) => ({ name: p.seriesName ?? '', value: typeof p.value === 'number' ? p.value : Number(p.value) || 0, color: typeof p.color === 'string' ? p.color : '#999' }))
      .filter((r) => r.value !== 0)
      .sort((a, b) => b.value - a.value);
    const total = rows.reduce((s, r) => s + r.value, 0);
    const span = input.spans?.[index];
    const note = span?.partial ? ` <span class="tt-note">partial: ${span.days} ${span.days === 1 ? 'day' : 'days'}</span>` : '';
    const title = escapeHtml(formatBucketLong(buckets[index] ?? '', granularity)) + note;
    const lines = rows.map(
      (r) =>
        `<div class="tt-row"><span class="tt-dot" style="background:${r.color}"></span><span class="tt-name">${escapeHtml(r.name)}</span><span class="tt-val">${escapeHtml(formatMoney(r.value, currency))}</span></div>`,
    );
    return `<div class="tt"><div class="tt-title">${title}</div>${lines.join('')}<div class="tt-row tt-total"><span class="tt-name">Total</span><span class="tt-val">${escapeHtml(formatMoney(total, currency))}</span></div></div>`;
  };

  return {
    color: series.map((s) => s.color),
    grid: { left: 12, right: 16, top: 44, bottom: 8, containLabel: true },
    legend: {
      type: 'scroll',
      top: 0,
      left: 0,
      icon: 'roundRect',
      itemWidth: 12,
      itemHeight: 12,
      textStyle: { color: '#334155', fontSize: 12 },
      pageIconSize: 10,
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: kind === 'bar' ? 'shadow' : 'line' },
      confine: true,
      borderColor: '#e2e8f0',
      padding: [8, 10],
      extraCssText: 'box-shadow: 0 4px 16px rgba(15,23,42,.12); border-radius: 8px;',
      formatter: tooltipFormatter,
    },
    xAxis: {
      type: 'category',
      data: buckets,
      boundaryGap: kind === 'bar',
      axisTick: { show: false },
      axisLine: { lineStyle: { color: '#cbd5e1' } },
      axisLabel: {
        color: '#64748b',
        hideOverlap: true,
        formatter: (value: string) => formatBucketShort(value, granularity),
      },
    },
    yAxis: {
      type: 'value',
      splitLine: { lineStyle: { color: '#eef2f7' } },
      axisLabel: { color: '#64748b', formatter: (v: number) => formatMoneyCompact(v, currency) },
    },
    series: series.map((s) =>
      kind === 'bar'
        ? {
            type: 'bar' as const,
            name: s.name,
            stack: 'cost',
            data: s.values.map((v, i) => (input.spans?.[i]?.partial ? { value: v, itemStyle: { opacity: 0.45 } } : v)),
            barMaxWidth: 28,
            barCategoryGap: many ? '15%' : '30%',
            itemStyle: { color: s.color },
          }
        : {
            type: 'line' as const,
            name: s.name,
            stack: 'cost',
            data: s.values,
            smooth: false,
            symbol: 'none',
            lineStyle: { width: 1.2, color: s.color },
            areaStyle: { opacity: 0.85, color: s.color },
            itemStyle: { color: s.color },
          },
    ),
  };
}

/** Text alternative for a stacked chart: the series totals, largest first. */
export function describeSeries(prefix: string, series: readonly StackedSeries[], currency: string): string {
  const totals = series.map((s) => ({ name: s.name, total: s.values.reduce((a, b) => a + b, 0) }));
  const sum = totals.reduce((a, t) => a + t.total, 0);
  const parts = totals.map((t) => `${t.name} ${formatMoney(t.total, currency)}${sum ? ` (${Math.round((t.total / sum) * 100)}%)` : ''}`);
  return `${prefix}. ${parts.join('; ')}.`;
}
