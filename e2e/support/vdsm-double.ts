// The VDSM TEST DOUBLE on lab host hv1 for the e2e run, set up exactly as
// e2e/doubles/vdsm/double.int.test.ts does: a throw-away lab PKI written to hv1's /etc/pki/vdsm
// (what the console's zero-config identity reads over SSH), the double on 0.0.0.0:54321 backed by
// the real lab tgtd. No lab: does nothing.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadLab, labRequirementsProblem } from '../lab/labinfo';
import { execOnHost, hostPath, startOnHost } from '../lab/hosts';
import { tcpOpen } from '../lab/util';
import { makeLabPki } from '../doubles/vdsm/certs';
import { VDSM_PKI } from '../../electron/services/vdsm/transport';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Per run: a concurrent run's teardown must not take this run's files away.
const CERT_DIR = `/run/portico-vdsm-double-e2e-${process.pid}`;

export async function startVdsmDoubleOnHv1(): Promise<() => Promise<void>> {
  if (labRequirementsProblem()) return async () => undefined;
  const lab = loadLab();
  const hv1 = lab?.hosts.hv1;
  if (!hv1?.addresses.mgmt) return async () => undefined;
  if (await tcpOpen(hv1.addresses.mgmt, 54321)) {
    // Another run's double (same PKI in /etc/pki/vdsm): the zero-config identity works with it.
    console.warn('[vdsm-double] something already listens on hv1:54321; reusing it');
    return async () => undefined;
  }
  const pki = makeLabPki([hv1.addresses.mgmt, '127.0.0.1', 'hv1']);
  // The host has its own /tmp: hand the double its certs in the host's /run.
  mkdirSync(hostPath(hv1, CERT_DIR), { recursive: true });
  for (const f of ['ca.pem', 'server.pem', 'server-key.pem']) writeFileSync(hostPath(hv1, `${CERT_DIR}/${f}`), readFileSync(join(pki.dir, f)), { mode: 0o600 });
  const dbl = startOnHost(
    hv1,
    [process.execPath, '--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, join(ROOT, 'e2e/doubles/vdsm/main.ts'), '--listen', '0.0.0.0:54321', '--certs', CERT_DIR, '--initiator-name', hv1.initiatorIqn, '--iscsi-timeout-ms', '10000', '--task-ms', '300'],
    { stdio: 'log', logName: 'vdsm-double-e2e', cwd: ROOT },
  );
  try {
    await dbl.ready(() => tcpOpen(hv1.addresses.mgmt!, 54321), 30_000);
  } catch (e) {
    // Lost a race with a concurrent run that started its double first: use that one.
    await dbl.stop();
    await execOnHost(hv1, ['rm', '-rf', CERT_DIR]).catch(() => undefined);
    rmSync(pki.dir, { recursive: true, force: true });
    if (await tcpOpen(hv1.addresses.mgmt, 54321)) return async () => undefined;
    throw e;
  }
  // Only now, with our double listening, does hv1's /etc/pki/vdsm (what the console's zero-config
  // identity reads) change to the PKI the double serves.
  for (const [p, v] of [[VDSM_PKI.key, pki.serverKey], [VDSM_PKI.cert, pki.serverCert], [VDSM_PKI.ca, pki.ca]] as const) {
    mkdirSync(dirname(hostPath(hv1, p)), { recursive: true });
    writeFileSync(hostPath(hv1, p), v, { mode: 0o600 });
  }
  console.log(`[vdsm-double] TEST DOUBLE up on hv1:54321 (log ${hv1.logDir}/vdsm-double-e2e.log)`);
  return async () => {
    await dbl.stop();
    await execOnHost(hv1, ['rm', '-rf', CERT_DIR]).catch(() => undefined);
    rmSync(pki.dir, { recursive: true, force: true });
  };
}
