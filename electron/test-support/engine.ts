// Test support: the real job engine (PlanRegistry + JobRunner + journal + SecretStore) on a
// throwaway data folder, over whatever operation kinds a test registers. Call disposeEngines()
// in afterEach.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../services/audit';
import { openDb, type Db } from '../services/db';
import { EventBus } from '../services/events';
import type { Failpoint } from '../services/jobs/failpoints';
import type { OperationRegistry } from '../services/jobs/kinds';
import { PlanRegistry } from '../services/jobs/registry';
import { JobRunner } from '../services/jobs/runner';
import { PassphraseCipher, SecretStore } from '../services/secrets';

export interface TestEngine {
  dir: string;
  db: Db;
  kinds: OperationRegistry;
  plans: PlanRegistry;
  runner: JobRunner;
  audit: AuditLog;
  events: EventBus;
  vault: SecretStore;
  /** Closes this engine's database (and removes its folder if the engine made it). */
  dispose(): void;
}

const opened: { db: Db; dir: string; own: boolean }[] = [];

/** Opens the engine on `dir` (a new temp folder by default; pass the same dir to "restart the console"). */
export function testEngine(kinds: OperationRegistry, o: { failpoints?: Failpoint[]; dir?: string } = {}): TestEngine {
  const own = !o.dir;
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'portico-engine-'));
  const db = openDb(join(dir, 'portico.sqlite'));
  const entry = { db, dir, own };
  opened.push(entry);
  const plans = new PlanRegistry(db, kinds);
  const audit = new AuditLog(db);
  const events = new EventBus();
  const vault = new SecretStore(db, new PassphraseCipher(db, 'test passphrase'));
  const runner = new JobRunner({ db, plans, audit, events, kinds, vault, failpoints: o.failpoints });
  const dispose = () => {
    const i = opened.indexOf(entry);
    if (i >= 0) opened.splice(i, 1);
    close(entry);
  };
  return { dir, db, kinds, plans, runner, audit, events, vault, dispose };
}

function close(e: { db: Db; dir: string; own: boolean }): void {
  if (e.db.open) e.db.close();
  if (e.own) rmSync(e.dir, { recursive: true, force: true });
}

export function disposeEngines(): void {
  for (const e of opened.splice(0)) close(e);
}
