// Queries of the Live page and the in-memory history of closed windows it charts.

export interface StreamMetric {
  name: string;
  value: number;
  timestamp: string;
  trend: 'INCREASING' | 'DECREASING' | 'STABLE';
  previousValue: number | null;
  windowStart: string;
  windowEnd: string;
  windowSize: string;
  final: boolean;
  count: number;
  min: number;
  max: number;
  p50: number;
  p95: number;
  p99: number;
  eventType: string;
  provider: string;
  region: string;
  service: string;
  account: string;
  tags: string;
}

export interface StreamStats {
  ingestRate: number | null;
  ingestRateWindowSeconds: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  late: number;
  latencyCount: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  watermark: string | null;
  windowSizes: string[];
}

const METRIC_FIELDS =
  'name value timestamp trend previousValue windowStart windowEnd windowSize final count min max p50 p95 p99 eventType provider region service account tags';

const STATS_FIELDS =
  'ingestRate ingestRateWindowSeconds accepted rejected duplicates late latencyCount latencyP50Ms latencyP95Ms latencyP99Ms watermark windowSizes';

/** Metric names the engine has seen and its stats (page load). */
export const META_QUERY = `query LiveMeta { streamMetricNames streamStats { ${STATS_FIELDS} } }`;

/** Polled every few seconds: stats, metric names and the provisional open windows of the chosen metrics. */
export const POLL_QUERY = `query LivePoll($metrics: [String!], $size: String) {
  streamMetricNames
  streamStats { ${STATS_FIELDS} }
  open: streamWindows(metricNames: $metrics, windowSize: $size, state: OPEN) { ${METRIC_FIELDS} }
}`;

/** The last closed windows, to fill the chart on load and after a reconnect. */
export const HISTORY_QUERY = `query LiveHistory($metrics: [String!], $size: String) {
  streamWindows(metricNames: $metrics, windowSize: $size, state: CLOSED, lastWindows: ${60}) { ${METRIC_FIELDS} }
}`;

/** Closed windows as they close. */
export const SUBSCRIPTION = `subscription Live($metrics: [String!]!, $size: String) {
  streamMetrics(metricNames: $metrics, windowSize: $size) { ${METRIC_FIELDS} }
}`;

/** Points kept per metric × series. */
export const MAX_POINTS = 120;

/** "usage · aws · ec2 · eu-west-1 · acct-a": the series' non-empty dimensions. */
export function seriesLabel(m: StreamMetric): string {
  return [m.eventType, m.provider, m.service, m.region, m.account, m.tags].filter((s) => s && s.length > 0).join(' · ') || '(all)';
}

/** Closed windows per metric → series label → points ordered by window end (no duplicates). */
export class WindowHistory {
  private readonly byMetric = new Map<string, Map<string, StreamMetric[]>>();

  /** Adds (or replaces) a closed window. Returns true when it changed the history. */
  add(m: StreamMetric): boolean {
    if (!m.final) return false;
    let series = this.byMetric.get(m.name);
    if (!series) {
      series = new Map();
      this.byMetric.set(m.name, series);
    }
    const label = seriesLabel(m);
    const points = series.get(label) ?? [];
    series.set(label, points);
    const at = points.findIndex((p) => p.windowEnd >= m.windowEnd);
    if (at >= 0 && points[at]?.windowEnd === m.windowEnd) {
      points[at] = m;
    } else if (at < 0) {
      points.push(m);
    } else {
      points.splice(at, 0, m);
    }
    if (points.length > MAX_POINTS) points.splice(0, points.length - MAX_POINTS);
    return true;
  }

  series(metric: string): Map<string, StreamMetric[]> {
    return this.byMetric.get(metric) ?? new Map();
  }

  /** The latest closed window of each series of a metric. */
  latest(metric: string): StreamMetric[] {
    return [...this.series(metric).values()].map((points) => points[points.length - 1]).filter((p): p is StreamMetric => p !== undefined);
  }

  clear(): void {
    this.byMetric.clear();
  }
}
