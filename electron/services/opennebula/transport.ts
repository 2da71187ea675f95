// How XML-RPC requests reach oned: one HTTP POST per call, directly (http/https) or through a
// Duplex the caller opens (the front-end host's SSH connection, ssh2 forwardOut). The XML-RPC
// encoding is @foxglove/xmlrpc's Serializer/Deserializer; only the HTTP leg is ours.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { Deserializer, serializeMethodCall, type XmlRpcValue } from '@foxglove/xmlrpc';
import { OnedError } from './errors';

export type OpenTunnel = (host: string, port: number) => Promise<Duplex>;

export interface TransportOptions {
  endpoint: string;
  /** Opens a stream to the endpoint's host:port (the SSH tunnel); direct TCP when absent. */
  tunnel?: OpenTunnel;
  timeoutMs?: number;
  /** https endpoints: refuse self-signed certificates unless false. */
  rejectUnauthorized?: boolean;
}

/** Sends one XML-RPC call and returns the decoded response value (not yet oned's [ok, ...] decoding). */
export async function xmlRpcCall(o: TransportOptions, method: string, params: XmlRpcValue[], signal?: AbortSignal): Promise<XmlRpcValue> {
  const url = new URL(o.endpoint);
  const body = Buffer.from(serializeMethodCall(method, params), 'utf8');
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const stream = o.tunnel ? await o.tunnel(host, port) : undefined;
  const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)({
    host,
    port,
    path: url.pathname || '/RPC2',
    method: 'POST',
    headers: { 'Content-Type': 'text/xml', 'Content-Length': body.length, Accept: 'text/xml' },
    rejectUnauthorized: o.rejectUnauthorized ?? true,
    // Node uses createConnection only without an agent; https through the tunnel wraps it in TLS.
    ...(stream
      ? { createConnection: () => (url.protocol === 'https:' ? tlsConnect({ socket: stream, servername: host, rejectUnauthorized: o.rejectUnauthorized ?? true }) : stream) as never }
      : { agent: false }),
    signal,
  });
  const where = `${o.endpoint}${o.tunnel ? ' (through SSH)' : ''}`;
  const text = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${Math.round((o.timeoutMs ?? 30_000) / 1000)} s`)), o.timeoutMs ?? 30_000);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(new OnedError('transport', `Cannot reach oned at ${where}: ${e.message}. Check that oned runs and listens on that address and port.`, null, null, e.message));
    });
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => reject(e));
      res.on('end', () => {
        clearTimeout(timer);
        const t = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) !== 200) reject(new OnedError('protocol', `oned at ${where} answered HTTP ${res.statusCode} ${res.statusMessage ?? ''}: is the path right (usually /RPC2)?`, null, null, t.slice(0, 200)));
        else resolve(t);
      });
    });
    req.end(body);
  });
  try {
    return await new Deserializer().deserializeMethodResponse(text);
  } catch (e) {
    const m = e instanceof Error ? e.message : String(e);
    throw new OnedError('protocol', `oned at ${where} answered ${method} with an XML-RPC fault or an unreadable answer: ${m}`, null, null, m);
  }
}
