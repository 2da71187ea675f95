// Composition root shared by both hosts (Electron main.ts and browser-mode server.ts): opens the
// state, builds the shared core (db, events, audit, plans, jobs, secrets, host repo, SSH pool), then
// each feature module from it, and one router over all the features' handlers. Imports nothing
// from electron. A new feature: its fragment in shared/features/, spread into shared/contract.ts;
// its electron/services/<feature>/feature.ts, added to FEATURES below.
import { join } from 'node:path';
import { homedir } from 'node:os';
import type { CallName } from '../../shared/contract';
import type { AppInfo } from '../../shared/features/activity';
import { AuditLog } from './audit';
import { openDb, type Db } from './db';
import { EventBus } from './events';
import type { CoreDeps } from './feature';
import { JobRunner } from './jobs/runner';
import { PlanRegistry } from './jobs/registry';
import { OperationRegistry } from './jobs/kinds';
import { parseFailpoints } from './jobs/failpoints';
import { fileKinds } from './remote/files';
import { Router, type Handler } from './router';
import { SecretStore, type SecretCipher } from './secrets';
import { HostRepo, hostKeyStore } from './hosts/host-repo';
import { SshPool } from './ssh/pool';
import { UsageRegistry } from './usage';
import { AuditRepeats, callAuditDetail } from './audit-repeats';
import { PathHealthStore } from './path-health';
import { activityFeature } from './activity/feature';
import { hostsFeature } from './hosts/feature';
import { iscsiFeature } from './iscsi/feature';
import { targetsFeature } from './targets/feature';
import { hostedEngineFeature } from './hosted-engine/feature';
import { datastoresFeature } from './datastores/feature';
import { bondsFeature } from './bonds/feature';
import { dashboardFeature } from './dashboard/feature';

export const VERSION = '0.1.0';

/** Every feature module, in contract order. */
const FEATURES = [activityFeature, hostsFeature, iscsiFeature, targetsFeature, hostedEngineFeature, datastoresFeature, bondsFeature, dashboardFeature] as const;

export interface ServicesOptions {
  dataDir: string;
  mode: AppInfo['mode'];
  /** Builds the cipher once the database is open (it may keep its salt there). */
  cipher: (db: Db) => SecretCipher;
  /** known_hosts files to honour (default: the user's and the system's). */
  knownHostsFiles?: string[];
}

/** The core the features share, plus the router over their handlers. */
export interface Services extends Omit<CoreDeps, 'app'> {
  router: Router;
  close(): Promise<void>;
}

/** The user's data folder; PORTICO_DATA_DIR overrides it (tests, several profiles). */
export function defaultDataDir(): string {
  if (process.env.PORTICO_DATA_DIR) return process.env.PORTICO_DATA_DIR;
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'portico');
}

/** Every call of the contract has a handler: a fragment missing from FEATURES is a type error. */
type AllHandlers = { [N in CallName]: Handler<N> };
type FeatureHandlersOf<F> = F extends (deps: CoreDeps) => { handlers: infer H } ? H : never;
type Composed = FeatureHandlersOf<(typeof FEATURES)[number]>;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
const _everyCallServed: (h: UnionToIntersection<Composed>) => AllHandlers = (h) => h;
void _everyCallServed;

export function createServices(opts: ServicesOptions): Services {
  const db = openDb(join(opts.dataDir, 'portico.sqlite'));
  const events = new EventBus();
  const audit = new AuditLog(db);
  const secrets = new SecretStore(db, opts.cipher(db));
  const hostRepo = new HostRepo(db, secrets);
  const pool = new SshPool({ resolver: hostRepo, hostKeys: hostKeyStore(hostRepo), knownHostsFiles: opts.knownHostsFiles });
  const kinds = new OperationRegistry();
  const files = fileKinds({ runner: (h) => pool.runner(h) });
  kinds.add(files.put as never, files.dirCreate as never, files.dirRemove as never);
  const plans = new PlanRegistry(db, kinds);
  const hostLabel = (id: string) => {
    try {
      const h = hostRepo.get(id);
      return `${h.name} (${h.address})`;
    } catch {
      return id;
    }
  };
  const jobs = new JobRunner({
    db, plans, audit, events, kinds, vault: secrets, hostLabel,
    // Fault injection for the fault-matrix tests only (see jobs/failpoints.ts).
    failpoints: parseFailpoints(process.env.PORTICO_FAILPOINTS),
    cutConnection: async (h) => pool.cut(h),
  });
  const usage = new UsageRegistry();
  const paths = new PathHealthStore(db);
  const core: CoreDeps = { db, events, audit, kinds, plans, jobs, secrets, hostRepo, pool, usage, paths, app: { mode: opts.mode, version: VERSION } };
  const features = FEATURES.map((f) => f(core));
  // Every mutating (or login-making) call is audited with its masked input and outcome, failures
  // included; identical repeats of a read-only one are written as a count (audit-repeats.ts).
  const repeats = new AuditRepeats((e, r) => audit.append({ actor: e.actor, action: `call.${e.call}`, detail: callAuditDetail(e, r) }));
  const router = new Router(Object.assign({}, ...features.map((f) => f.handlers)) as AllHandlers, (e) => repeats.record(e));
  return {
    db, events, router, audit, kinds, plans, jobs, secrets, hostRepo, pool, usage, paths,
    close: async () => {
      for (const f of features) await f.close?.();
      repeats.close();
      await pool.close();
      db.close();
    },
  };
}
