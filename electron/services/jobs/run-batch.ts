// One batch of a job, journaled: intents before the operations touch a server, outcomes after
// (in doubt when the batch was interrupted), the failpoints of the fault tests in between.
import { maskSecrets } from '../mask';
import { failpointFor } from './failpoints';
import type { FlatOp } from './batches';
import type { OpState } from './journal';
import type { OperationRegistry } from './kinds';
import { resolveRefs, type BatchOutcome, type OpContext } from './operation';
import { refLookup } from './recovery';
import { errText, type LiveJob, type RunnerCore } from './runner-types';

/**
 * Runs one batch: intents first (durable), then the operations, then outcomes. mode "ensure"
 * (rollback plans and undo) skips operations already in effect, so it is idempotent.
 */
export async function runBatch(core: RunnerCore, job: LiveJob, batch: FlatOp[], mode: 'apply' | 'ensure', phase: 'apply' | 'undo' = 'apply', signal?: AbortSignal): Promise<{ error: string | null; inDoubt?: boolean }> {
  const kind = core.d.kinds.op(batch[0].op.kind);
  const host = batch[0].op.host;
  let params: Record<string, unknown>[];
  try {
    params = batch.map((b) => kind.schema.parse(resolveRefs(b.op.params, refLookup(job.outputs))));
  } catch (e) {
    return { error: `cannot prepare ${kind.kind}: ${errText(e)}` };
  }
  const seqs = core.journal.intents(job.view.id, phase, batch.map((b) => ({ step: b.step, idx: b.idx, op: core.sealOp(job, b.op) })));
  const ctx = core.ctx(job, batch[0].step, signal);
  for (const b of batch) ctx.log(core.d.kinds.describe(b.op));
  const fp = phase === 'apply' ? failpointFor(core.d.failpoints ?? [], job.plan.kind, batch[0].idx) : null;
  if (fp?.mode === 'fail') {
    core.journal.outcomes(job.view.id, seqs.map((seq, n) => ({ seq, state: (n === 0 ? 'failed' : 'not-run') as OpState, error: n === 0 ? 'injected failure (failpoint)' : null })));
    return { error: `${core.d.kinds.describe(batch[0].op)}: injected failure (failpoint)` };
  }
  let outcomes: BatchOutcome[];
  try {
    const running =
      mode === 'ensure' ? ensure(kind, params, host, ctx).then(() => params.map(() => ({ ok: true as const }))) :
      kind.applyBatch ? kind.applyBatch(params, host, ctx) :
      kind.apply(params[0], host, ctx).then((output) => [{ ok: true as const, output }]);
    if (fp?.mode === 'kill-before') process.kill(process.pid, 'SIGKILL');
    outcomes = await running;
    // The operation has run on the server but its outcome is not journaled: the hardest case for recovery.
    if (fp?.mode === 'kill') process.kill(process.pid, 'SIGKILL');
    if (fp?.mode === 'cut') {
      // The connection drops after the server did the work and before its answer arrived: in doubt.
      await core.d.cutConnection?.(host).catch(() => undefined);
      throw new Error(`the SSH connection to ${core.label(host)} was cut while the operation ran (failpoint): its outcome is unknown`);
    }
  } catch (e) {
    const msg = maskSecrets(errText(e), job.secrets);
    // Interrupted (cancel, timeout, lost connection) or failed without per-operation outcomes: every op of the batch is in doubt.
    core.journal.outcomes(job.view.id, seqs.map((seq) => ({ seq, state: 'in-doubt' as OpState, error: msg })));
    return { error: msg, inDoubt: true };
  }
  let error: string | null = null;
  const list = seqs.map((seq, n) => {
    const o = outcomes[n] ?? { ok: null };
    if (o.ok === true) {
      if (batch[n].op.out) job.outputs.set(batch[n].op.out!, o.output);
      return { seq, state: 'done' as OpState, output: o.output === undefined ? undefined : job.sealer.seal(o.output) };
    }
    if (o.ok === false) {
      error ??= `${maskSecrets(core.d.kinds.describe(batch[n].op), job.secrets)}: ${maskSecrets(o.error, job.secrets)}`;
      return { seq, state: 'failed' as OpState, error: maskSecrets(o.error, job.secrets) };
    }
    return { seq, state: 'not-run' as OpState };
  });
  core.journal.outcomes(job.view.id, list);
  return { error };
}


/** Idempotent apply: verify each operation, apply those not yet in effect. */
async function ensure(kind: ReturnType<OperationRegistry['op']>, params: Record<string, unknown>[], host: string, ctx: OpContext): Promise<void> {
  if (kind.ensure) return kind.ensure(params, host, ctx);
  for (const p of params) {
    const v = await kind.verify(p, host, ctx);
    if (v.applied === true) {
      ctx.log(`already in effect: ${kind.describe(p, host)}`);
      continue;
    }
    await kind.apply(p, host, ctx);
  }
}

