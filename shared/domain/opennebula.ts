// OpenNebula iSCSI datastores: the wizard inputs (front-end connection, the two datastore
// flavours, images from LUNs), shared by the renderer's forms and main. Every message names the
// field, says what is wrong and how to fix it, and never echoes a secret.
import { z } from 'zod';
import { Id } from '../contract-kit';
import { chapUserSchema, iscsiNameProblem } from './target';

const NO_CONTROL = /^[^\p{Cc}]*$/u;
const bounded = (field: string, max: number) => z.string({ error: `${field}: enter a value` }).max(max, { message: `${field}: at most ${max} characters`, abort: true });

// ---------------------------------------------------------------- front-end connection

/** http(s)://HOST:PORT/PATH, the oned XML-RPC endpoint (ONE_XMLRPC); 2633 and /RPC2 by default. */
export const EndpointSchema = bounded('endpoint', 300).superRefine((v, ctx) => {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'endpoint: enter the XML-RPC URL, e.g. http://fe1.example.org:2633/RPC2' });
    return;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'endpoint: the URL must start with http:// or https://' });
  else if (u.username || u.password) ctx.addIssue({ code: 'custom', message: 'endpoint: put no user or password in the URL; enter them as the session string' });
  else if (u.search || u.hash) ctx.addIssue({ code: 'custom', message: 'endpoint: remove the ?query or #fragment; oned answers on a plain path such as /RPC2' });
});

/** `user:password` or `user:token` (the contents of ONE_AUTH, core auth driver). Never echoed. */
export const SessionSchema = bounded('session', 1024).superRefine((v, ctx) => {
  if (!NO_CONTROL.test(v)) ctx.addIssue({ code: 'custom', message: 'session: remove line breaks and control characters (ONE_AUTH holds one line: user:password)' });
  else if (!/^[^:\s]+:.+$/.test(v)) ctx.addIssue({ code: 'custom', message: 'session: write it as user:password or user:token, e.g. oneadmin:<password> (the contents of ~/.one/one_auth)' });
});

export const FrontendInputSchema = z
  .object({
    /** A Portico host with the one-frontend role. */
    hostId: Id,
    endpoint: EndpointSchema,
    /** direct: the console connects to the endpoint; ssh: through the host's SSH connection (forwardOut to the endpoint's host and port, as seen from the front-end). */
    via: z.enum(['direct', 'ssh'], { error: 'via: choose direct or ssh (through the host\'s SSH connection)' }),
    /** Omitted on an update: the stored session is kept. */
    session: SessionSchema.optional(),
  })
  .strict();
export type FrontendInput = z.infer<typeof FrontendInputSchema>;

// ---------------------------------------------------------------- names and template values

/** OpenNebula object names: any text on one line (quotes, =, ], <, non-ASCII are data in the XML form). */
export const oneNameSchema = (field: string) =>
  bounded(field, 128).superRefine((v, ctx) => {
    if (v.trim() === '') ctx.addIssue({ code: 'custom', message: `${field}: enter a name` });
    else if (v !== v.trim()) ctx.addIssue({ code: 'custom', message: `${field}: remove the spaces at the start or end` });
    else if (!NO_CONTROL.test(v)) ctx.addIssue({ code: 'custom', message: `${field}: remove line breaks, tabs and other control characters` });
  });

/** Free text (may span lines): reaches oned as data, never as template syntax. */
export const descriptionSchema = (field: string) =>
  // XML 1.0 cannot carry other control characters; line breaks and tabs are fine.
  bounded(field, 2000).refine((v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v), `${field}: remove control characters (line breaks and tabs are fine)`);

/** A libvirt secret usage name (= ISCSI_USAGE): unique per host, used inside disk XML. */
export const usageNameSchema = (field: string) =>
  bounded(field, 128).superRefine((v, ctx) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(v)) ctx.addIssue({ code: 'custom', message: `${field}: use 1-128 characters from A-Z a-z 0-9 . _ : - starting with a letter or digit, e.g. vmstore1-chap` });
  });

const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;

/** One iSCSI portal: host or host:port (IPv6 in brackets). libvirt's QEMU driver uses one portal only. */
export const portalSchema = (field: string) =>
  bounded(field, 300).superRefine((v, ctx) => {
    if (/\s/.test(v.trim()) || v.includes(',')) {
      ctx.addIssue({ code: 'custom', message: `${field}: give exactly one portal; libvirt's QEMU driver connects to one portal only (no multipath through this datastore)` });
      return;
    }
    const m = /^(.*?)(?::(\d{1,5}))?$/.exec(v);
    const host = m?.[1] ?? '';
    const port = m?.[2] === undefined ? 3260 : Number(m[2]);
    if (!HOST_RE.test(host)) ctx.addIssue({ code: 'custom', message: `${field}: enter a host name or address, optionally with :port, e.g. 203.0.113.11 or stor1.example.org:3260` });
    else if (port < 1 || port > 65535) ctx.addIssue({ code: 'custom', message: `${field}: the port must be 1-65535 (iSCSI uses 3260)` });
  });

/** The CHAP password a libvirt secret holds: any bytes but NUL and line breaks. Never echoed. */
export const libvirtSecretValueSchema = (field: string) =>
  z.string({ error: `${field}: enter the target's CHAP secret` }).superRefine((v, ctx) => {
    if (v.length < 1 || v.length > 255) ctx.addIssue({ code: 'custom', message: `${field}: must be 1-255 characters long (it has ${v.length})` });
    else if (/[\0\r\n]/.test(v)) ctx.addIssue({ code: 'custom', message: `${field}: remove line breaks` });
  });

export const ChapInputSchema = z
  .object({
    /** ISCSI_USER: the target's incoming CHAP user. */
    user: chapUserSchema('chap.user'),
    /** ISCSI_USAGE: the libvirt secret's usage name on every host. */
    usage: usageNameSchema('chap.usage'),
    /** The CHAP password, set as the secret's value on every KVM host of the cluster. */
    secret: libvirtSecretValueSchema('chap.secret'),
  })
  .strict();
export type ChapInput = z.infer<typeof ChapInputSchema>;

const clusterIdSchema = z
  .number({ error: 'clusterId: choose a cluster (-1 = the default cluster)' })
  .int({ error: 'clusterId: a whole number' })
  .min(-1, { error: 'clusterId: choose a cluster (-1 = the default cluster)' });

// ---------------------------------------------------------------- datastores

export const DatastoreLibvirtInputSchema = z
  .object({
    frontendId: Id,
    flavour: z.literal('iscsi_libvirt'),
    name: oneNameSchema('name'),
    description: descriptionSchema('description').optional(),
    clusterId: clusterIdSchema,
    /** ISCSI_HOST: exactly one portal. */
    iscsiHost: portalSchema('iscsiHost'),
    chap: ChapInputSchema.optional(),
  })
  .strict();
export type DatastoreLibvirtInput = z.infer<typeof DatastoreLibvirtInputSchema>;

const lvmName = (field: string) =>
  bounded(field, 64).superRefine((v, ctx) => {
    // The 3.4 driver parses the IQN back by splitting on dots: a dotted VG name breaks it (OpenNebula #2108).
    if (!/^[A-Za-z0-9+_][A-Za-z0-9+_-]*$/.test(v)) ctx.addIssue({ code: 'custom', message: `${field}: use letters, digits, + _ - (no dots: the 3.4 driver splits the IQN on dots), e.g. vg-one` });
  });
const dirList = (field: string) =>
  z.array(bounded(field, 1024).regex(/^\/[^\s\p{Cc}]*$/u, `${field}: each entry is an absolute path without spaces, e.g. /var/tmp`)).max(32, `${field}: at most 32 folders`);

export const DatastoreTgtLvmInputSchema = z
  .object({
    frontendId: Id,
    flavour: z.literal('tgt_lvm'),
    name: oneNameSchema('name'),
    description: descriptionSchema('description').optional(),
    clusterId: clusterIdSchema,
    /** HOST: the tgt server the front-end reaches by SSH as oneadmin. */
    host: bounded('host', 253).regex(HOST_RE, 'host: enter the tgt server\'s host name or address, e.g. stor1.example.org'),
    vgName: lvmName('vgName').default('vg-one'),
    baseIqn: bounded('baseIqn', 200)
      .superRefine((v, ctx) => {
        const p = iscsiNameProblem(v, 'baseIqn', false);
        if (p) ctx.addIssue({ code: 'custom', message: p });
      })
      .default('iqn.2012-02.org.opennebula'),
    baseTid: z.number({ error: 'baseTid: a whole number from 1' }).int('baseTid: a whole number from 1').min(1, 'baseTid: tids start at 1 (tid = image id + BASE_TID)').max(1_000_000, 'baseTid: at most 1000000').default(1),
    diskType: z.enum(['block', 'file'], { error: 'diskType: choose block or file' }).default('block'),
    restrictedDirs: dirList('restrictedDirs').default([]),
    safeDirs: dirList('safeDirs').default([]),
    /** NO_ISCSI: hosts that skip the iscsiadm login (the tgt server itself, when it is also a host). */
    noIscsi: z.array(bounded('noIscsi', 253).regex(HOST_RE, 'noIscsi: each entry is a host name')).max(64, 'noIscsi: at most 64 hosts').default([]),
  })
  .strict();
export type DatastoreTgtLvmInput = z.infer<typeof DatastoreTgtLvmInputSchema>;

export const DatastoreInputSchema = z.discriminatedUnion('flavour', [DatastoreLibvirtInputSchema, DatastoreTgtLvmInputSchema], {
  error: 'flavour: choose iscsi_libvirt (existing LUNs) or tgt_lvm (tgt + LVM server, 3.4 driver)',
});
export type DatastoreInput = z.infer<typeof DatastoreInputSchema>;

// ---------------------------------------------------------------- images from LUNs

/** How a target stack numbers LUNs: tgt's LUN 0 is the controller (disks from 1); LIO starts at 0. */
export type LunNumbering = 'tgt' | 'lio';
export const FIRST_DISK_LUN: Record<LunNumbering, number> = { tgt: 1, lio: 0 };

/** null when `lun` may be an image's LUN on this stack, else why not (named by `field`). */
export function lunNumberProblem(lun: number, numbering: LunNumbering, field = 'lun'): string | null {
  if (!Number.isInteger(lun) || lun < 0 || lun > 16383) return `${field}: a LUN number is a whole number 0-16383`;
  if (lun < FIRST_DISK_LUN[numbering]) return `${field}: LUN 0 of a tgt target is its controller, not a disk; tgt's disks start at LUN 1`;
  return null;
}

/** PATH = IQN/LUN, always with the suffix: without it libvirt uses LUN 0 (tgt's controller). */
export function imagePath(iqn: string, lun: number, numbering: LunNumbering = 'tgt'): string {
  const p = lunNumberProblem(lun, numbering);
  if (p) throw new Error(p);
  return `${iqn}/${lun}`;
}

/** Splits PATH (or ISCSI_IQN) at the first '/', as libvirt does; a missing suffix means LUN 0. */
export function parseImagePath(path: string): { iqn: string; lun: number; suffix: boolean } {
  const i = path.indexOf('/');
  if (i < 0) return { iqn: path, lun: 0, suffix: false };
  const n = path.slice(i + 1);
  return { iqn: path.slice(0, i), lun: /^\d+$/.test(n) ? Number(n) : NaN, suffix: true };
}

const iqnField = (field: string) =>
  bounded(field, 223).superRefine((v, ctx) => {
    const p = iscsiNameProblem(v, field, true);
    if (p) ctx.addIssue({ code: 'custom', message: p });
  });

export const ImageOverridesSchema = z
  .object({
    iscsiHost: portalSchema('overrides.iscsiHost').optional(),
    iscsiUser: chapUserSchema('overrides.iscsiUser').optional(),
    iscsiUsage: usageNameSchema('overrides.iscsiUsage').optional(),
    /** ISCSI_IQN replaces PATH as the libvirt name: target IQN and LUN, written IQN/LUN by the plan. */
    iscsiIqn: z.object({ iqn: iqnField('overrides.iscsiIqn.iqn'), lun: z.number().int() }).strict().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.iscsiIqn) {
      const p = lunNumberProblem(v.iscsiIqn.lun, 'tgt', 'overrides.iscsiIqn.lun');
      if (p) ctx.addIssue({ code: 'custom', path: ['iscsiIqn', 'lun'], message: p });
    }
  });

export const ImageSpecSchema = z
  .object({
    name: oneNameSchema('name'),
    description: descriptionSchema('description').optional(),
    iqn: iqnField('iqn'),
    lun: z.number({ error: 'lun: enter the LUN number' }).int('lun: a whole number'),
    /** tgt unless the target is known to number from 0 (LIO). */
    numbering: z.enum(['tgt', 'lio']).default('tgt'),
    type: z.enum(['DATABLOCK', 'OS'], { error: 'type: choose DATABLOCK or OS' }).default('DATABLOCK'),
    /** The Portico storage server holding the LUN (live size and sessions), when it is one. */
    serverId: Id.optional(),
    overrides: ImageOverridesSchema.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const p = lunNumberProblem(v.lun, v.numbering, 'lun');
    if (p) ctx.addIssue({ code: 'custom', path: ['lun'], message: p });
  });
export type ImageSpec = z.infer<typeof ImageSpecSchema>;

export const ImagesInputSchema = z
  .object({
    frontendId: Id,
    datastoreId: z.number({ error: 'datastoreId: choose a datastore' }).int().min(0, 'datastoreId: choose a datastore'),
    images: z.array(ImageSpecSchema).min(1, 'images: pick at least one LUN').max(64, 'images: at most 64 images per plan'),
  })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Map<string, number>();
    v.images.forEach((im, i) => {
      const k = `${im.iqn}/${im.lun}`;
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: ['images', i, 'lun'], message: `images.${i}.lun: ${k} is already image ${seen.get(k)! + 1} of this plan` });
      seen.set(k, i);
    });
  });
export type ImagesInput = z.infer<typeof ImagesInputSchema>;

export const ImageDeleteInputSchema = z.object({ frontendId: Id, imageId: z.number().int().min(0) }).strict();
export const DatastoreDeleteInputSchema = z
  .object({
    frontendId: Id,
    datastoreId: z.number().int().min(0),
    /** Also undefine the datastore's libvirt secret (ISCSI_USAGE) on the cluster's KVM hosts. */
    removeSecrets: z.boolean().default(false),
  })
  .strict();

export const TgtServerCheckInputSchema = z
  .object({
    /** The Portico storage host the datastore's HOST names. */
    serverId: Id,
    vgName: lvmName('vgName').default('vg-one'),
    /** The user the front-end logs in as (oneadmin): its sudo rights are checked. */
    user: bounded('user', 32).regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/, 'user: a user name such as oneadmin').default('oneadmin'),
  })
  .strict();

export const RenderTemplateInputSchema = z.discriminatedUnion('what', [
  z.object({ what: z.literal('datastore'), datastore: DatastoreInputSchema }).strict(),
  z.object({ what: z.literal('image'), frontendId: Id, image: ImageSpecSchema }).strict(),
], { error: 'what: datastore or image' });
