// The one remote-file writer for every file Portico writes on a server (tgt conf.d files,
// hosted-engine.conf, later libvirt secret files), as operation kinds: file.put writes a file
// atomically (a mktemp file, 0600 from birth, then rename) with the mode and owner the plan chose,
// or removes it; its inverse puts back the bytes, mode and owner captured at plan time. dir.create
// makes a folder (undone by removing it if still empty).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { OperationKind, VerifyOutcome } from '../jobs/operation';
import { runScript, type RemoteHosts } from './script';

/** What a file was (or should be): null content = absent. Mode as octal digits ("600"), owner as "uid:gid". */
export const FileStateSchema = z.object({
  content: z.string().nullable(),
  mode: z.string().regex(/^[0-7]{3,4}$/, 'mode: octal digits, e.g. 600').nullable(),
  owner: z.string().regex(/^\d+:\d+$/, 'owner: uid:gid').nullable(),
}).strict();
export type FileState = z.infer<typeof FileStateSchema>;

const AbsPath = z.string().min(2).max(4096).regex(/^\/[^\0\n]*$/, 'path: an absolute path without newlines');

export const FilePutSchema = z.object({
  path: AbsPath,
  /** The wanted state; mode null keeps the existing file's mode (0644 for a new file). */
  content: z.string().nullable(),
  mode: FileStateSchema.shape.mode,
  owner: FileStateSchema.shape.owner,
  /** The state at plan time, for the inverse. */
  pre: FileStateSchema,
}).strict();
export type FilePut = z.infer<typeof FilePutSchema>;

export const DirCreateSchema = z.object({ path: AbsPath, mode: z.string().regex(/^[0-7]{3,4}$/), owner: FileStateSchema.shape.owner }).strict();
export const DirRemoveSchema = z.object({ path: AbsPath }).strict();

const normMode = (m: string | null) => (m === null ? null : parseInt(m, 8).toString(8));
const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

// Reads files exactly. Per path: "N" (absent) or "F MODE UID:GID BASE64". pipefail: a failed read is an error, never an empty file.
const READ = `set -o pipefail
for f; do
  if [ -e "$f" ] || [ -L "$f" ]; then
    [ -f "$f" ] || { echo "not a regular file: $f" >&2; exit 3; }
    printf 'F %s ' "$(stat -c '%a %u:%g' -- "$f")" || exit 4
    base64 -w0 < "$f" || exit 4
    echo
  else echo N; fi
done`;

// Per path: "N" or "F MODE UID:GID SHA256".
const STATE = `set -o pipefail
for f; do
  if [ -e "$f" ]; then printf 'F %s %s\\n' "$(stat -c '%a %u:%g' -- "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)" || exit 4
  else echo N; fi
done`;

// Args: PATH MODE OWNER PRESENT(1|0); content on stdin. The temp file is 0600 from mktemp on.
const PUT = `set -euo pipefail
f=$1; mode=$2; own=$3
if [ "$4" = 0 ]; then rm -f -- "$f"; exit 0; fi
d=$(dirname -- "$f")
tmp=$(mktemp -- "$d/.portico-XXXXXX")
trap 'rm -f -- "$tmp"' EXIT
cat > "$tmp"
if [ -n "$mode" ]; then chmod "$mode" -- "$tmp"; elif [ -e "$f" ]; then chmod --reference="$f" -- "$tmp"; else chmod 644 -- "$tmp"; fi
if [ -n "$own" ]; then chown "$own" -- "$tmp"; elif [ -e "$f" ]; then chown --reference="$f" -- "$tmp"; fi
sync -- "$tmp" 2>/dev/null || true
mv -f -- "$tmp" "$f"
trap - EXIT`;

export async function readFileStates(hosts: RemoteHosts, hostId: string, paths: readonly string[], signal?: AbortSignal): Promise<Map<string, FileState>> {
  const m = new Map<string, FileState>();
  if (!paths.length) return m;
  const r = hosts.runner(hostId);
  const res = await runScript(r, READ, paths, { sudo: true, signal, timeoutMs: 60_000 });
  const lines = res.stdout.split('\n');
  if (res.code !== 0 || lines.length < paths.length) throw new Error(`cannot read ${paths.join(', ')} on ${r.label}: ${res.stderr.trim() || `exit ${res.code}`}`);
  paths.forEach((p, i) => {
    const l = lines[i];
    if (l === 'N') return m.set(p, { content: null, mode: null, owner: null });
    const [, mode, owner, b64 = ''] = l.split(' ');
    m.set(p, { content: Buffer.from(b64, 'base64').toString('utf8'), mode, owner });
  });
  return m;
}

async function fileDigests(hosts: RemoteHosts, hostId: string, paths: readonly string[], signal?: AbortSignal): Promise<Map<string, { mode: string; owner: string; sha: string } | null>> {
  const r = hosts.runner(hostId);
  const res = await runScript(r, STATE, paths, { sudo: true, signal, timeoutMs: 30_000 });
  const lines = res.stdout.split('\n');
  if (res.code !== 0 || lines.length < paths.length) throw new Error(`cannot read the state of ${paths.join(', ')} on ${r.label}: ${res.stderr.trim() || `exit ${res.code}`}`);
  const m = new Map<string, { mode: string; owner: string; sha: string } | null>();
  paths.forEach((p, i) => {
    const [tag, mode, owner, digest] = lines[i].split(' ');
    m.set(p, tag === 'N' ? null : { mode, owner, sha: digest });
  });
  return m;
}

/** Whether the file is as `want` says (content, and mode/owner where given). */
export function fileMatches(now: { mode: string; owner: string; sha: string } | null, want: { content: string | null; mode: string | null; owner: string | null }): boolean {
  if (want.content === null) return now === null;
  if (!now || now.sha !== sha(want.content)) return false;
  if (want.mode !== null && normMode(now.mode) !== normMode(want.mode)) return false;
  if (want.owner !== null && now.owner !== want.owner) return false;
  return true;
}

export function describeFilePut(p: Pick<FilePut, 'path' | 'content' | 'mode' | 'owner'>): string {
  if (p.content === null) return `rm -f ${p.path}`;
  const bytes = Buffer.byteLength(p.content, 'utf8');
  return `write ${p.path} (${bytes} bytes${p.mode ? `, mode ${p.mode.padStart(4, '0')}` : ''}${p.owner ? `, owner ${p.owner}` : ''}; temp file + rename)`;
}

export function fileKinds(hosts: RemoteHosts): { put: OperationKind<FilePut>; dirCreate: OperationKind<z.infer<typeof DirCreateSchema>>; dirRemove: OperationKind<z.infer<typeof DirRemoveSchema>> } {
  const put: OperationKind<FilePut> = {
    kind: 'file.put',
    schema: FilePutSchema,
    sensitive: ['content', 'pre'],
    describe: (p) => describeFilePut(p),
    async apply(p, host, ctx) {
      const r = hosts.runner(host);
      const res = await runScript(r, PUT, [p.path, p.mode ?? '', p.owner ?? '', p.content === null ? '0' : '1'], { sudo: true, signal: ctx.signal, input: p.content ?? '', timeoutMs: 60_000 });
      if (res.code !== 0) throw new Error(`cannot ${p.content === null ? 'remove' : 'write'} ${p.path} on ${r.label}: ${res.stderr.trim() || `exit ${res.code}`}`);
    },
    inverse: (p, host) => [{ kind: 'file.put', host, params: { path: p.path, content: p.pre.content, mode: p.pre.mode, owner: p.pre.owner, pre: { content: p.content, mode: p.mode, owner: p.owner } } }],
    async verify(p, host, ctx): Promise<VerifyOutcome> {
      const now = (await fileDigests(hosts, host, [p.path], ctx.signal)).get(p.path) ?? null;
      return fileMatches(now, p) ? { applied: true } : { applied: false };
    },
  };
  const dirCreate: OperationKind<z.infer<typeof DirCreateSchema>> = {
    kind: 'dir.create',
    schema: DirCreateSchema,
    describe: (p) => `mkdir -m ${p.mode} ${p.path}${p.owner ? ` && chown ${p.owner} ${p.path}` : ''}`,
    async apply(p, host, ctx) {
      const r = hosts.runner(host);
      const res = await runScript(r, 'set -eu; mkdir -m "$2" -- "$1"; [ -z "$3" ] || chown "$3" -- "$1"', [p.path, p.mode, p.owner ?? ''], { sudo: true, signal: ctx.signal, timeoutMs: 30_000 });
      if (res.code !== 0) throw new Error(`cannot create ${p.path} on ${r.label}: ${res.stderr.trim()}`);
    },
    inverse: (p, host) => [{ kind: 'dir.remove', host, params: { path: p.path } }],
    async verify(p, host, ctx) {
      const res = await runScript(hosts.runner(host), '[ -d "$1" ]', [p.path], { sudo: true, signal: ctx.signal, timeoutMs: 30_000 });
      return res.code === 0 ? { applied: true } : { applied: false };
    },
  };
  const dirRemove: OperationKind<z.infer<typeof DirRemoveSchema>> = {
    kind: 'dir.remove',
    schema: DirRemoveSchema,
    describe: (p) => `rmdir ${p.path}   # only if empty`,
    async apply(p, host, ctx) {
      const r = hosts.runner(host);
      // Idempotent: an absent folder is fine; a folder that is not empty stays (someone put files there).
      const res = await runScript(r, '[ ! -d "$1" ] || rmdir -- "$1"', [p.path], { sudo: true, signal: ctx.signal, timeoutMs: 30_000 });
      if (res.code !== 0) throw new Error(`cannot remove ${p.path} on ${r.label}: ${res.stderr.trim()}`);
    },
    inverse: () => null,
    irreversible: false,
    async verify(p, host, ctx) {
      const res = await runScript(hosts.runner(host), '[ ! -d "$1" ]', [p.path], { sudo: true, signal: ctx.signal, timeoutMs: 30_000 });
      return res.code === 0 ? { applied: true } : { applied: false };
    },
  };
  return { put, dirCreate, dirRemove };
}

/** file.put params for writing `content` where `pre` is what the file is now. */
export function filePut(host: string, path: string, content: string | null, pre: FileState, o: { mode?: string | null; owner?: string | null } = {}) {
  return { kind: 'file.put', host, params: { path, content, mode: o.mode ?? null, owner: o.owner ?? null, pre } };
}
