// Browser mode: window.portico over the token-protected WebSocket of electron/host/browser-host.ts.
import type { CallEnvelope, CallName, EventName, Events, PorticoApi } from '../../../shared/contract';

const WS_PROTOCOL = 'portico.v1';
const TOKEN_PREFIX = 'portico-token.';
const TOKEN_KEY = 'portico.token';

/** Thrown when the page has neither a one-time link nor a token; says how to get in. */
export class NoLinkError extends Error {}

/**
 * The session token for this tab. A one-time link (`#bootstrap=NONCE`) is spent here: the nonce
 * leaves the address bar at once and is exchanged, by one same-origin POST, for the token, which
 * is kept for this tab only (sessionStorage: it survives reloads, never appears in a URL).
 */
export async function obtainToken(): Promise<string> {
  const m = /(?:^#|&)bootstrap=([A-Za-z0-9_-]{1,128})/.exec(window.location.hash);
  if (m) {
    history.replaceState(null, '', window.location.pathname + window.location.search);
    let res: Response;
    try {
      res = await fetch('/bootstrap', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ nonce: m[1] }),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      throw new Error('The Portico process does not answer. Is `npm start` still running?');
    }
    const body = (await res.json().catch(() => ({}))) as { token?: unknown; error?: unknown };
    if (!res.ok || typeof body.token !== 'string') {
      throw new Error(typeof body.error === 'string' ? body.error : `The console refused this link (HTTP ${res.status}). Restart \`npm start\` or ask for a new link.`);
    }
    sessionStorage.setItem(TOKEN_KEY, body.token);
    return body.token;
  }
  const kept = sessionStorage.getItem(TOKEN_KEY);
  if (kept) return kept;
  throw new NoLinkError(
    'This page was opened without its one-time link. Open the link printed by `npm start` (it ends in #bootstrap=...), or press Enter in the terminal running `npm start` for a new one.',
  );
}

export function createWsApi(token: string): PorticoApi & { ready: Promise<void> } {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc`;
  let ws: WebSocket;
  let nextId = 1;
  const pending = new Map<number, (env: unknown) => void>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let readyResolve!: () => void;
  let readyReject!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });
  let opened = false;

  const connect = () => {
    ws = new WebSocket(url, [WS_PROTOCOL, TOKEN_PREFIX + token]);
    ws.onopen = () => {
      opened = true;
      readyResolve();
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data));
      if (msg.type === 'event') listeners.get(msg.name)?.forEach((cb) => cb(msg.payload));
      else if (pending.has(msg.id)) {
        const { id: _id, ...env } = msg;
        pending.get(msg.id)!(env);
        pending.delete(msg.id);
      }
    };
    ws.onclose = () => {
      for (const [id, resolve] of pending) {
        resolve({ ok: false, error: { code: 'disconnected', message: 'The connection to the Portico process was lost. Is it still running?' } });
        pending.delete(id);
      }
      if (!opened) {
        sessionStorage.removeItem(TOKEN_KEY);
        readyReject(new Error('The console refused this page: its access token is not valid any more (the console was restarted?). Open a new link from `npm start`: press Enter in its terminal, or restart it.'));
      } else setTimeout(connect, 1000);
    };
  };
  connect();

  return {
    ready,
    async invoke<N extends CallName>(name: N, input: unknown): Promise<CallEnvelope<N>> {
      await ready;
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve as (e: unknown) => void);
        ws.send(JSON.stringify({ id, type: 'invoke', name, input }));
      });
    },
    on<E extends EventName>(event: E, cb: (p: Events[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(cb as (p: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(cb as (p: unknown) => void);
    },
  } as PorticoApi & { ready: Promise<void> };
}
