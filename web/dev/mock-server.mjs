#!/usr/bin/env node
// Development-only mock of the DWCP server: serves the built dashboard and answers POST /graphql with
// plausible, deterministic canned cost data for the queries the dashboard sends. No dependencies.
// Not part of the production build (Vite only bundles what index.html imports).
//
//   node dev/mock-server.mjs [--port 5178] [--root ../src/Dwcp.Server/wwwroot]
//
// Environment switches (for trying the page's edge cases):
//   MOCK_MULTI_CURRENCY=1  Oracle is billed in EUR: summary is null, one entry per currency in summaries
//   MOCK_EMPTY=1           empty store: dataRange {from: null, to: null, rowCount: 0}, no metrics
//   MOCK_OTHER_PER_PROVIDER=1  variant: topN "Other" rows keep their provider (one per provider); by default
//                          they are one line per bucket and currency with null keys, as the server does
//   MOCK_DELAY_MS=800      delay every /graphql answer (to see the loading states)
//   MOCK_PAGE_SIZE=200     default page size when the query has no `first` (cursor pagination)
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const PORT = Number(opt('port', process.env.PORT ?? 5178));
const HOST = '127.0.0.1';
const ROOT = resolve(opt('root', join(here, '..', '..', 'src', 'Dwcp.Server', 'wwwroot')));
const MULTI_CURRENCY = process.env.MOCK_MULTI_CURRENCY === '1';
const EMPTY = process.env.MOCK_EMPTY === '1';
const OTHER_PER_PROVIDER = process.env.MOCK_OTHER_PER_PROVIDER === '1';
const DELAY_MS = Number(process.env.MOCK_DELAY_MS ?? 0);
const DEFAULT_PAGE_SIZE = Number(process.env.MOCK_PAGE_SIZE ?? 200);

// ------------------------------------------------------------------------------------------------
// Synthetic data: daily cost per (provider, service), 2023-12-01 .. 2024-12-31, in micro-units
// (integers, so sums are exact and the decimals we print look like .NET decimals).
// ------------------------------------------------------------------------------------------------
const DATA_FROM = '2023-12-01';
const DATA_TO = '2024-12-31';
const DAY = 86_400_000;

const PROVIDER_NAMES = { AWS: 'AWS', AZURE: 'Microsoft Azure', GCP: 'Google Cloud', ORACLE: 'Oracle Cloud Infrastructure' };
// [provider, service, category, base $/day, yearly growth, weekend factor, effective/billed ratio]
const SERVICES = [
  ['AWS', 'Amazon Elastic Compute Cloud', 'Compute', 410, 0.35, 0.82, 0.78],
  ['AWS', 'Amazon Relational Database Service', 'Databases', 175, 0.2, 1, 0.85],
  ['AWS', 'Amazon Simple Storage Service', 'Storage', 92, 0.4, 1, 1],
  ['AWS', 'Amazon Elastic Kubernetes Service', 'Compute', 58, 0.6, 0.9, 0.9],
  ['AWS', 'AWS Lambda', 'Compute', 38, 0.8, 0.7, 1],
  ['AWS', 'Amazon CloudFront', 'Networking', 33, 0.25, 0.8, 1],
  ['AWS', 'Amazon DynamoDB', 'Databases', 27, 0.15, 0.9, 0.95],
  ['AWS', 'AWS Support (Business)', 'Support', 24, 0.3, 1, 1],
  ['AZURE', 'Virtual Machines', 'Compute', 255, -0.1, 0.8, 0.74],
  ['AZURE', 'Azure SQL Database', 'Databases', 108, 0.05, 1, 0.88],
  ['AZURE', 'Azure Kubernetes Service', 'Compute', 66, 0.5, 0.92, 0.9],
  ['AZURE', 'Storage', 'Storage', 52, 0.3, 1, 1],
  ['AZURE', 'Azure Monitor', 'Management and Governance', 17, 0.2, 1, 1],
  ['GCP', 'Compute Engine', 'Compute', 148, 0.45, 0.85, 0.8],
  ['GCP', 'BigQuery', 'Analytics', 118, 0.7, 0.6, 0.92],
  ['GCP', 'Cloud Storage', 'Storage', 39, 0.3, 1, 1],
  ['GCP', 'Cloud SQL', 'Databases', 34, 0.1, 1, 0.9],
  ['GCP', 'Cloud Run', 'Compute', 21, 0.9, 0.75, 1],
  ['ORACLE', 'Compute', 'Compute', 41, 0.05, 0.9, 0.85],
  ['ORACLE', 'Autonomous Database', 'Databases', 29, 0.1, 1, 0.8],
];
const currencyOf = (provider) => (MULTI_CURRENCY && provider === 'ORACLE' ? 'EUR' : 'USD');

const dayMs = (s) => Date.parse(`${s}T00:00:00Z`);
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

function hash(str) {
  let h = 2166136261;
  for (let i = 0; i < str.length; i++) h = Math.imul(h ^ str.charCodeAt(i), 16777619);
  return ((h >>> 0) % 100000) / 100000;
}

/** Rows: {day, provider, service, category, billed, effective, list} with micro-unit integers. */
const ROWS = [];
if (!EMPTY) {
  const start = dayMs(DATA_FROM);
  const total = (dayMs(DATA_TO) - start) / DAY + 1;
  for (let d = 0; d < total; d++) {
    const ms = start + d * DAY;
    const day = isoDay(ms);
    const weekday = new Date(ms).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const t = d / 365;
    for (const [provider, service, category, base, growth, weekendFactor, effRatio] of SERVICES) {
      let billed = base * (1 + growth * t) * (weekend ? weekendFactor : 1) * (0.9 + 0.2 * hash(`${day}|${service}`));
      if (service.startsWith('AWS Support') && day.endsWith('-01')) billed += base * 12; // monthly fee
      if (service === 'BigQuery' && hash(`${day}|spike`) > 0.97) billed *= 2.4; // occasional big query
      const billedMicro = Math.round(billed * 1e6);
      const effectiveMicro = Math.round(billedMicro * effRatio);
      const listMicro = Math.round(billedMicro * 1.12);
      ROWS.push({ day, provider, service, category, billed: billedMicro, effective: effectiveMicro, list: listMicro });
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Decimal output: numbers are written as JSON numbers with a fixed scale, like .NET decimals.
// ------------------------------------------------------------------------------------------------
const DEC = '\u0000dec:';
function microText(micro) {
  const neg = micro < 0;
  const abs = Math.abs(micro);
  const int = Math.floor(abs / 1e6);
  const frac = String(abs % 1e6).padStart(6, '0');
  return `${neg ? '-' : ''}${int}.${frac}`;
}
const dec = (micro) => DEC + microText(micro);
/** micro / n with 12 decimals (exact long division with BigInt). */
function divText(micro, n) {
  if (n <= 0) return `${DEC}0`;
  const scaled = (BigInt(micro) * 1_000_000n) / BigInt(n); // 12 decimals in total
  const neg = scaled < 0n;
  const abs = neg ? -scaled : scaled;
  const s = abs.toString().padStart(13, '0');
  return `${DEC}${neg ? '-' : ''}${s.slice(0, -12)}.${s.slice(-12)}`;
}
const toJson = (obj) => JSON.stringify(obj).replace(/"\\u0000dec:(-?[0-9.]+)"/g, '$1');

// ------------------------------------------------------------------------------------------------
// getCostMetrics
// ------------------------------------------------------------------------------------------------
class GqlError extends Error {}

/** Reads an argument of getCostMetrics(...): a $variable, a list/enum/int/string literal. */
function argReader(query, variables) {
  const open = query.indexOf('getCostMetrics');
  const start = query.indexOf('(', open);
  const end = query.indexOf(')', start);
  const text = start >= 0 && end > start ? query.slice(start + 1, end) : '';
  return (name) => {
    const m = new RegExp(`\\b${name}\\s*:\\s*(\\$\\w+|\\[[^\\]]*\\]|"[^"]*"|[A-Za-z0-9_.-]+)`).exec(text);
    if (!m) return undefined;
    const v = m[1];
    if (v.startsWith('$')) return variables?.[v.slice(1)] ?? undefined;
    if (v.startsWith('[')) return v.slice(1, -1).split(/[\s,]+/).filter(Boolean).map((s) => s.replace(/^"|"$/g, ''));
    if (v.startsWith('"')) return v.slice(1, -1);
    if (/^-?\d+$/.test(v)) return Number(v);
    if (v === 'null') return undefined;
    return v;
  };
}

// Buckets as in docs/cost-queries.md: ISO weeks labelled by their Monday, calendar months by the 1st
// (a label may lie before the range start), TOTAL labelled by the range start.
function bucketOf(day, granularity, startDate) {
  if (granularity === 'TOTAL') return startDate;
  if (granularity === 'MONTHLY') return `${day.slice(0, 8)}01`;
  if (granularity === 'WEEKLY') {
    const ms = dayMs(day);
    return isoDay(ms - ((new Date(ms).getUTCDay() + 6) % 7) * DAY);
  }
  return day;
}

// Least-squares slope over the daily totals (days without charges are 0), relative to the mean:
// r = b·(D−1)/mean; INCREASING when r ≥ 0.05, DECREASING when r ≤ −0.05 (docs/cost-queries.md).
function trendOf(dailyTotals) {
  const n = dailyTotals.length;
  if (n < 2) return 'STABLE';
  const mean = dailyTotals.reduce((s, x) => s + x, 0) / n;
  if (mean <= 0) return 'STABLE';
  const tMean = (n - 1) / 2;
  let num = 0;
  let den = 0;
  dailyTotals.forEach((y, t) => {
    num += (t - tMean) * (y - mean);
    den += (t - tMean) ** 2;
  });
  const r = ((num / den) * (n - 1)) / mean;
  return r >= 0.05 ? 'INCREASING' : r <= -0.05 ? 'DECREASING' : 'STABLE';
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function getCostMetrics(query, variables) {
  const arg = argReader(query, variables);
  const startDate = arg('startDate');
  const endDate = arg('endDate');
  for (const [n, v] of [['startDate', startDate], ['endDate', endDate]]) {
    if (typeof v !== 'string' || !DATE_RE.test(v) || Number.isNaN(dayMs(v))) throw new GqlError(`${n} must be a date formatted as YYYY-MM-DD (got "${v ?? ''}").`);
  }
  if (endDate < startDate) throw new GqlError(`endDate (${endDate}) must not be before startDate (${startDate}).`);
  const rangeDays = Math.round((dayMs(endDate) - dayMs(startDate)) / DAY) + 1;
  if (rangeDays > 3660) throw new GqlError(`LIMIT_EXCEEDED: the range is ${rangeDays} days; at most 3660 days are allowed.`);
  const providers = arg('providers');
  const services = arg('services');
  const groupBy = (arg('groupBy') ?? []).filter((g) => g !== 'PROVIDER');
  const costType = arg('costType') ?? 'BILLED';
  const granularity = arg('granularity') ?? 'DAILY';
  const topN = arg('topN');
  const first = arg('first') ?? DEFAULT_PAGE_SIZE;
  const after = arg('after');
  if (typeof first === 'number' && first > 10_000) throw new GqlError(`LIMIT_EXCEEDED: first is ${first}; at most 10000 lines per page.`);
  if (!['BILLED', 'EFFECTIVE', 'LIST'].includes(costType)) throw new GqlError(`Unknown costType ${costType}.`);
  if (!['DAILY', 'WEEKLY', 'MONTHLY', 'TOTAL'].includes(granularity)) throw new GqlError(`Unknown granularity ${granularity}.`);
  const measure = { BILLED: 'billed', EFFECTIVE: 'effective', LIST: 'list' }[costType];

  const rows = ROWS.filter(
    (r) =>
      r.day >= startDate &&
      r.day <= endDate &&
      (!providers?.length || providers.includes(r.provider)) &&
      (!services?.length || services.includes(r.service)),
  );

  const dims = (r) => ({
    service: groupBy.includes('SERVICE') ? r.service : null,
    serviceCategory: groupBy.includes('SERVICE_CATEGORY') ? r.category : null,
  });
  const groupKey = (r) => {
    const d = dims(r);
    return `${r.provider}|${d.service ?? ''}|${d.serviceCategory ?? ''}|${currencyOf(r.provider)}`;
  };

  // topN over the whole range
  let keep = null;
  if (typeof topN === 'number' && topN > 0) {
    const totals = new Map();
    for (const r of rows) totals.set(groupKey(r), (totals.get(groupKey(r)) ?? 0) + r[measure]);
    keep = new Set([...totals].sort((a, b) => b[1] - a[1]).slice(0, topN).map(([k]) => k));
  }

  const buckets = new Map();
  for (const r of rows) {
    const gk = groupKey(r);
    const isOther = keep !== null && !keep.has(gk);
    const currency = currencyOf(r.provider);
    const ts = bucketOf(r.day, granularity, startDate);
    const key = isOther ? `${ts}|OTHER|${OTHER_PER_PROVIDER ? r.provider : ''}|${currency}` : `${ts}|${gk}`;
    let b = buckets.get(key);
    if (!b) {
      const provider = isOther && !OTHER_PER_PROVIDER ? null : r.provider;
      b = {
        timestamp: ts,
        provider,
        providerName: provider ? PROVIDER_NAMES[provider] : null,
        ...(isOther ? { service: null, serviceCategory: null } : dims(r)),
        region: null,
        billingAccount: null,
        subAccount: null,
        resource: null,
        chargeCategory: null,
        pricingCategory: null,
        tagValue: null,
        currency,
        billed: 0,
        effective: 0,
        list: 0,
        isOther,
      };
      buckets.set(key, b);
    }
    b.billed += r.billed;
    b.effective += r.effective;
    b.list += r.list;
  }

  const metrics = [...buckets.values()]
    .sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : Number(a.isOther) - Number(b.isOther) || b[measure] - a[measure]))
    .map(({ billed, effective, list, ...m }) => ({
      ...m,
      cost: dec({ billed, effective, list }[measure]),
      billedCost: dec(billed),
      effectiveCost: dec(effective),
      listCost: dec(list),
      savings: dec(list - effective),
      usage: null,
      usageUnit: null,
    }));

  // summaries per currency over the filtered rows
  const days = Math.round((dayMs(endDate) - dayMs(startDate)) / DAY) + 1;
  const byCurrency = new Map();
  for (const r of rows) {
    const c = currencyOf(r.provider);
    const e = byCurrency.get(c) ?? { total: 0, daily: new Map() };
    e.total += r[measure];
    e.daily.set(r.day, (e.daily.get(r.day) ?? 0) + r[measure]);
    byCurrency.set(c, e);
  }
  const summaries = [...byCurrency].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, e]) => ({
    currency,
    totalCost: dec(e.total),
    averageDailyCost: divText(e.total, days),
    trend: trendOf(Array.from({ length: days }, (_, i) => e.daily.get(isoDay(dayMs(startDate) + i * DAY)) ?? 0)),
    days,
  }));

  const offset = after ? Number(Buffer.from(String(after), 'base64').toString('utf8').replace('offset:', '')) : 0;
  const page = metrics.slice(offset, offset + first);
  const next = offset + page.length;
  return {
    metrics: page,
    summary: summaries.length === 1 ? summaries[0] : null,
    summaries,
    currencies: summaries.map((s) => s.currency),
    pageInfo: {
      hasNextPage: next < metrics.length,
      endCursor: page.length ? Buffer.from(`offset:${next}`).toString('base64') : null,
      totalCount: metrics.length,
    },
  };
}

function answerGraphql(body) {
  const { query, variables } = body ?? {};
  if (typeof query !== 'string') return { errors: [{ message: 'The request has no query.' }] };
  try {
    const data = {};
    if (/\bdataRange\b/.test(query)) {
      data.dataRange = EMPTY ? { from: null, to: null, rowCount: 0 } : { from: DATA_FROM, to: DATA_TO, rowCount: 1_284_337 };
    }
    if (/\bgetCostMetrics\b/.test(query)) data.getCostMetrics = getCostMetrics(query, variables ?? {});
    if (Object.keys(data).length === 0) return { errors: [{ message: 'The mock answers dataRange and getCostMetrics only.' }] };
    return { data };
  } catch (e) {
    if (e instanceof GqlError) return { errors: [{ message: e.message, path: ['getCostMetrics'] }], data: null };
    throw e;
  }
}

// ------------------------------------------------------------------------------------------------
// HTTP
// ------------------------------------------------------------------------------------------------
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

async function serveStatic(req, res) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  let path = decodeURIComponent(url.pathname);
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(ROOT, path));
  if (file !== ROOT && !file.startsWith(ROOT + sep)) {
    res.writeHead(403).end('Forbidden');
    return;
  }
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    const body = await readFile(file);
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(path === '/index.html' ? `No build found in ${ROOT}. Run "npm run build" first.\n` : 'Not found\n');
  }
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/graphql') {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST' }).end();
        return;
      }
      const chunks = [];
      for await (const c of req) chunks.push(c);
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'Body is not JSON.' }] }));
        return;
      }
      const answer = answerGraphql(body);
      if (DELAY_MS > 0) await new Promise((r) => setTimeout(r, DELAY_MS));
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(toJson(answer));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    await serveStatic(req, res);
  } catch (e) {
    console.error(e);
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('Internal error\n');
  }
});

server.listen(PORT, HOST, () => {
  console.log(`DWCP mock server on http://${HOST}:${PORT}/ (static files from ${ROOT}; ${ROWS.length} synthetic rows)`);
});
