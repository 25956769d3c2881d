// Pure transformations from getCostMetrics answers to chart series and table rows.
import type { CloudProvider, CostMetric, CostSummary, Granularity, MetricsAnswer } from '../../api/cost';
import type { StackedSeries } from '../../charts/stacked';
import { OTHER_COLOR, providerColor, SERVICE_PALETTE } from '../../lib/colors';
import { addDays, addMonths, daysInclusive, eachDay, endOfMonth, maxDay, minDay, parseDay, startOfMonth } from '../../lib/dates';
import { providerLabel } from '../../lib/format';

/** Daily up to ~4 months, weekly up to ~13 months, monthly beyond. */
export function granularityFor(from: string, to: string): Exclude<Granularity, 'TOTAL'> {
  const days = daysInclusive(from, to);
  if (days > 400) return 'MONTHLY';
  if (days > 120) return 'WEEKLY';
  return 'DAILY';
}

const day = (timestamp: string | undefined): string => (timestamp ?? '').slice(0, 10);

/**
 * The x axis: every bucket of the range (days; ISO weeks labelled by their Monday; months labelled by
 * the 1st, as docs/cost-queries.md defines them), plus any other bucket day the server returned, so
 * periods without cost show as gaps instead of disappearing.
 */
export function bucketsFor(from: string, to: string, granularity: Granularity, metrics: readonly CostMetric[]): string[] {
  const set = new Set<string>(metrics.map((m) => day(m.timestamp)).filter((d) => d.length > 0));
  if (from <= to && daysInclusive(from, to) <= 3700) {
    if (granularity === 'DAILY') {
      for (const d of eachDay(from, to)) set.add(d);
    } else if (granularity === 'WEEKLY') {
      const weekday = (parseDay(from).getUTCDay() + 6) % 7; // Monday = 0
      for (let d = addDays(from, -weekday); d <= to; d = addDays(d, 7)) set.add(d);
    } else if (granularity === 'MONTHLY') {
      for (let d = startOfMonth(from); d <= to; d = addMonths(d, 1)) set.add(d);
    }
  }
  return [...set].sort();
}

/**
 * How many days of the range each bucket covers, and whether that is less than a full week/month.
 * Week buckets are ISO weeks labelled by their Monday and month buckets by the 1st, so the first label
 * may lie before the range start; the first and last buckets are often cut short by the range and would
 * otherwise look like a drop in cost.
 */
export function bucketSpans(buckets: readonly string[], granularity: Granularity, from: string, to: string): { days: number; partial: boolean }[] {
  return buckets.map((start, i) => {
    const next = buckets[i + 1];
    let end = next ? addDays(next, -1) : to;
    let full: number;
    if (granularity === 'WEEKLY') {
      end = minDay(end, addDays(start, 6));
      full = 7;
    } else if (granularity === 'MONTHLY') {
      end = minDay(end, endOfMonth(start));
      full = daysInclusive(`${start.slice(0, 7)}-01`, endOfMonth(start));
    } else {
      return { days: 1, partial: false };
    }
    const days = Math.max(1, daysInclusive(maxDay(start, from), minDay(end, to)));
    return { days, partial: days < full };
  });
}

interface SeriesAccumulator {
  key: string;
  name: string;
  provider: CloudProvider | null;
  isOther: boolean;
  total: number;
  values: number[];
}

function accumulate(
  metrics: readonly CostMetric[],
  buckets: readonly string[],
  keyOf: (m: CostMetric) => { key: string; name: string; isOther: boolean },
): SeriesAccumulator[] {
  const index = new Map(buckets.map((b, i) => [b, i]));
  const series = new Map<string, SeriesAccumulator>();
  for (const m of metrics) {
    const i = index.get(day(m.timestamp));
    if (i === undefined) continue;
    const { key, name, isOther } = keyOf(m);
    let s = series.get(key);
    if (!s) {
      s = { key, name, provider: m.provider, isOther, total: 0, values: new Array<number>(buckets.length).fill(0) };
      series.set(key, s);
    }
    const cost = Number(m.cost) || 0;
    s.values[i] = (s.values[i] ?? 0) + cost;
    s.total += cost;
  }
  // Largest first (bottom of the stack), "Other" always last.
  return [...series.values()].sort((a, b) => Number(a.isOther) - Number(b.isOther) || b.total - a.total);
}

const currencySuffix = (m: CostMetric, multiCurrency: boolean) => (multiCurrency ? ` (${m.currency})` : '');

/** One series per provider (per providerName, so several OTHER providers stay apart). */
export function providerSeries(answer: MetricsAnswer, buckets: readonly string[]): StackedSeries[] {
  const multi = answer.currencies.length > 1;
  const acc = accumulate(answer.metrics, buckets, (m) => ({
    key: `${m.provider ?? ''}|${m.providerName ?? ''}|${multi ? m.currency : ''}`,
    name: providerLabel(m.provider, m.providerName) + currencySuffix(m, multi),
    isOther: false,
  }));
  const used = new Set<string>();
  let spare = 0;
  return acc.map((s) => {
    let color = providerColor(s.provider);
    while (used.has(color) && spare < SERVICE_PALETTE.length) color = SERVICE_PALETTE[spare++] ?? OTHER_COLOR;
    used.add(color);
    return { name: s.name, color, values: s.values };
  });
}

/** Service labels, with the provider added where one service name occurs under several providers. */
function serviceNamer(metrics: readonly CostMetric[]): (m: CostMetric) => string {
  const providersOf = new Map<string, Set<string>>();
  for (const m of metrics) {
    if (m.isOther || !m.service) continue;
    const set = providersOf.get(m.service) ?? new Set<string>();
    set.add(`${m.provider}|${m.providerName}`);
    providersOf.set(m.service, set);
  }
  return (m) => {
    const service = m.service || '(no service)';
    return (providersOf.get(service)?.size ?? 0) > 1 ? `${service} · ${providerLabel(m.provider, m.providerName)}` : service;
  };
}

export const OTHER_SERVICES_LABEL = 'Other';

/** Top services over time; all `isOther` rows (one per provider or a single one) form one "Other" series. */
export function serviceSeries(answer: MetricsAnswer, buckets: readonly string[]): StackedSeries[] {
  const multi = answer.currencies.length > 1;
  const nameOf = serviceNamer(answer.metrics);
  const acc = accumulate(answer.metrics, buckets, (m) =>
    m.isOther
      ? { key: `other|${multi ? m.currency : ''}`, name: OTHER_SERVICES_LABEL + currencySuffix(m, multi), isOther: true }
      : { key: `${m.provider ?? ''}|${m.providerName ?? ''}|${m.service ?? ''}|${multi ? m.currency : ''}`, name: nameOf(m) + currencySuffix(m, multi), isOther: false },
  );
  let next = 0;
  return acc.map((s) => ({
    name: s.name,
    color: s.isOther ? OTHER_COLOR : SERVICE_PALETTE[next++ % SERVICE_PALETTE.length] ?? OTHER_COLOR,
    values: s.values,
  }));
}

export interface TopServiceRow {
  rank: number | null;
  service: string;
  provider: CloudProvider | null;
  providerName: string;
  currency: string;
  cost: number;
  /** Fraction of the period's total (same currency). */
  share: number;
  isOther: boolean;
}

/** Table rows: the top services by cost, then one aggregated "Other services" row per currency. */
export function topServiceRows(answer: MetricsAnswer): TopServiceRow[] {
  const totals = new Map<string, number>();
  const summaries: CostSummary[] = answer.summary ? [answer.summary] : answer.summaries;
  for (const s of summaries) totals.set(s.currency, Number(s.totalCost));
  const sumByCurrency = new Map<string, number>();
  for (const m of answer.metrics) sumByCurrency.set(m.currency, (sumByCurrency.get(m.currency) ?? 0) + (Number(m.cost) || 0));
  const totalOf = (currency: string) => totals.get(currency) ?? sumByCurrency.get(currency) ?? 0;
  const share = (cost: number, currency: string) => {
    const t = totalOf(currency);
    return t !== 0 ? cost / t : 0;
  };

  const nameOf = serviceNamer(answer.metrics);
  const top: TopServiceRow[] = answer.metrics
    .filter((m) => !m.isOther)
    .map((m) => ({
      rank: null,
      service: m.service ? nameOf(m) : '(no service)',
      provider: m.provider,
      providerName: providerLabel(m.provider, m.providerName),
      currency: m.currency,
      cost: Number(m.cost) || 0,
      share: share(Number(m.cost) || 0, m.currency),
      isOther: false,
    }))
    .sort((a, b) => b.cost - a.cost);
  top.forEach((r, i) => (r.rank = i + 1));

  const otherByCurrency = new Map<string, number>();
  for (const m of answer.metrics) if (m.isOther) otherByCurrency.set(m.currency, (otherByCurrency.get(m.currency) ?? 0) + (Number(m.cost) || 0));
  const others: TopServiceRow[] = [...otherByCurrency].map(([currency, cost]) => ({
    rank: null,
    service: 'Other services',
    provider: null,
    providerName: '—',
    currency,
    cost,
    share: share(cost, currency),
    isOther: true,
  }));
  return [...top, ...others];
}

/** Providers present in the range, largest first (merged per enum value: the filter works on the enum). */
export interface ProviderOption {
  provider: CloudProvider;
  label: string;
  cost: number;
  currency: string;
}

export function providerOptions(answer: MetricsAnswer): ProviderOption[] {
  const byProvider = new Map<CloudProvider, { names: Set<string>; cost: number; currency: string }>();
  for (const m of answer.metrics) {
    if (!m.provider) continue;
    const e = byProvider.get(m.provider) ?? { names: new Set<string>(), cost: 0, currency: m.currency };
    if (m.providerName) e.names.add(m.providerName);
    e.cost += Number(m.cost) || 0;
    byProvider.set(m.provider, e);
  }
  return [...byProvider]
    .map(([provider, e]) => ({
      provider,
      label: e.names.size === 1 ? [...e.names][0]! : providerLabel(provider),
      cost: e.cost,
      currency: answer.currencies.length > 1 ? '' : e.currency,
    }))
    .sort((a, b) => b.cost - a.cost);
}

/** Sum of `savings` per currency over all rows. */
export function savingsByCurrency(answer: MetricsAnswer): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of answer.metrics) out.set(m.currency, (out.get(m.currency) ?? 0) + (Number(m.savings) || 0));
  return out;
}
