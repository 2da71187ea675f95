// What the job runner is given (its dependencies), what it keeps per running job, and the part of
// it that the batch and rollback modules use.
import type { JobView, StepState } from '../../../shared/plan';
import type { AuditLog } from '../audit';
import type { Db } from '../db';
import type { EventBus } from '../events';
import type { Failpoint } from './failpoints';
import type { Journal } from './journal';
import type { OperationRegistry } from './kinds';
import type { OpContext, Operation, Plan } from './operation';
import type { PlanRegistry } from './registry';
import type { Sealer, SecretVault } from './seal';

export interface JobRunnerDeps {
  db: Db;
  plans: PlanRegistry;
  audit: AuditLog;
  events: EventBus;
  kinds: OperationRegistry;
  vault: SecretVault & { deletePrefix(prefix: string): void };
  /** Names a host in messages ("stor1 (10.0.0.5)"). */
  hostLabel?: (hostId: string) => string;
  failpoints?: readonly Failpoint[];
  /** Drops a host's SSH connection (failpoint mode "cut"). */
  cutConnection?: (hostId: string) => Promise<void>;
}

/** A job while it runs (or is rolled back) in this process. */
export interface LiveJob {
  view: JobView;
  abort: AbortController;
  plan: Plan;
  secrets: string[];
  sealer: Sealer;
  outputs: Map<string, unknown>;
  /** Job step index of each plan step (differs for a resumed job). */
  stepIndexes: number[];
  done: Promise<JobView>;
}

/** The runner's own helpers, as runBatch and rollback use them. */
export interface RunnerCore {
  readonly d: JobRunnerDeps;
  readonly journal: Journal;
  label(host: string): string;
  sealOp(job: LiveJob, o: Operation): Operation;
  ctx(job: LiveJob, stepIndex: number, signal?: AbortSignal): OpContext;
  audit(job: LiveJob, action: string, detail: string): void;
  setStep(job: LiveJob, index: number, state: StepState, message?: string | null): void;
}

export const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));
