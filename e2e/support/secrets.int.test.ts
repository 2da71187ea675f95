// The e2e teardown's secret scan of the storage servers finds what it must: a world-readable file
// holding a secret on stor2, a process with a secret in its argv on stor1; and nothing once they
// are gone (so a clean e2e run passes it).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labSkipReason, loadLab } from '../lab/labinfo';
import { execOnHost } from '../lab/hosts';
import { scanStorageServers, watchProcesses } from './secrets';

const reason = labSkipReason();

describe.skipIf(reason)('the e2e secret scan of the storage servers', () => {
  it('finds a readable file and an argv holding a secret, and nothing after they are gone', async () => {
    const lab = loadLab()!;
    const secret = `PtScan${randomBytes(6).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'portico-scan-'));
    const file = join(dir, 'secrets');
    const planted = `/tmp/pt-scan-${randomBytes(3).toString('hex')}`;
    try {
      const procs = watchProcesses(file);
      writeFileSync(file, `${secret}\n`, { mode: 0o600 });
      await new Promise((r) => setTimeout(r, 300));
      await execOnHost(lab.hosts.stor2, ['bash', '-c', 'read -r s; printf "x %s y\\n" "$s" > "$1"; chmod 644 "$1"', 'plant', planted], { input: `${secret}\n` });
      await execOnHost(lab.hosts.stor1, ['sh', '-c', 'sleep 0.3; :', secret]);
      const ps = await procs.stop();
      const t0 = Date.now();
      const found = await scanStorageServers(lab, [secret], ps);
      console.log(`[e2e] scan: ${Date.now() - t0} ms; ${ps.samples} samples, ${JSON.stringify(ps.byProgram)}; found: ${found.join(' | ')}`);
      expect(found).toContain(`stor2:${planted} holds a secret and other users can read it`);
      expect(found.some((f) => /^a secret was in the argv of sh in \d+ of \d+ process samples$/.test(f))).toBe(true);
      await execOnHost(lab.hosts.stor2, ['rm', '-f', planted]);
      expect(await scanStorageServers(lab, [secret], null)).toEqual([]);
    } finally {
      await execOnHost(lab.hosts.stor2, ['rm', '-f', planted]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

if (reason) console.warn(`[e2e] secret scan test skipped: ${reason}`);
