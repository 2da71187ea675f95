// Browser mode: window.portico over the token-protected WebSocket of electron/host/browser-host.ts.
import type { CallEnvelope, CallName, EventName, Events, PorticoApi } from '../../../shared/contract';

const WS_PROTOCOL = 'portico.v1';
const TOKEN_PREFIX = 'portico-token.';
const TOKEN_KEY = 'portico.token';

/** Takes the token from the URL fragment once, keeps it for this tab only, and clears the fragment. */
export function takeToken(): string | null {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, m[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
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
      if (!opened) readyReject(new Error('The console refused this page: the link or its token is not valid any more. Open the URL printed by `npm start` again.'));
      else setTimeout(connect, 1000);
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
