// How the console reaches VDSM and who it says it is (issue 7, 1):
//  (a) client-cert: a cert+key signed by the engine CA, stored once in the SecretStore; TLS
//      straight to host:54321;
//  (b) ssh-host-cert: zero-config: a direct-tcpip channel through the host's SSH connection to
//      its own 54321, TLS over that channel, authenticated with the host's vdsm cert and key read
//      over SSH into memory only (never written on the workstation).
import tls from 'node:tls';
import net from 'node:net';
import { X509Certificate } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { runChecked, type RemoteRunner } from '../remote/runner';
import { VdsmTransportError } from './errors';

export const VDSM_PORT = 54321;
export const VDSM_PKI = { key: '/etc/pki/vdsm/keys/vdsmkey.pem', cert: '/etc/pki/vdsm/certs/vdsmcert.pem', ca: '/etc/pki/vdsm/certs/cacert.pem' };

export interface TlsIdentity {
  ca: string;
  cert: string;
  key: string;
}

/** Keeps PEM material in memory; shown only as subject/fingerprint. */
export function describeIdentity(id: TlsIdentity): { subject: string; fingerprint256: string; validTo: string } {
  const x = new X509Certificate(id.cert);
  return { subject: x.subject, fingerprint256: x.fingerprint256, validTo: x.validTo };
}

/** What the SecretStore offers (SecretStore satisfies it). */
export interface SecretGetter {
  get(name: string): string | null;
  set(name: string, value: string): void;
}

export const clientCertSecretName = (key: string) => `vdsm.client-cert.${key}`;

/** Stores an identity once (admin gives cert, key and CA PEMs); validated before it is kept. */
export function saveClientIdentity(store: SecretGetter, key: string, id: TlsIdentity): void {
  new X509Certificate(id.cert);
  new X509Certificate(id.ca);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(id.key)) throw new Error('Client key: paste the PEM private key (-----BEGIN PRIVATE KEY-----).');
  store.set(clientCertSecretName(key), JSON.stringify(id));
}

export function loadClientIdentity(store: SecretGetter, key: string): TlsIdentity {
  const raw = store.get(clientCertSecretName(key));
  if (!raw) throw new Error('No VDSM client certificate is stored yet: add one signed by the engine CA, or use the SSH zero-config identity.');
  return JSON.parse(raw) as TlsIdentity;
}

/** Reads the host's own vdsm identity over SSH (root or sudo) into memory. */
export async function readHostIdentity(runner: RemoteRunner, signal?: AbortSignal): Promise<TlsIdentity> {
  const read = async (p: string) => (await runChecked(runner, ['cat', '--', p], { sudo: true, signal, timeoutMs: 15_000 })).stdout;
  const [key, cert, ca] = [await read(VDSM_PKI.key), await read(VDSM_PKI.cert), await read(VDSM_PKI.ca)];
  return { key, cert, ca };
}

export interface TlsOverOptions {
  identity: TlsIdentity;
  /** Name/IP the server cert must carry (the host address given at deploy time). */
  servername: string;
  /** Accept exactly this server cert (zero-config: the host's own cert read over SSH). */
  pinServerCert?: string;
  timeoutMs?: number;
}

/** TLS client over any established Duplex (TCP socket or ssh2 channel). */
export function wrapTls(raw: Duplex, o: TlsOverOptions): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const pinned = o.pinServerCert ? new X509Certificate(o.pinServerCert).fingerprint256 : null;
    const s = tls.connect({
      socket: raw,
      ca: o.identity.ca,
      cert: o.identity.cert,
      key: o.identity.key,
      servername: net.isIP(o.servername) ? undefined : o.servername,
      checkServerIdentity: (host, cert) => {
        if (pinned) return cert.fingerprint256 === pinned ? undefined : new Error('VDSM presented a different certificate than the host\'s own vdsm certificate');
        return tls.checkServerIdentity(o.servername || host, cert);
      },
    });
    const t = setTimeout(() => {
      s.destroy();
      reject(new VdsmTransportError(`TLS handshake with VDSM on ${o.servername} did not finish within ${Math.round((o.timeoutMs ?? 10_000) / 1000)} s`, 'connect'));
    }, o.timeoutMs ?? 10_000);
    s.once('secureConnect', () => {
      clearTimeout(t);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(t);
      reject(new VdsmTransportError(`TLS to VDSM on ${o.servername} failed: ${err.message}`, 'connect'));
    });
  });
}

/** (a) Direct TLS to host:54321. */
export function directTlsConnector(host: string, identity: TlsIdentity, port = VDSM_PORT, timeoutMs = 10_000): () => Promise<Duplex> {
  return async () => {
    const sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port });
      const t = setTimeout(() => {
        s.destroy();
        reject(new VdsmTransportError(`TCP connect to ${host}:${port} timed out after ${Math.round(timeoutMs / 1000)} s`, 'connect'));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(t);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(t);
        reject(new VdsmTransportError(`cannot reach VDSM at ${host}:${port}: ${e.message}`, 'connect'));
      });
    });
    return wrapTls(sock, { identity, servername: host, timeoutMs });
  };
}

/** Structural subset of ssh2's Client (forwardOut), so this file needs no ssh2 import. */
export interface ForwardingClient {
  forwardOut(srcIP: string, srcPort: number, dstIP: string, dstPort: number, cb: (err: Error | undefined, channel: Duplex) => void): unknown;
}

/**
 * (b) Zero-config: tunnel to the host's own VDSM through SSH, authenticated with the host's vdsm
 * identity (read into memory) and pinned to the host's own certificate.
 */
export function sshTunnelConnector(getClient: () => Promise<ForwardingClient>, identity: TlsIdentity, o: { servername: string; vdsmAddress?: string; port?: number; timeoutMs?: number }): () => Promise<Duplex> {
  return async () => {
    const client = await getClient();
    const ch = await new Promise<Duplex>((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, o.vdsmAddress ?? '127.0.0.1', o.port ?? VDSM_PORT, (err, channel) => {
        if (err) reject(new VdsmTransportError(`SSH tunnel to VDSM port ${o.port ?? VDSM_PORT} failed: ${err.message}`, 'connect'));
        else resolve(channel);
      });
    });
    return wrapTls(ch, { identity, servername: o.servername, pinServerCert: identity.cert, timeoutMs: o.timeoutMs });
  };
}
