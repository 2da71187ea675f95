// Wizard inputs for tgt targets and LUNs: schemas, inferred types and the size/IQN/CIDR rules.
// Every message names the field, says what is wrong and how to fix it; the renderer shows them as-is.
import { z } from 'zod';

// ---------------------------------------------------------------- sizes

/**
 * Portico counts sizes in binary units, as NetManager's `size=750GB` and `ls -h` do:
 * 1 MB = 1 MiB = 1024² bytes, 1 GB = 1 GiB = 1024³ bytes, 1 TB = 1 TiB = 1024⁴ bytes.
 */
export const SIZE_UNIT_NOTE = 'Sizes use binary units: 1 GB = 1 GiB = 1024 MB (as NetManager and ls -h count). Accepted units: MB, GB, TB, MiB, GiB, TiB.';

const MiB = 1024 ** 2;
const UNITS: Record<string, number> = { mb: MiB, mib: MiB, gb: 1024 * MiB, gib: 1024 * MiB, tb: 1024 ** 2 * MiB, tib: 1024 ** 2 * MiB };
/** Smallest LUN we create: below this no hypervisor can use it and it is almost certainly a typo. */
export const MIN_LUN_BYTES = MiB;
/** Largest LUN we accept (256 TiB): far beyond this is a typo, not a disk. */
export const MAX_LUN_BYTES = 256 * 1024 ** 4;
export const LOGICAL_BLOCK = 512;

export type SizeResult = { ok: true; bytes: number } | { ok: false; error: string };

/** Parses "750GB", "500 MB", "1.5TiB". Never guesses a unit. */
export function parseSize(text: string, field = 'size'): SizeResult {
  const s = text.trim();
  if (s === '') return { ok: false, error: `${field}: enter a size such as 500MB or 750GB` };
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(s);
  if (!m) return { ok: false, error: `${field}: "${text}" is not a size; write a number and a unit, e.g. 500MB or 1.5TB` };
  const [, num, unitRaw] = m;
  if (unitRaw === '') return { ok: false, error: `${field}: "${text}" has no unit; add MB, GB or TB (binary: 1 GB = 1024 MB)` };
  const mult = UNITS[unitRaw.toLowerCase()];
  if (!mult) return { ok: false, error: `${field}: unknown unit "${unitRaw}"; use MB, GB, TB, MiB, GiB or TiB` };
  const value = Number(num);
  if (!Number.isFinite(value) || value === 0) return { ok: false, error: `${field}: the size must be greater than 0` };
  const bytes = value * mult;
  if (!Number.isSafeInteger(bytes) || bytes % LOGICAL_BLOCK !== 0) {
    return { ok: false, error: `${field}: ${text} is not a whole number of 512-byte blocks; round it, e.g. to ${formatSize(Math.round(bytes / MiB) * MiB)}` };
  }
  if (bytes < MIN_LUN_BYTES) return { ok: false, error: `${field}: ${text} is too small; the minimum is 1 MB` };
  if (bytes > MAX_LUN_BYTES) return { ok: false, error: `${field}: ${text} is larger than the 256 TB limit; check the unit` };
  return { ok: true, bytes };
}

/** Formats bytes with binary (IEC) labels in the largest unit: 805306368000 -> "750 GiB". */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return String(bytes);
  const steps: [string, number][] = [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', MiB], ['KiB', 1024]];
  for (const [label, f] of steps) {
    if (bytes >= f) {
      const v = bytes / f;
      return `${Number.isInteger(v) ? v : v.toFixed(2)} ${label}`;
    }
  }
  return `${bytes} B`;
}

/** Text of at most `max` characters; longer input is refused before any check that quotes it. */
export const boundedText = (field: string, max: number) =>
  z.string().max(max, { message: `${field}: at most ${max} characters`, abort: true });

/** A storage server's id, as the Hosts page lists it. */
const serverIdSchema = (message = 'Server: choose a server') => boundedText('Server', 80).min(1, { message });

export const sizeSchema = boundedText('Size', 32).transform((v, ctx) => {
  const r = parseSize(v, 'Size');
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.bytes;
});

// ---------------------------------------------------------------- names

/** Characters that break tgtadm's comma-packed wire string or the Config::General conf file. */
export const CONF_UNSAFE = /[,#\s\p{Cc}"'`$\\;&|<>]/u;

const LABEL = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
// RFC 3720 3.2.6.3.1 "iqn." + yyyy-mm + "." + reversed domain [ ":" unique ]; RFC 3722 lowercases,
// and tgtd itself accepts only alnum, ":", "." and "-" in target names.
const IQN_RE = new RegExp(`^iqn\\.(\\d{4})-(\\d{2})\\.${LABEL}(?:\\.${LABEL})*(?::[a-z0-9.:-]*[a-z0-9])?$`);
const EUI_RE = /^eui\.[0-9A-F]{16}$/;
const NAA_RE = /^naa\.(?:[0-9A-F]{16}|[0-9A-F]{32})$/;

/** Returns null when `v` is a valid iSCSI name, else what is wrong. */
export function iscsiNameProblem(v: string, field: string, allowEuiNaa: boolean): string | null {
  if (v === '') return `${field}: enter an iSCSI name such as iqn.2002-08.info.netmanager:xenserver`;
  if (new TextEncoder().encode(v).length > 223) return `${field}: iSCSI names are at most 223 bytes long (RFC 3720)`;
  if (v.startsWith('eui.') || v.startsWith('naa.')) {
    if (!allowEuiNaa) return `${field}: target names here must be iqn. names`;
    if (EUI_RE.test(v) || NAA_RE.test(v)) return null;
    return `${field}: "${v}" is not valid: eui. takes 16 upper-case hex digits, naa. 16 or 32`;
  }
  if (!v.startsWith('iqn.')) return `${field}: "${v}" must start with iqn. (or eui./naa. for initiators)`;
  if (v !== v.toLowerCase()) return `${field}: "${v}" has upper-case letters; iqn. names are lower case (RFC 3722)`;
  const m = IQN_RE.exec(v);
  if (!m) return `${field}: "${v}" does not follow iqn.YYYY-MM.reversed.domain[:name]; only a-z, 0-9, "-", "." and ":" are allowed`;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return `${field}: "${v}" has month ${m[2]}; the date part is YYYY-MM with a month 01-12`;
  return null;
}

export const targetIqnSchema = boundedText('IQN', 255).superRefine((v, ctx) => {
  const p = iscsiNameProblem(v, 'IQN', false);
  if (p) ctx.addIssue({ code: 'custom', message: p });
});
export const initiatorNameSchema = boundedText('Allowed initiator', 255).superRefine((v, ctx) => {
  const p = iscsiNameProblem(v, 'Allowed initiator', true);
  if (p) ctx.addIssue({ code: 'custom', message: p });
});

/** Short target name: conf file name, default backing file name and IQN suffix (NetManager's [section]). */
export const targetNameSchema = boundedText('Name', 64).superRefine((v, ctx) => {
  if (!/^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$/.test(v) || v.includes('..')) {
    ctx.addIssue({ code: 'custom', message: `Name: "${v}" is not allowed; use 1-64 lower-case letters, digits, "-" or "." (not at the ends, no "..")` });
  }
});

/** Text kept only as Portico metadata in the conf file (stored encoded, so spaces are fine). */
const metaText = (field: string) =>
  z.string().max(128, { message: `${field}: at most 128 characters` }).refine((v) => !/\p{Cc}/u.test(v), { message: `${field}: remove control characters (tabs, line breaks)` });

// ---------------------------------------------------------------- addresses

export function parseIPv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p, i) => p > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith('0')))) return null;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseIPv6(s: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.length > 45) return null;
  const dbl = s.split('::');
  if (dbl.length > 2) return null;
  const groups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (i === items.length - 1 && it.includes('.')) {
        const v4 = parseIPv4(it);
        if (v4 === null) return null;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(it)) out.push(parseInt(it, 16));
      else return null;
    }
    return out;
  };
  const head = groups(dbl[0]);
  const tail = dbl.length === 2 ? groups(dbl[1]) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if (dbl.length === 2 ? fill < 1 : fill !== 0) return null;
  const all = [...head, ...Array(dbl.length === 2 ? fill : 0).fill(0), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

export type AddrProblem = { ok: true; acl: string } | { ok: false; error: string };

/**
 * Turns what the admin typed (10.0.0.5, 10.0.0.0/24, fd00::1, [fd00::]/64) into the exact string tgt
 * binds. tgt's rules: numeric only, IPv6 in brackets, prefix <= 31/127 (a /32 never matches), host bits zero.
 */
export function addressAcl(input: string, field = 'Allowed network'): AddrProblem {
  const s = input.trim();
  if (s === '') return { ok: false, error: `${field}: enter an address such as 192.168.100.5 or a network such as 192.168.100.0/24` };
  if (s.toUpperCase() === 'ALL') return { ok: false, error: `${field}: "ALL" would open the target to every initiator; list networks or addresses instead` };
  const slash = s.lastIndexOf('/');
  let host = slash >= 0 ? s.slice(0, slash) : s;
  const prefixText = slash >= 0 ? s.slice(slash + 1) : null;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (prefixText !== null && !/^\d{1,3}$/.test(prefixText)) return { ok: false, error: `${field}: "${s}" has a malformed prefix length after "/"` };
  const prefix = prefixText === null ? null : Number(prefixText);
  const v4 = parseIPv4(host);
  if (v4 !== null) {
    if (prefix === null || prefix === 32) {
      if (prefix === 32) return { ok: false, error: `${field}: tgt never matches a /32 rule; write the bare address ${host}` };
      return { ok: true, acl: host };
    }
    if (prefix < 1 || prefix > 31) return { ok: false, error: `${field}: prefix /${prefix} is out of range; use /1 to /31 (or a bare address)` };
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const net = (v4 & mask) >>> 0;
    if (net !== v4) return { ok: false, error: `${field}: ${s} has host bits set and tgt would never match it; use the network address ${formatIPv4(net)}/${prefix}` };
    return { ok: true, acl: `${host}/${prefix}` };
  }
  const v6 = parseIPv6(host);
  if (v6 !== null) {
    if (prefix === null || prefix === 128) {
      if (prefix === 128) return { ok: false, error: `${field}: tgt never matches a /128 rule; write the bare address [${host}]` };
      return { ok: true, acl: `[${host}]` };
    }
    if (prefix < 1 || prefix > 127) return { ok: false, error: `${field}: prefix /${prefix} is out of range for IPv6; use /1 to /127` };
    const hostBits = (1n << BigInt(128 - prefix)) - 1n;
    if ((v6 & hostBits) !== 0n) return { ok: false, error: `${field}: ${s} has host bits set and tgt would never match it; use the network address` };
    return { ok: true, acl: `[${host}]/${prefix}` };
  }
  return { ok: false, error: `${field}: "${s}" is not an IPv4/IPv6 address or network (host names are not allowed by tgt)` };
}

/** The addresses an address rule as tgt binds it admits: one family, a first address and a prefix length. */
export interface AclRange {
  family: 4 | 6;
  net: bigint;
  prefix: number;
}

/**
 * Parses a bound address rule (10.0.0.5, 10.0.0.0/24, [fd00::1], [fd00::]/64) into its range;
 * "ALL" is every address of both families; null for anything else (a never-matching placeholder
 * is a plain address and parses as one).
 */
export function aclRanges(acl: string): AclRange[] | null {
  if (acl.toUpperCase() === 'ALL') return [{ family: 4, net: 0n, prefix: 0 }, { family: 6, net: 0n, prefix: 0 }];
  const slash = acl.lastIndexOf('/');
  let host = slash >= 0 ? acl.slice(0, slash) : acl;
  const prefixText = slash >= 0 ? acl.slice(slash + 1) : null;
  if (prefixText !== null && !/^\d{1,3}$/.test(prefixText)) return null;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const v4 = parseIPv4(host);
  const v6 = v4 === null ? parseIPv6(host) : null;
  if (v4 === null && v6 === null) return null;
  const family = v4 !== null ? 4 : 6;
  const bits = family === 4 ? 32 : 128;
  const prefix = prefixText === null ? bits : Number(prefixText);
  if (prefix > bits) return null;
  const addr = v4 !== null ? BigInt(v4) : v6!;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  return [{ family, net: addr & ~hostMask, prefix }];
}

/** Does range `outer` contain every address of `inner`? */
export function rangeContains(outer: AclRange, inner: AclRange): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  const bits = outer.family === 4 ? 32 : 128;
  const shift = BigInt(bits - outer.prefix);
  return inner.net >> shift === outer.net >> shift;
}

/**
 * Does the address rule `wider` admit every address `narrower` admits, and more? (10.0.0.0/16 vs
 * 10.0.0.0/24 or 10.0.3.7: yes; equal rules, disjoint networks, another family: no.)
 */
export function aclStrictlyContains(wider: string, narrower: string): boolean {
  const w = aclRanges(wider);
  const n = aclRanges(narrower);
  if (!w || !n) return false;
  const covers = (a: AclRange[], b: AclRange[]) => b.every((x) => a.some((y) => rangeContains(y, x)));
  return covers(w, n) && !covers(n, w);
}

export const addressAclSchema = boundedText('Allowed network', 64).transform((v, ctx) => {
  const r = addressAcl(v);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.acl;
});

// ---------------------------------------------------------------- CHAP

export const CHAP_SECRET_MIN = 12;
export const CHAP_SECRET_MAX = 16;
const CHAP_CHARS = /^[A-Za-z0-9._@+=-]+$/;

export const chapUserSchema = (field: string) =>
  z.string().superRefine((v, ctx) => {
    if (v.length < 1 || v.length > 64 || !CHAP_CHARS.test(v)) {
      ctx.addIssue({ code: 'custom', message: `${field}: use 1-64 characters from A-Z a-z 0-9 . _ @ + = - (no spaces, commas or #)` });
    }
  });

export const chapSecretSchema = (field: string) =>
  z.string().superRefine((v, ctx) => {
    // Never echo the secret in the message.
    if (v.length < CHAP_SECRET_MIN || v.length > CHAP_SECRET_MAX) {
      ctx.addIssue({ code: 'custom', message: `${field}: must be ${CHAP_SECRET_MIN}-${CHAP_SECRET_MAX} characters long (it has ${v.length}); most initiators, Windows included, require this` });
    } else if (!CHAP_CHARS.test(v)) {
      ctx.addIssue({ code: 'custom', message: `${field}: use only A-Z a-z 0-9 . _ @ + = - (spaces, commas, # and quotes break tgt's config)` });
    }
  });

/** A strong CHAP secret: 16 characters from a 62-letter alphabet (~95 bits), no bias. */
export function generateChapSecret(length = CHAP_SECRET_MAX): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const out: string[] = [];
  while (out.length < length) {
    const buf = globalThis.crypto.getRandomValues(new Uint8Array(32));
    for (const b of buf) if (b < 248 && out.length < length) out.push(alphabet[b % 62]);
  }
  return out.join('');
}

export const ChapInputSchema = z
  .object({
    user: chapUserSchema('CHAP user'),
    secret: chapSecretSchema('CHAP secret'),
    mutual: z.object({ user: chapUserSchema('Mutual CHAP user'), secret: chapSecretSchema('Mutual CHAP secret') }).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.mutual && c.mutual.secret === c.secret) {
      ctx.addIssue({ code: 'custom', path: ['mutual', 'secret'], message: 'Mutual CHAP secret: must differ from the CHAP secret (RFC 3720 forbids the same secret in both directions)' });
    }
    if (c.mutual && c.mutual.user === c.user) {
      ctx.addIssue({ code: 'custom', path: ['mutual', 'user'], message: 'Mutual CHAP user: use a different user name than the incoming CHAP user' });
    }
  });
export type ChapInput = z.infer<typeof ChapInputSchema>;

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

/**
 * Naming authority of a proposed base IQN when the server's domain is unknown: the reversal of
 * set-your-domain.invalid (.invalid is reserved, RFC 6761, so it can never be anyone's real
 * authority), shown as a placeholder until the admin puts in a domain the site owns.
 */
export const PLACEHOLDER_AUTHORITY = 'invalid.set-your-domain';
export const isPlaceholderIqn = (iqn: string) => /^iqn\.\d{4}-\d{2}\.invalid\.set-your-domain(?::|$)/.test(iqn);

/** IQN the wizard proposes: server base IQN + ":" + name. */
export function buildIqn(baseIqn: string, name: string): string {
  return `${baseIqn}:${name}`;
}

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
