// Reads the estate for the dashboard: each storage server's targets, LUN files, storage folder
// filesystem and conf files (read-only, all servers at once, each bounded in time), each host's
// key and reachability, the latest path checks and the jobs. The warnings come from ./rules.
import type { DashboardOverview, HostProblem, PathHealthSummary, ServerSummary } from '../../../shared/features/dashboard';
import type { HostRecord, HostRepo } from '../hosts/host-repo';
import type { JobRunner } from '../jobs/runner';
import type { PathHealthStore } from '../path-health';
import type { SshPool } from '../ssh/pool';
import type { TargetService } from '../targets/target-service';
import { readTargetsView } from '../targets/tgt/view';
import { parseTargetConf } from '../targets/tgt/conf';
import { tgtLunGuid } from '../targets/tgt/lun-guid';
import { allWarnings, capacityOf, type ServerFacts } from './rules';
import type { ThresholdStore } from './thresholds';

const SERVER_TIMEOUT_MS = 20_000;
const HOST_TIMEOUT_MS = 8_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => rej(new Error(`${what} did not answer within ${ms / 1000} s`)), ms)))]).finally(() => clearTimeout(t));
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

export interface OverviewDeps {
  hostRepo: HostRepo;
  pool: SshPool;
  targets: TargetService;
  paths: PathHealthStore;
  jobs: JobRunner;
  thresholds: ThresholdStore;
}

/** CHAP secret lengths per target IQN, from the conf files (only lengths leave this function). */
function secretLengths(confs: { path: string; text: string }[]): Map<string, { user: string; length: number }[]> {
  const m = new Map<string, { user: string; length: number }[]>();
  for (const f of confs) {
    try {
      for (const t of parseTargetConf(f.text, f.path)) m.set(t.iqn, t.incoming.map((a) => ({ user: a.user, length: a.password.length })));
    } catch {
      // an unreadable file is reported as drift by the view; its targets' secrets stay unknown
    }
  }
  return m;
}

async function readServer(d: OverviewDeps, h: HostRecord): Promise<{ facts: ServerFacts | null; summary: ServerSummary }> {
  const thresholds = d.thresholds.get(h.id);
  const storageDir = d.targets.settings(h.id).storageDir;
  const base: ServerSummary = { serverId: h.id, name: h.name, address: h.address, reachable: false, error: null, storageDir, capacity: null, targets: 0, sessions: 0, drift: [], thresholds };
  try {
    const driver = d.targets.driver(h.id);
    const [view, confs, space] = await withTimeout(
      Promise.all([readTargetsView(driver), driver.readConfFiles(), driver.space(storageDir).then((s) => ({ s, e: null }), (e: unknown) => ({ s: null, e: msg(e) }))]),
      SERVER_TIMEOUT_MS,
      h.name,
    );
    const lengths = secretLengths(confs);
    const facts: ServerFacts = {
      serverId: h.id, name: h.name, storageDir, thresholds, fileErrors: view.fileErrors,
      filesystem: space.s ? { mount: space.s.filesystem.mount, type: space.s.filesystem.type, sizeBytes: space.s.sizeBytes, availBytes: space.s.availBytes } : null,
      filesystemError: space.e,
      targets: view.targets.map((t) => ({
        iqn: t.iqn, openToAll: t.openToAll, chapUsers: t.chapUsers, persisted: t.persisted, driftMessages: t.driftMessages,
        luns: t.luns.map((l) => ({ lun: l.lun, path: l.path, apparentBytes: l.apparentBytes, allocatedBytes: l.allocatedBytes, scsiId: l.scsiId, guid: l.scsiId.trim() ? tgtLunGuid({ scsiId: l.scsiId, tid: t.tid, lun: l.lun }) : null })),
        chapSecretLengths: lengths.get(t.iqn) ?? null,
      })),
    };
    return {
      facts,
      summary: {
        ...base, reachable: true, capacity: capacityOf(facts), targets: view.targets.length,
        sessions: view.targets.reduce((a, t) => a + t.sessions.length, 0),
        drift: view.targets.filter((t) => t.persisted !== 'in-sync').map((t) => ({ iqn: t.iqn, status: t.persisted, messages: t.driftMessages })),
      },
    };
  } catch (e) {
    return { facts: null, summary: { ...base, error: msg(e) } };
  }
}

/** A host whose key changed (checked by a handshake without login) or that does not answer. */
async function hostProblem(d: OverviewDeps, h: HostRecord): Promise<HostProblem | null> {
  try {
    const check = await withTimeout(d.pool.fetchHostKey(h.id), HOST_TIMEOUT_MS, h.name);
    if (check.revoked || (check.stored && !check.matches))
      return { hostId: h.id, name: h.name, address: h.address, state: 'blocked', reason: `presents host key ${check.presented.fingerprint}, not the accepted ${check.stored?.fingerprint ?? 'key'}: Portico runs nothing on it until you review and re-accept the key.` };
    const s = d.pool.state(h.id);
    if (s.state === 'failed') return { hostId: h.id, name: h.name, address: h.address, state: 'failed', reason: s.reason ?? 'the last connection failed' };
    return null;
  } catch (e) {
    return { hostId: h.id, name: h.name, address: h.address, state: 'failed', reason: `unreachable: ${msg(e)}` };
  }
}

export function pathSummary(paths: PathHealthStore, hostName: (id: string) => string): PathHealthSummary {
  const records = paths.latest();
  const cells = records.flatMap((r) => r.cells.map((c) => ({ ...c, source: r.source })));
  return {
    at: records[0]?.at ?? null,
    ok: cells.filter((c) => c.state === 'ok').length,
    failed: cells.filter((c) => c.state === 'failed').length,
    sources: records.map((r) => ({ source: r.source, at: r.at, ok: r.cells.filter((c) => c.state === 'ok').length, failed: r.cells.filter((c) => c.state === 'failed').length })),
    failures: cells.filter((c) => c.state === 'failed').map((c) => ({ source: c.source, from: c.fromHostId ? hostName(c.fromHostId) : 'the workstation', portal: c.portal, iqn: c.iqn, message: c.message })),
  };
}

export async function readOverview(d: OverviewDeps): Promise<DashboardOverview> {
  const hosts = d.hostRepo.list();
  const storage = hosts.filter((h) => h.roles.includes('storage'));
  const [servers, problems] = await Promise.all([Promise.all(storage.map((h) => readServer(d, h))), Promise.all(hosts.map((h) => hostProblem(d, h)))]);
  const jobs = d.jobs.list(50);
  const name = (id: string) => hosts.find((h) => h.id === id)?.name ?? id;
  return {
    at: new Date().toISOString(),
    hosts: { total: hosts.length, storage: storage.length, hypervisors: hosts.filter((h) => h.roles.includes('hypervisor')).length },
    servers: servers.map((s) => s.summary),
    hostProblems: problems.filter((p): p is HostProblem => p !== null),
    paths: pathSummary(d.paths, name),
    jobs: { recent: jobs.slice(0, 8), interrupted: jobs.filter((j) => j.recoverable) },
    warnings: allWarnings(servers.flatMap((s) => (s.facts ? [s.facts] : []))),
  };
}
