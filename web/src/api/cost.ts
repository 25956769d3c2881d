// Types and operations for the cost API (see docs/dashboard.md for which panel uses which query).
import { ApiError, graphql, RawNumbers, type Variables } from './graphql';

export type CloudProvider = 'AWS' | 'AZURE' | 'GCP' | 'ORACLE' | 'IBM' | 'ALIBABA' | 'OTHER';
export type CostType = 'BILLED' | 'EFFECTIVE' | 'LIST';
export type Granularity = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'TOTAL';
export type Trend = 'INCREASING' | 'DECREASING' | 'STABLE';

export const COST_TYPES: ReadonlyArray<{ value: CostType; label: string; hint: string }> = [
  { value: 'BILLED', label: 'Billed', hint: 'BilledCost: what is invoiced' },
  { value: 'EFFECTIVE', label: 'Effective', hint: 'EffectiveCost: amortised, after discounts and commitments' },
  { value: 'LIST', label: 'List', hint: 'ListCost: at public list prices' },
];

export interface DataRange {
  from: string | null;
  to: string | null;
  rowCount: number;
}

export interface CostSummary {
  currency: string;
  totalCost: number;
  averageDailyCost: number;
  trend: Trend;
  days: number;
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: number;
}

/** The subset of CostMetric fields the dashboard asks for; fields not selected are absent. */
export interface CostMetric {
  timestamp?: string;
  provider: CloudProvider | null;
  providerName: string | null;
  service?: string | null;
  currency: string;
  cost: number;
  savings?: number;
  isOther?: boolean;
}

export interface CostMetricsResult {
  metrics: CostMetric[];
  summary?: CostSummary | null;
  summaries?: CostSummary[];
  currencies: string[];
  pageInfo: PageInfo;
}

/** All pages of one getCostMetrics query; `summary`/`summaries`/`currencies` come from the first page. */
export interface MetricsAnswer {
  metrics: CostMetric[];
  summary: CostSummary | null;
  summaries: CostSummary[];
  currencies: string[];
  totalCount: number;
  /** Exact JSON text of the first page's numbers (e.g. `raw.get(summary, 'totalCost')`). */
  raw: RawNumbers;
}

export interface CostQueryVariables {
  startDate: string;
  endDate: string;
  /** undefined = all providers (the variable is then not sent). */
  providers?: CloudProvider[] | undefined;
  costType: CostType;
  granularity?: Granularity | undefined;
}

// ---------------------------------------------------------------------------------------------
// The operations. Kept as plain strings so they can be copied verbatim into docs and tests.
// ---------------------------------------------------------------------------------------------

export const DATA_RANGE_QUERY = `query DataRange {
  dataRange { from to rowCount }
}`;

/** Providers present in the range (unfiltered), with their cost: feeds the provider filter. */
export const PROVIDERS_QUERY = `query ProvidersInRange($startDate: String!, $endDate: String!, $costType: CostType!, $after: String) {
  getCostMetrics(startDate: $startDate, endDate: $endDate, groupBy: [PROVIDER], costType: $costType, granularity: TOTAL, after: $after) {
    metrics { provider providerName currency cost }
    currencies
    pageInfo { hasNextPage endCursor totalCount }
  }
}`;

/** Cost by provider over time plus the period summary: feeds the KPI cards and the provider chart. */
export const COST_BY_PROVIDER_QUERY = `query CostByProvider($startDate: String!, $endDate: String!, $providers: [CloudProvider!], $costType: CostType!, $granularity: Granularity!, $after: String) {
  getCostMetrics(startDate: $startDate, endDate: $endDate, providers: $providers, groupBy: [PROVIDER], costType: $costType, granularity: $granularity, after: $after) {
    metrics { timestamp provider providerName currency cost savings }
    summary { currency totalCost averageDailyCost trend days }
    summaries { currency totalCost averageDailyCost trend days }
    currencies
    pageInfo { hasNextPage endCursor totalCount }
  }
}`;

/** Cost by service over time, top 10 services plus "Other": feeds the service chart. */
export const COST_BY_SERVICE_QUERY = `query CostByService($startDate: String!, $endDate: String!, $providers: [CloudProvider!], $costType: CostType!, $granularity: Granularity!, $after: String) {
  getCostMetrics(startDate: $startDate, endDate: $endDate, providers: $providers, groupBy: [SERVICE], topN: 10, costType: $costType, granularity: $granularity, after: $after) {
    metrics { timestamp provider providerName service currency cost isOther }
    currencies
    pageInfo { hasNextPage endCursor totalCount }
  }
}`;

/** Top 10 services over the whole range plus "Other": feeds the top-services table. */
export const TOP_SERVICES_QUERY = `query TopServices($startDate: String!, $endDate: String!, $providers: [CloudProvider!], $costType: CostType!, $after: String) {
  getCostMetrics(startDate: $startDate, endDate: $endDate, providers: $providers, groupBy: [SERVICE], topN: 10, costType: $costType, granularity: TOTAL, after: $after) {
    metrics { provider providerName service currency cost isOther }
    summary { currency totalCost }
    summaries { currency totalCost }
    currencies
    pageInfo { hasNextPage endCursor totalCount }
  }
}`;

/** Safety stop for cursor pagination (the page follows `pageInfo.endCursor` until `hasNextPage` is false). */
const MAX_PAGES = 500;

export async function fetchDataRange(signal?: AbortSignal): Promise<DataRange> {
  const { data } = await graphql<{ dataRange: DataRange }>(DATA_RANGE_QUERY, {}, signal);
  return data.dataRange;
}

/**
 * Runs a getCostMetrics operation and follows the cursor until every page is in. The page size is
 * left to the server (no `first` argument), so the dashboard never asks for more than it allows.
 */
export async function fetchAllMetrics(query: string, variables: Variables, signal?: AbortSignal): Promise<MetricsAnswer> {
  let after: string | undefined;
  let answer: MetricsAnswer | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { data, raw } = await graphql<{ getCostMetrics: CostMetricsResult }>(query, { ...variables, after }, signal);
    const result = data.getCostMetrics;
    if (!answer) {
      answer = {
        metrics: [...result.metrics],
        summary: result.summary ?? null,
        summaries: result.summaries ?? [],
        currencies: result.currencies,
        totalCount: result.pageInfo.totalCount,
        raw,
      };
    } else {
      answer.metrics.push(...result.metrics);
    }
    if (!result.pageInfo.hasNextPage || !result.pageInfo.endCursor || result.pageInfo.endCursor === after) return answer;
    after = result.pageInfo.endCursor;
  }
  throw new ApiError([`The answer has more than ${MAX_PAGES} pages; narrow the date range or the filters.`]);
}

function costVariables(v: CostQueryVariables): Variables {
  return {
    startDate: v.startDate,
    endDate: v.endDate,
    providers: v.providers && v.providers.length > 0 ? v.providers : undefined,
    costType: v.costType,
    granularity: v.granularity,
  };
}

export function fetchProviders(v: Pick<CostQueryVariables, 'startDate' | 'endDate' | 'costType'>, signal?: AbortSignal) {
  return fetchAllMetrics(PROVIDERS_QUERY, { startDate: v.startDate, endDate: v.endDate, costType: v.costType }, signal);
}

export function fetchCostByProvider(v: CostQueryVariables & { granularity: Granularity }, signal?: AbortSignal) {
  return fetchAllMetrics(COST_BY_PROVIDER_QUERY, costVariables(v), signal);
}

export function fetchCostByService(v: CostQueryVariables & { granularity: Granularity }, signal?: AbortSignal) {
  return fetchAllMetrics(COST_BY_SERVICE_QUERY, costVariables(v), signal);
}

export function fetchTopServices(v: CostQueryVariables, signal?: AbortSignal) {
  return fetchAllMetrics(TOP_SERVICES_QUERY, costVariables({ ...v, granularity: undefined }), signal);
}
