// How a job walks its plan: the operations in order with their step and number in the original
// plan, and which consecutive operations go to a server in one round trip.
import { failpointFor, type Failpoint } from './failpoints';
import type { OperationRegistry } from './kinds';
import type { Operation, Plan } from './operation';

export interface FlatOp {
  /** Step index in the job. */
  step: number;
  /** Operation number in the original plan. */
  idx: number;
  op: Operation;
}

/** The plan's operations in order; a resumed job keeps the numbers of the plan it continues. */
export function flattenPlan(plan: Plan, stepIndexes: readonly number[]): FlatOp[] {
  const out: FlatOp[] = [];
  let k = 0;
  plan.steps.forEach((s, i) => s.ops.forEach((op) => out.push({ step: stepIndexes[i], idx: plan.resume ? plan.resume.opIndexes[k++] : k++, op })));
  return out;
}

/**
 * Consecutive operations of one batchable kind on one host in one step run in one round trip; a
 * failpoint's operation starts a batch of its own, and an operation that needs an output of the
 * batch waits for the next one.
 */
export function takeBatch(kinds: OperationRegistry, failpoints: readonly Failpoint[], plan: Plan, flat: FlatOp[], i: number): FlatOp[] {
  const first = flat[i];
  const batch = [first];
  if (!kinds.op(first.op.kind).applyBatch) return batch;
  const outs = new Set(first.op.out ? [first.op.out] : []);
  for (let j = i + 1; j < flat.length; j++) {
    const n = flat[j];
    if (n.op.kind !== first.op.kind || n.op.host !== first.op.host || n.step !== first.step) break;
    if (failpointFor(failpoints, plan.kind, n.idx)) break;
    if (outs.size && JSON.stringify(n.op.params).includes('"$out"')) break;
    if (n.op.out) outs.add(n.op.out);
    batch.push(n);
  }
  return batch;
}
