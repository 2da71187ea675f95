// Wizard inputs for tgt targets and LUNs: schemas, inferred types and the size/IQN/CIDR rules.
// Every message names the field, says what is wrong and how to fix it; the renderer shows them as-is.
import { z } from 'zod';
import { boundedText, metaText, serverIdSchema } from './target-fields';
import { parseSize } from './target-sizes';
import { targetIqnSchema, initiatorNameSchema, targetNameSchema } from './target-names';
import { addressAclSchema } from './target-addresses';
import { ChapInputSchema } from './target-chap';

// The size, name, address and CHAP rules live in their own modules; importers keep this path.
export { boundedText } from './target-fields';
export * from './target-sizes';
export * from './target-names';
export * from './target-addresses';
export * from './target-chap';

// ---------------------------------------------------------------- LUNs

const fileNameSchema = boundedText('Backing file', 4096).superRefine((v, ctx) => {
  if (v.includes('..')) ctx.addIssue({ code: 'custom', message: `Backing file: "${v}" contains ".."; give a name inside the storage folder` });
  else if (v.startsWith('/')) {
    if (!/^(\/[A-Za-z0-9_.+-]+)+$/.test(v)) ctx.addIssue({ code: 'custom', message: `Backing file: "${v}" has characters tgt cannot take; use letters, digits, "_", "-", "." and "+"` });
  } else if (!/^[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}$/.test(v)) {
    ctx.addIssue({ code: 'custom', message: `Backing file: "${v}" is not a plain file name; use letters, digits, "_", "-", "." and "+" (no "/")` });
  }
});

const devicePathSchema = boundedText('Block device', 4096).superRefine((v, ctx) => {
  if (!/^\/dev\/[A-Za-z0-9_.+:/-]+$/.test(v) || v.includes('..') || v.includes('//')) {
    ctx.addIssue({ code: 'custom', message: `Block device: "${v}" must be a path under /dev/ made of letters, digits and _ . + : - / (no "..")` });
  }
});

const lvmNameSchema = (field: string) =>
  boundedText(field, 128).superRefine((v, ctx) => {
    if (!/^[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,126}$/.test(v) || v === '.' || v === '..') {
      ctx.addIssue({ code: 'custom', message: `${field}: "${v}" is not a valid LVM name; use letters, digits, + _ . - (not starting with -)` });
    }
  });

export const BackingInputSchema = z.discriminatedUnion('kind', [
  /** Sparse file in the server's storage folder (NetManager). `file` overrides the default name. */
  z.object({ kind: z.literal('sparse'), file: fileNameSchema.optional() }),
  /** Fully allocated file (written with progress). */
  z.object({ kind: z.literal('full'), file: fileNameSchema.optional() }),
  /** Existing block device or logical volume; size comes from the device. */
  z.object({
    kind: z.literal('device'),
    path: devicePathSchema,
    /** The device path typed again: exports a device found in use (mounted, a signature, partitions, holders) anyway. */
    confirmInUse: boundedText('Confirm the device in use', 4096).optional(),
  }),
  /** New logical volume created with `lvcreate -L size -n lv vg` (OpenNebula 3.4 style). */
  z.object({ kind: z.literal('lvm'), vg: lvmNameSchema('Volume group'), lv: lvmNameSchema('Logical volume') }),
]);
export type BackingInput = z.infer<typeof BackingInputSchema>;

const scsiParam = (field: string, max: number) =>
  z.string().superRefine((v, ctx) => {
    if (v.length < 1 || v.length > max || !/^[A-Za-z0-9._:+-]+$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: `${field}: use 1-${max} characters from A-Z a-z 0-9 . _ : + - (tgt truncates longer values)` });
    }
  });

export const LunInputSchema = z
  .object({
    /** Text as typed ("750GB"); not needed for an existing device (its own size is used). */
    size: boundedText('Size', 32).optional(),
    backing: BackingInputSchema,
    readonly: z.boolean().default(false),
    vendorId: scsiParam('Vendor', 8).optional(),
    productId: scsiParam('Product', 16).optional(),
    /** SCSI serial (scsi_sn); generated and kept stable when absent. */
    serial: scsiParam('Serial', 36).optional(),
    /** SCSI id (scsi_id, the device WWID seen by multipath); generated when absent. */
    scsiId: scsiParam('SCSI id', 36).optional(),
  })
  .superRefine((l, ctx) => {
    if (l.backing.kind === 'device') {
      if (l.size !== undefined && l.size.trim() !== '') ctx.addIssue({ code: 'custom', path: ['size'], message: 'Size: an existing device keeps its own size; leave Size empty' });
      return;
    }
    if (l.size === undefined) {
      ctx.addIssue({ code: 'custom', path: ['size'], message: 'Size: enter a size such as 500MB or 750GB' });
      return;
    }
    const r = parseSize(l.size, 'Size');
    if (!r.ok) ctx.addIssue({ code: 'custom', path: ['size'], message: r.error });
  });
export type LunInput = z.input<typeof LunInputSchema>;
export type LunSpec = z.output<typeof LunInputSchema>;

/** Bytes of a validated LUN input (null for an existing device). */
export function lunBytes(l: LunSpec): number | null {
  if (l.backing.kind === 'device' || l.size === undefined) return null;
  const r = parseSize(l.size);
  return r.ok ? r.bytes : null;
}

// ---------------------------------------------------------------- access and target

/** Address and initiator-name rules, shared by the create wizard's Access step and the access edit. */
const accessRules = {
  initiators: z.array(initiatorNameSchema).max(256).default([]),
  /** NetManager's "networks": addresses or CIDR networks; tgt applies them as address ACLs. */
  networks: z.array(addressAclSchema).max(256).default([]),
};

function checkRules(a: { initiators: string[]; networks: string[] }, ctx: z.RefinementCtx): void {
  const dup = (xs: string[]) => xs.find((x, i) => xs.indexOf(x) !== i);
  const di = dup(a.initiators);
  if (di) ctx.addIssue({ code: 'custom', path: ['initiators'], message: `Allowed initiators: ${di} is listed twice; remove the duplicate` });
  const dn = dup(a.networks);
  if (dn) ctx.addIssue({ code: 'custom', path: ['networks'], message: `Allowed networks: ${dn} is listed twice; remove the duplicate` });
  if (a.initiators.length === 0 && a.networks.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['initiators'], message: 'Access: add at least one allowed initiator or network; a target with no rule admits nobody' });
  }
}

export const AccessInputSchema = z
  .object({ ...accessRules, chap: ChapInputSchema.optional() })
  .superRefine(checkRules);
export type AccessInput = z.input<typeof AccessInputSchema>;
export type AccessSpec = z.output<typeof AccessInputSchema>;

/** Shown next to the networks field: tgt has no per-target portals. */
export const NETWORKS_NOTE = 'tgt listens on the same portals for every target; allowed networks become address rules (ACLs) of this target.';

export const TargetInputSchema = z
  .object({
    serverId: serverIdSchema(),
    name: targetNameSchema,
    iqn: targetIqnSchema,
    comment: metaText('Comment').optional(),
    alias: metaText('Alias').optional(),
    /** NetManager's `file=`: first LUN's file name; extra LUNs get _1, _2, ... Defaults to the name. */
    file: fileNameSchema.optional(),
    luns: z.array(LunInputSchema).min(1, { message: 'LUNs: add at least one LUN' }).max(255, { message: 'LUNs: at most 255 per target' }),
    access: AccessInputSchema,
  })
  .superRefine((t, ctx) => {
    const ids = t.luns.map((l) => l.scsiId).filter((x): x is string => !!x);
    const d = ids.find((x, i) => ids.indexOf(x) !== i);
    if (d) ctx.addIssue({ code: 'custom', path: ['luns'], message: `SCSI id: ${d} is used by two LUNs; every LUN needs its own` });
  });
export type TargetInput = z.input<typeof TargetInputSchema>;
export type TargetSpec = z.output<typeof TargetInputSchema>;

export const LunAddInputSchema = z.object({
  serverId: serverIdSchema(),
  iqn: targetIqnSchema,
  luns: z.array(LunInputSchema).min(1).max(255),
});
export type LunAddInput = z.input<typeof LunAddInputSchema>;

/**
 * CHAP in an access edit, three-way: keep (the default: accounts and secrets stay exactly as they
 * are), set (new user and secret, optional mutual; an account left out is removed), remove.
 */
export const ChapChoiceSchema = z.discriminatedUnion(
  'mode',
  [
    z.object({ mode: z.literal('keep') }),
    z.object({ mode: z.literal('set'), chap: ChapInputSchema }),
    z.object({ mode: z.literal('remove') }),
  ],
  { error: 'CHAP: choose keep, set (with a user and secret) or remove' },
);
export type ChapChoice = z.output<typeof ChapChoiceSchema>;

/** An edit's access: the rules as they should be, and what happens to CHAP (keep when not said). */
export const AccessEditSchema = z
  .object({ ...accessRules, chap: ChapChoiceSchema.default({ mode: 'keep' }) })
  .superRefine(checkRules);
export type AccessEditSpecInput = z.input<typeof AccessEditSchema>;

export const AccessEditInputSchema = z.object({ serverId: serverIdSchema(), iqn: targetIqnSchema, access: AccessEditSchema });
export type AccessEditInput = z.input<typeof AccessEditInputSchema>;

export const TargetDeleteInputSchema = z.object({
  serverId: serverIdSchema(),
  iqn: targetIqnSchema,
  /** Tear down connected sessions; only after the admin has seen who is connected. */
  force: z.boolean().default(false),
  /** The initiators the admin saw when choosing force; a different set means re-confirm. */
  confirmedSessions: z.array(boundedText('Confirmed session', 300)).max(4096, { message: 'Confirmed sessions: at most 4096' }).optional(),
  /** Remove backing files in the storage folder too (separate, explicit choice). */
  deleteBackingFiles: z.boolean().default(false),
});
export type TargetDeleteInput = z.input<typeof TargetDeleteInputSchema>;

/** Flattens zod issues into "field: message" lines for the UI and error reports. */
export function issuesToMessages(err: z.ZodError): string[] {
  return err.issues.map((i) => i.message);
}
