// The operation kinds every driver declares, by name. Plans are validated against it when they are
// registered (an unknown kind or bad params is a bug in a planner, refused before review) and the
// runner looks kinds up here to apply, invert and verify.
import type { CheckKind, Operation, OperationKind, Plan } from './operation';
import { placeholder, resolveRefs } from './operation';

export class OperationRegistry {
  private readonly ops = new Map<string, OperationKind<never>>();
  private readonly checks = new Map<string, CheckKind<never>>();

  add(...kinds: OperationKind<never>[]): this {
    for (const k of kinds) {
      if (this.ops.has(k.kind) || this.checks.has(k.kind)) throw new Error(`operation kind ${k.kind} is declared twice`);
      this.ops.set(k.kind, k);
    }
    return this;
  }

  addChecks(...kinds: CheckKind<never>[]): this {
    for (const k of kinds) {
      if (this.ops.has(k.kind) || this.checks.has(k.kind)) throw new Error(`check kind ${k.kind} is declared twice`);
      this.checks.set(k.kind, k);
    }
    return this;
  }

  op(kind: string): OperationKind<Record<string, unknown>> {
    const k = this.ops.get(kind);
    if (!k) throw new Error(`unknown operation kind "${kind}"`);
    return k as unknown as OperationKind<Record<string, unknown>>;
  }

  check(kind: string): CheckKind<Record<string, unknown>> {
    const k = this.checks.get(kind);
    if (!k) throw new Error(`unknown check kind "${kind}"`);
    return k as unknown as CheckKind<Record<string, unknown>>;
  }

  /** Params as the kind's schema parses them; refs to outputs appear as "<name.path>" placeholders. */
  private reviewParams(o: Operation, schema: { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: { path: PropertyKey[]; message: string }[] } } }): Record<string, unknown> {
    const shown = resolveRefs(o.params, placeholder) as Record<string, unknown>;
    const r = schema.safeParse(shown);
    if (!r.success) {
      const i = r.error!.issues[0];
      throw new Error(`plan bug: ${o.kind} params invalid at ${i.path.join('.') || '(root)'}: ${i.message}`);
    }
    return r.data as Record<string, unknown>;
  }

  describe(o: Operation): string {
    const k = this.op(o.kind);
    return k.describe(this.reviewParams(o, k.schema), o.host);
  }

  describeCheck(o: Operation): string {
    const k = this.check(o.kind);
    return k.describe(this.reviewParams(o, k.schema), o.host);
  }

  irreversible(o: Operation): boolean {
    const k = this.op(o.kind);
    const flag = k.irreversible;
    if (typeof flag === 'function') return flag(this.reviewParams(o, k.schema));
    return !!flag;
  }

  /** The inverse as shown for review (before anything ran: outputs are placeholders). */
  describeInverse(o: Operation): string | null {
    const k = this.op(o.kind);
    if (k.readOnly) return null;
    const inv = k.inverse(this.reviewParams(o, k.schema), o.host, undefined);
    if (inv === null) return null;
    return inv.map((x) => this.describe(x)).join('\n') || null;
  }

  /** Refuses a plan that names an unknown kind, carries invalid params, or has an op with neither inverse nor irreversible flag. */
  validate(plan: Plan): void {
    for (const s of plan.steps) {
      for (const o of s.ops) {
        const k = this.op(o.kind);
        const p = this.reviewParams(o, k.schema);
        // Rollback plans consist of inverses: they are not rolled back themselves.
        if (!plan.rollbackOf && !k.readOnly && !this.irreversible(o) && k.inverse(p, o.host, undefined) === null) {
          throw new Error(`plan bug: ${o.kind} in "${s.title}" has no inverse and is not flagged irreversible`);
        }
      }
    }
    for (const c of [...(plan.fresh ?? []), ...(plan.verify ?? [])]) this.reviewParams(c, this.check(c.kind).schema);
  }
}
