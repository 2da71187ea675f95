// A full up/down cycle of a second, small lab (own namespaces, links, folder and the upper /25 of
// the lab ranges), so the shared lab of the run is not disturbed: up is fast and idempotent, down
// leaves nothing behind, and down cleans up after a crashed run.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostPids } from './hosts';
import { down, leftovers, up } from './lab';
import { labRequirementsProblem, loadLab, type LabInfo } from './labinfo';
import { makeTopology } from './topology';
import { sshRun } from './ssh';
import { isZombie, nsId, pidAlive, run } from './util';

const reason = labRequirementsProblem();
if (reason) console.warn(`[portico-lab] skipping lab up/down cycle test: ${reason}`);

const topology = makeTopology({
  linkPrefix: 'pc',
  netnsPrefix: 'portico-cyc-',
  prefixLen: 25,
  workstationOctet: 129,
  srvSize: '32m',
  hosts: [
    { name: 'cs1', role: 'storage', octet: 141, networks: ['mgmt', 'a', 'b'] },
    { name: 'ch1', role: 'hypervisor', octet: 142, networks: ['mgmt', 'a', 'b'] },
  ],
});

describe.skipIf(reason)('lab up/down cycle', () => {
  const base = reason ? '' : mkdtempSync(join(tmpdir(), 'portico-lab-cycle-'));
  const dir = join(base, 'lab');
  afterAll(async () => {
    if (reason) return;
    await down({ dir, topology });
    rmSync(base, { recursive: true, force: true });
  });

  it('comes up fast, twice in a row (idempotent), and goes down leaving nothing behind', async () => {
    const t0 = Date.now();
    let lab: LabInfo = await up({ dir, topology, startedBy: 'test' });
    const firstUp = Date.now() - t0;
    expect(firstUp).toBeLessThan(60_000);
    expect(loadLab(dir)?.hosts.cs1.addresses.mgmt).toBe('198.51.100.141');
    const firstAnchor = lab.hosts.cs1.anchorPid;

    // up again over a running lab: replaces it
    lab = await up({ dir, topology, startedBy: 'test' });
    expect(pidAlive(firstAnchor)).toBe(false);
    const r = await sshRun(lab, 'cs1', 'hostname; tgtadm --lld iscsi --op show --mode portal');
    expect(r.stdout).toContain('cs1');
    expect(r.stdout).toContain('Portal: 192.0.2.141:3260');
    expect((await sshRun(lab, 'ch1', ['virsh', 'secret-list'])).code).toBe(0);
    // a session and a started process live in the host until down
    const extra = await run('nsenter', ['-t', String(lab.hosts.ch1.anchorPid), '-m', '-n', '--', 'sh', '-c', 'sleep 300 >/dev/null 2>&1 & echo $!']);
    expect(pidAlive(Number(extra.stdout.trim()))).toBe(true);

    const pids = Object.values(lab.hosts).flatMap((h) => hostPids(h));
    expect(pids.length).toBeGreaterThanOrEqual(6);
    const nets = Object.values(lab.hosts).map((h) => nsId(h.anchorPid, 'net'));
    const t1 = Date.now();
    const left = await down({ dir, topology });
    console.log(`[portico-lab] cycle: up ${firstUp} ms, down ${Date.now() - t1} ms`);
    expect(left).toEqual([]);
    expect(pids.filter((p) => pidAlive(p) && !isZombie(p))).toEqual([]);
    expect(nets.every((n) => n !== null)).toBe(true);
    expect(existsSync(dir)).toBe(false);
    expect((await run('ip', ['netns', 'list'])).stdout).not.toMatch(/portico-cyc-/);
    expect((await run('ip', ['-o', 'link', 'show'])).stdout).not.toMatch(/\bpc-/);
    expect((await run('ip', ['-o', 'addr', 'show'])).stdout).not.toContain('198.51.100.129');
    // down again: nothing to do, still clean
    expect(await down({ dir, topology })).toEqual([]);
  });

  it('down cleans up after a crashed run (anchors and links left, no state file)', async () => {
    const lab = await up({ dir, topology, startedBy: 'test' });
    rmSync(join(dir, 'state.json'));
    rmSync(join(dir, 'lab.json'));
    const left = await down({ dir, topology });
    expect(left).toEqual([]);
    expect(Object.values(lab.hosts).every((h) => !pidAlive(h.anchorPid))).toBe(true);
    expect(await leftovers(topology, dir)).toEqual([]);
  });
});
