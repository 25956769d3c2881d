// Stable colours: each provider keeps its colour across charts and reloads.
import type { CloudProvider } from '../api/cost';

export const PROVIDER_COLORS: Record<CloudProvider, string> = {
  AWS: '#f59e0b',
  AZURE: '#2563eb',
  GCP: '#16a34a',
  ORACLE: '#dc2626',
  IBM: '#7c3aed',
  ALIBABA: '#0891b2',
  OTHER: '#64748b',
};

/** Categorical palette for services (10 distinct hues, colour-blind friendly order), plus grey for "Other". */
export const SERVICE_PALETTE = [
  '#2563eb', '#f59e0b', '#16a34a', '#db2777', '#7c3aed',
  '#0891b2', '#ea580c', '#65a30d', '#9333ea', '#0d9488',
];
export const OTHER_COLOR = '#94a3b8';

export function providerColor(provider: CloudProvider | null | undefined): string {
  return provider ? PROVIDER_COLORS[provider] ?? OTHER_COLOR : OTHER_COLOR;
}
