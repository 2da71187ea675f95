// Forced delete under I/O on lab stor1, through the real service graph and JobRunner: a real
// initiator on hv1 holds a session (iscsi-hold, through an SSH tunnel from hv1, so tgtd sees hv1's
// address) and hv1 reads the LUN at full speed with libiscsi's iscsi-perf (64 requests in flight)
// while the plan applies. tgtd's own `--force` fails there with "this logical unit is still active"
// after removing LUNs; Portico's plan refuses new logins, closes every connection, waits until tgtd
// lists no session, then deletes. And a failure injected mid-way rolls back completely.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { labSkipReason, loadLab, type LabInfo } from '../../../../e2e/lab/labinfo';
import { sshArgs, sshRun } from '../../../../e2e/lab/ssh';
import type { JobView, PlanView } from '../../../../shared/plan';
import { JobRunner } from '../../jobs/runner';
import { holdSession, type HeldSession } from '../../../test-support/iscsi-hold';
import { openLabTargets, serverSnapshot, type LabTargets } from '../../../test-support/lab-targets';

const reason = labSkipReason();
const HOST = 'stor1';
const BASE = 'iqn.2024-01.lab.portico';
const rnd = () => randomBytes(3).toString('hex');

/** tgtd's show without the I_T nexus lines (sessions come and go; the rollback promise covers the rest, state included). */
const withoutSessions = (snap: string) => snap.replace(/^ {4}I_T nexus information:\n(?: {8}.*\n)*/gm, '    I_T nexus information:\n');

describe.skipIf(reason)('forced delete under I/O on lab stor1', () => {
  let lab: LabInfo;
  let t: LabTargets;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    lab = loadLab()!;
    t = await openLabTargets(lab, HOST);
  });

  afterAll(async () => {
    if (!lab) return;
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    const st = await t.driver.readState().catch(() => null);
    for (const x of st?.targets ?? []) {
      if (x.iqn.startsWith(`${BASE}:fd-`)) await sshRun(lab, HOST, ['tgtadm', '--lld', 'iscsi', '--mode', 'target', '--op', 'delete', '--force', '--tid', String(x.tid)], { allowFail: true });
    }
    await sshRun(lab, HOST, `rm -f /etc/tgt/conf.d/fd-* ${lab.hosts[HOST].storageDir}/fd-*`, { allowFail: true });
    await t?.dispose();
  });

  const portalB = () => lab.hosts[HOST].tgt!.portals[1];

  /** A local port forwarded through hv1 to stor1's net-B portal: connections come from hv1 (192.0.2.21). */
  async function tunnelFromHv1(): Promise<number> {
    const port = 40000 + Math.floor(Math.random() * 20000);
    const ssh = spawn('ssh', ['-N', '-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${port}:${portalB()}`, ...sshArgs(lab, 'hv1')], { stdio: 'ignore' });
    cleanup.push(async () => ssh.kill('SIGTERM'));
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((res) => {
        const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); res(true); });
        s.on('error', () => res(false));
      });
      if (ok) return port;
      if (ssh.exitCode !== null) throw new Error(`ssh tunnel through hv1 exited (${ssh.exitCode})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('ssh tunnel through hv1 did not open');
  }

  /** iscsi-perf on hv1: sequential reads of LUN 1, 64 requests of 128 KiB in flight, until killed (by its pid on hv1). */
  async function ioFromHv1(iqn: string): Promise<{ stop: () => Promise<string>; proc: ChildProcess }> {
    const tag = `/tmp/portico-fd-${rnd()}`;
    const url = `iscsi://${portalB()}/${iqn}/1`;
    const proc = spawn('ssh', [...sshArgs(lab, 'hv1'), '--', `echo $$ > ${tag}.pid; exec timeout 120 iscsi-perf -i ${lab.hosts.hv1.initiatorIqn} -m 64 -b 256 ${url} > ${tag}.log 2>&1`], { stdio: 'ignore' });
    const stop = async () => {
      await sshRun(lab, 'hv1', `kill "$(cat ${tag}.pid)" 2>/dev/null; sleep 0.2; tr '\\r' '\\n' < ${tag}.log | tail -n 20; rm -f ${tag}.pid ${tag}.log`, { allowFail: true }).then((r) => r.stdout).finally(() => proc.kill('SIGTERM'));
      return '';
    };
    cleanup.push(stop);
    return { stop, proc };
  }

  /** A target with two LUNs admitting net B, hv1 holding a session and reading LUN 1 at full speed. */
  async function busyTarget(): Promise<{ iqn: string; name: string; held: HeldSession; io: Awaited<ReturnType<typeof ioFromHv1>> }> {
    const name = `fd-${rnd()}`;
    const iqn = `${BASE}:${name}`;
    const created = await t.apply((await t.plan('planCreate', { name, iqn, luns: [{ size: '64MB', backing: { kind: 'sparse' } }, { size: '16MB', backing: { kind: 'sparse' } }], access: { networks: ['192.0.2.0/24'] } })).id);
    expect(created.error).toBeNull();
    const port = await tunnelFromHv1();
    const held = await holdSession({ host: '127.0.0.1', port, targetName: iqn, initiatorName: lab.hosts.hv1.initiatorIqn });
    cleanup.push(() => held.close());
    expect(held.statusClass).toBe(0);
    const io = await ioFromHv1(iqn);
    // Both sessions listed, from hv1's address on net B.
    for (let i = 0; ; i++) {
      const live = (await t.driver.readState()).targets.find((x) => x.iqn === iqn)!;
      if (live.sessions.length >= 2) {
        expect(live.sessions.flatMap((s) => s.connections.map((c) => c.address))).toEqual(['192.0.2.21', '192.0.2.21']);
        break;
      }
      if (i > 50) throw new Error(`iscsi-perf on hv1 did not log in: ${await io.stop()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500)); // I/O running
    return { iqn, name, held, io };
  }

  const forcedPlan = (iqn: string): Promise<PlanView> => t.plan('planDelete', { iqn, force: true, confirmedSessions: [lab.hosts.hv1.initiatorIqn] });

  it('closes the sessions (logins refused meanwhile), waits until tgtd lists none, then deletes: target, conf and backing files gone, the held session dropped', async () => {
    const { iqn, name, held, io } = await busyTarget();
    const view = await forcedPlan(iqn);
    expect(view.dangers.join('\n')).toMatch(/Forced delete/);
    const job: JobView = await t.apply(view.id, { confirmDangers: true });
    expect(job.error).toBeNull();
    expect(job.state).toBe('succeeded');
    const cmds = view.steps.flatMap((s) => s.ops.map((o) => o.command));
    expect(cmds.filter((c) => c.includes('--mode conn --op delete'))).toHaveLength(2);
    expect(cmds[0]).toContain('--name state --value offline');
    expect(cmds.find((c) => c.includes('--mode target --op delete'))).not.toContain('--force');
    await Promise.race([held.whenEnded, new Promise((r) => setTimeout(r, 5000))]);
    expect(held.ended()).toBe(true);
    expect((await t.driver.readState()).targets.some((x) => x.iqn === iqn)).toBe(false);
    const files = await t.driver.readFiles([`/etc/tgt/conf.d/${name}.conf`]);
    expect(files.get(`/etc/tgt/conf.d/${name}.conf`)).toBeNull();
    await io.stop();
  }, 120_000);

  it.each([
    ['the delete itself', 'target-delete'],
    ['the conf removal after the delete', 'file.put'],
  ])('a failure injected at %s rolls back completely: the target is back as before, logins admitted again', async (_what, at) => {
    const { iqn, held, io } = await busyTarget();
    const view = await forcedPlan(iqn);
    const ops = view.steps.flatMap((s) => s.ops);
    const k = ops.findIndex((o) => (at === 'file.put' ? o.command.includes('.conf') : o.command.includes('--mode target --op delete'))) + 1;
    expect(k).toBeGreaterThan(3);
    const before = withoutSessions(await serverSnapshot(lab, HOST, { iqn, name: iqn.split(':')[1] }));
    const s = t.svc;
    const runner = new JobRunner({ db: s.db, plans: s.plans, audit: s.audit, events: s.events, kinds: s.kinds, vault: s.secrets, hostLabel: () => HOST, failpoints: [{ planKind: 'tgt.target.delete', op: k, mode: 'fail' }] });
    const job = await (await runner.apply(view.id, { confirmDangers: true })).done;
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/injected failure/);
    expect(withoutSessions(await serverSnapshot(lab, HOST, { iqn, name: iqn.split(':')[1] }))).toBe(before);
    const live = (await t.driver.readState()).targets.find((x) => x.iqn === iqn)!;
    expect(live.state).toBe('ready');
    // The closed session stays closed (the initiator must log in again), and it can.
    expect(held.ended()).toBe(true);
    await io.stop();
    const [host, port] = portalB().split(':');
    const r = await sshRun(lab, 'hv1', ['iscsi-ls', '-s', '-i', lab.hosts.hv1.initiatorIqn, `iscsi://${host}:${port}`], { allowFail: true, timeoutMs: 20_000 });
    expect(r.stdout).toContain(iqn);
  }, 120_000);
});

if (reason) console.warn(`[tgt] forced-delete lab tests skipped: ${reason}`);
