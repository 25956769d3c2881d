// Number, currency and date formatting (browser locale; amounts always with 2 decimals).
import type { CloudProvider, Granularity } from '../api/cost';
import { parseDay } from './dates';

const currencyFormats = new Map<string, Intl.NumberFormat>();
const compactFormats = new Map<string, Intl.NumberFormat>();

function currencyFormat(currency: string, compact: boolean): Intl.NumberFormat | null {
  const cache = compact ? compactFormats : currencyFormats;
  const key = currency.toUpperCase();
  let f = cache.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, compact
        ? { style: 'currency', currency: key, notation: 'compact', maximumFractionDigits: 1 }
        : { style: 'currency', currency: key, minimumFractionDigits: 2, maximumFractionDigits: 2 });
    } catch {
      return null; // not an ISO 4217 code the browser knows
    }
    cache.set(key, f);
  }
  return f;
}

/** 12345.678 → "$12,345.68" (2 decimals). Unknown currency codes fall back to "12,345.68 XYZ". */
export function formatMoney(value: number, currency: string): string {
  if (!currency) return formatNumber(value, 2);
  const f = currencyFormat(currency, false);
  if (f) return f.format(value);
  return `${formatNumber(value, 2)} ${currency}`;
}

/** Short axis labels: "$12K", "$1.2M". */
export function formatMoneyCompact(value: number, currency: string): string {
  if (!currency) return new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
  const f = currencyFormat(currency, true);
  if (f) return f.format(value);
  return `${new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(value)} ${currency}`;
}

export function formatNumber(value: number, decimals = 0): string {
  return new Intl.NumberFormat(undefined, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
}

export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '–';
  return new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(fraction);
}

const dayFmt = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
const dayShortFmt = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', month: 'short', day: 'numeric' });
const monthFmt = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', year: 'numeric', month: 'short' });

/** "Dec 1, 2024". */
export function formatDay(day: string): string {
  return dayFmt.format(parseDay(day));
}

/** "Dec 1, 2024 – Dec 31, 2024". */
export function formatRange(from: string, to: string): string {
  return `${formatDay(from)} – ${formatDay(to)}`;
}

/** Axis label for a bucket start day. */
export function formatBucketShort(day: string, granularity: Granularity): string {
  const d = parseDay(day);
  if (Number.isNaN(d.getTime())) return day;
  return granularity === 'MONTHLY' ? monthFmt.format(d) : dayShortFmt.format(d);
}

/** Tooltip title for a bucket start day. */
export function formatBucketLong(day: string, granularity: Granularity): string {
  const d = parseDay(day);
  if (Number.isNaN(d.getTime())) return day;
  switch (granularity) {
    case 'MONTHLY':
      return monthFmt.format(d);
    case 'WEEKLY':
      return `Week of ${dayFmt.format(d)}`;
    default:
      return dayFmt.format(d);
  }
}

const PROVIDER_LABELS: Record<CloudProvider, string> = {
  AWS: 'AWS',
  AZURE: 'Microsoft Azure',
  GCP: 'Google Cloud',
  ORACLE: 'Oracle Cloud',
  IBM: 'IBM Cloud',
  ALIBABA: 'Alibaba Cloud',
  OTHER: 'Other providers',
};

export function providerLabel(provider: CloudProvider | null | undefined, providerName?: string | null): string {
  if (providerName && providerName.trim().length > 0) return providerName;
  return provider ? PROVIDER_LABELS[provider] ?? provider : 'Unknown provider';
}

export function providerEnumLabel(provider: CloudProvider): string {
  return PROVIDER_LABELS[provider] ?? provider;
}

export const GRANULARITY_LABELS: Record<Granularity, string> = {
  DAILY: 'daily',
  WEEKLY: 'weekly',
  MONTHLY: 'monthly',
  TOTAL: 'total',
};
