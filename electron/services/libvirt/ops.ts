// Operation kinds for libvirt CHAP secrets on KVM hosts: define (inverse: undefine), set the value
// (inverse: the previous value when it was known, nothing for a secret this plan defined; a
// private secret Portico did not set has a value nobody can read back, so that set is
// irreversible), undefine; and the per-host read-back check (virsh secret-list).
import { z } from 'zod';
import type { BatchOutcome, CheckKind, CheckOutcome, OpContext, Operation, OperationKind, VerifyOutcome } from '../jobs/operation';
import type { RemoteHosts } from '../remote/script';
import { defineSecret, readHostSecrets, secretPresent, setSecretValue, undefineSecret, VirshRefused } from './virsh';

/**
 * Runs ops one by one: a refusal by virsh (it ran and said no: libvirtd down, bad XML) is a plain
 * failure with nothing to undo; a lost connection or timeout stays a throw (in doubt, verified).
 */
function refusalsFail<P>(apply: (p: P, host: string, ctx: OpContext) => Promise<unknown>) {
  return async (ps: P[], host: string, ctx: OpContext): Promise<BatchOutcome[]> => {
    const out: BatchOutcome[] = ps.map(() => ({ ok: null }));
    for (const [i, p] of ps.entries()) {
      try {
        out[i] = { ok: true, output: await apply(p, host, ctx) };
      } catch (e) {
        if (!(e instanceof VirshRefused)) throw e;
        out[i] = { ok: false, error: e.message };
        break;
      }
    }
    return out;
  };
}

export const SECRET_DEFINE = 'libvirt.secret.define';
export const SECRET_SET = 'libvirt.secret.set';
export const SECRET_UNDEFINE = 'libvirt.secret.undefine';
export const SECRET_LISTED = 'libvirt.secret.listed';

const Uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a lower-case UUID');
const Usage = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);

export const DefineSchema = z.object({ uuid: Uuid, usage: Usage, description: z.string().max(200) }).strict();
/** pre: the value before (known: Portico set it, or the secret is not private); none: the secret is defined by this plan; unknown: private and not set by Portico. */
const PreValue = z.discriminatedUnion('kind', [z.object({ kind: z.literal('none') }).strict(), z.object({ kind: z.literal('value'), value: z.string() }).strict(), z.object({ kind: z.literal('unknown') }).strict()]);
export const SetSchema = z.object({ uuid: Uuid, usage: Usage, value: z.string().min(1), pre: PreValue }).strict();
/** data: true = the admin removes a secret (its value is gone for good); false = the undo of a define. */
export const UndefineSchema = z.object({ uuid: Uuid, usage: Usage, data: z.boolean() }).strict();
export const ListedSchema = z.object({ uuid: Uuid, usage: Usage }).strict();

type Define = z.infer<typeof DefineSchema>;
type SetValue = z.infer<typeof SetSchema>;
type Undefine = z.infer<typeof UndefineSchema>;
type Listed = z.infer<typeof ListedSchema>;

/** Remembers the values Portico set, per host and usage name, so a later undo can restore them (SecretStore in the app). */
export interface SecretMemory {
  get(hostId: string, usage: string): string | null;
  set(hostId: string, usage: string, value: string): void;
}

export function libvirtSecretKinds(hosts: RemoteHosts, memory: SecretMemory) {
  const label = (h: string) => hosts.runner(h).label;
  const listedOn = async (host: string, uuid: string, usage: string, signal?: AbortSignal) => {
    const s = await readHostSecrets(hosts, host, usage, signal);
    return { s, row: s.listed.find((r) => r.uuid === uuid) ?? null };
  };

  const define: OperationKind<Define> = {
    kind: SECRET_DEFINE,
    schema: DefineSchema,
    describe: (p) => `virsh secret-define --file <temp file: <secret ephemeral='no' private='yes'><uuid>${p.uuid}</uuid><usage type='iscsi'><target>${p.usage}</target></usage></secret>>`,
    async apply(p, host, ctx) {
      const out = await defineSecret(hosts, host, p, ctx.signal);
      ctx.log(`${label(host)}: ${out.trim()}`);
    },
    inverse: (p, host): Operation[] => [{ kind: SECRET_UNDEFINE, host, params: { uuid: p.uuid, usage: p.usage, data: false } }],
    async verify(p, host, ctx): Promise<VerifyOutcome> {
      return (await secretPresent(hosts, host, p.uuid, ctx.signal)).present ? { applied: true } : { applied: false };
    },
  };

  const set: OperationKind<SetValue> = {
    kind: SECRET_SET,
    schema: SetSchema,
    sensitive: ['value', 'pre'],
    describe: (p) => `virsh secret-set-value ${p.uuid} --file <0600 temp file, removed after: the CHAP secret for ${p.usage}>`,
    irreversible: (p) => p.pre.kind === 'unknown',
    async apply(p, host, ctx) {
      await setSecretValue(hosts, host, p.uuid, p.value, ctx.signal);
      memory.set(host, p.usage, p.value);
      ctx.log(`${label(host)}: value of secret ${p.uuid} (${p.usage}) set`);
    },
    inverse: (p, host, _out): Operation[] | null => {
      if (p.pre.kind === 'unknown') return null;
      // A secret this plan defined goes with the define's undo.
      if (p.pre.kind === 'none') return [];
      return [{ kind: SECRET_SET, host, params: { uuid: p.uuid, usage: p.usage, value: p.pre.value, pre: { kind: 'value', value: p.value } } }];
    },
    async verify(p, host, ctx): Promise<VerifyOutcome> {
      const { s, row } = await listedOn(host, p.uuid, p.usage, ctx.signal);
      if (!row) return { applied: false };
      const v = s.match?.uuid === p.uuid ? s.match.value : undefined;
      if (v === undefined) return memory.get(host, p.usage) === p.value ? { applied: true } : { applied: 'unknown', reason: `secret ${p.uuid} on ${label(host)} is private: its value cannot be read back` };
      return v === p.value ? { applied: true } : { applied: false };
    },
  };

  const undefine: OperationKind<Undefine> = {
    kind: SECRET_UNDEFINE,
    schema: UndefineSchema,
    describe: (p) => `virsh secret-undefine ${p.uuid}   # usage iscsi ${p.usage}${p.data ? '; its value is gone for good' : ''}`,
    irreversible: (p) => p.data,
    async apply(p, host, ctx) {
      const out = await undefineSecret(hosts, host, p.uuid, ctx.signal);
      ctx.log(`${label(host)}: ${out.trim()}`);
    },
    inverse: (p): Operation[] | null => (p.data ? null : []),
    async verify(p, host, ctx): Promise<VerifyOutcome> {
      return (await secretPresent(hosts, host, p.uuid, ctx.signal)).present ? { applied: false } : { applied: true };
    },
  };

  /** After apply: the host lists the secret with its usage (the per-host report). */
  const listed: CheckKind<Listed> = {
    kind: SECRET_LISTED,
    schema: ListedSchema,
    describe: (p) => `virsh secret-list shows ${p.uuid}  iscsi ${p.usage}`,
    async check(p, host, ctx): Promise<CheckOutcome> {
      const { s, row } = await listedOn(host, p.uuid, p.usage, ctx.signal);
      const others = s.listed.filter((r) => r.usage === `iscsi ${p.usage}` && r.uuid !== p.uuid);
      if (!row) return { ok: false, reason: `${label(host)} does not list secret ${p.uuid} (iscsi ${p.usage})`, found: s.listed };
      if (row.usage !== `iscsi ${p.usage}`) return { ok: false, reason: `${label(host)} lists ${p.uuid} with usage "${row.usage}", not "iscsi ${p.usage}"`, found: row };
      if (others.length) return { ok: false, reason: `${label(host)} lists another secret for iscsi ${p.usage}: ${others.map((o) => o.uuid).join(', ')}`, found: others };
      return { ok: true, result: { host: label(host), uuid: p.uuid, usage: row.usage } };
    },
  };

  define.applyBatch = refusalsFail(define.apply.bind(define));
  set.applyBatch = refusalsFail(set.apply.bind(set));
  undefine.applyBatch = refusalsFail(undefine.apply.bind(undefine));
  return { define, set, undefine, listed };
}
