// Contract fragment of the first-time setup assistant: its progress, kept in main's SQLite so the
// assistant resumes at the step it was on after a restart. Only ids, IQNs and words: no secrets.
import { z } from 'zod';
import { call, Id, type CallMap } from '../contract-kit';

export const SETUP_STEPS = ['servers', 'settings', 'target', 'hypervisors', 'access', 'paths', 'next'] as const;
export type SetupStepId = (typeof SETUP_STEPS)[number];

export const SetupStepStateSchema = z
  .object({
    status: z.enum(['pending', 'done', 'skipped']),
    /** What the step produced or why it was skipped, in words. */
    note: z.string().max(2000).nullable(),
  })
  .strict();

const Iqn = z.string().max(223).regex(/^(iqn\.|eui\.|naa\.)[\x21-\x7e]+$/, 'targetIqn: an iSCSI name, e.g. iqn.2026-12.com.example:stor1:disk');

export const SetupProgressSchema = z
  .object({
    current: z.enum(SETUP_STEPS, { error: `current: one of ${SETUP_STEPS.join(', ')}` }),
    steps: z.object(Object.fromEntries(SETUP_STEPS.map((s) => [s, SetupStepStateSchema])) as Record<SetupStepId, typeof SetupStepStateSchema>).strict(),
    serverIds: z.array(Id).max(64),
    targetServerId: Id.nullable(),
    targetIqn: Iqn.nullable(),
    hypervisorIds: z.array(Id).max(256),
    accessJobId: Id.nullable(),
    pathResult: z.object({ ok: z.number().int().min(0), failed: z.number().int().min(0), words: z.string().max(4000) }).strict().nullable(),
    finished: z.boolean(),
  })
  .strict();
export type SetupProgress = z.infer<typeof SetupProgressSchema>;

export function emptySetupProgress(): SetupProgress {
  return {
    current: 'servers',
    steps: Object.fromEntries(SETUP_STEPS.map((s) => [s, { status: 'pending', note: null }])) as SetupProgress['steps'],
    serverIds: [], targetServerId: null, targetIqn: null, hypervisorIds: [], accessJobId: null, pathResult: null, finished: false,
  };
}

export interface PastedHost {
  name: string;
  address: string;
  port: number;
  user: string | null;
}

const HOST_TOKEN = /^[A-Za-z0-9][A-Za-z0-9._-]*$|^\[[0-9A-Fa-f:.]+\]$/;

/**
 * Hypervisors typed one per line: `address`, `name address`, `user@address`, `address:port`
 * (IPv6 in brackets). Each bad line is reported with its number and what to write instead.
 */
export function parseHostList(text: string): { hosts: PastedHost[]; errors: string[] } {
  const hosts: PastedHost[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const parts = line.split(/\s+/);
    const bad = (why: string) => errors.push(`line ${i + 1} (${line}): ${why}; write one host a line: [name] [user@]address[:port], e.g. hv1 root@192.0.2.21:22`);
    if (parts.length > 2) return bad('too many words');
    let spec = parts.at(-1)!;
    let user: string | null = null;
    const at = spec.lastIndexOf('@');
    if (at >= 0) [user, spec] = [spec.slice(0, at), spec.slice(at + 1)];
    if (user !== null && !/^[a-z_][a-z0-9_.-]{0,31}$/.test(user)) return bad(`"${user}" is not a user name`);
    let address = spec;
    let port = 22;
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(spec);
    if (m) [address, port] = [m[1], Number(m[2])];
    if (!HOST_TOKEN.test(address)) return bad(`"${address}" is not an address or host name`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) return bad(`port ${port} is outside 1-65535`);
    address = address.replace(/^\[|\]$/g, '');
    // A bare IP address names itself (IPv6 colons as dashes); a DNS name gives its first label.
    const literal = /^[\d.]+$/.test(address) || address.includes(':');
    const name = parts.length === 2 ? parts[0] : literal ? address.replace(/:/g, '-') : address.split('.')[0];
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) return bad(`"${name}" is not a host name`);
    if (hosts.some((h) => h.name === name)) return bad(`"${name}" is listed twice`);
    hosts.push({ name, address, port, user });
  });
  return { hosts, errors };
}

/** The storage folder's filesystem as the settings step shows it (df on the nearest existing folder). */
export interface StorageSpaceView {
  exists: boolean;
  measuredAt: string;
  filesystem: { source: string; type: string; mount: string };
  availBytes: number;
  sizeBytes: number;
}

const StorageDir = z
  .string()
  .max(1024)
  .regex(/^\/[A-Za-z0-9._/-]+$/, 'storageDir: an absolute path of letters, digits, ".", "_", "-" and "/", e.g. /srv/iscsi')
  .refine((p) => !p.split('/').includes('..'), 'storageDir: ".." is not allowed; give the folder itself');

export const setupCalls = {
  // Read-only: df on the server for the folder (or its nearest existing parent).
  'setup.storageSpace': call(z.object({ serverId: Id, storageDir: StorageDir }).strict()).returns<StorageSpaceView>(),
  'setup.get': call(z.object({}).strict()).returns<SetupProgress>(),
  'setup.save': call(SetupProgressSchema, { mutates: true }).returns<SetupProgress>(),
  'setup.reset': call(z.object({}).strict(), { mutates: true }).returns<SetupProgress>(),
} satisfies CallMap;
