// Executable plans live only in main. A planner (planTargetCreate, planHostedEngineStorage, ...)
// turns validated wizard input plus live server state into an ExecPlan; PlanRegistry gives it an
// id and a masked view; JobRunner applies it step by step with rollback.

export interface StepContext {
  signal: AbortSignal;
  /** Adds a line to the job log (masked before it is stored or pushed). */
  log(line: string): void;
}

export interface ExecStep {
  /** A sentence for people: "Create target iqn... (tid 3) on stor1". */
  title: string;
  /** The exact command or RPC, for review; secrets must already appear as ******. */
  command: string;
  /** The undo command for review, or null when the step changes nothing that needs undoing. */
  undoCommand: string | null;
  run(ctx: StepContext): Promise<void>;
  undo?(ctx: StepContext): Promise<void>;
}

export interface ExecPlan {
  kind: string;
  title: string;
  hostIds: string[];
  /** Plans sharing a lock key (e.g. `host:<id>`) never run at the same time. */
  lockKeys: string[];
  steps: ExecStep[];
  warnings?: string[];
  artifacts?: { name: string; content: string }[];
  /** Secret values that must never appear in logs, audit or events: masked wherever text is stored. */
  secrets?: string[];
  /** Called right before applying: returns a reason when the state the plan was built on changed. */
  checkFresh?(signal: AbortSignal): Promise<string | null>;
  /** Called after all steps succeeded; its value becomes the job's result (e.g. verification). */
  verify?(ctx: StepContext): Promise<unknown>;
}
