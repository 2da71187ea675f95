// The oned TEST DOUBLE (e2e/doubles/oned, not OpenNebula) on lab host fe1:2633 for the e2e run,
// started inside fe1 like the VDSM double on hv1. Its session string comes from the environment
// (never argv: the run samples every argv for typed secrets). No lab: does nothing.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadLab, labRequirementsProblem, type LabHostInfo } from '../lab/labinfo';
import { startOnHost, type LabProcess } from '../lab/hosts';
import { tcpOpen } from '../lab/util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ONED_DOUBLE_PORT = 2633;
/** The session the e2e specs type (oneadmin:<this>). */
export const ONED_DOUBLE_SESSION = 'oneadmin:e2e-oned-Sess10n';

/** Starts the double inside `host` on `port`; resolves when it answers. */
export async function startOnedDoubleOn(host: LabHostInfo, port: number, o: { session?: string; version?: string; logName?: string } = {}): Promise<LabProcess> {
  const dbl = startOnHost(
    host,
    [process.execPath, '--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, join(ROOT, 'e2e/doubles/oned/main.ts'), '--listen', `0.0.0.0:${port}`, '--version', o.version ?? '6.10.0', '--hosts', 'hv1,hv2'],
    { stdio: 'log', logName: o.logName ?? 'oned-double', cwd: ROOT, env: { PORTICO_ONED_DOUBLE_USER: o.session ?? ONED_DOUBLE_SESSION } },
  );
  try {
    await dbl.ready(() => tcpOpen(host.addresses.mgmt!, port), 30_000);
  } catch (e) {
    await dbl.stop();
    throw e;
  }
  return dbl;
}

export async function startOnedDoubleOnFe1(): Promise<() => Promise<void>> {
  if (labRequirementsProblem()) return async () => undefined;
  const fe1 = loadLab()?.hosts.fe1;
  if (!fe1?.addresses.mgmt) return async () => undefined;
  if (await tcpOpen(fe1.addresses.mgmt, ONED_DOUBLE_PORT)) {
    console.warn('[oned-double] something already listens on fe1:2633; reusing it');
    return async () => undefined;
  }
  const dbl = await startOnedDoubleOn(fe1, ONED_DOUBLE_PORT, { logName: 'oned-double-e2e' });
  console.log(`[oned-double] TEST DOUBLE up on fe1:${ONED_DOUBLE_PORT} (log ${fe1.logDir}/oned-double-e2e.log)`);
  return () => dbl.stop();
}
