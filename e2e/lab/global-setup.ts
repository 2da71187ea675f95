// Vitest globalSetup of the integration project: bring the lab up for the run, tear it down after.
//
// - Not root, or lab packages missing: prints the reason once and does nothing; lab-backed tests
//   skip with that reason (labSkipReason()).
// - A healthy lab already up (e.g. kept with PORTICO_LAB_KEEP=1, or started by `npm run lab:up`,
//   or by a concurrent test run) is reused.
// - Teardown: when this run (or another test run sharing it) started the lab and no other test run
//   still uses it, the lab goes down, unless PORTICO_LAB_KEEP=1. A lab started with `npm run lab:up`
//   is left up. Several test runs on one machine share the lab through lease files.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { downUnlocked, labHealthy, liveLeases, readState, upUnlocked, withLabLock } from './lab';
import { labDir, labRequirementsProblem } from './labinfo';

const keep = () => process.env.PORTICO_LAB_KEEP === '1';

export default async function setup(): Promise<() => Promise<void>> {
  const problem = labRequirementsProblem();
  if (problem) {
    console.warn(`[portico-lab] not starting the lab: ${problem}. Lab-backed tests will be skipped with this reason.`);
    return async () => undefined;
  }
  const dir = labDir();
  const t0 = Date.now();
  await withLabLock(dir, async () => {
    const health = await labHealthy(dir);
    const others = liveLeases(dir).filter((p) => p !== process.pid);
    if (health.ok) {
      console.log(`[portico-lab] reusing the lab already up in ${dir}`);
    } else if (others.length && existsSync(join(dir, 'lab.json'))) {
      // Another test run uses this lab (maybe in the middle of a fault test): never rebuild under it.
      console.warn(`[portico-lab] reusing the lab of test run(s) ${others.join(', ')} although: ${health.problems.join('; ')}`);
    } else {
      await upUnlocked({ dir, startedBy: 'test' });
      console.log(`[portico-lab] lab up in ${Date.now() - t0} ms (${dir})`);
    }
    mkdirSync(join(dir, 'leases'), { recursive: true });
    writeFileSync(join(dir, 'leases', String(process.pid)), '');
  });

  return async () => {
    await withLabLock(dir, async () => {
      rmSync(join(dir, 'leases', String(process.pid)), { force: true });
      const others = liveLeases(dir).filter((p) => p !== process.pid);
      const state = readState(dir);
      if (keep()) {
        console.log(`[portico-lab] PORTICO_LAB_KEEP=1: leaving the lab up (${dir}); npm run lab:down stops it`);
        return;
      }
      if (others.length) {
        console.log(`[portico-lab] leaving the lab up: still used by test run(s) ${others.join(', ')}`);
        return;
      }
      if (state && state.startedBy === 'cli') {
        console.log('[portico-lab] leaving the lab up: it was started by npm run lab:up');
        return;
      }
      const left = await downUnlocked({ dir });
      if (left.length) throw new Error(`[portico-lab] lab down left behind: ${left.join('; ')}`);
      console.log('[portico-lab] lab down; nothing left behind');
    });
  };
}
