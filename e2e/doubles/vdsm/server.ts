// TEST DOUBLE — not VDSM. TLS listener (client certificates required, lab CA as trust store, as
// VDSM's SSLHandshakeDispatcher does) feeding the STOMP broker and the stateful double.
import tls from 'node:tls';
import { StompBroker } from './broker';
import { VdsmDouble, type VdsmDoubleOptions } from './double';

export interface VdsmDoubleServerOptions extends VdsmDoubleOptions {
  host: string;
  port: number;
  tls: { ca: string; cert: string; key: string };
  minHeartbeatMs?: number;
}

export interface RunningDouble {
  server: tls.Server;
  broker: StompBroker;
  vdsm: VdsmDouble;
  address: { host: string; port: number };
  close(): Promise<void>;
}

export async function startVdsmDouble(o: VdsmDoubleServerOptions): Promise<RunningDouble> {
  const vdsm = new VdsmDouble(o);
  const broker = new StompBroker({ handler: (r) => vdsm.handle(r), minHeartbeatMs: o.minHeartbeatMs, log: o.log });
  const server = tls.createServer({ ca: o.tls.ca, cert: o.tls.cert, key: o.tls.key, requestCert: true, rejectUnauthorized: true, handshakeTimeout: 10_000 }, (sock) => {
    o.log?.(`client ${sock.remoteAddress}:${sock.remotePort} connected (cert CN ${sock.getPeerCertificate()?.subject?.CN ?? '?'})`);
    broker.attach(sock);
  });
  server.on('tlsClientError', (err) => o.log?.(`TLS handshake refused: ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  return {
    server,
    broker,
    vdsm,
    address: { host: o.host, port },
    async close() {
      broker.dropAll();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
