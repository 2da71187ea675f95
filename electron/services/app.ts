// Composition root shared by both hosts (Electron main.ts and browser-mode server.ts):
// opens the state, builds the services and the router. Imports nothing from electron.
import { join } from 'node:path';
import { homedir } from 'node:os';
import type { AppInfo } from '../../shared/contract';
import { AuditLog } from './audit';
import { openDb, type Db } from './db';
import { EventBus } from './events';
import { JobRunner } from './jobs/runner';
import { PlanRegistry } from './jobs/registry';
import { Router } from './router';
import { SecretStore, type SecretCipher } from './secrets';
import { HostRepo, hostKeyStore } from './inventory/host-repo';
import { HostService } from './inventory/host-service';
import { SshPool } from './ssh/pool';
import { IscsiService } from './iscsi-service';
import { TargetService } from './targets/target-service';
import { HostedEngineService } from './hosted-engine/he-service';
import type { AccessEditInput, LunAddInput, TargetDeleteInput, TargetInput } from '../../shared/domain/target';

export const VERSION = '0.1.0';

export interface ServicesOptions {
  dataDir: string;
  mode: AppInfo['mode'];
  /** Builds the cipher once the database is open (it may keep its salt there). */
  cipher: (db: Db) => SecretCipher;
  /** known_hosts files to honour (default: the user's and the system's). */
  knownHostsFiles?: string[];
}

export interface Services {
  db: Db;
  events: EventBus;
  router: Router;
  audit: AuditLog;
  plans: PlanRegistry;
  jobs: JobRunner;
  secrets: SecretStore;
  hostRepo: HostRepo;
  pool: SshPool;
  hosts: HostService;
  targets: TargetService;
  iscsi: IscsiService;
  hostedEngine: HostedEngineService;
  close(): Promise<void>;
}

/** The user's data folder; PORTICO_DATA_DIR overrides it (tests, several profiles). */
export function defaultDataDir(): string {
  if (process.env.PORTICO_DATA_DIR) return process.env.PORTICO_DATA_DIR;
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'portico');
}

export function createServices(opts: ServicesOptions): Services {
  const db = openDb(join(opts.dataDir, 'portico.sqlite'));
  const events = new EventBus();
  const audit = new AuditLog(db);
  const plans = new PlanRegistry(db);
  const jobs = new JobRunner(db, plans, audit, events);
  const secrets = new SecretStore(db, opts.cipher(db));
  const hostRepo = new HostRepo(db, secrets);
  const pool = new SshPool({ resolver: hostRepo, hostKeys: hostKeyStore(hostRepo), knownHostsFiles: opts.knownHostsFiles });
  const hosts = new HostService(hostRepo, pool, events);
  const iscsi = new IscsiService(pool, hostRepo);
  const targets = new TargetService(db, hostRepo, pool, plans);
  const hostedEngine = new HostedEngineService(hostRepo, pool, plans, secrets);
  const router = new Router({
    'app.info': () => ({ mode: opts.mode, version: VERSION, secretBackend: secrets.backend }),
    'plans.get': ({ planId }) => plans.view(planId),
    'plans.apply': async ({ planId }) => ({ jobId: (await jobs.apply(planId)).jobId }),
    'plans.discard': ({ planId }) => ({ discarded: plans.discard(planId) }),
    'jobs.list': ({ limit }) => jobs.list(limit),
    'jobs.get': ({ jobId }) => jobs.get(jobId),
    'jobs.cancel': ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    'audit.list': ({ limit }) => audit.list(limit),
    'hosts.list': () => hosts.list(),
    'hosts.get': ({ hostId }) => hosts.get(hostId),
    'hosts.add': (input) => hosts.add(input),
    'hosts.update': ({ hostId, host }) => hosts.update(hostId, host),
    'hosts.acceptKey': ({ hostId, fingerprint }) => hosts.acceptKey(hostId, fingerprint),
    'hosts.remove': async ({ hostId }) => (await hosts.remove(hostId), { removed: true as const }),
    'hosts.reconnect': ({ hostId }) => hosts.reconnect(hostId),
    'hosts.probe': ({ hostId }) => hosts.probe(hostId),
    'hosts.sshConfig': () => hosts.sshConfigAliases(),
    'iscsi.discover': (i) => iscsi.discover(i),
    'iscsi.inspect': (i) => iscsi.inspect(i),
    'iscsi.survey': (i) => iscsi.survey(i),
    'targets.view': ({ serverId }) => targets.view(serverId),
    'targets.settings': ({ serverId, storageDir, baseIqn }) => targets.setSettings(serverId, { storageDir, baseIqn }),
    // Planners validate the raw input again with the same schema (their schemas transform sizes).
    'targets.planCreate': (_i, c) => targets.planCreate(c.raw as TargetInput),
    'targets.planLunAdd': (_i, c) => targets.planLunAdd(c.raw as LunAddInput),
    'targets.planAccess': (_i, c) => targets.planAccessEdit(c.raw as AccessEditInput),
    'targets.planDelete': (_i, c) => targets.planDelete(c.raw as TargetDeleteInput),
    'targets.planReconcile': (i) => targets.planReconcile(i),
    'he.discover': (i) => hostedEngine.discover(i),
    'he.connect': (i) => hostedEngine.connect(i),
    'he.luns': (i) => hostedEngine.luns(i),
    'he.plan': (i) => hostedEngine.plan(i),
  });
  return {
    db, events, router, audit, plans, jobs, secrets, hostRepo, pool, hosts, targets, iscsi, hostedEngine,
    close: async () => {
      await hostedEngine.close();
      await pool.close();
      db.close();
    },
  };
}
