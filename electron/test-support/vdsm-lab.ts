// Test support (lab only): the VDSM TEST DOUBLE on hv1 for one integration file, on its own port so
// it never collides with another run's double (the e2e one listens on 54321). The console's
// zero-config identity reads hv1's /etc/pki/vdsm, so the double serves with exactly that PKI: the
// one already there (another run's, still valid) or a fresh lab PKI written there when none is.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LabHostInfo } from '../../e2e/lab/labinfo';
import { execOnHost, hostPath, startOnHost, type LabProcess } from '../../e2e/lab/hosts';
import { tcpOpen } from '../../e2e/lab/util';
import { makeLabPki, type LabPki } from '../../e2e/doubles/vdsm/certs';
import { VDSM_PKI } from '../services/vdsm/transport';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LabDouble {
  port: number;
  /** ca/server of the double; client = a cert the double accepts; stranger = another CA's. */
  pki: Pick<LabPki, 'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'strangerCert' | 'strangerKey'>;
  proc: LabProcess;
  stop(): Promise<void>;
}

export async function startLabDouble(hv1: LabHostInfo, o: { port: number; name: string; args?: string[] }): Promise<LabDouble> {
  if (await tcpOpen(hv1.addresses.mgmt!, o.port)) throw new Error(`hv1:${o.port} is already taken (another run of ${o.name}?)`);
  const fresh = makeLabPki([hv1.addresses.mgmt!, '127.0.0.1', 'hv1']);
  const have = [VDSM_PKI.key, VDSM_PKI.cert, VDSM_PKI.ca].every((p) => existsSync(hostPath(hv1, p)));
  let pki: LabDouble['pki'];
  if (have) {
    const r = (p: string) => readFileSync(hostPath(hv1, p), 'utf8');
    // The host's own cert is signed by its CA: it is what the zero-config console presents too.
    pki = { ca: r(VDSM_PKI.ca), serverCert: r(VDSM_PKI.cert), serverKey: r(VDSM_PKI.key), clientCert: r(VDSM_PKI.cert), clientKey: r(VDSM_PKI.key), strangerCert: fresh.strangerCert, strangerKey: fresh.strangerKey };
  } else {
    pki = fresh;
    for (const [p, v] of [[VDSM_PKI.key, fresh.serverKey], [VDSM_PKI.cert, fresh.serverCert], [VDSM_PKI.ca, fresh.ca]] as const) {
      mkdirSync(dirname(hostPath(hv1, p)), { recursive: true });
      writeFileSync(hostPath(hv1, p), v, { mode: 0o600 });
    }
  }
  rmSync(fresh.dir, { recursive: true, force: true });
  // The host has its own /tmp: hand the double its certs in the host's /run.
  const certDir = `/run/portico-vdsm-double-${o.name}-${process.pid}`;
  mkdirSync(hostPath(hv1, certDir), { recursive: true });
  for (const [f, v] of [['ca.pem', pki.ca], ['server.pem', pki.serverCert], ['server-key.pem', pki.serverKey]] as const) writeFileSync(hostPath(hv1, `${certDir}/${f}`), v, { mode: 0o600 });
  const proc = startOnHost(
    hv1,
    [process.execPath, '--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, join(ROOT, 'e2e/doubles/vdsm/main.ts'), '--listen', `0.0.0.0:${o.port}`, '--certs', certDir, '--initiator-name', hv1.initiatorIqn, ...(o.args ?? [])],
    { stdio: 'log', logName: `vdsm-double-${o.name}`, cwd: ROOT },
  );
  await proc.ready(() => tcpOpen(hv1.addresses.mgmt!, o.port), 30_000);
  return {
    port: o.port,
    pki,
    proc,
    async stop() {
      await proc.stop();
      await execOnHost(hv1, ['rm', '-rf', certDir]).catch(() => undefined);
    },
  };
}
