// Hosts, host keys, connection state and capabilities: schemas shared by the renderer form and main.
// Every message names the field, says what is wrong and how to fix it, and never echoes a secret.
import { z } from 'zod';

// ---------- address ----------

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// RFC 1123 labels; a leading digit is allowed, an all-numeric dotted name is not (it would be a bad IPv4).
const HOSTNAME_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

export function isIPv6(s: string): boolean {
  // z.ipv6 implements the full grammar (compressed forms, embedded IPv4); zone ids are not allowed.
  return z.ipv6().safeParse(s).success;
}

export function isHostname(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false;
  const labels = s.split('.');
  if (!labels.every((l) => HOSTNAME_LABEL.test(l))) return false;
  // Something like 300.1.2.3 is a mistyped address, not a name.
  return !labels.every((l) => /^\d+$/.test(l));
}

export function addressKind(s: string): 'ipv4' | 'ipv6' | 'hostname' | null {
  if (isIPv4(s)) return 'ipv4';
  if (isIPv6(s)) return 'ipv6';
  if (isHostname(s)) return 'hostname';
  return null;
}

export const AddressSchema = z
  .string({ error: 'address: enter the host\'s IP address or DNS name' })
  .trim()
  .min(1, { error: 'address: enter the host\'s IP address or DNS name' })
  .refine((s) => addressKind(s) !== null, {
    error:
      'address: not a valid IPv4 address (e.g. 192.0.2.10), IPv6 address (e.g. 2001:db8::10, no brackets) or host name ' +
      '(letters, digits, hyphens and dots, e.g. stor1.example.org); remove spaces and other characters',
  });

export const PortSchema = z
  .number({ error: 'port: enter a number from 1 to 65535 (SSH normally uses 22)' })
  .int({ error: 'port: must be a whole number from 1 to 65535' })
  .min(1, { error: 'port: must be from 1 to 65535 (SSH normally uses 22)' })
  .max(65535, { error: 'port: must be from 1 to 65535 (SSH normally uses 22)' });

// POSIX portable user names (letters, digits, '.', '_', '-', not starting with '-'), at most 32 long.
// The Samba-style trailing '$' is refused: no login user needs it and it is a shell character.
const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
export const UserSchema = z
  .string({ error: 'user: enter the login user name on the host, e.g. root or admin' })
  .min(1, { error: 'user: enter the login user name on the host, e.g. root or admin' })
  .refine((s) => USER.test(s), {
    error:
      'user: a user name starts with a letter or "_" and contains only letters, digits, ".", "_" and "-" (at most 32 characters)',
  });

const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;

export const HostNameSchema = z
  .string({ error: 'name: enter a display name for the host' })
  .trim()
  .min(1, { error: 'name: enter a display name for the host, e.g. stor1' })
  .max(64, { error: 'name: at most 64 characters' })
  .refine((s) => NO_CONTROL.test(s), { error: 'name: remove line breaks, tabs and other control characters' });

export const KeyPathSchema = z
  .string({ error: 'keyPath: choose the private key file' })
  .min(1, { error: 'keyPath: choose the private key file, e.g. ~/.ssh/id_ed25519' })
  .max(4096, { error: 'keyPath: the path is too long (at most 4096 characters)' })
  .refine((s) => NO_CONTROL.test(s), { error: 'keyPath: the path contains control characters; choose the file again' })
  .refine((s) => s.startsWith('/') || s === '~' || s.startsWith('~/'), {
    error: 'keyPath: use an absolute path (/root/.ssh/id_ed25519) or one starting with ~/',
  });

const SecretText = (field: string) =>
  z
    .string({ error: `${field}: must be text` })
    .max(1024, { error: `${field}: at most 1024 characters` })
    .refine((s) => !s.includes('\0'), { error: `${field}: must not contain a NUL character` });

export const HostAuthSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({
      kind: z.literal('key'),
      keyPath: KeyPathSchema,
      /** Only for an encrypted key; stored in the SecretStore, never in SQLite. */
      passphrase: SecretText('passphrase').optional(),
    }),
    z.object({ kind: z.literal('agent') }),
    z.object({
      kind: z.literal('password'),
      password: SecretText('password').pipe(z.string().min(1, { error: 'password: enter the password' })),
    }),
  ],
  { error: 'auth: choose how to log in: private key file, ssh-agent or password' },
);
export type HostAuth = z.infer<typeof HostAuthSchema>;
export type HostAuthKind = HostAuth['kind'];

export const HOST_ROLES = ['storage', 'hypervisor', 'one-frontend', 'ovirt-host'] as const;
export const HostRoleSchema = z.enum(HOST_ROLES, {
  error: 'roles: each role must be one of storage, hypervisor, one-frontend, ovirt-host',
});
export type HostRole = z.infer<typeof HostRoleSchema>;

export const HostInputSchema = z.object({
  name: HostNameSchema,
  address: AddressSchema,
  port: PortSchema.default(22),
  user: UserSchema,
  auth: HostAuthSchema,
  sudo: z.boolean({ error: 'sudo: choose yes or no' }).default(false),
  roles: z
    .array(HostRoleSchema)
    .min(1, { error: 'roles: choose at least one role (storage server, hypervisor, OpenNebula front-end, oVirt host)' })
    .refine((r) => new Set(r).size === r.length, { error: 'roles: each role may be chosen only once' }),
  group: z
    .string()
    .trim()
    .max(64, { error: 'group: at most 64 characters' })
    .refine((s) => NO_CONTROL.test(s), { error: 'group: remove line breaks, tabs and other control characters' })
    .optional(),
});
export type HostInput = z.infer<typeof HostInputSchema>;
/** What a form holds before defaults are applied. */
export type HostInputRaw = z.input<typeof HostInputSchema>;

/** Connection parameters main needs for SSH; validated again right before connecting. */
export const HostConnectionSchema = z.object({
  address: AddressSchema,
  port: PortSchema,
  user: UserSchema,
  auth: z.enum(['key', 'agent', 'password']),
  keyPath: KeyPathSchema.optional(),
  sudo: z.boolean(),
});
export type HostConnection = z.infer<typeof HostConnectionSchema>;

/** Flattens zod issues into the field-named sentences above, one per line. */
export function describeIssues(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      const path = i.path.join('.');
      // Our own messages already start with the field; zod's fallbacks do not.
      return i.message.includes(':') || !path ? i.message : `${path}: ${i.message}`;
    })
    .join('\n');
}

// ---------- host keys ----------

export const HostKeyInfoSchema = z.object({
  type: z.string(),
  /** OpenSSH form: SHA256:<base64 without padding> of the raw key blob. */
  fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/),
});
export type HostKeyInfo = z.infer<typeof HostKeyInfoSchema>;

// ---------- connection state ----------

export const CONNECTION_ERROR_CODES = [
  'refused',
  'timeout',
  'dns',
  'unreachable',
  'auth-failed',
  'hostkey-unknown',
  'hostkey-mismatch',
  'connection-lost',
  'key-unreadable',
  'key-invalid',
  'key-passphrase-required',
  'key-passphrase-wrong',
  'agent-unavailable',
  'password-missing',
  'invalid-host',
  'unknown-host',
  'protocol',
] as const;
export type ConnectionErrorCode = (typeof CONNECTION_ERROR_CODES)[number];

export const ConnectionStateSchema = z.object({
  hostId: z.string(),
  state: z.enum(['idle', 'connecting', 'connected', 'failed', 'blocked']),
  /** Words for people: "connection refused by 192.0.2.10:22 — is sshd running?" */
  reason: z.string().optional(),
  code: z.enum(CONNECTION_ERROR_CODES).optional(),
  /** Key the server presented, when code is hostkey-unknown or hostkey-mismatch. */
  hostKey: HostKeyInfoSchema.optional(),
  /** Key on record, when code is hostkey-mismatch. */
  expectedHostKey: HostKeyInfoSchema.optional(),
  /** When a reconnect is scheduled (ms since epoch). */
  retryAt: z.number().optional(),
});
export type ConnectionState = z.infer<typeof ConnectionStateSchema>;

// ---------- capabilities ----------

export const PROBED_TOOLS = [
  'tgtadm',
  'tgt-admin',
  'targetcli',
  'iscsiadm',
  'iscsi-ls',
  'virsh',
  'vdsm-client',
  'onedatastore',
  'multipath',
] as const;
export type ProbedTool = (typeof PROBED_TOOLS)[number];

export const PROBED_SERVICES = ['tgtd', 'libvirtd', 'vdsmd'] as const;
export type ProbedService = (typeof PROBED_SERVICES)[number];

export const CapabilitiesSchema = z.object({
  os: z.object({
    /** os-release ID, e.g. debian, rhel, centos, ubuntu; null when unknown. */
    id: z.string().nullable(),
    name: z.string().nullable(),
    version: z.string().nullable(),
    prettyName: z.string().nullable(),
    kernel: z.string().nullable(),
  }),
  user: z.object({ name: z.string().nullable(), uid: z.number().nullable() }),
  /**
   * root: logged in as root; nopasswd: `sudo -n` works for any command; limited: NOPASSWD rules for some
   * commands only (each command may still need a rule); password-required; absent: no sudo.
   */
  sudo: z.enum(['root', 'nopasswd', 'limited', 'password-required', 'absent']),
  /** Absolute path of each tool found, null when missing. */
  tools: z.record(z.enum(PROBED_TOOLS), z.string().nullable()),
  services: z.record(z.enum(PROBED_SERVICES), z.enum(['running', 'stopped'])),
  initiatorName: z.string().nullable(),
  interfaces: z.array(
    z.object({
      name: z.string(),
      up: z.boolean(),
      addresses: z.array(z.object({ family: z.enum(['inet', 'inet6']), address: z.string(), prefix: z.number() })),
    }),
  ),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;
