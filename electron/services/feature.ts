// What every feature module (electron/services/<feature>/feature.ts) takes and gives: the shared
// core in, the Router handlers for exactly its contract fragment (shared/features/<feature>.ts) out.
import type { z } from 'zod';
import type { CallMap } from '../../shared/contract-kit';
import type { AppInfo } from '../../shared/features/activity';
import type { AuditLog } from './audit';
import type { Db } from './db';
import type { EventBus } from './events';
import type { HostRepo } from './hosts/host-repo';
import type { OperationRegistry } from './jobs/kinds';
import type { PlanRegistry } from './jobs/registry';
import type { JobRunner } from './jobs/runner';
import type { CallContext } from './router';
import type { SecretStore } from './secrets';
import type { SshPool } from './ssh/pool';
import type { UsageRegistry } from './usage';
import type { PathHealthStore } from './path-health';

/** The shared core every feature may use; app.ts builds it once. */
export interface CoreDeps {
  db: Db;
  events: EventBus;
  audit: AuditLog;
  /** Operation and check kinds: each feature adds the kinds its drivers declare. */
  kinds: OperationRegistry;
  plans: PlanRegistry;
  jobs: JobRunner;
  secrets: SecretStore;
  hostRepo: HostRepo;
  pool: SshPool;
  /** "Who uses this LUN?" checks other features register (datastores' images), asked before deletes. */
  usage: UsageRegistry;
  /** Latest path-check results (portal check, bond matrices), for the dashboard. */
  paths: PathHealthStore;
  app: { mode: AppInfo['mode']; version: string };
}

/** One handler per call of the fragment `C`, no more, no less; each gets the parsed input. */
export type FeatureHandlers<C extends CallMap> = {
  [N in keyof C]: (input: z.output<C[N]['input']>, ctx: CallContext) => Promise<NonNullable<C[N]['output']>> | NonNullable<C[N]['output']>;
};

export interface Feature<C extends CallMap> {
  handlers: FeatureHandlers<C>;
  /** Releases what the feature holds open (connections), before the core closes. */
  close?: () => Promise<void>;
}
