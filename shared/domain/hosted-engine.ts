// Hosted-engine storage wizard input (issue 7). Shared by renderer (form validation) and main
// (planner). Messages name the field and say how to fix it. Limits follow hosted-engine setup
// and VDSM (reference 4.1, 4.6): CHAP user/password <= 50, names <= 50, host id 1..250.
import { z } from 'zod';
import { isIPv4, isIPv6 } from './host';

/** Engine VM disk default and the storage overhead cockpit adds (reference 4.5). */
export const HE_DEFAULT_DISK_GIB = 58;
export const HE_OVERHEAD_GIB = 15.24;
export const HE_DEFAULT_DOMAIN_NAME = 'hosted_storage';
export const HE_DEFAULT_POOL_NAME = 'hosted_datacenter';

/** IPv4 or IPv6 literal; hosted-engine setup accepts no host names for portals. */
export function isIpAddress(s: string): boolean {
  return isIPv4(s) || isIPv6(s);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const PortalSchema = z.object({
  address: z.string().max(64, { message: 'Portal address: at most 64 characters', abort: true }).trim().refine(isIpAddress, 'Portal address: enter an IPv4 or IPv6 address (host names are not accepted by hosted-engine).'),
  port: z.coerce
    .number()
    .int('Portal port: enter a whole number.')
    .min(1, 'Portal port: must be between 1 and 65535.')
    .max(65535, 'Portal port: must be between 1 and 65535.')
    .default(3260),
});
export type Portal = z.infer<typeof PortalSchema>;

const chapField = (what: string) =>
  z.string().max(50, `${what}: at most 50 characters (oVirt stores no more).`).regex(/^[^\s]*$/, `${what}: remove spaces.`).default('');

/** Either side may be empty (no CHAP); a user without a password or vice versa is an error. */
export const ChapSchema = (label: string) =>
  z
    .object({ user: chapField(`${label} user`), password: chapField(`${label} password`) })
    .default({ user: '', password: '' })
    .superRefine((v, ctx) => {
      if ((v.user === '') !== (v.password === '')) {
        ctx.addIssue({
          code: 'custom',
          path: v.user === '' ? ['user'] : ['password'],
          message: `${label}: fill in both user and password, or leave both empty for no CHAP.`,
        });
      }
    });
export type Chap = { user: string; password: string };

export const IqnSchema = z
  .string()
  .trim()
  .regex(/^(iqn\.\d{4}-\d{2}\.[^\s]+|eui\.[0-9A-Fa-f]{16}|naa\.[0-9A-Fa-f]{16,32})$/, 'Target: pick a target from the discovered list (an IQN like iqn.2024-01.com.example:t1).');

export const TargetChoiceSchema = z.object({
  iqn: IqnSchema,
  tpgt: z.string().max(10, 'Target TPGT: at most 10 digits.').regex(/^\d+$/, 'Target TPGT: must be the number reported by discovery.'),
  portals: z.array(PortalSchema).min(1, 'Target: the chosen TPGT has no portals; discover again.'),
});
export type TargetChoice = z.infer<typeof TargetChoiceSchema>;

const nameField = (label: string, def: string) =>
  z.string().trim().min(1, `${label}: enter a name.`).max(50, `${label}: at most 50 characters (VDSM limit).`).regex(/^[A-Za-z0-9_.-]+$/, `${label}: use letters, digits, '_', '-', '.' only.`).default(def);

const commonFields = {
  /** Portico's id of the oVirt host the wizard runs on. */
  hostId: z.string().min(1, 'Host: choose the oVirt host to deploy on.').max(80, 'Host: at most 80 characters (a host id).'),
  domainName: nameField('Storage domain name', HE_DEFAULT_DOMAIN_NAME),
  poolName: nameField('Storage pool name', HE_DEFAULT_POOL_NAME),
  /** sanlock host id of this host. */
  hostIdNumber: z.coerce.number().int('Host id: enter a whole number.').min(1, 'Host id: must be 1..250.').max(250, 'Host id: must be 1..250.').default(1),
  /** Storage domain format version; 5 for anything new (reference 2.2). */
  domainVersion: z.union([z.literal(0), z.literal(2), z.literal(3), z.literal(4), z.literal(5)], { error: 'Domain version: VDSM accepts 0, 2, 3, 4 or 5; use 5.' }).default(5),
  /** Engine VM disk size; the LUN must hold it plus 15.24 GiB. */
  diskSizeGiB: z.coerce.number().min(HE_DEFAULT_DISK_GIB, `Engine disk size: at least ${HE_DEFAULT_DISK_GIB} GiB.`).max(4096, 'Engine disk size: at most 4096 GiB.').default(HE_DEFAULT_DISK_GIB),
  /** Fixed ids (tests, replays); fresh UUIDs otherwise. */
  ids: z
    .object({
      sdUUID: z.string().regex(UUID_RE, 'sdUUID: must be a UUID.'),
      spUUID: z.string().regex(UUID_RE, 'spUUID: must be a UUID.'),
      connectionId: z.string().regex(UUID_RE, 'connectionId: must be a UUID.'),
    })
    .partial()
    .optional(),
};

export const IscsiStorageInputSchema = z
  .object({
    storageType: z.literal('iscsi'),
    ...commonFields,
    /** Addresses and port the admin typed for discovery. */
    portals: z.array(PortalSchema).min(1, 'Portal: enter at least one portal address.'),
    discoveryChap: ChapSchema('Discovery CHAP'),
    loginChap: ChapSchema('Login CHAP'),
    target: TargetChoiceSchema,
    lunGuid: z.string().max(128, 'LUN: at most 128 characters (a LUN GUID).').trim().min(1, 'LUN: choose a LUN from the list.'),
    /** Using a LUN marked used wipes it: the admin must type the LUN GUID to confirm. */
    forceUsedLun: z.boolean().default(false),
    forceConfirmation: z.string().max(128, 'Force confirmation: at most 128 characters (type the LUN id).').default(''),
  })
  .superRefine((v, ctx) => {
    if (v.forceUsedLun && v.forceConfirmation.trim() !== v.lunGuid) {
      ctx.addIssue({ code: 'custom', path: ['forceConfirmation'], message: `Force confirmation: type the LUN id ${v.lunGuid} exactly to confirm that its data will be destroyed.` });
    }
  });
export type IscsiStorageInput = z.infer<typeof IscsiStorageInputSchema>;

export const NfsStorageInputSchema = z.object({
  storageType: z.enum(['nfs3', 'nfs4']),
  ...commonFields,
  server: z.string().max(253, 'NFS server: at most 253 characters.').trim().min(1, 'NFS server: enter the server address or name.').regex(/^[A-Za-z0-9.:\-[\]]+$/, 'NFS server: enter a host name or IP address.'),
  exportPath: z.string().max(4096, 'NFS export path: at most 4096 characters.').trim().regex(/^\/[^\s,]*$/, 'NFS export path: enter an absolute path such as /exports/he.'),
});
export type NfsStorageInput = z.infer<typeof NfsStorageInputSchema>;

export const HostedEngineStorageInputSchema = z.discriminatedUnion('storageType', [IscsiStorageInputSchema, NfsStorageInputSchema]);
export type HostedEngineStorageInput = z.infer<typeof HostedEngineStorageInputSchema>;

/** The discovery request (before a target is chosen). */
export const DiscoverRequestSchema = z.object({
  hostId: z.string().min(1, 'Host: choose the oVirt host to deploy on.').max(80, 'Host: at most 80 characters (a host id).'),
  portals: z.array(PortalSchema).min(1, 'Portal: enter at least one portal address.'),
  discoveryChap: ChapSchema('Discovery CHAP'),
});
export type DiscoverRequest = z.infer<typeof DiscoverRequestSchema>;

/** How the console authenticates to VDSM (issue 7, 1). */
export const VdsmIdentityChoiceSchema = z.discriminatedUnion('kind', [
  /** A client cert+key signed by the engine CA, stored once in the SecretStore. */
  z.object({ kind: z.literal('client-cert'), secretKey: z.string().min(1).max(80, 'Client certificate key: at most 80 characters (a secret id).') }),
  /** Zero-config: SSH tunnel to the host's own 54321 and the host's vdsm cert read into memory. */
  z.object({ kind: z.literal('ssh-host-cert') }),
]);
export type VdsmIdentityChoice = z.infer<typeof VdsmIdentityChoiceSchema>;

/** LUN row the wizard shows (built in main by luns.ts). */
export const LunRowSchema = z.object({
  guid: z.string(),
  sizeBytes: z.string(),
  sizeGiB: z.number(),
  vendor: z.string(),
  product: z.string(),
  status: z.string(),
  usedBy: z.object({ pvUUID: z.string(), vgUUID: z.string() }).nullable(),
  pathsActive: z.number().int(),
  pathsFailed: z.number().int(),
  logicalBlockSize: z.number().int(),
  eligible: z.boolean(),
  /** Why it is disabled, in words; null when eligible. */
  reason: z.string().nullable(),
  /** A used LUN may be forced after a typed confirmation; a small or 4K one may not. */
  forceable: z.boolean(),
});
export type LunRow = z.infer<typeof LunRowSchema>;
