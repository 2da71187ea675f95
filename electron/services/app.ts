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

export const VERSION = '0.1.0';

export interface ServicesOptions {
  dataDir: string;
  mode: AppInfo['mode'];
  /** Builds the cipher once the database is open (it may keep its salt there). */
  cipher: (db: Db) => SecretCipher;
}

export interface Services {
  db: Db;
  events: EventBus;
  router: Router;
  audit: AuditLog;
  plans: PlanRegistry;
  jobs: JobRunner;
  secrets: SecretStore;
  close(): void;
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
  const router = new Router({
    'app.info': () => ({ mode: opts.mode, version: VERSION, secretBackend: secrets.backend }),
    'plans.get': ({ planId }) => plans.view(planId),
    'plans.apply': async ({ planId }) => ({ jobId: (await jobs.apply(planId)).jobId }),
    'plans.discard': ({ planId }) => ({ discarded: plans.discard(planId) }),
    'jobs.list': ({ limit }) => jobs.list(limit),
    'jobs.get': ({ jobId }) => jobs.get(jobId),
    'jobs.cancel': ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    'audit.list': ({ limit }) => audit.list(limit),
  });
  return { db, events, router, audit, plans, jobs, secrets, close: () => db.close() };
}
