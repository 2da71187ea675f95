// Inputs of the day-2 target actions (detail page and list): LUN resize / remove / read-only, CHAP
// add / rotate / remove, closing sessions, alias and comment, adopting unmanaged targets, portals,
// and bulk plans. Every message names its field, says what is wrong and how to fix it.
import { z } from 'zod';
import { addressAclSchema, boundedText, chapSecretSchema, chapUserSchema, initiatorNameSchema, parseIPv4, parseIPv6, sizeSchema, targetIqnSchema } from './target';

const serverId = boundedText('Server', 80).min(1, { message: 'Server: choose a server' });

/** A LUN number as tgt numbers them (LUN 0 is the controller and never a disk). */
export const lunNumberSchema = z
  .number({ error: 'LUN: give the LUN number, e.g. 1' })
  .int({ message: 'LUN: a whole number, e.g. 1' })
  .min(1, { message: 'LUN: 1 or more (LUN 0 is the target controller, not a disk)' })
  .max(16383, { message: 'LUN: at most 16383' });

const targetRef = { serverId, iqn: targetIqnSchema };

export const TargetRefSchema = z.object(targetRef).strict();
export type TargetRef = z.output<typeof TargetRefSchema>;

export const LunResizeInputSchema = z.object({
  ...targetRef,
  lun: lunNumberSchema,
  /** The new size as typed ("20GB"); only growing is allowed. */
  size: sizeSchema,
}).strict();
export type LunResizeInput = z.input<typeof LunResizeInputSchema>;
export type LunResizeSpec = z.output<typeof LunResizeInputSchema>;

export const LunRemoveInputSchema = z.object({
  ...targetRef,
  lun: lunNumberSchema,
  /** Remove although initiators are connected (only after the admin has seen who is). */
  force: z.boolean().default(false),
  /** The initiators the admin saw when choosing force; a different set means confirm again. */
  confirmedSessions: z.array(boundedText('Confirmed session', 300)).max(4096, { message: 'Confirmed sessions: at most 4096' }).optional(),
  /** Delete the backing file (in the storage folder) too; never done unless asked. */
  deleteBacking: z.boolean().default(false),
}).strict();
export type LunRemoveInput = z.input<typeof LunRemoveInputSchema>;
export type LunRemoveSpec = z.output<typeof LunRemoveInputSchema>;

export const LunReadonlyInputSchema = z.object({
  ...targetRef,
  lun: lunNumberSchema,
  readonly: z.boolean({ error: 'Read-only: choose on or off' }),
}).strict();
export type LunReadonlyInput = z.input<typeof LunReadonlyInputSchema>;
export type LunReadonlySpec = z.output<typeof LunReadonlyInputSchema>;

/**
 * CHAP on an existing target. add: a new account (incoming, or the mutual/outgoing one with
 * mutual: true); without a secret, main generates one and shows it once after the job
 * (targets.chapReveal). rotate: main generates a new secret for the account. remove: unbinds
 * (and deletes, when no other target uses it) the account; it lowers protection.
 */
export const ChapActionInputSchema = z.discriminatedUnion('action', [
  z.object({ ...targetRef, action: z.literal('add'), user: chapUserSchema('CHAP user'), secret: chapSecretSchema('CHAP secret').optional(), mutual: z.boolean().default(false) }).strict(),
  z.object({ ...targetRef, action: z.literal('rotate'), user: chapUserSchema('CHAP user'), mutual: z.boolean().default(false) }).strict(),
  z.object({ ...targetRef, action: z.literal('remove'), user: chapUserSchema('CHAP user'), mutual: z.boolean().default(false) }).strict(),
], { error: 'CHAP action: choose add, rotate or remove' });
export type ChapActionInput = z.input<typeof ChapActionInputSchema>;
export type ChapActionSpec = z.output<typeof ChapActionInputSchema>;

export const ChapRevealInputSchema = z.object({ jobId: boundedText('Job', 80).min(1, { message: 'Job: give the id of the CHAP job' }) }).strict();

export const SessionCloseInputSchema = z.object({
  ...targetRef,
  /** I_T nexus ids (tgt's session ids) as the detail view lists them. */
  sessions: z.array(z.number().int().min(0, { message: 'Sessions: session ids are 0 or more' }))
    .min(1, { message: 'Sessions: choose at least one session to close' })
    .max(1024, { message: 'Sessions: at most 1024 at once' }),
}).strict();
export type SessionCloseInput = z.input<typeof SessionCloseInputSchema>;
export type SessionCloseSpec = z.output<typeof SessionCloseInputSchema>;

const metaText = (field: string) =>
  z.string().max(128, { message: `${field}: at most 128 characters` }).refine((v) => !/\p{Cc}/u.test(v), { message: `${field}: remove control characters (tabs, line breaks)` });

/** Alias and comment: absent = unchanged, "" = cleared. */
export const RenameInputSchema = z.object({
  ...targetRef,
  alias: metaText('Alias').optional(),
  comment: metaText('Comment').optional(),
}).strict().refine((r) => r.alias !== undefined || r.comment !== undefined, { message: 'Alias: give a new alias or comment (an empty text clears it)', path: ['alias'] });
export type RenameInput = z.input<typeof RenameInputSchema>;
export type RenameSpec = z.output<typeof RenameInputSchema>;

/** The secret of an account of an unmanaged target: tgt never shows secrets, so adopting one with CHAP needs them typed. */
export const AdoptSecretSchema = z.object({ user: chapUserSchema('CHAP user'), secret: chapSecretSchema('CHAP secret') }).strict();

export const AdoptInputSchema = z.object({
  serverId,
  iqns: z.array(targetIqnSchema).min(1, { message: 'Targets: choose at least one unmanaged target to adopt' }).max(4096, { message: 'Targets: at most 4096 at once' }),
  /** Secrets of the CHAP accounts bound to those targets, by user (the plan asks for the ones it needs). */
  secrets: z.array(AdoptSecretSchema).max(4096).default([]),
}).strict();
export type AdoptInput = z.input<typeof AdoptInputSchema>;
export type AdoptSpec = z.output<typeof AdoptInputSchema>;

/** A portal as tgt takes it: IPv4:PORT, [IPv6]:PORT, or a wildcard (0.0.0.0 / [::]). */
export function parsePortal(text: string, field = 'Portal'): { ok: true; address: string; port: number; portal: string } | { ok: false; error: string } {
  const s = text.trim();
  const m = /^(\[[0-9A-Fa-f:.]+\]|[0-9.]+):(\d{1,5})$/.exec(s);
  if (!m) return { ok: false, error: `${field}: "${s}" is not ADDRESS:PORT; write e.g. 192.0.2.10:3260 or [fd00::10]:3260` };
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return { ok: false, error: `${field}: port ${m[2]} is out of range; use 1-65535 (iSCSI's is 3260)` };
  const host = m[1];
  if (host.startsWith('[')) {
    if (parseIPv6(host.slice(1, -1)) === null) return { ok: false, error: `${field}: ${host} is not an IPv6 address` };
  } else if (parseIPv4(host) === null) return { ok: false, error: `${field}: ${host} is not an IPv4 address (host names are not accepted by tgtd)` };
  return { ok: true, address: host, port, portal: `${host}:${port}` };
}

export const portalSchema = boundedText('Portal', 64).transform((v, ctx) => {
  const r = parsePortal(v);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.portal;
});

export const PortalActionInputSchema = z.object({
  serverId,
  action: z.enum(['add', 'remove'], { error: 'Portal action: choose add or remove' }),
  portal: portalSchema,
  /** The initiators the admin saw connected through this portal when removing it (confirm again if they differ). */
  confirmedSessions: z.array(boundedText('Confirmed session', 300)).max(4096).optional(),
}).strict();
export type PortalActionInput = z.input<typeof PortalActionInputSchema>;
export type PortalActionSpec = z.output<typeof PortalActionInputSchema>;

const bulkIqns = z.array(targetIqnSchema).min(1, { message: 'Targets: choose at least one target' }).max(4096, { message: 'Targets: at most 4096 at once' });

/** One plan for many targets: delete them, or add the same access rules to each. */
export const BulkInputSchema = z.discriminatedUnion('action', [
  z.object({
    serverId, action: z.literal('delete'), iqns: bulkIqns,
    force: z.boolean().default(false),
    confirmedSessions: z.array(boundedText('Confirmed session', 300)).max(4096).optional(),
    deleteBackingFiles: z.boolean().default(false),
  }).strict(),
  z.object({
    serverId, action: z.literal('aclAdd'), iqns: bulkIqns,
    initiators: z.array(initiatorNameSchema).max(256).default([]),
    networks: z.array(addressAclSchema).max(256).default([]),
  }).strict().refine((b) => b.initiators.length + b.networks.length > 0, { message: 'Access: add at least one initiator name or network to grant', path: ['initiators'] }),
], { error: 'Bulk action: choose delete or aclAdd' });
export type BulkInput = z.input<typeof BulkInputSchema>;
export type BulkSpec = z.output<typeof BulkInputSchema>;
