// Test support: a recording fake "server" (a key/value map per host) and operation kinds over it,
// so the job engine can be driven without servers. Faults are set per key: fail (refused, nothing
// applied), lose (applied, then the connection drops: the caller sees an error), hang (never
// answers until aborted).
import { z } from 'zod';
import type { BatchOutcome, CheckKind, OperationKind } from '../services/jobs/operation';

export type Fault = 'fail' | 'lose' | 'hang' | 'fail-undo';

export class FakeServer {
  readonly data = new Map<string, string>();
  readonly calls: string[] = [];
  readonly faults = new Map<string, Fault>();
  /** Called at the start of every apply (tests look at the journal from here). */
  onApply?: (key: string) => void;

  snapshot(): Record<string, string> {
    return Object.fromEntries([...this.data].sort());
  }
}

const SetParams = z.object({ key: z.string(), value: z.string().nullable(), pre: z.string().nullable() }).strict();
type SetP = z.infer<typeof SetParams>;

function put(s: FakeServer, p: SetP): void {
  if (p.value === null) s.data.delete(p.key);
  else s.data.set(p.key, p.value);
}

async function applyOne(s: FakeServer, p: SetP, signal: AbortSignal, undo: boolean): Promise<void> {
  s.onApply?.(p.key);
  s.calls.push(`${undo ? 'undo' : 'set'} ${p.key}=${p.value ?? '(none)'}`);
  const f = s.faults.get(p.key);
  if (undo && f === 'fail-undo') throw new Error(`undo of ${p.key} refused`);
  if (!undo && f === 'fail') throw new Error(`server refused ${p.key}`);
  if (!undo && f === 'hang') {
    await new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
  }
  put(s, p);
  if (!undo && f === 'lose') throw new Error(`connection lost while setting ${p.key}`);
}

/** fake.set: sets key to value (null = delete); pre is the value captured at plan time, so the inverse restores it. */
export function fakeKinds(server: FakeServer): { set: OperationKind<SetP>; batch: OperationKind<SetP>; format: OperationKind<{ key: string }>; read: OperationKind<{ key: string }>; expect: CheckKind<{ key: string; value: string | null }> } {
  const verify = async (p: SetP) => {
    server.calls.push(`verify ${p.key}`);
    const now = server.data.get(p.key) ?? null;
    return now === p.value ? { applied: true as const } : { applied: false as const };
  };
  const set: OperationKind<SetP> = {
    kind: 'fake.set',
    schema: SetParams,
    describe: (p) => `set ${p.key}=${p.value ?? '(none)'}`,
    sensitive: [],
    apply: async (p, _h, ctx) => applyOne(server, p, ctx.signal, false),
    inverse: (p, host) => [{ kind: 'fake.set', host, params: { key: p.key, value: p.pre, pre: p.value } }],
    verify,
    ensure: async (ps, _h, ctx) => {
      for (const p of ps) if ((server.data.get(p.key) ?? null) !== p.value) await applyOne(server, p, ctx.signal, true);
    },
  };
  const batch: OperationKind<SetP> = {
    ...set,
    kind: 'fake.batch',
    inverse: (p, host) => [{ kind: 'fake.batch', host, params: { key: p.key, value: p.pre, pre: p.value } }],
    applyBatch: async (ps, _h, ctx): Promise<BatchOutcome[]> => {
      server.calls.push(`batch ${ps.map((p) => p.key).join(',')}`);
      const out: BatchOutcome[] = [];
      for (const p of ps) {
        if (out.some((o) => o.ok === false)) {
          out.push({ ok: null });
          continue;
        }
        try {
          await applyOne(server, p, ctx.signal, false);
          out.push({ ok: true, output: { wrote: p.key } });
        } catch (e) {
          if (server.faults.get(p.key) !== 'fail') throw e;
          out.push({ ok: false, error: (e as Error).message });
        }
      }
      return out;
    },
  };
  const format: OperationKind<{ key: string }> = {
    kind: 'fake.format',
    schema: z.object({ key: z.string() }).strict(),
    describe: (p) => `format ${p.key}`,
    irreversible: true,
    apply: async (p) => {
      server.calls.push(`format ${p.key}`);
      server.data.set(p.key, 'formatted');
      return { formatted: p.key };
    },
    inverse: () => null,
    verify: async (p) => (server.data.get(p.key) === 'formatted' ? { applied: true } : { applied: false }),
  };
  const read: OperationKind<{ key: string }> = {
    kind: 'fake.read',
    schema: z.object({ key: z.string() }).strict(),
    describe: (p) => `read ${p.key}`,
    readOnly: true,
    apply: async (p) => {
      server.calls.push(`read ${p.key}`);
      return { value: server.data.get(p.key) ?? null };
    },
    inverse: () => [],
    verify: async () => ({ applied: true }),
  };
  const expect: CheckKind<{ key: string; value: string | null }> = {
    kind: 'fake.expect',
    schema: z.object({ key: z.string(), value: z.string().nullable() }).strict(),
    describe: (p) => `expect ${p.key}=${p.value}`,
    check: async (p) => {
      const now = server.data.get(p.key) ?? null;
      return now === p.value ? { ok: true, result: { [p.key]: now } } : { ok: false, reason: `${p.key} is ${now ?? '(none)'}, expected ${p.value ?? '(none)'}`, found: now };
    },
  };
  return { set, batch, format, read, expect };
}
