// Key, agent, password and sudo paths against the lab's real sshd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labSkipReason, loadLab, type LabInfo } from '../../../e2e/lab/labinfo';
import { labHost, labPool, startAgent, TableResolver, trustedStore } from '../../test-support/labkit';
import type { SshPool } from './pool';

const skip = labSkipReason();

describe.skipIf(skip)('SSH authentication and sudo against the lab', () => {
  let lab: LabInfo;
  let resolver: TableResolver;
  let pool: SshPool;
  let tmp: string;
  let agent: Awaited<ReturnType<typeof startAgent>> | null = null;

  beforeAll(async () => {
    lab = loadLab()!;
    tmp = mkdtempSync(join(tmpdir(), 'portico-auth-'));
    agent = await startAgent([lab.accounts.admin.keyPath!]);
    resolver = new TableResolver();
    const ids = { rootKey: 'stor1', agent: 'stor1', pw: 'stor1', admin: 'stor1', adminNoSudo: 'stor1', pwSudo: 'stor1', badPw: 'stor1', badUser: 'stor1', enc: 'stor1', encBad: 'stor1' };
    resolver.set('rootKey', labHost(lab, 'stor1', 'root'));
    resolver.set('agent', { ...labHost(lab, 'stor1', 'admin'), auth: 'agent', keyPath: undefined });
    resolver.set('pw', labHost(lab, 'stor1', 'password'), { password: lab.accounts.password.password! });
    resolver.set('pwSudo', labHost(lab, 'stor1', 'password'), { password: lab.accounts.password.password! });
    resolver.set('badPw', labHost(lab, 'stor1', 'password'), { password: 'not-the-password' });
    resolver.set('badUser', { ...labHost(lab, 'stor1', 'password'), user: 'nosuchuser' }, { password: lab.accounts.password.password! });
    resolver.set('admin', labHost(lab, 'stor1', 'admin'));
    resolver.set('adminNoSudo', labHost(lab, 'stor1', 'admin', { sudo: false }));
    // An encrypted copy of the admin key, to exercise the passphrase path.
    const enc = join(tmp, 'enc_ed25519');
    copyFileSync(lab.accounts.admin.keyPath!, enc);
    execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'open sesame', '-f', enc]);
    resolver.set('enc', labHost(lab, 'stor1', 'admin', { keyPath: enc }), { passphrase: 'open sesame' });
    resolver.set('encBad', labHost(lab, 'stor1', 'admin', { keyPath: enc }), { passphrase: 'wrong' });
    pool = labPool(resolver, { hostKeys: trustedStore(lab, ids), agentSocket: agent.socket });
  });

  afterAll(async () => {
    await pool?.close();
    await agent?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  // Root logins on lab hosts run the workstation's shared /root/.bashrc (pyenv init and a rehash lock),
  // which can take seconds; hence the generous timeouts on the root tests.
  it('key: runs as root and captures exit code, stdout and stderr', { timeout: 150_000 }, async () => {
    const r = await pool.run('rootKey', ['sh', '-c', 'id -un; echo oops >&2; exit 7'], { timeoutMs: 120_000 });
    expect(r).toEqual({ code: 7, signal: null, stdout: 'root\n', stderr: 'oops\n' });
  });

  it('key: the admin key logs in as the non-root admin', async () => {
    expect((await pool.run('admin', ['id', '-un'])).stdout).toBe(`${lab.accounts.admin.user}\n`);
  });

  it('agent: authenticates through a private ssh-agent', async () => {
    const r = await pool.run('agent', ['id', '-un']);
    expect(r.stdout).toBe(`${lab.accounts.admin.user}\n`);
    expect(pool.state('agent').state).toBe('connected');
  });

  it('agent: no agent socket is its own clear error', async () => {
    const p2 = labPool(resolver, { hostKeys: trustedStore(lab, { agent: 'stor1' }) });
    await expect(p2.run('agent', ['true'])).rejects.toMatchObject({ code: 'agent-unavailable' });
    await p2.close();
  });

  it('password: logs in with the stored password', async () => {
    expect((await pool.run('pw', ['id', '-un'])).stdout).toBe(`${lab.accounts.password.user}\n`);
  });

  it('wrong password and wrong user read alike: "authentication failed", nothing about which part', async () => {
    const a = await pool.run('badPw', ['true']).catch((e) => e);
    const b = await pool.run('badUser', ['true']).catch((e) => e);
    expect(a.code).toBe('auth-failed');
    expect(b.code).toBe('auth-failed');
    expect(a.message).toMatch(/^authentication failed/);
    expect(a.message).toBe(b.message);
    expect(a.message).not.toMatch(/password|nosuchuser|not-the-password/i);
    expect(pool.state('badPw')).toMatchObject({ state: 'failed', code: 'auth-failed' });
  });

  it('encrypted key: right passphrase connects, wrong one has its own message before any network', async () => {
    expect((await pool.run('enc', ['id', '-un'])).stdout).toBe(`${lab.accounts.admin.user}\n`);
    const e = await pool.run('encBad', ['true']).catch((x) => x);
    expect(e.code).toBe('key-passphrase-wrong');
    expect(e.message).not.toContain('wrong');
    expect(e.message).toMatch(/passphrase does not open/);
  });

  it('sudo: admin runs an allowed command as root through sudo -n', async () => {
    const r = await pool.run('admin', ['cat', '/etc/iscsi/initiatorname.iscsi'], { sudo: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(lab.hosts.stor1.initiatorIqn);
    // Without sudo the same user is not root.
    expect((await pool.run('admin', ['id', '-u'])).stdout.trim()).not.toBe('0');
  });

  it('sudo: a command that would need a password fails fast with sudo-password-required', async () => {
    const t0 = Date.now();
    const e = await pool.run('admin', ['id'], { sudo: true }).catch((x) => x);
    expect(e.code).toBe('sudo-password-required');
    expect(e.message).toMatch(/NOPASSWD/);
    expect(Date.now() - t0).toBeLessThan(5000);
    // The password user's sudo always wants its password: same clear error, never a hang.
    await expect(pool.run('pwSudo', ['cat', '/etc/hostname'], { sudo: true })).rejects.toMatchObject({ code: 'sudo-password-required' });
  });

  it('sudo: a host set up without sudo refuses commands that need root, before running anything', async () => {
    await expect(pool.run('adminNoSudo', ['cat', '/etc/hostname'], { sudo: true })).rejects.toMatchObject({ code: 'sudo-not-allowed' });
  });

  it('sudo as root is a plain command (no sudo needed)', { timeout: 150_000 }, async () => {
    expect((await pool.run('rootKey', ['id', '-u'], { sudo: true, timeoutMs: 120_000 })).stdout).toBe('0\n');
  });
});
