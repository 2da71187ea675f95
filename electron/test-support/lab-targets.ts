// Test support for the tgt lab tests: a real service graph (createServices) with a lab storage
// server added the way the Hosts page adds it (hosts.add, then the key accepted), its storage
// folder set, plans built through the targets.* calls and applied with the JobRunner. Also the
// snapshot that the rollback promise is checked against. Imported only by lab tests, benches and
// the child console of the fault matrix.
import { contractCaller } from './services';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabInfo } from '../../e2e/lab/labinfo';
import { sshRun } from '../../e2e/lab/ssh';
import type { AddHostResult, HostView } from '../../shared/features/hosts';
import type { JobView, PlanView } from '../../shared/plan';
import { createServices, type Services } from '../services/app';
import { PassphraseCipher } from '../services/secrets';
import { TgtDriver } from '../services/targets/tgt/driver';

export const LAB_PASSPHRASE = 'portico lab tgt passphrase';

export interface LabTargets {
  svc: Services;
  dataDir: string;
  hostId: string;
  /** A driver for reads in tests (as the console resolves it). */
  driver: TgtDriver;
  call<T>(name: string, input: unknown): Promise<T>;
  /** targets.planX with the host id filled in; returns the masked view. */
  plan(call: 'planCreate' | 'planLunAdd' | 'planAccess' | 'planDelete' | 'planReconcile' | 'planLunResize' | 'planLunRemove' | 'planLunReadonly' | 'planChap' | 'planRename', input: Record<string, unknown>): Promise<PlanView>;
  /** Applies a registered plan with the JobRunner and waits for the job. */
  apply(planId: string, opts?: { confirmDangers?: boolean }): Promise<JobView>;
  close(): Promise<void>;
  /** close() and remove the data folder. */
  dispose(): Promise<void>;
}

/** Opens the console's services on `dataDir` (new or existing) and makes sure the lab host is added and trusted. */
export async function openLabTargets(lab: LabInfo, hostName: string, o: { as?: 'root' | 'admin'; dataDir?: string } = {}): Promise<LabTargets> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'portico-tgt-'));
  const svc = createServices({ dataDir, mode: 'browser', cipher: (db) => new PassphraseCipher(db, LAB_PASSPHRASE), knownHostsFiles: [] });
  const call = contractCaller(svc);
  const h = lab.hosts[hostName];
  const as = o.as ?? 'root';
  const acct = as === 'root' ? lab.accounts.root : lab.accounts.admin;
  let host = (await call<HostView[]>('hosts.list', {})).find((x) => x.name === hostName);
  if (!host) {
    const added = await call<AddHostResult>('hosts.add', {
      name: hostName, address: h.ssh.host, port: h.ssh.port, user: acct.user,
      auth: { kind: 'key', keyPath: acct.keyPath }, sudo: as !== 'root', roles: ['storage'],
    });
    host = added.hostKey ? await call<HostView>('hosts.acceptKey', { hostId: added.host.id, fingerprint: added.hostKey.fingerprint }) : added.host;
    await call('targets.settings', { serverId: host.id, storageDir: h.storageDir!, baseIqn: 'iqn.2024-01.lab.portico' });
  }
  const hostId = host.id;
  const driver = new TgtDriver({ runner: svc.pool.runner(hostId), sudo: as !== 'root', storageDir: h.storageDir! });
  const close = async () => {
    if (svc.db.open) await svc.close();
  };
  return {
    svc, dataDir, hostId, driver, call,
    plan: (name, input) => call<PlanView>(`targets.${name}`, { serverId: hostId, ...input }),
    apply: async (planId, opts) => (await svc.jobs.apply(planId, opts)).done,
    close,
    dispose: async () => {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Everything the rollback promise covers on a storage server, read as root: tgtd's own `show`
 * output (targets, accounts), the conf.d folder (every file's name, mode, size and sha256, hidden
 * temp files included) and the storage folder (names, sizes, allocated blocks). The lab is shared
 * with other test runs that add and remove their own targets meanwhile: `only` keeps what a test
 * owns (targets whose IQN, accounts and files whose name start with its prefixes; Portico's
 * hidden temp files always), verbatim.
 */
export async function serverSnapshot(lab: LabInfo, hostName: string, only?: { iqn: string; name: string }): Promise<string> {
  const dir = lab.hosts[hostName].storageDir!;
  const script = [
    'set -e',
    'echo "== tgtadm target"; tgtadm --lld iscsi --mode target --op show',
    'echo "== tgtadm account"; tgtadm --lld iscsi --mode account --op show',
    'echo "== conf.d"; cd /etc/tgt/conf.d; for f in $(ls -A | LC_ALL=C sort); do printf "%s %s %s %s\\n" "$f" "$(stat -c %a -- "$f")" "$(stat -c %s -- "$f")" "$(sha256sum < "$f" | cut -c1-64)"; done',
    `echo "== storage"; find ${dir} -mindepth 1 -printf '%P %y %s %b\\n' | LC_ALL=C sort`,
  ].join('\n');
  const r = await sshRun(lab, hostName, ['bash', '-c', script], { timeoutMs: 30_000 });
  if (!only) return r.stdout;
  return r.stdout.split(/^(?===)/m).map((section) => {
    const [head, ...rest] = section.split('\n');
    const body = rest.join('\n');
    if (head === '== tgtadm target') return [head, ...body.split(/^(?=Target \d+: )/m).filter((b) => b.startsWith(`Target `) && b.split('\n')[0].replace(/^Target \d+: /, '').startsWith(only.iqn))].join('\n');
    const mine = (l: string) => l.trim().startsWith(only.name) || l.startsWith('.portico');
    return [head, ...rest.filter((l) => (head === '== tgtadm account' && !l.startsWith(' ')) || mine(l))].join('\n');
  }).join('\n');
}
