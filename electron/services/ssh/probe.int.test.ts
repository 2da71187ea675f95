// The capability probe on stor1 and hv1 matches what the lab installed and runs there
// (ground truth read inside each host's namespaces with nsenter, not over SSH).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { labSkipReason, loadLab, type LabInfo, type LabHostInfo } from '../../../e2e/lab/labinfo';
import { execOnHost, findDaemonPids, hostPath, hostPids } from '../../../e2e/lab/hosts';
import { PROBED_TOOLS, type Capabilities } from '../../../shared/domain/host';
import { labHost, labPool, TableResolver, trustedStore } from '../../test-support/labkit';
import { availability } from './probe';
import type { SshPool } from './pool';

const skip = labSkipReason();

async function truth(h: LabHostInfo) {
  const tools: Record<string, string | null> = {};
  for (const t of PROBED_TOOLS) {
    const r = await execOnHost(h, ['sh', '-c', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin command -v "$1"', 'sh', t], { allowFail: true });
    tools[t] = r.code === 0 ? r.stdout.trim() : null;
  }
  const comm = (p: number) => {
    try {
      return readFileSync(`/proc/${p}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  };
  const running = (name: string) => hostPids(h).some((p) => p !== h.anchorPid && comm(p) === name);
  const os = /^ID=(.*)$/m.exec(readFileSync(hostPath(h, '/etc/os-release'), 'utf8'))?.[1].replace(/"/g, '') ?? null;
  return {
    tools,
    services: { tgtd: running('tgtd'), libvirtd: findDaemonPids(h, '/usr/sbin/libvirtd').length > 0 || running('libvirtd'), vdsmd: running('vdsmd') },
    os,
  };
}

function check(c: Capabilities, h: LabHostInfo, t: Awaited<ReturnType<typeof truth>>) {
  expect(c.os.id).toBe(t.os);
  expect(c.tools).toEqual(t.tools);
  expect(c.services).toEqual({
    tgtd: t.services.tgtd ? 'running' : 'stopped',
    libvirtd: t.services.libvirtd ? 'running' : 'stopped',
    vdsmd: t.services.vdsmd ? 'running' : 'stopped',
  });
  expect(c.initiatorName).toBe(h.initiatorIqn);
  for (const net of ['mgmt', 'a', 'b'] as const) {
    const addr = h.addresses[net];
    if (!addr) continue;
    const i = c.interfaces.find((x) => x.name === h.interfaces[net]);
    expect(i, `${h.name} ${net}`).toBeDefined();
    expect(i!.addresses.map((a) => a.address)).toContain(addr);
  }
}

describe.skipIf(skip)('capability probe against the lab', () => {
  let lab: LabInfo;
  let pool: SshPool;

  beforeAll(() => {
    lab = loadLab()!;
    const r = new TableResolver();
    for (const n of ['stor1', 'hv1']) {
      r.set(`${n}-root`, labHost(lab, n, 'root'));
      r.set(`${n}-admin`, labHost(lab, n, 'admin'));
    }
    pool = labPool(r, {
      hostKeys: trustedStore(lab, { 'stor1-root': 'stor1', 'stor1-admin': 'stor1', 'hv1-root': 'hv1', 'hv1-admin': 'hv1' }),
    });
  });
  afterAll(async () => {
    await pool?.close();
  });

  for (const name of ['stor1', 'hv1']) {
    for (const as of ['admin', 'root'] as const) {
      // Root logins run the lab's shared /root/.bashrc (pyenv), which can be slow.
      it(`${name} as ${as}`, { timeout: 150_000 }, async () => {
        const h = lab.hosts[name];
        const caps = await pool.probe(`${name}-${as}`);
        check(caps, h, await truth(h));
        expect(caps.user.name).toBe(as === 'root' ? 'root' : lab.accounts.admin.user);
        // padmin has NOPASSWD rules for a command list, not for everything.
        expect(caps.sudo).toBe(as === 'root' ? 'root' : 'limited');
      });
    }
  }

  it('role-typical results: tgt on the storage host, libvirt on the hypervisor, with reasons', async () => {
    const s = await pool.probe('stor1-admin');
    const v = await pool.probe('hv1-admin');
    expect(lab.hosts.stor1.tgt).not.toBeNull();
    expect(s.services.tgtd).toBe('running');
    expect(availability(s, 'tgt-target').available).toBe(true);
    expect(lab.hosts.hv1.libvirt).toBe(true);
    expect(v.services.libvirtd).toBe('running');
    expect(v.services.tgtd).toBe('stopped');
    expect(availability(v, 'tgt-target')).toEqual({ available: false, reasons: [expect.stringMatching(/^tgtd is not running/)] });
    expect(availability(s, 'vdsm').reasons.join(' ')).toMatch(/vdsm-client is not installed/);
  });
});
