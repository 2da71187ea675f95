// Helpers for the SSH integration tests against the lab (imported only by *.int.test.ts).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LabInfo, LabHostInfo } from '../../e2e/lab/labinfo';
import { MemoryHostKeyStore, describeKey } from '../services/ssh/hostkeys';
import { SshPool, type HostResolver, type ResolvedHost, type SshPoolOptions } from '../services/ssh/pool';

const pexec = promisify(execFile);

export type LabUser = 'root' | 'admin' | 'password';

export function labHost(lab: LabInfo, name: string, as: LabUser = 'root', extra: Partial<ResolvedHost> = {}): ResolvedHost {
  const h = lab.hosts[name];
  const acct = as === 'root' ? lab.accounts.root : as === 'admin' ? lab.accounts.admin : lab.accounts.password;
  return {
    name,
    address: h.ssh.host,
    port: h.ssh.port,
    user: acct.user,
    auth: acct.keyPath ? 'key' : 'password',
    ...(acct.keyPath ? { keyPath: acct.keyPath } : {}),
    sudo: as !== 'root',
    ...extra,
  };
}

/** Resolver over a mutable table, so a test can change a host's settings between connects. */
export class TableResolver implements HostResolver {
  readonly hosts = new Map<string, ResolvedHost>();
  readonly secrets = new Map<string, string>();
  getHost(id: string) {
    return this.hosts.get(id) ?? null;
  }
  getSecret(id: string, kind: 'password' | 'passphrase') {
    return this.secrets.get(`${id}/${kind}`) ?? null;
  }
  set(id: string, host: ResolvedHost, secrets: { password?: string; passphrase?: string } = {}) {
    this.hosts.set(id, host);
    for (const [k, v] of Object.entries(secrets)) this.secrets.set(`${id}/${k}`, v);
  }
}

/** A store pre-seeded with the lab's published host keys (as if the admin had accepted them). */
export function trustedStore(lab: LabInfo, ids: Record<string, string>): MemoryHostKeyStore {
  const store = new MemoryHostKeyStore();
  for (const [id, hostName] of Object.entries(ids)) {
    const b64 = lab.hosts[hostName].ssh.hostKey.split(' ')[1];
    store.set(id, describeKey(Buffer.from(b64, 'base64')));
  }
  return store;
}

export function labPool(resolver: HostResolver, opts: Partial<SshPoolOptions> = {}): SshPool {
  return new SshPool({
    resolver,
    hostKeys: new MemoryHostKeyStore(),
    knownHostsFiles: [],
    agentSocket: undefined,
    readyTimeoutMs: 8000,
    killGraceMs: 1000,
    reconnect: { baseDelayMs: 300, maxDelayMs: 2000, maxAttempts: 8 },
    ...opts,
  });
}

/** Starts a private ssh-agent holding the given keys; stop() kills exactly that agent. */
export async function startAgent(keys: string[]): Promise<{ socket: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-agent-'));
  const socket = join(dir, 'agent.sock');
  const { stdout } = await pexec('ssh-agent', ['-s', '-a', socket]);
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(stdout)?.[1]);
  if (!pid) throw new Error('ssh-agent did not report its pid');
  const env = { ...process.env, SSH_AUTH_SOCK: socket };
  for (const k of keys) await pexec('ssh-add', ['-q', k], { env });
  return {
    socket,
    stop: async () => {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function hostOf(lab: LabInfo, name: string): LabHostInfo {
  return lab.hosts[name];
}
