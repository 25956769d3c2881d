// "Live alerts" panel of the Anomalies page: two GraphQL subscriptions over one graphql-transport-ws client each
// (the Live page's LiveSocket, with its reconnect/backoff): anomalyDetected (new cost anomalies found by the server's
// monitor) and streamAnomalyDetected (closed windows of the real-time engine that the online detector flags). Each
// alert is prepended (newest first, at most MAX_ALERTS kept) with its time, kind, series or service, value vs expected
// and severity. The panel says plainly when a socket is down or a feed is unavailable. See docs/dashboard.md.
import { h, replaceChildren } from '../../lib/dom';
import { formatMoney, formatNumber } from '../../lib/format';
import { LiveSocket, graphqlSocketUrl, type SocketStatus } from '../live/live-socket';
import type { Severity } from './anomalies-data';

export const MAX_ALERTS = 50;

export const COST_SUBSCRIPTION = `subscription { anomalyDetected {
  id timestamp providerName service billingAccountId currency expectedCost actualCost deviationPercentage severity } }`;

export const STREAM_SUBSCRIPTION = `subscription { streamAnomalyDetected {
  id metric eventType provider region service account resourceId windowEnd windowSize valueOf value expected deviationPercentage score severity } }`;

interface CostAlert {
  id: string; timestamp: string; providerName: string; service: string; billingAccountId: string | null; currency: string;
  expectedCost: number; actualCost: number; deviationPercentage: number; severity: Severity;
}

interface StreamAlert {
  id: string; metric: string; eventType: string; provider: string; region: string; service: string; account: string; resourceId: string;
  windowEnd: string; windowSize: string; valueOf: string; value: number; expected: number; deviationPercentage: number | null; score: number; severity: Severity;
}

/** One row of the panel, whatever its source. */
export interface LiveAlert {
  id: string; kind: 'cost' | 'stream'; time: string; subject: string; value: string; expected: string; deviation: number | null; severity: Severity;
  /** The unformatted value and expectation (data attributes, for tests and copy). */
  raw: [number, number];
}

function fromCost(a: CostAlert): LiveAlert {
  const where = [a.providerName, a.service, a.billingAccountId ? `account ${a.billingAccountId}` : ''].filter((s) => s).join(' · ');
  return {
    id: a.id, kind: 'cost', time: a.timestamp, subject: where, value: formatMoney(a.actualCost, a.currency),
    expected: formatMoney(a.expectedCost, a.currency), deviation: a.deviationPercentage, severity: a.severity,
    raw: [a.actualCost, a.expectedCost],
  };
}

function fromStream(a: StreamAlert): LiveAlert {
  const series = [a.provider, a.region, a.service, a.account, a.resourceId].filter((s) => s).join(' · ');
  return {
    id: a.id, kind: 'stream', time: a.windowEnd, subject: `${a.metric} (${a.valueOf.toLowerCase()}, ${a.windowSize}) · ${series || a.eventType}`,
    value: formatNumber(a.value, 2), expected: formatNumber(a.expected, 2), deviation: a.deviationPercentage, severity: a.severity,
    raw: [a.value, a.expected],
  };
}

interface Feed { name: string; status: SocketStatus; detail: string; error: string | null }

/** Builds the panel and opens both subscriptions; `stop()` closes them. */
export function liveAlertsPanel(): { el: HTMLElement; stop(): void } {
  const alerts: LiveAlert[] = [];
  const feeds: Record<'cost' | 'stream', Feed> = {
    cost: { name: 'Cost anomalies', status: 'connecting', detail: 'Connecting…', error: null },
    stream: { name: 'Stream anomalies', status: 'connecting', detail: 'Connecting…', error: null },
  };
  const state = h('div', { class: 'live-alerts__state', role: 'status', 'data-testid': 'live-alerts-state' });
  const list = h('ol', { class: 'live-alerts__list', 'data-testid': 'live-alerts-list', 'aria-live': 'polite' });
  const empty = h('p', { class: 'muted', 'data-testid': 'live-alerts-empty' }, 'No alerts since this page opened.');
  const el = h('section', { class: 'card panel live-alerts', 'data-testid': 'live-alerts', 'aria-label': 'Live alerts' },
    h('header', { class: 'panel__head' }, h('h2', { class: 'panel__title' }, 'Live alerts'),
      h('span', { class: 'panel__meta' }, 'new cost anomalies and flagged stream windows, newest first')),
    state, empty, list);

  function renderState(): void {
    const line = (key: 'cost' | 'stream') => {
      const f = feeds[key];
      const down = f.status !== 'open';
      const text = f.error ? `${f.name}: unavailable (${f.error})` : down ? `${f.name}: not connected. ${f.detail}` : `${f.name}: connected.`;
      return h('div', { class: 'live-alerts__feed', 'data-testid': `live-alerts-${key}-status`, 'data-status': f.error ? 'error' : f.status }, text);
    };
    replaceChildren(state, line('cost'), line('stream'));
    const allDown = feeds.cost.status !== 'open' && feeds.stream.status !== 'open';
    el.dataset.socket = allDown ? 'down' : 'up';
  }

  function add(alert: LiveAlert): void {
    if (alerts.some((a) => a.id === alert.id)) return;
    alerts.unshift(alert);
    alerts.length = Math.min(alerts.length, MAX_ALERTS);
    empty.hidden = true;
    const dev = alert.deviation === null ? 'n/a' : `${alert.deviation > 0 ? '+' : ''}${alert.deviation.toFixed(1)}%`;
    const item = h('li', { class: 'live-alert', 'data-testid': 'live-alert', 'data-id': alert.id, 'data-kind': alert.kind, 'data-severity': alert.severity,
      'data-value': String(alert.raw[0]), 'data-expected': String(alert.raw[1]), 'data-time': alert.time },
      h('span', { class: 'nowrap muted', 'data-testid': 'live-alert-time' }, alert.time),
      h('span', { class: 'live-alert__kind' }, alert.kind),
      h('span', { class: 'live-alert__subject', 'data-testid': 'live-alert-subject' }, alert.subject),
      h('span', { class: 'num', 'data-testid': 'live-alert-values' }, `${alert.value} vs ${alert.expected} expected (${dev})`),
      h('span', { class: `sev sev--${alert.severity}` }, alert.severity));
    list.prepend(item);
    while (list.children.length > MAX_ALERTS) list.lastElementChild?.remove();
  }

  function open(key: 'cost' | 'stream', query: string, pick: (data: unknown) => LiveAlert | null): LiveSocket {
    const socket = new LiveSocket(graphqlSocketUrl(), query, {}, {
      next(data) {
        const alert = pick(data);
        if (alert) add(alert);
      },
      error(messages) {
        feeds[key].error = messages.join(' ');
        renderState();
      },
      status(status, detail) {
        feeds[key].status = status;
        feeds[key].detail = detail;
        renderState();
      },
      subscribed() {
        feeds[key].error = null;
        renderState();
      },
    });
    socket.start();
    return socket;
  }

  renderState();
  const sockets = [
    open('cost', COST_SUBSCRIPTION, (d) => {
      const a = (d as { anomalyDetected?: CostAlert }).anomalyDetected;
      return a ? fromCost(a) : null;
    }),
    open('stream', STREAM_SUBSCRIPTION, (d) => {
      const a = (d as { streamAnomalyDetected?: StreamAlert }).streamAnomalyDetected;
      return a ? fromStream(a) : null;
    }),
  ];
  return {
    el,
    stop() {
      for (const s of sockets) s.stop();
    },
  };
}
