// One GraphQL subscription over WebSocket with the graphql-transport-ws protocol (the server's /graphql endpoint),
// reconnecting with exponential backoff (0.5 s doubling to 15 s, ±25% jitter) whenever the socket drops.
//   client → connection_init; server → connection_ack; client → subscribe {id, payload: {query, variables}};
//   server → next* then complete | error; ping ⇄ pong. Close codes 44xx are protocol errors (docs/api.md).

export const SUBPROTOCOL = 'graphql-transport-ws';

export type SocketStatus = 'connecting' | 'open' | 'reconnecting' | 'stopped';

export interface LiveSocketHandlers {
  /** Each `next` payload's `data`. */
  next(data: unknown): void;
  /** GraphQL errors of the operation (an `error` message or `errors` in a `next`). The socket stays up. */
  error(messages: string[]): void;
  /** Connection state changes; `detail` is a sentence for the user. */
  status(status: SocketStatus, detail: string): void;
  /** The server acknowledged the connection and the subscription was sent (after every reconnect too). */
  subscribed(): void;
}

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

/** The WebSocket URL of the GraphQL endpoint, relative to the page (ws:// or wss://). */
export function graphqlSocketUrl(base: string = location.href): string {
  const url = new URL('graphql', base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  return url.toString();
}

function messagesOf(errors: unknown): string[] {
  if (!Array.isArray(errors)) return ['The server reported an error.'];
  return errors.map((e) => (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : String(e)));
}

export class LiveSocket {
  private socket: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private sequence = 0;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly query: string,
    private readonly variables: Record<string, unknown>,
    private readonly handlers: LiveSocketHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Closes for good (no reconnect). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const s = this.socket;
    this.socket = null;
    if (s && (s.readyState === WebSocket.OPEN || s.readyState === WebSocket.CONNECTING)) s.close(1000, 'page closed');
    this.handlers.status('stopped', 'Stopped.');
  }

  private connect(): void {
    if (this.stopped) return;
    this.handlers.status(this.attempt === 0 ? 'connecting' : 'reconnecting', 'Connecting…');
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url, SUBPROTOCOL);
    } catch (e) {
      this.scheduleReconnect(`Cannot open ${this.url} (${e instanceof Error ? e.message : String(e)}).`);
      return;
    }
    this.socket = socket;
    const id = `live-${++this.sequence}`;
    socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init' }));
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket !== socket) return;
      let message: { type?: string; id?: string; payload?: unknown };
      try {
        message = JSON.parse(String(event.data)) as typeof message;
      } catch {
        return;
      }
      switch (message.type) {
        case 'connection_ack':
          this.attempt = 0;
          socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: this.query, variables: this.variables } }));
          this.handlers.status('open', 'Live: receiving closed windows as they close.');
          this.handlers.subscribed();
          break;
        case 'ping':
          socket.send(JSON.stringify({ type: 'pong' }));
          break;
        case 'next': {
          if (message.id !== id) break;
          const payload = (message.payload ?? {}) as { data?: unknown; errors?: unknown };
          if (payload.errors) this.handlers.error(messagesOf(payload.errors));
          if (payload.data) this.handlers.next(payload.data);
          break;
        }
        case 'error':
          if (message.id === id) this.handlers.error(messagesOf(message.payload));
          break;
        case 'complete':
          // The server ended the stream (e.g. it is stopping): reconnect to follow it when it returns.
          if (message.id === id) socket.close(1000, 'stream completed');
          break;
        default:
          break;
      }
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      const why = event.code === 1000 || event.code === 1001 ? 'The connection closed' : `The connection dropped (code ${event.code}${event.reason ? `: ${event.reason}` : ''})`;
      this.scheduleReconnect(`${why}.`);
    };
  }

  private scheduleReconnect(reason: string): void {
    if (this.stopped) return;
    const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.attempt++;
    this.handlers.status('reconnecting', `${reason} Reconnecting in ${(delay / 1000).toFixed(1)} s…`);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }
}
