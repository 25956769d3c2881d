// Minimal GraphQL-over-HTTP client for the DWCP server (POST /graphql, JSON {query, variables}).
//
// Decimal precision: the server serialises .NET `decimal` values as JSON numbers, which may carry more
// significant digits (or trailing zeros such as `1234.50`) than a JS double keeps. Every response is
// therefore parsed with `parseJsonKeepingNumberText`, which records the exact source text of each
// number next to the parsed value; `RawNumbers.get(object, key)` returns it (used for the
// `data-value` of the total-cost element, so a test can compare it digit for digit).

/** Endpoint, relative to the page so the dashboard also works under a path base. */
export const GRAPHQL_ENDPOINT = 'graphql';

export interface GraphQLErrorItem {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

/** Raised for `errors[]` in a GraphQL response, for HTTP failures and for unreachable servers. */
export class ApiError extends Error {
  readonly messages: string[];
  readonly status: number | undefined;

  constructor(messages: string[], status?: number) {
    super(messages.join('\n'));
    this.name = 'ApiError';
    this.messages = messages;
    this.status = status;
  }
}

/** Exact source text of the numbers in a parsed JSON document, looked up by (holder object, key). */
export class RawNumbers {
  private readonly map = new WeakMap<object, Map<string, string>>();

  set(holder: object, key: string, text: string): void {
    let m = this.map.get(holder);
    if (!m) {
      m = new Map();
      this.map.set(holder, m);
    }
    m.set(key, text);
  }

  /** The number exactly as written in the response text, or undefined if `holder[key]` was not a number. */
  get(holder: object | null | undefined, key: string): string | undefined {
    return holder ? this.map.get(holder)?.get(key) : undefined;
  }
}

// A JSON string (skipped as a whole, so digits inside strings are ignored) or a JSON number.
const TOKEN_RE = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

function numberTokens(text: string): string[] {
  const out: string[] = [];
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(text); m !== null; m = TOKEN_RE.exec(text)) {
    if (m[0].charCodeAt(0) !== 34 /* " */) out.push(m[0]);
  }
  return out;
}

/**
 * JSON.parse that also keeps the source text of every number.
 *
 * Where the browser supports the JSON.parse source-text access proposal, the reviver's third
 * argument (`context.source`) is used. Elsewhere the number tokens are collected from the text in
 * document order: JSON.parse calls the reviver on primitive values in document order as long as no
 * object key is an array-index-like string (GraphQL field names and aliases never are), so the
 * n-th number seen by the reviver is the n-th number token.
 */
export function parseJsonKeepingNumberText(text: string): { value: unknown; raw: RawNumbers } {
  const tokens = numberTokens(text);
  const raw = new RawNumbers();
  let i = 0;
  const value: unknown = JSON.parse(text, function (this: unknown, key: string, val: unknown, context?: { source?: string }) {
    if (typeof val === 'number') {
      const token = tokens[i++];
      const source = context?.source ?? token;
      if (source !== undefined && typeof this === 'object' && this !== null) raw.set(this, key, source);
    }
    return val;
  });
  return { value, raw };
}

export interface GraphQLResult<T> {
  data: T;
  raw: RawNumbers;
}

export type Variables = Record<string, unknown>;

function errorMessages(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .map((e) => (typeof e === 'object' && e !== null && typeof (e as GraphQLErrorItem).message === 'string' ? (e as GraphQLErrorItem).message : String(e)))
    .filter((m) => m.length > 0);
}

/**
 * Sends one GraphQL operation. Variables that are `undefined` are left out of the request (so the
 * server applies the argument's default). Throws `ApiError` when the response has `errors`, when the
 * HTTP status is not 2xx, or when the server cannot be reached; rethrows AbortError on cancellation.
 */
export async function graphql<T>(query: string, variables: Variables = {}, signal?: AbortSignal): Promise<GraphQLResult<T>> {
  let response: Response;
  try {
    response = await fetch(GRAPHQL_ENDPOINT, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError([`Cannot reach the DWCP server (${e instanceof Error ? e.message : String(e)}).`]);
  }

  const text = await response.text();
  let parsed: { value: unknown; raw: RawNumbers } | undefined;
  try {
    parsed = text.length > 0 ? parseJsonKeepingNumberText(text) : undefined;
  } catch {
    parsed = undefined;
  }

  const messages = parsed ? errorMessages(parsed.value) : [];
  if (messages.length > 0) throw new ApiError(messages, response.status);
  if (!response.ok) {
    throw new ApiError([`The server answered ${response.status} ${response.statusText || ''}`.trim() + '.'], response.status);
  }
  if (!parsed) throw new ApiError(['The server sent a response that is not JSON.'], response.status);

  const data = (parsed.value as { data?: unknown }).data;
  if (data === null || data === undefined) throw new ApiError(['The server sent a GraphQL response without data.'], response.status);
  return { data: data as T, raw: parsed.raw };
}

export function isAbortError(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}
