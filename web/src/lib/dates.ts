// UTC calendar-day helpers. Dates travel as ISO strings `YYYY-MM-DD` (inclusive UTC days).

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export function isIsoDay(s: string | null | undefined): s is string {
  if (!s || !ISO_DAY.test(s)) return false;
  const d = parseDay(s);
  return !Number.isNaN(d.getTime()) && toIsoDay(d) === s;
}

/** `YYYY-MM-DD` (or a longer ISO timestamp) → Date at 00:00 UTC. */
export function parseDay(s: string): Date {
  const m = ISO_DAY.exec(s.slice(0, 10));
  if (!m) return new Date(Number.NaN);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

export function toIsoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return toIsoDay(new Date(parseDay(day).getTime() + n * DAY_MS));
}

/** Adds calendar months, clamping to the month's last day (Mar 31 − 1 month = Feb 29/28). */
export function addMonths(day: string, n: number): string {
  const d = parseDay(day);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + n;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return toIsoDay(new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), last))));
}

export function startOfMonth(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

export function endOfMonth(day: string): string {
  const d = parseDay(day);
  return toIsoDay(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)));
}

export function startOfYear(day: string): string {
  return `${day.slice(0, 4)}-01-01`;
}

/** Number of days in the inclusive range [from, to] (0 or negative if to < from). */
export function daysInclusive(from: string, to: string): number {
  return Math.round((parseDay(to).getTime() - parseDay(from).getTime()) / DAY_MS) + 1;
}

export function maxDay(a: string, b: string): string {
  return a >= b ? a : b;
}

export function minDay(a: string, b: string): string {
  return a <= b ? a : b;
}

export function todayUtc(): string {
  return toIsoDay(new Date());
}

/** Every day of [from, to], for gap-free daily axes. */
export function eachDay(from: string, to: string, limit = 5000): string[] {
  const out: string[] = [];
  for (let d = from; d <= to && out.length < limit; d = addDays(d, 1)) out.push(d);
  return out;
}

/**
 * The default range: the last full calendar month of data. If the data ends on the last day of a
 * month that month is used (2024-12-31 → 2024-12-01..2024-12-31), otherwise the month before it.
 * Clamped to the data's first day.
 */
export function lastFullMonth(dataFrom: string, dataTo: string): { from: string; to: string } {
  let to = dataTo === endOfMonth(dataTo) ? dataTo : addDays(startOfMonth(dataTo), -1);
  if (to < dataFrom) to = dataTo; // less than one full month of data: show all of it
  const from = maxDay(startOfMonth(to), dataFrom);
  return { from, to };
}
