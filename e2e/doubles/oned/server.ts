// TEST DOUBLE — not OpenNebula. An XML-RPC server answering the oned methods Portico uses, in
// oned's response layout [ok, value, errcode, errobject], with the session string checked on every
// call and unknown methods refused as xmlrpc-c does (fault -506). Tests steer it through
// /portico-double/* (JSON): inject an error for the next calls of a method, read the state, reset.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Deserializer, serializeFault, serializeMethodResponse, XmlRpcFault, type XmlRpcValue } from '@foxglove/xmlrpc';
import { OneFail, OneState, type DoubleOptions } from './state';

export interface Injection {
  /** Method name, or '*' for every method. */
  method: string;
  code: number;
  message?: string;
  objectId?: number;
  /** How many calls fail (default 1). */
  times?: number;
}

type Handler = (s: OneState, user: string, args: XmlRpcValue[]) => XmlRpcValue;

const int = (v: XmlRpcValue, what: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new OneFail(0x1000, `${what} must be an integer`);
  return v;
};
const str = (v: XmlRpcValue): string => (typeof v === 'string' ? v : '');

const METHODS: Record<string, Handler> = {
  'one.system.version': (s) => s.version,
  'one.user.info': (s, user, a) => {
    const id = a.length ? int(a[0], 'user id') : -1;
    if (id !== -1 && id !== Object.keys(s.users).indexOf(user)) throw new OneFail(0x0200, `[one.user.info] User [${id}] not authorized to perform action on user.`, id);
    return s.userXml(user);
  },
  'one.datastore.allocate': (s, _u, a) => s.allocateDatastore(str(a[0]), a.length > 1 ? int(a[1], 'cluster id') : -1),
  'one.datastore.info': (s, _u, a) => s.datastoreXml(int(a[0], 'datastore id')),
  'one.datastore.delete': (s, _u, a) => s.deleteDatastore(int(a[0], 'datastore id')),
  'one.datastorepool.info': (s) => s.datastorePoolXml(),
  'one.image.allocate': (s, u, a) => s.allocateImage(str(a[0]), int(a[1], 'datastore id'), u),
  'one.image.info': (s, _u, a) => s.imageXml(int(a[0], 'image id')),
  'one.image.delete': (s, _u, a) => s.deleteImage(int(a[0], 'image id')),
  'one.imagepool.info': (s) => s.imagePoolXml(),
  'one.clusterpool.info': (s) => s.clusterPoolXml(),
  'one.hostpool.info': (s) => s.hostPoolXml(),
};

export interface OnedDouble {
  state: OneState;
  server: Server;
  url: string;
  calls: { method: string; args: XmlRpcValue[] }[];
  inject(i: Injection): void;
  close(): Promise<void>;
}

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const c: Buffer[] = [];
    req.on('data', (d: Buffer) => c.push(d));
    req.on('end', () => resolve(Buffer.concat(c).toString('utf8')));
    req.on('error', reject);
  });

export async function startOnedDouble(o: DoubleOptions & { host?: string; port?: number; log?: (l: string) => void } = {}): Promise<OnedDouble> {
  let state = new OneState(o);
  const injections: Injection[] = [];
  const calls: OnedDouble['calls'] = [];
  const log = o.log ?? (() => undefined);

  const answer = async (method: string, args: XmlRpcValue[]): Promise<XmlRpcValue> => {
    const h = METHODS[method];
    if (!h) throw new XmlRpcFault(`Requested method '${method}' not defined`, -506);
    try {
      // Every oned method takes the session string first.
      const user = state.auth(method, args[0]);
      const inj = injections.find((i) => i.method === method || i.method === '*');
      if (inj) {
        inj.times = (inj.times ?? 1) - 1;
        if (inj.times <= 0) injections.splice(injections.indexOf(inj), 1);
        throw new OneFail(inj.code, inj.message ?? `[${method}] injected error ${inj.code}`, inj.objectId ?? -1);
      }
      return [true, h(state, user, args.slice(1)), 0, -1];
    } catch (e) {
      if (e instanceof OneFail) return [false, e.message, e.code, e.objectId];
      throw e;
    }
  };

  const server = createServer((req, res) => {
    void (async () => {
      const text = await body(req);
      const url = req.url ?? '/';
      if (url.startsWith('/portico-double/')) {
        const send = (code: number, v: unknown) => {
          res.writeHead(code, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(v));
        };
        if (url === '/portico-double/state') return send(200, state.snapshot());
        if (url === '/portico-double/calls') return send(200, calls.map((c) => c.method));
        if (url === '/portico-double/inject' && req.method === 'POST') {
          injections.push(JSON.parse(text) as Injection);
          return send(200, { ok: true });
        }
        if (url === '/portico-double/reset' && req.method === 'POST') {
          state = new OneState({ ...o, ...(text ? (JSON.parse(text) as DoubleOptions) : {}) });
          injections.length = 0;
          return send(200, { ok: true });
        }
        return send(404, { error: 'unknown control path' });
      }
      if (req.method !== 'POST' || url !== '/RPC2') {
        res.writeHead(req.method === 'POST' ? 404 : 405);
        return res.end();
      }
      let out: string;
      try {
        const [method, args] = await new Deserializer().deserializeMethodCall(text);
        calls.push({ method, args });
        log(`${method}`);
        out = serializeMethodResponse(await answer(method, args));
      } catch (e) {
        out = serializeFault(e instanceof XmlRpcFault ? e : new XmlRpcFault(e instanceof Error ? e.message : String(e), -500));
      }
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end(out);
    })().catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const a = server.address() as AddressInfo;
  const hostPart = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    get state() {
      return state;
    },
    server,
    url: `http://${hostPart}:${a.port}/RPC2`,
    calls,
    inject: (i) => injections.push({ ...i }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
