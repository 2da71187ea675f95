// The targets feature as a non-root admin: every script runs through one `sudo -n bash` with its
// arguments on stdin, limited by the lab's sudoers list, exactly as on a server where root login is
// disabled. Plans are built by the targets.* calls and applied by the JobRunner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labSkipReason, loadLab, type LabInfo } from '../../../../e2e/lab/labinfo';
import { execOnHost } from '../../../../e2e/lab/hosts';
import { openLabTargets, type LabTargets } from '../../../test-support/lab-targets';
import { startProcSampler } from '../../../test-support/proc-sampler';
import { generateChapSecret } from '../../../../shared/domain/target';

const reason = labSkipReason();
// Scripts run as one `sudo -n bash` (their arguments, CHAP secrets included, on stdin): the sudoers
// list must allow bash. A lab whose list does not is older than that change.
const lab0 = reason ? null : loadLab();
const noBash = lab0 && !lab0.sudoCommands.some((c) => /\/bash$/.test(c)) ? `the lab's sudoers list (e2e/lab/lab.ts SUDO_COMMANDS) does not allow bash, which every Portico script needs under sudo` : null;

describe.skipIf(reason)('tgt on lab stor1 as a sudo admin', () => {
  let lab: LabInfo;
  let t: LabTargets;
  const name = `pt-sudo-${randomBytes(3).toString('hex')}`;
  const iqn = `iqn.2024-01.lab.portico:${name}`;
  const chapName = `pt-sudo-chap-${randomBytes(3).toString('hex')}`;
  const chapIqn = `iqn.2024-01.lab.portico:${chapName}`;

  beforeAll(async () => {
    lab = loadLab()!;
    if (noBash) return;
    t = await openLabTargets(lab, 'stor1', { as: 'admin' });
  });

  afterAll(async () => {
    if (!lab) return;
    const stor1 = lab.hosts.stor1;
    const show = await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target']);
    for (const q of [iqn, chapIqn]) {
      const m = new RegExp(`^Target (\\d+): ${q.replace(/\./g, '\\.')}$`, 'm').exec(show.stdout);
      if (m) await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--op', 'delete', '--force', '--mode', 'target', '--tid', m[1]]);
    }
    for (const n of [name, chapName]) await execOnHost(stor1, ['rm', '-f', `${stor1.storageDir}/${n}`, `/etc/tgt/conf.d/${n}.conf`, `/etc/tgt/conf.d/${n}.conf.prev`]);
    await t?.dispose();
  });

  it.skipIf(noBash)('creates a target with a sparse LUN and its conf.d file, then deletes it with its file', async () => {
    const stor1 = lab.hosts.stor1;
    const job = await t.apply((await t.plan('planCreate', {
      name, iqn,
      luns: [{ size: '64MB', backing: { kind: 'sparse' } }],
      access: { initiators: [lab.hosts.hv1.initiatorIqn], networks: [] },
    })).id);
    expect(job.error).toBeNull();
    expect(job.state).toBe('succeeded');
    const show = await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target']);
    expect(show.stdout).toContain(iqn);
    expect((await execOnHost(stor1, ['cat', `/etc/tgt/conf.d/${name}.conf`])).stdout).toContain(`<target ${iqn}>`);
    // The file belongs to root although an unprivileged user planned and applied it.
    expect((await execOnHost(stor1, ['stat', '-c', '%U', `${stor1.storageDir}/${name}`])).stdout.trim()).toBe('root');

    const del = await t.apply((await t.plan('planDelete', { iqn, deleteBackingFiles: true })).id);
    expect(del.error).toBeNull();
    expect(del.state).toBe('succeeded');
    expect((await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target'])).stdout).not.toContain(iqn);
    expect((await execOnHost(stor1, ['ls', stor1.storageDir!])).stdout).not.toContain(name);
  });

  // Item 3's acceptance: no CHAP secret in any process's argv but tgtadm's own (brief) one, and none
  // in sudo's log. The lab's sudo logs to its own file (e2e/lab/lab.ts: Defaults logfile=...).
  it.skipIf(noBash)('a CHAP target applied as the sudo admin: the secrets are in no argv but tgtadm\'s, and never in sudo\'s log', async () => {
    const stor1 = lab.hosts.stor1;
    const sudoLog = join(stor1.logDir, 'sudo.log');
    const sudoers = readFileSync(join(stor1.etcUpperDir, 'sudoers.d', 'portico-lab'), 'utf8');
    const logsToFile = /^Defaults logfile=/m.test(sudoers);
    const logBefore = existsSync(sudoLog) ? readFileSync(sudoLog, 'utf8').length : 0;
    const secret = generateChapSecret();
    const mutual = generateChapSecret();
    const view = await t.plan('planCreate', {
      name: chapName, iqn: chapIqn,
      luns: [{ size: '16MB', backing: { kind: 'sparse' } }],
      access: { initiators: [], networks: ['203.0.113.0/24'], chap: { user: `pt-sin-${randomBytes(2).toString('hex')}`, secret, mutual: { user: `pt-sout-${randomBytes(2).toString('hex')}`, secret: mutual } } },
    });
    // Positive control: a 0.2 s process on stor1 with a marker in its argv must be seen.
    const control = `pt-control-${randomBytes(6).toString('hex')}`;
    const sampler = startProcSampler({ secrets: [secret, mutual], intervalMs: 2, control });
    let job;
    let report;
    try {
      await new Promise((r) => setTimeout(r, 200));
      await execOnHost(stor1, ['sh', '-c', 'sleep 0.2; :', control]);
      job = await t.apply(view.id);
      const del = await t.apply((await t.plan('planDelete', { iqn: chapIqn, deleteBackingFiles: true })).id);
      expect(del.state).toBe('succeeded');
    } finally {
      report = await sampler.stop();
    }
    console.log(`[tgt] ps samples during a CHAP create + delete as ${lab.accounts.admin.user}: ${report.samples} samples (${report.sweepMs} ms each), ${report.samplesWithSecret} with a secret in some argv: ${JSON.stringify(report.byProgram)}; the 0.2 s control process was seen in ${report.controlSamples}`);
    expect(report.controlSamples).toBeGreaterThan(5);
    expect(job.error).toBeNull();
    expect(job.state).toBe('succeeded');
    expect(report.samples).toBeGreaterThan(50);
    // Only tgtadm itself, which takes the secret as --password, may hold it, and only while it runs.
    expect(Object.keys(report.byProgram).filter((p) => p !== 'tgtadm')).toEqual([]);
    if (!logsToFile) {
      console.warn(`[tgt] the lab's sudoers has no "Defaults logfile": it is older than that change (restart the lab); sudo's log was not checked`);
      return;
    }
    const log = readFileSync(sudoLog, 'utf8').slice(logBefore);
    const entries = log.split('\n').filter((l) => /COMMAND=/.test(l)).length;
    console.log(`[tgt] sudo log ${sudoLog}: ${entries} entries during the job, none with a secret`);
    expect(entries).toBeGreaterThan(0);
    for (const text of [log, log.replace(/\n\s+/g, ''), log.replace(/\n\s+/g, ' ')]) {
      expect(text.includes(secret)).toBe(false);
      expect(text.includes(mutual)).toBe(false);
    }
  });
});

if (noBash) console.warn(`[tgt] sudo admin test skipped: ${noBash}`);
