// Inputs and results of the native iSCSI initiator calls (iscsi.discover, iscsi.inspect).
// Main validates every input with these schemas; messages name the field and never echo a secret.
import { z } from 'zod';
import { addressKind } from './host';
import { iscsiNameProblem } from './target';

export const ISCSI_DEFAULT_PORT = 3260;

// ---------------------------------------------------------------- portal

/** Portal address: IPv4, IPv6 (brackets optional and removed) or DNS name. */
export const IscsiPortalAddressSchema = z
  .string({ error: 'portal address: enter the portal\'s IP address or DNS name' })
  .trim()
  .transform((s) => s.replace(/^\[(.*)\]$/, '$1'))
  .refine((s) => s.length > 0, { error: 'portal address: enter the portal\'s IP address or DNS name' })
  .refine((s) => addressKind(s) !== null, {
    error:
      'portal address: not a valid IPv4 address (e.g. 192.0.2.10), IPv6 address (e.g. 2001:db8::10 or [2001:db8::10]) ' +
      'or host name (letters, digits, hyphens and dots)',
  });

export const IscsiPortSchema = z
  .number({ error: 'portal port: enter a TCP port number (iSCSI uses 3260)' })
  .int({ error: 'portal port: must be a whole number' })
  .min(1, { error: 'portal port: must be 1-65535 (iSCSI uses 3260)' })
  .max(65535, { error: 'portal port: must be 1-65535 (iSCSI uses 3260)' });

/** host:port as people and iSCSI write it, IPv6 in brackets. */
export function formatPortal(p: { address: string; port: number }): string {
  return p.address.includes(':') ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;
}

export const IscsiPortalSchema = z
  .object({
    address: IscsiPortalAddressSchema,
    port: IscsiPortSchema.default(ISCSI_DEFAULT_PORT),
  })
  .strict();

// ---------------------------------------------------------------- names

function nameSchema(field: string) {
  return z.string({ error: `${field}: enter an iSCSI name (iqn., eui. or naa.)` }).trim().superRefine((v, ctx) => {
    // RFC 3720/7143 §4.2.7: iqn.YYYY-MM.reversed.domain[:unique], eui.<16 hex>, naa.<16|32 hex>; max 223 bytes.
    const p = iscsiNameProblem(v, field, true);
    if (p) ctx.addIssue({ code: 'custom', message: p });
  });
}

export const IscsiTargetNameSchema = nameSchema('target');
export const IscsiInitiatorNameSchema = nameSchema('initiator name');

// ---------------------------------------------------------------- CHAP

// Decision on secret length: 12 to 255 characters.
//  - 12 is the floor the Microsoft initiator enforces and the common interoperable minimum; RFC 7143
//    wants secrets with real entropy because CHAP over clear text invites offline guessing.
//  - 255 because tgtd keeps secrets in a 256-byte buffer and Linux initiators accept that much; the
//    16-character ceiling of the Microsoft initiator is reported as a note, not enforced, since
//    oVirt/OpenNebula hosts run Linux.
//  - printable ASCII without spaces or quotes: such characters break tgt's config files and shell
//    quoting on hosts, and initiators disagree on how to encode anything else.
export const CHAP_SECRET_MIN = 12;
export const CHAP_SECRET_MAX = 255;
export const CHAP_SECRET_WINDOWS_MAX = 16;
const SECRET_CHARS = /^[\x21\x23-\x26\x28-\x7e]+$/;
const USER_CHARS = /^[^\p{Cc}\s]+$/u;

export function chapSecretSchema(field: string) {
  return z
    .string({ error: `${field}: enter the CHAP secret` })
    .min(CHAP_SECRET_MIN, { error: `${field}: a CHAP secret needs at least ${CHAP_SECRET_MIN} characters` })
    .max(CHAP_SECRET_MAX, { error: `${field}: a CHAP secret may have at most ${CHAP_SECRET_MAX} characters` })
    .regex(SECRET_CHARS, { error: `${field}: use printable ASCII characters without spaces or quotes` });
}

export function chapUserSchema(field: string) {
  return z
    .string({ error: `${field}: enter the CHAP user name` })
    .min(1, { error: `${field}: enter the CHAP user name` })
    .max(255, { error: `${field}: at most 255 characters` })
    .regex(USER_CHARS, { error: `${field}: no spaces or control characters` });
}

export const ChapMutualSchema = z
  .object({ user: chapUserSchema('target CHAP user'), secret: chapSecretSchema('target CHAP secret') })
  .strict();

export const ChapSchema = z
  .object({
    user: chapUserSchema('CHAP user'),
    secret: chapSecretSchema('CHAP secret'),
    /** Mutual CHAP: the target's outgoing account. */
    mutual: ChapMutualSchema.optional(),
  })
  .strict()
  .refine((c) => !c.mutual || c.mutual.secret !== c.secret, {
    // One secret for both directions lets a peer reflect our own response (RFC 7143 §12.1.3).
    error: 'target CHAP secret: must differ from the initiator CHAP secret',
    path: ['mutual', 'secret'],
  });

export type Chap = z.output<typeof ChapSchema>;

/** Interop notes for a valid secret (shown, not enforced). */
export function chapSecretNotes(secret: string): string[] {
  return secret.length > CHAP_SECRET_WINDOWS_MAX
    ? [`Secrets longer than ${CHAP_SECRET_WINDOWS_MAX} characters are refused by the Microsoft iSCSI initiator; Linux initiators accept them.`]
    : [];
}

// ---------------------------------------------------------------- calls

const HostIdSchema = z
  .string()
  .min(1, { error: 'via: a host id is required' })
  .max(80)
  .regex(/^[A-Za-z0-9_-]+$/, { error: 'via: host ids are letters, digits, - and _' });

const common = {
  portal: IscsiPortalSchema,
  /** Check from this host's network, through an SSH tunnel (direct-tcpip). Default: the workstation. */
  via: HostIdSchema.optional(),
  chap: ChapSchema.optional(),
  /** Log in as this initiator (e.g. a host's name, to test its ACL); default: the console's own name. */
  initiatorName: IscsiInitiatorNameSchema.optional(),
  /** Limit for each wait (connect, each response), ms. */
  timeoutMs: z
    .number()
    .int()
    .min(200, { error: 'timeoutMs: at least 200 ms' })
    .max(120_000, { error: 'timeoutMs: at most 120000 ms' })
    .optional(),
};

export const IscsiDiscoverInputSchema = z.object(common).strict();
export const IscsiInspectInputSchema = z.object({ ...common, target: IscsiTargetNameSchema }).strict();

export type IscsiPortal = z.output<typeof IscsiPortalSchema>;
export type IscsiDiscoverInput = z.input<typeof IscsiDiscoverInputSchema>;
export type IscsiDiscoverParsed = z.output<typeof IscsiDiscoverInputSchema>;
export type IscsiInspectInput = z.input<typeof IscsiInspectInputSchema>;
export type IscsiInspectParsed = z.output<typeof IscsiInspectInputSchema>;

// ---------------------------------------------------------------- results

export interface IscsiPortalAddress {
  /** Without brackets. */
  address: string;
  port: number;
  tpgt: number;
}

export interface IscsiDiscoveredTarget {
  targetName: string;
  portals: IscsiPortalAddress[];
  targetAlias?: string;
}

export type IscsiAuthentication = 'none' | 'chap' | 'mutual-chap';

export interface IscsiDiscoverResult {
  /** The portal asked, host:port with IPv6 in brackets. */
  portal: string;
  initiatorName: string;
  authentication: IscsiAuthentication;
  targets: IscsiDiscoveredTarget[];
}

export interface IscsiDesignator {
  type: string;
  association: 'logical-unit' | 'target-port' | 'target-device' | 'reserved';
  codeSet: 'binary' | 'ascii' | 'utf8' | 'other';
  naaType?: number;
  /** Hex for binary designators, text otherwise. */
  value: string;
}

export interface IscsiLun {
  /** Decoded LUN number; null for address methods not decoded (see lunRaw). */
  lun: number | null;
  lunRaw: string;
  present: boolean;
  deviceType: number;
  deviceTypeName: string;
  vendor: string;
  product: string;
  revision: string;
  serial?: string;
  supportedVpdPages?: number[];
  designators: IscsiDesignator[];
  /** Multipath WWID = oVirt LUN GUID (systemd scsi_id rules). */
  guid?: string;
  guidAlsoKnownAs: string[];
  sizeBytes?: number;
  blocks?: number;
  blockSize?: number;
  physicalBlockSize?: number;
  thinProvisioned?: boolean;
  ready?: boolean;
  readyDetail?: string;
  problems: string[];
}

export interface IscsiInspectResult {
  portal: string;
  targetName: string;
  initiatorName: string;
  isid: string;
  authentication: IscsiAuthentication;
  targetPortalGroupTag?: number;
  targetAlias?: string;
  luns: IscsiLun[];
}

// ---------------------------------------------------------------- survey (many portals at once)

export const SURVEY_MAX_PORTALS = 256;

export const IscsiSurveyInputSchema = z
  .object({
    portals: z
      .array(
        IscsiPortalSchema.extend({
          /** Which storage server this portal belongs to (duplicate-GUID checks across servers). */
          server: z.string().trim().min(1).max(120).optional(),
        }),
        { error: 'portals: give a list of portals ({address, port})' },
      )
      .min(1, { error: 'portals: give at least one portal' })
      .max(SURVEY_MAX_PORTALS, { error: `portals: at most ${SURVEY_MAX_PORTALS} portals per check` }),
    via: common.via,
    chap: common.chap,
    initiatorName: common.initiatorName,
    timeoutMs: common.timeoutMs,
  })
  .strict();

export type IscsiSurveyInput = z.input<typeof IscsiSurveyInputSchema>;
export type IscsiSurveyParsed = z.output<typeof IscsiSurveyInputSchema>;

export interface IscsiFailure {
  code: string;
  message: string;
}

export type IscsiSurveyTarget = ({ ok: true } & IscsiInspectResult) | { ok: false; targetName: string; error: IscsiFailure };

export type IscsiSurveyPortal =
  | { ok: true; portal: string; server?: string; authentication: IscsiAuthentication; targets: IscsiSurveyTarget[] }
  | { ok: false; portal: string; server?: string; error: IscsiFailure };

export interface IscsiGuidSighting {
  guid?: string;
  targetName: string;
  lun: number | string;
  /** Portal the LUN was seen through, e.g. "10.0.0.1:3260". */
  portal: string;
  /** Server identity when known (inventory host id); portals of one server share it. */
  server?: string;
}

export interface IscsiGuidWarning {
  code: 'duplicate-guid';
  guid: string;
  sightings: IscsiGuidSighting[];
  message: string;
}

export interface IscsiSurveyResult {
  portals: IscsiSurveyPortal[];
  guidWarnings: IscsiGuidWarning[];
  /** Wall time of the whole survey, ms. */
  elapsedMs: number;
}

/**
 * Portals typed one per line: `address`, `address:port`, `[ipv6]:port` or a bare IPv6 address.
 * Empty lines are skipped; each bad line is reported with its number and what to write instead.
 */
export function parsePortalList(text: string): { portals: IscsiPortal[]; errors: string[] } {
  const portals: IscsiPortal[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let address = line;
    let port: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(line);
    const hostPort = /^([^:\s]+):(\d+)$/.exec(line);
    if (bracketed) [address, port] = [bracketed[1], bracketed[2] === undefined ? undefined : Number(bracketed[2])];
    else if (hostPort) [address, port] = [hostPort[1], Number(hostPort[2])];
    const r = IscsiPortalSchema.safeParse({ address, port });
    if (r.success) portals.push(r.data);
    else errors.push(`line ${i + 1} (${line}): ${r.error.issues[0].message}; write address:port, e.g. 192.0.2.10:3260 or [2001:db8::10]:3260`);
  });
  return { portals, errors };
}
