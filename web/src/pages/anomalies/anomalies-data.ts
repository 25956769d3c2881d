// GraphQL operations and types of the Anomalies page (detectAnomalies, markAnomaly; docs/api.md).

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type FeedbackKind = 'EXPECTED' | 'PLANNED' | 'REAL';

export interface RootCause { dimension: string; value: string; expected: number; actual: number; dollarDelta: number; share: number }
export interface SeriesPoint { date: string; actual: number; expected: number; lower: number; upper: number; flagged: boolean }
export interface Anomaly {
  id: string; timestamp: string; provider: string; providerName: string; service: string; billingAccountId: string | null;
  currency: string; expectedCost: number; actualCost: number; impact: number; deviationPercentage: number; severity: Severity;
  score: number; suppressed: boolean; probableCauses: string[]; recommendedActions: string[]; rootCauses: RootCause[]; series: SeriesPoint[];
}

export const DETECT_QUERY = `query Anomalies($threshold: Float, $start: String, $end: String, $min: AnomalySeverity, $suppressed: Boolean) {
  detectAnomalies(threshold: $threshold, startDate: $start, endDate: $end, minSeverity: $min, includeSuppressed: $suppressed, first: 200) {
    id timestamp provider providerName service billingAccountId currency expectedCost actualCost impact deviationPercentage severity
    score suppressed probableCauses recommendedActions rootCauses { dimension value expected actual dollarDelta share }
    series { date actual expected lower upper flagged }
  }
}`;

export const MARK_MUTATION = `mutation Mark($id: ID!, $kind: FeedbackKind!, $note: String) {
  markAnomaly(id: $id, kind: $kind, note: $note) { id kind }
}`;

export const FP_RATES = ['0.01', '0.05', '0.1'] as const;
export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

/** "resource=i-123" style label of a contributor. */
export function causeLabel(c: RootCause): string {
  return `${c.dimension.replace('_', ' ')}: ${c.value}`;
}
