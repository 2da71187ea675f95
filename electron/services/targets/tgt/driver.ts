// TgtDriver: reads and changes a tgtd over a RemoteRunner. Changes go in batches (one remote process
// per batch, not one ssh per tgtadm) and every batch ends with a fresh `show`, because tgtadm exits 22
// for every daemon-side error and tgt-admin "succeeds" while skipping things: we check what tgtd
// reports, not exit codes. Every script goes through runScript: the script and its arguments (CHAP
// secrets included) travel on stdin to one `[sudo -n] bash`, never on a command line; only tgtadm
// itself, which takes the secret as an argument, holds it in its argv for the moment it runs.
import type { RemoteRunner, RunResult } from '../../remote/runner';
import { RemoteCommandError } from '../../remote/runner';
import { runScript, type ScriptOptions } from '../../remote/script';
import { readFileStates, type FileState } from '../../remote/files';
import { MASK } from '../../../../shared/plan';
import { opArgs, type TargetOp } from './target-op';
import { LSBLK_SCRIPT, parseLsblk, type BlockDevice } from './lsblk';
import {
  parseAccountShow, parsePortalShow, parseSysShow, parseTargetShow,
  type TgtPortal, type TgtSystem, type TgtTarget,
} from './parser';

// ---------------------------------------------------------------- state and interface

export interface TargetState {
  targets: TgtTarget[];
  /** Every CHAP account known to the daemon (global). */
  accounts: string[];
  portals: TgtPortal[];
}

export interface ConfFile {
  /** Absolute path on the server. */
  path: string;
  text: string;
}

export interface FileStat {
  path: string;
  exists: boolean;
  /** Apparent size (what the initiator sees). */
  size: number;
  /** Bytes allocated on disk (smaller for sparse files). */
  allocated: number;
  kind: 'file' | 'block' | 'other' | 'missing';
}

/** Free space for a folder that may not exist yet: measured on its nearest existing parent. */
export interface SpaceInfo {
  /** The folder asked about. */
  path: string;
  /** Whether that folder exists now (false: the plan must create it). */
  exists: boolean;
  /** The nearest existing folder at or above `path`, where df measured. */
  measuredAt: string;
  /** The filesystem the folder is (or will be) on: device, type, mount point. */
  filesystem: { source: string; type: string; mount: string };
  availBytes: number;
  sizeBytes: number;
}

/** How a fully allocated file is made: fallocate where the filesystem supports it, else zeros with dd. */
export type FullAllocationMethod = 'fallocate' | 'dd';

/** Where a fully allocated file grows until it is complete (then renamed into place): a partial file never has the LUN's name. */
export function partialPathOf(path: string): string {
  const i = path.lastIndexOf('/');
  return `${path.slice(0, i + 1)}.portico-alloc.${path.slice(i + 1)}`;
}

/**
 * Limits for allocating `bytes` in full: a watchdog (no growth for stallMs = stalled, stopped) and
 * an overall ceiling proportional to the size (10 minutes plus the time at 10 MiB/s, the slowest
 * disk we allow for), so 750 GB is not cut off at a fixed timeout and a hung write does not wait
 * for that ceiling.
 */
export function fullAllocationLimits(bytes: number, o: { stallMs?: number } = {}): { timeoutMs: number; stallMs: number } {
  return { timeoutMs: 600_000 + Math.ceil(bytes / (10 * 1048576)) * 1000, stallMs: o.stallMs ?? 120_000 };
}

export type { TargetOp, LunParams } from './target-op';

/** Outcome of one tgtadm op in a batch: exit status (null = not run) and output. */
export interface OpResult {
  rc: number | null;
  out: string;
}

export interface StepLog {
  log?(line: string): void;
  signal?: AbortSignal;
}

/**
 * What a planner needs from a target stack. TgtDriver implements it for tgt; an LIO driver would map
 * the same TargetOps to targetcli and keep its own persistence (saveconfig.json).
 */
export interface TargetDriver {
  readonly kind: 'tgt';
  readonly label: string;
  readonly storageDir: string;
  readonly confDir: string;
  /** The main config tgt-admin reads at start (it includes the conf.d files). */
  readonly targetsConf: string;
  readState(o?: StepLog): Promise<TargetState>;
  readSystem(): Promise<{ version: string; system: TgtSystem }>;
  /**
   * Runs tgtadm ops in order in one round trip, then reads the state. strict: after the first
   * failure the rest are not run (rc null); loose: every op runs (idempotent undo). No compensation:
   * the job runner journals each op and undoes what took effect.
   */
  runOps(ops: readonly TargetOp[], mode: 'strict' | 'loose', o?: StepLog): Promise<{ results: OpResult[]; state: TargetState }>;
  /** How an op is shown for review (secrets masked). */
  describe(op: TargetOp): string;
  readConfFiles(): Promise<ConfFile[]>;
  /** Files as they are now (bytes, mode, owner; content null = absent): the pre-state of a planned write. */
  readFileStates(paths: readonly string[]): Promise<Map<string, FileState>>;
  /** sha256 of each file (null = absent); a failed read is an error. */
  digests(paths: readonly string[]): Promise<Map<string, string | null>>;
  stat(paths: readonly string[]): Promise<FileStat[]>;
  space(path: string): Promise<SpaceInfo>;
  listStorage(): Promise<FileStat[]>;
  /** Creates sparse files in one round trip, in order, refusing existing paths; stops at the first failure (null = not run). */
  createSparse(files: readonly { path: string; bytes: number }[], o?: StepLog): Promise<({ ok: true } | { ok: false; error: string } | null)[]>;
  /**
   * Allocates a file in full (fallocate, or zeros with dd where the filesystem has no fallocate),
   * growing under partialPathOf(path) and renamed into place when complete. Progress goes to the
   * job log; a stall (no growth for the watchdog's time), a cancel, a timeout or a lost connection
   * stops it, and the script removes the partial file on every exit it lives to see.
   */
  createFull(path: string, bytes: number, o?: StepLog & { onProgress?: (done: number, total: number) => void }): Promise<{ method: FullAllocationMethod }>;
  removeFiles(paths: readonly string[], o?: StepLog): Promise<void>;
  hasLvm(): Promise<boolean>;
  /**
   * Existing block devices as lsblk sees them on the server (mounts, signatures, partitions,
   * holders: the in-use check of lsblk.ts), by the path asked for; `unchecked` says why one could
   * not be read (then it counts as in use).
   */
  inspectDevices(paths: readonly string[]): Promise<Map<string, BlockDevice | { unchecked: string }>>;
  lvExists(vg: string, lv: string): Promise<boolean>;
  lvCreate(vg: string, lv: string, bytes: number, o?: StepLog): Promise<string>;
  /** Removes the LV if it exists. */
  lvRemove(vg: string, lv: string, o?: StepLog): Promise<void>;
  /** Replays the conf files into tgtd (tgt-admin --update ALL, as the service start does). */
  replayConf(o?: StepLog): Promise<string>;
  /**
   * Sets a backing file's size from `from` to `to` bytes (growing: sparse with truncate, or
   * allocated with fallocate / zeros appended; the undo of a growth shrinks back). Refuses when
   * the file is neither `from` nor already `to` bytes long (it changed since the plan was built).
   */
  resizeFile(path: string, from: number, to: number, allocate: boolean, o?: StepLog): Promise<void>;
  /** lvextend -L to bytes (no-op when the LV is already that large). */
  lvExtend(vg: string, lv: string, bytes: number, o?: StepLog): Promise<void>;
  /**
   * Established TCP connections to tgtd's iSCSI ports (ss): which local address (portal) each
   * initiator address came in on. null when the server cannot tell (no ss).
   */
  iscsiConnections(ports: readonly number[]): Promise<{ local: string; localPort: number; peer: string }[] | null>;
  /** systemd's tgt unit and Portico's drop-in with the portals (null content = absent). */
  readonly serviceUnit: string;
  readonly portalDropIn: string;
  /** Runs systemctl daemon-reload when systemd runs the server (so a restart reads the drop-in); says what it did. */
  systemdReload(o?: StepLog): Promise<string>;
}

// ---------------------------------------------------------------- errors

export type TgtErrorKind =
  | 'daemon-down' | 'target-exists' | 'target-not-found' | 'lun-exists' | 'lun-not-found' | 'acl-exists'
  | 'acl-not-found' | 'account-exists' | 'account-not-found' | 'outgoing-exists' | 'target-active'
  | 'lun-active' | 'invalid-request' | 'not-verified' | 'file-exists' | 'no-space' | 'unknown';

const TGT_ERRORS: [RegExp, TgtErrorKind][] = [
  [/can't find the target/, 'target-not-found'],
  [/this target already exists/, 'target-exists'],
  [/can't find the logical unit/, 'lun-not-found'],
  [/this logical unit number already exists/, 'lun-exists'],
  [/this access control rule already exists/, 'acl-exists'],
  [/this access control rule does not exist/, 'acl-not-found'],
  [/this account already exists/, 'account-exists'],
  [/can't find the account/, 'account-not-found'],
  [/already has an outgoing account/, 'outgoing-exists'],
  [/this target is still active/, 'target-active'],
  [/this logical unit is still active/, 'lun-active'],
  [/Transport endpoint is not connected|can't connect to the tgt daemon|failed to send request/, 'daemon-down'],
  [/No space left on device/, 'no-space'],
  [/File exists|already exists:/, 'file-exists'],
  [/invalid request/, 'invalid-request'],
];

/** tgtadm exits 22 for everything tgtd reports; the text tells the cause. */
export function classifyTgtError(text: string): TgtErrorKind {
  for (const [re, k] of TGT_ERRORS) if (re.test(text)) return k;
  return 'unknown';
}

export class TgtOpError extends Error {
  constructor(
    readonly kind: TgtErrorKind,
    readonly failedOp: TargetOp | null,
    message: string,
  ) {
    super(message);
    this.name = 'TgtOpError';
  }
}

// ---------------------------------------------------------------- remote scripts (fixed text; values only as arguments, on stdin)

/**
 * Batch runner. Args: entries `MODE N ARG1..ARGN`; MODE c = change (after a failure the remaining
 * changes are skipped), r = read or loose change (always runs). Output per entry: \x1e IDX RC \x1f OUTPUT.
 */
const BATCH_SCRIPT = `i=0; failed=
while [ $# -gt 0 ]; do
  m=$1; n=$2; shift 2
  cmd=("\${@:1:$n}"); shift "$n"
  if [ "$m" = c ] && [ -n "$failed" ]; then printf '\\036%d -\\037' "$i"; i=$((i+1)); continue; fi
  out=$("\${cmd[@]}" 2>&1 </dev/null); rc=$?
  printf '\\036%d %d\\037%s' "$i" "$rc" "$out"
  [ $rc -eq 0 ] || [ "$m" = r ] || failed=1
  i=$((i+1))
done`;

/** Reads files: per path "F <base64>" or "N". pipefail: a failed read is an error, never an empty file. */
const READ_FILES_SCRIPT = `set -o pipefail
for f; do if [ -f "$f" ]; then printf 'F '; base64 -w0 < "$f" || exit 4; echo; else echo N; fi; done`;

/** Per path: "F SHA256" or "N". */
const DIGEST_SCRIPT = `set -o pipefail
for f; do if [ -e "$f" ]; then printf 'F %s\\n' "$(sha256sum < "$f" | cut -d' ' -f1)" || exit 4; else echo N; fi; done`;

/** Stat: per path "path\\ttype\\tsize\\tblocks\\tblocksize" or "path\\tmissing". */
const STAT_SCRIPT = `for f; do
  if [ -b "$f" ]; then printf '%s\\tblock\\t%s\\t0\\t0\\n' "$f" "$(blockdev --getsize64 "$f" 2>/dev/null || echo 0)"
  elif [ -e "$f" ]; then printf '%s\\t' "$f"; stat -c '%F	%s	%b	%B' -- "$f" || exit 4
  else printf '%s\\tmissing\\n' "$f"; fi
done`;

const LIST_SCRIPT = `set -o pipefail; [ -e "$1" ] || exit 0; find "$1" -mindepth 1 -maxdepth 1 -printf '%p\\t%y\\t%s\\t%b\\n' | LC_ALL=C sort`;

/** Free space: the nearest existing folder at or above $1 (line 1), then df's avail, size, type, source and mount point of it. */
const SPACE_SCRIPT = `set -o pipefail; p=$1
while [ ! -e "$p" ] && [ "$p" != / ]; do p=$(dirname -- "$p"); done
[ -d "$p" ] || { echo "$p is not a folder" >&2; exit 3; }
printf '%s\\n' "$p"
df -B1 --output=avail,size,fstype,source,target -- "$p" | tail -n 1`;

/** Sparse files: args PATH BYTES pairs, in order; refuses existing paths; stops at the first failure. Per file: "K" or "E reason". */
const SPARSE_SCRIPT = `while [ $# -gt 0 ]; do f=$1; n=$2; shift 2
  if [ -e "$f" ]; then echo "E already exists: $f"; exit 0; fi
  if err=$(truncate -s "$n" -- "$f" 2>&1); then echo K; else echo "E truncate failed: $f: $err"; exit 0; fi
done`;

/**
 * Full allocation. Args: PATH PARTIAL BYTES HOW CHUNK_MIB PAUSE. HOW auto = fallocate where the
 * filesystem supports it (space reserved at once, ENOSPC now), else (or HOW dd) zeros written with
 * dd in chunks of CHUNK_MIB, a progress line after each (PAUSE seconds between chunks: tests only).
 * The file grows under PARTIAL and is renamed to PATH when complete. PARTIAL is removed on every
 * exit path the script lives to see: failure, TERM/INT/HUP (cancel, timeout), and a lost
 * connection (the next progress line gets SIGPIPE). Only a KILL leaves it, for the rollback.
 */
const FULL_SCRIPT = `set -u; f=$1; tmp=$2; bytes=$3; how=$4; chunk=$5; pause=$6
if [ -e "$f" ]; then echo "already exists: $f" >&2; exit 17; fi
if [ -e "$tmp" ]; then echo "a partial allocation is left at $tmp (a job stopped during it): roll that job back, or remove the file" >&2; exit 17; fi
trap 'rm -f -- "$tmp"' EXIT
trap 'exit 143' TERM INT HUP
trap 'exit 141' PIPE
: > "$tmp" || exit 1
method=
if [ "$how" = auto ] && command -v fallocate >/dev/null 2>&1; then
  if err=$(fallocate -l "$bytes" -- "$tmp" 2>&1); then method=fallocate; echo "progress $bytes"
  else case $err in *"not supported"*|*"Operation not supported"*) echo "fallback $err" ;; *) echo "fallocate failed: $err" >&2; exit 28 ;; esac
  fi
fi
if [ -z "$method" ]; then
  method=dd; echo "method dd"
  mib=$((bytes / 1048576)); rem=$((bytes % 1048576)); done=0
  while [ "$done" -lt "$mib" ]; do n=$((mib - done)); [ "$n" -gt "$chunk" ] && n=$chunk
    dd if=/dev/zero of="$tmp" bs=1M seek="$done" count="$n" conv=notrunc status=none || exit 28
    done=$((done + n)); echo "progress $((done * 1048576))"
    [ "$pause" = 0 ] || sleep "$pause"
  done
  if [ "$rem" -gt 0 ]; then dd if=/dev/zero of="$tmp" bs="$rem" seek="$((mib * 1048576))" count=1 oflag=seek_bytes conv=notrunc status=none || exit 28; fi
  sync -- "$tmp" 2>/dev/null || sync
fi
sz=$(stat -c %s -- "$tmp") || exit 4
[ "$sz" = "$bytes" ] || { echo "allocated $sz of $bytes bytes of $f" >&2; exit 5; }
mv -f -T -- "$tmp" "$f" || exit 4
trap - EXIT
echo "done $method"`;

/**
 * Backing file size. Args: PATH FROM TO HOW (alloc|sparse). Already TO: nothing to do. Growing an
 * allocated file reserves the new tail with fallocate, or appends zeros where the filesystem has
 * no fallocate; growing a sparse one (or shrinking back, the undo) is truncate.
 */
const RESIZE_SCRIPT = `set -o pipefail; f=$1; from=$2; to=$3; how=$4
cur=$(stat -c %s -- "$f") || exit 4
if [ "$cur" = "$to" ]; then echo same; exit 0; fi
[ "$cur" = "$from" ] || { echo "$f is $cur bytes, not $from as planned: it changed since the plan was built" >&2; exit 3; }
if [ "$how" = alloc ] && [ "$to" -gt "$from" ]; then
  if ! fallocate -o "$from" -l "$((to - from))" -- "$f" 2>/dev/null; then head -c "$((to - from))" /dev/zero >> "$f" || exit 28; fi
else truncate -s "$to" -- "$f" || exit 4; fi
sz=$(stat -c %s -- "$f") || exit 4
[ "$sz" = "$to" ] || { echo "$f is $sz bytes after the change, not $to" >&2; exit 5; }
echo done`;

/** Established connections on the given local ports: "LOCAL_ADDR LOCAL_PORT PEER_ADDR" lines; exit 9 without ss. */
const CONNECTIONS_SCRIPT = `command -v ss >/dev/null 2>&1 || exit 9
ss -Htn state established | awk -v ports=" $* " '{ l=$3; p=$4; if ($1 ~ /^[0-9]+$/) { l=$3; p=$4 } else { l=$4; p=$5 }
  i=match(l, /:[0-9]+$/); la=substr(l, 1, i-1); lp=substr(l, i+1); j=match(p, /:[0-9]+$/); pa=substr(p, 1, j-1)
  if (index(ports, " " lp " ")) print la, lp, pa }'`;

/** Every *.conf of a folder: \\x1e PATH \\x1f CONTENT. A failed read is an error. */
const CONF_LIST_SCRIPT = `set -o pipefail
for f in "$1"/*.conf; do [ -f "$f" ] || continue; printf '\\036%s\\037' "$f"; cat -- "$f" || exit 4; done`;

// ---------------------------------------------------------------- driver

/** The runner's word that a command did not start at all (no channel; connection gone before it could start). */
function neverStarted(e: unknown): boolean {
  const { code, message } = (e ?? {}) as { code?: string; message?: string };
  return (code === 'channel-open-failed' && /Not connected/i.test(message ?? '')) || (code === 'connection-lost' && /before .* could start/.test(message ?? ''));
}

export interface TgtDriverOptions {
  runner: RemoteRunner;
  /** Run the scripts through `sudo -n bash` (login user is not root). */
  sudo?: boolean;
  /** tgtd control port (tgtadm -C); omitted = default instance. */
  controlPort?: number;
  /** Storage folder for file-backed LUNs. */
  storageDir: string;
  confDir?: string;
  targetsConf?: string;
  timeoutMs?: number;
  /**
   * Full allocation (tests): 'dd' skips fallocate (the fallback path), chunkMiB and pauseS shape
   * dd's writes, stallMs is the watchdog. Defaults: auto, 64 MiB, no pause, 120 s; the environment
   * variable PORTICO_TEST_FULL_ALLOCATION (e.g. "dd,chunk=16,pause=0.2,stall=5000") sets them for
   * lab tests that build drivers through the console's services. Never set it in production.
   */
  fullAllocation?: { how?: 'auto' | 'dd'; chunkMiB?: number; pauseS?: number; stallMs?: number };
}

/** PORTICO_TEST_FULL_ALLOCATION, parsed (see TgtDriverOptions.fullAllocation). */
export function parseFullAllocationEnv(text: string | undefined): NonNullable<TgtDriverOptions['fullAllocation']> {
  const o: NonNullable<TgtDriverOptions['fullAllocation']> = {};
  for (const part of (text ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const [k, v] = part.split('=');
    if (k === 'dd' || k === 'auto') o.how = k;
    else if (k === 'chunk' && /^\d+$/.test(v ?? '')) o.chunkMiB = Number(v);
    else if (k === 'pause' && /^\d+(\.\d+)?$/.test(v ?? '')) o.pauseS = Number(v);
    else if (k === 'stall' && /^\d+$/.test(v ?? '')) o.stallMs = Number(v);
    else throw new Error(`PORTICO_TEST_FULL_ALLOCATION: "${part}" is not dd, auto, chunk=MIB, pause=SECONDS or stall=MS`);
  }
  return o;
}

interface BatchEntry {
  mode: 'c' | 'r';
  argv: string[];
}

export class TgtDriver implements TargetDriver {
  readonly kind = 'tgt' as const;
  readonly label: string;
  readonly storageDir: string;
  readonly confDir: string;
  readonly targetsConf: string;
  readonly runner: RemoteRunner;
  readonly serviceUnit = '/lib/systemd/system/tgt.service';
  readonly portalDropIn = '/etc/systemd/system/tgt.service.d/portico-portals.conf';
  private readonly timeoutMs: number;
  private readonly full: NonNullable<TgtDriverOptions['fullAllocation']>;

  constructor(private readonly o: TgtDriverOptions) {
    this.runner = o.runner;
    this.label = o.runner.label;
    this.storageDir = o.storageDir.replace(/\/+$/, '');
    this.confDir = (o.confDir ?? '/etc/tgt/conf.d').replace(/\/+$/, '');
    this.targetsConf = o.targetsConf ?? '/etc/tgt/targets.conf';
    this.timeoutMs = o.timeoutMs ?? 120_000;
    this.full = { how: 'auto', chunkMiB: 64, pauseS: 0, ...parseFullAllocationEnv(process.env.PORTICO_TEST_FULL_ALLOCATION), ...o.fullAllocation };
  }

  /** tgtadm argv with control port and LLD. */
  tgtadm(...args: string[]): string[] {
    return ['tgtadm', ...(this.o.controlPort !== undefined ? ['-C', String(this.o.controlPort)] : []), '--lld', 'iscsi', ...args];
  }

  /**
   * Runs a script. Reads and idempotent undos that never started because the connection had just
   * dropped (the pool notices a dead connection a moment later, then reconnects) are tried again
   * for a few seconds, so the rollback right after a lost connection does not fail for that alone.
   * Changes (`change: true`) are not: their failure is the job's, which rolls back.
   */
  private async script(script: string, args: readonly string[], opts: ScriptOptions & { change?: boolean } = {}): Promise<RunResult> {
    const { change, ...o } = opts;
    for (let attempt = 1; ; attempt++) {
      try {
        return await runScript(this.runner, script, args, { timeoutMs: this.timeoutMs, ...o, sudo: !!this.o.sudo });
      } catch (e) {
        if (change || attempt >= 20 || !neverStarted(e) || o.signal?.aborted) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  private async batch(entries: BatchEntry[], o: StepLog = {}): Promise<OpResult[]> {
    const args: string[] = [];
    for (const e of entries) args.push(e.mode, String(e.argv.length), ...e.argv);
    const res = await this.script(BATCH_SCRIPT, args, { signal: o.signal, change: entries.some((e) => e.mode === 'c') });
    if (res.code !== 0) {
      throw new TgtOpError(classifyTgtError(res.stderr), null, `remote batch failed on ${this.label} (exit ${res.code ?? res.signal}): ${res.stderr.trim().slice(0, 400)}`);
    }
    const out: OpResult[] = entries.map(() => ({ rc: null, out: '' }));
    let seen = 0;
    for (const rec of res.stdout.split('\x1e').slice(1)) {
      const sep = rec.indexOf('\x1f');
      const [idx, rc] = rec.slice(0, sep).split(' ');
      out[Number(idx)] = { rc: rc === '-' ? null : Number(rc), out: rec.slice(sep + 1) };
      seen++;
    }
    // A batch cut short (connection lost, killed) must not look like "not run".
    if (seen !== entries.length) throw new TgtOpError('unknown', null, `remote batch on ${this.label} ended after ${seen} of ${entries.length} commands`);
    return out;
  }

  private readEntries(): BatchEntry[] {
    return [
      { mode: 'r', argv: this.tgtadm('--mode', 'target', '--op', 'show') },
      { mode: 'r', argv: this.tgtadm('--mode', 'account', '--op', 'show') },
      { mode: 'r', argv: this.tgtadm('--mode', 'portal', '--op', 'show') },
    ];
  }

  private stateFrom(rs: OpResult[]): TargetState {
    const [t, a, p] = rs;
    for (const [r, what] of [[t, 'target'], [a, 'account'], [p, 'portal']] as const) {
      if (r.rc !== 0) {
        const kind = classifyTgtError(r.out);
        throw new TgtOpError(kind, null, kind === 'daemon-down'
          ? `tgtd is not running on ${this.label} (tgtadm: ${r.out.trim()})`
          : `tgtadm --mode ${what} --op show failed on ${this.label}: ${r.out.trim()}`);
      }
    }
    return { targets: parseTargetShow(t.out), accounts: parseAccountShow(a.out), portals: parsePortalShow(p.out) };
  }

  async readState(o: StepLog = {}): Promise<TargetState> {
    return this.stateFrom(await this.batch(this.readEntries(), o));
  }

  async readSystem(): Promise<{ version: string; system: TgtSystem }> {
    const rs = await this.batch([
      { mode: 'r', argv: ['tgtadm', '--version'] },
      { mode: 'r', argv: this.tgtadm('--mode', 'sys', '--op', 'show') },
    ]);
    if (rs[1].rc !== 0) throw new TgtOpError(classifyTgtError(rs[1].out), null, `tgtadm --mode sys --op show failed on ${this.label}: ${rs[1].out.trim()}`);
    return { version: rs[0].out.trim(), system: parseSysShow(rs[1].out) };
  }

  opArgv(op: TargetOp): string[] {
    return this.tgtadm(...opArgs(op));
  }

  describe(op: TargetOp): string {
    const argv = this.opArgv(op.op === 'account-new' ? { ...op, password: MASK } : op);
    return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./*-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  }

  async runOps(ops: readonly TargetOp[], mode: 'strict' | 'loose', o: StepLog = {}): Promise<{ results: OpResult[]; state: TargetState }> {
    const entries: BatchEntry[] = [...ops.map((op) => ({ mode: mode === 'strict' ? ('c' as const) : ('r' as const), argv: this.opArgv(op) })), ...this.readEntries()];
    const rs = await this.batch(entries, o);
    return { results: rs.slice(0, ops.length), state: this.stateFrom(rs.slice(ops.length)) };
  }

  // ------------------------------------------------------------ files

  async readConfFiles(): Promise<ConfFile[]> {
    const res = await this.script(CONF_LIST_SCRIPT, [this.confDir]);
    if (res.code !== 0) throw new RemoteCommandError(['read', this.confDir], res, `cannot read ${this.confDir} on ${this.label}: ${res.stderr.trim() || `exit ${res.code}`}`);
    return res.stdout.split('\x1e').slice(1).map((rec) => {
      const i = rec.indexOf('\x1f');
      return { path: rec.slice(0, i), text: rec.slice(i + 1) };
    });
  }

  readFileStates(paths: readonly string[]): Promise<Map<string, FileState>> {
    return readFileStates({ runner: () => this.runner }, this.label, paths);
  }

  async digests(paths: readonly string[]): Promise<Map<string, string | null>> {
    const m = new Map<string, string | null>();
    if (!paths.length) return m;
    const res = await this.script(DIGEST_SCRIPT, paths);
    const lines = res.stdout.split('\n');
    if (res.code !== 0 || lines.length < paths.length) throw new Error(`cannot read ${paths.join(', ')} on ${this.label}: ${res.stderr.trim() || `exit ${res.code}`}`);
    paths.forEach((p, i) => m.set(p, lines[i].startsWith('F ') ? lines[i].slice(2) : null));
    return m;
  }

  /** Reads files exactly (null = absent), for snapshots in tests. */
  async readFiles(paths: readonly string[]): Promise<Map<string, Buffer | null>> {
    const m = new Map<string, Buffer | null>();
    if (!paths.length) return m;
    const res = await this.script(READ_FILES_SCRIPT, paths);
    const lines = res.stdout.split('\n');
    if (res.code !== 0 || lines.length < paths.length) throw new Error(`cannot read files on ${this.label}: ${res.stderr.trim() || `exit ${res.code}`}`);
    paths.forEach((p, i) => m.set(p, lines[i].startsWith('F ') ? Buffer.from(lines[i].slice(2), 'base64') : null));
    return m;
  }

  async stat(paths: readonly string[]): Promise<FileStat[]> {
    if (!paths.length) return [];
    const res = await this.script(STAT_SCRIPT, paths);
    if (res.code !== 0) throw new Error(`cannot stat files on ${this.label}: ${res.stderr.trim()}`);
    return res.stdout.split('\n').filter(Boolean).map((l) => {
      const [path, type, size, blocks, bsize] = l.split('\t');
      if (type === 'missing') return { path, exists: false, size: 0, allocated: 0, kind: 'missing' as const };
      if (type === 'block') return { path, exists: true, size: Number(size), allocated: Number(size), kind: 'block' as const };
      const kind = /regular/.test(type) ? ('file' as const) : ('other' as const);
      return { path, exists: true, size: Number(size), allocated: Number(blocks) * Number(bsize), kind };
    });
  }

  /** Free space of a folder, measured on its nearest existing parent when it does not exist yet. */
  async space(path: string): Promise<SpaceInfo> {
    const res = await this.script(SPACE_SCRIPT, [path]);
    const [at = '', line = ''] = res.stdout.split('\n');
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(.+?)\s*$/.exec(line);
    if (res.code !== 0 || !m) throw new Error(`cannot read free space for ${path} on ${this.label}: ${res.stderr.trim() || `exit ${res.code}`}`);
    return { path, exists: at === path, measuredAt: at, filesystem: { source: m[4], type: m[3], mount: m[5] }, availBytes: Number(m[1]), sizeBytes: Number(m[2]) };
  }

  /** Files directly in the storage folder ([] while the folder does not exist yet). */
  async listStorage(): Promise<FileStat[]> {
    const res = await this.script(LIST_SCRIPT, [this.storageDir]);
    if (res.code !== 0) throw new Error(`cannot list ${this.storageDir} on ${this.label}: ${res.stderr.trim()}`);
    return res.stdout.split('\n').filter(Boolean).map((l) => {
      const [path, y, size, blocks] = l.split('\t');
      return { path, exists: true, size: Number(size), allocated: Number(blocks) * 512, kind: y === 'f' ? 'file' : y === 'b' ? 'block' : 'other' };
    });
  }

  async createSparse(files: readonly { path: string; bytes: number }[], o: StepLog = {}): Promise<({ ok: true } | { ok: false; error: string } | null)[]> {
    if (!files.length) return [];
    const res = await this.script(SPARSE_SCRIPT, files.flatMap((f) => [f.path, String(f.bytes)]), { signal: o.signal, change: true });
    if (res.code !== 0) throw new TgtOpError(classifyTgtError(res.stderr), null, `cannot create sparse files on ${this.label} (exit ${res.code ?? res.signal}): ${res.stderr.trim()}`);
    const lines = res.stdout.split('\n').filter(Boolean);
    const out = files.map((_, i) => {
      const l = lines[i];
      if (l === undefined) return null;
      return l === 'K' ? { ok: true as const } : { ok: false as const, error: l.replace(/^E /, '') };
    });
    // The script stops only after a failure: a shorter answer with no failure was cut short.
    if (lines.length < files.length && !out.some((x) => x && !x.ok)) throw new TgtOpError('unknown', null, `creating sparse files on ${this.label} ended after ${lines.length} of ${files.length}`);
    return out;
  }

  async createFull(path: string, bytes: number, o: StepLog & { onProgress?: (done: number, total: number) => void } = {}): Promise<{ method: FullAllocationMethod }> {
    const { timeoutMs, stallMs } = fullAllocationLimits(bytes, { stallMs: this.full.stallMs });
    // The watchdog: no growth for stallMs stops the script like a cancel (its traps remove the partial file).
    const ctl = new AbortController();
    const onAbort = () => ctl.abort(o.signal?.reason);
    if (o.signal?.aborted) ctl.abort(o.signal.reason);
    else o.signal?.addEventListener('abort', onAbort, { once: true });
    let done = 0;
    let lastGrowth = Date.now();
    let stalled = false;
    let logged = -1;
    const dog = setInterval(() => {
      if (Date.now() - lastGrowth < stallMs || ctl.signal.aborted) return;
      stalled = true;
      ctl.abort(new Error('stalled'));
    }, Math.min(1000, Math.max(50, Math.floor(stallMs / 4))));
    const pct = (n: number) => Math.floor((n / bytes) * 100);
    try {
      const res = await this.script(FULL_SCRIPT, [path, partialPathOf(path), String(bytes), this.full.how ?? 'auto', String(this.full.chunkMiB ?? 64), String(this.full.pauseS ?? 0)], {
        signal: ctl.signal,
        change: true,
        timeoutMs,
        onLine: (stream, line) => {
          if (stream !== 'stdout') return;
          const m = /^progress (\d+)$/.exec(line);
          if (m) {
            const n = Number(m[1]);
            if (n > done) {
              done = n;
              lastGrowth = Date.now();
            }
            o.onProgress?.(done, bytes);
            // One line per 10 % (and the first), so a 750 GB LUN shows it is moving without flooding the log.
            if (Math.floor(pct(done) / 10) > logged) {
              logged = Math.floor(pct(done) / 10);
              o.log?.(`${path}: ${pct(done)} % allocated (${done} of ${bytes} bytes)`);
            }
          } else if (line.startsWith('fallback ')) o.log?.(`fallocate is not supported here (${line.slice(9)}): writing zeros with dd`);
          else if (line === 'method dd') o.log?.(`${path}: writing ${bytes} bytes of zeros with dd`);
        },
      });
      if (res.code !== 0) throw new TgtOpError(classifyTgtError(res.stderr), null, `cannot allocate ${path} on ${this.label}: ${res.stderr.trim() || `exit ${res.code}`}`);
      const method = /^done (fallocate|dd)$/m.exec(res.stdout)?.[1] as FullAllocationMethod | undefined;
      if (!method) throw new TgtOpError('unknown', null, `allocating ${path} on ${this.label} ended without saying it was done`);
      o.log?.(`${path}: allocated in full with ${method}`);
      return { method };
    } catch (e) {
      if (stalled) {
        throw new TgtOpError('unknown', null, `allocating ${path} on ${this.label} stalled: no progress for ${Math.round(stallMs / 1000)} s at ${done} of ${bytes} bytes; it was stopped (the partial file is removed, by the script or by the rollback)`);
      }
      throw e;
    } finally {
      clearInterval(dog);
      o.signal?.removeEventListener('abort', onAbort);
    }
  }

  async removeFiles(paths: readonly string[], o: StepLog = {}): Promise<void> {
    if (!paths.length) return;
    const res = await this.script('rm -f -- "$@"', paths, { signal: o.signal });
    if (res.code !== 0) throw new Error(`cannot remove files on ${this.label}: ${res.stderr.trim()}`);
  }

  async hasLvm(): Promise<boolean> {
    const res = await this.script('command -v lvcreate >/dev/null && test -e /dev/mapper/control', []);
    return res.code === 0;
  }

  /**
   * One LSBLK_SCRIPT per device, all at once: lsblk lists the devices it is given in its own
   * order and by their kernel names (a /dev/vg/lv symlink comes back as /dev/mapper/vg-lv), so
   * one device per run is what ties an answer to the path asked for.
   */
  async inspectDevices(paths: readonly string[]): Promise<Map<string, BlockDevice | { unchecked: string }>> {
    const unique = [...new Set(paths)];
    const answers = await Promise.all(unique.map(async (p): Promise<BlockDevice | { unchecked: string }> => {
      try {
        const res = await this.script(LSBLK_SCRIPT, [p]);
        if (res.code !== 0) return { unchecked: `lsblk failed on ${this.label}: ${res.stderr.trim().slice(0, 300) || `exit ${res.code ?? res.signal}`}` };
        const [dev] = parseLsblk(res.stdout);
        return dev ?? { unchecked: `lsblk on ${this.label} did not list ${p}` };
      } catch (e) {
        return { unchecked: e instanceof Error ? e.message : String(e) };
      }
    }));
    return new Map(unique.map((p, i) => [p, answers[i]]));
  }

  async lvExists(vg: string, lv: string): Promise<boolean> {
    const res = await this.script('lvs --noheadings -- "$1/$2" >/dev/null 2>&1', [vg, lv]);
    return res.code === 0;
  }

  async lvCreate(vg: string, lv: string, bytes: number, o: StepLog = {}): Promise<string> {
    const res = await this.script('lvcreate -L "$3"b -n "$2" -- "$1"', [vg, lv, String(bytes)], { signal: o.signal, change: true });
    if (res.code !== 0) throw new Error(`lvcreate failed on ${this.label}: ${res.stderr.trim()}`);
    return `/dev/${vg}/${lv}`;
  }

  async lvRemove(vg: string, lv: string, o: StepLog = {}): Promise<void> {
    const res = await this.script('if lvs -- "$1/$2" >/dev/null 2>&1; then lvremove -f -- "$1/$2"; fi', [vg, lv], { signal: o.signal });
    if (res.code !== 0) throw new Error(`lvremove failed on ${this.label}: ${res.stderr.trim()}`);
  }

  async replayConf(o: StepLog = {}): Promise<string> {
    const argv = ['tgt-admin', ...(this.o.controlPort !== undefined ? ['-C', String(this.o.controlPort)] : []), '--update', 'ALL', '-c', this.targetsConf];
    o.log?.(argv.join(' '));
    const res = await this.script('"$@"', argv, { signal: o.signal, change: true });
    if (res.code !== 0) throw new Error(`tgt-admin failed on ${this.label}: ${(res.stdout + res.stderr).trim()}`);
    return res.stdout;
  }

  async resizeFile(path: string, from: number, to: number, allocate: boolean, o: StepLog = {}): Promise<void> {
    const res = await this.script(RESIZE_SCRIPT, [path, String(from), String(to), allocate ? 'alloc' : 'sparse'], { signal: o.signal, change: true, timeoutMs: fullAllocationLimits(Math.max(0, to - from)).timeoutMs });
    if (res.code !== 0) throw new TgtOpError(classifyTgtError(res.stderr), null, `cannot resize ${path} on ${this.label}: ${res.stderr.trim() || `exit ${res.code}`}`);
    o.log?.(res.stdout.trim() === 'same' ? `${path} is already ${to} bytes` : `${path}: ${from} -> ${to} bytes`);
  }

  async lvExtend(vg: string, lv: string, bytes: number, o: StepLog = {}): Promise<void> {
    const res = await this.script('cur=$(lvs --noheadings --units b --nosuffix -o lv_size -- "$1/$2" | tr -d " ") || exit 4; [ "$cur" -ge "$3" ] && exit 0; lvextend -L "$3"b -- "$1/$2"', [vg, lv, String(bytes)], { signal: o.signal, change: true });
    if (res.code !== 0) throw new Error(`lvextend failed on ${this.label}: ${res.stderr.trim()}`);
  }

  async iscsiConnections(ports: readonly number[]): Promise<{ local: string; localPort: number; peer: string }[] | null> {
    const res = await this.script(CONNECTIONS_SCRIPT, ports.map(String));
    if (res.code === 9) return null;
    if (res.code !== 0) throw new Error(`cannot list connections on ${this.label}: ${res.stderr.trim() || `exit ${res.code}`}`);
    return parseConnections(res.stdout);
  }

  async systemdReload(o: StepLog = {}): Promise<string> {
    const res = await this.script('if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then systemctl daemon-reload && echo "systemctl daemon-reload done"; else echo "systemd does not run this server: nothing to reload"; fi', [], { signal: o.signal });
    if (res.code !== 0) throw new Error(`systemctl daemon-reload failed on ${this.label}: ${res.stderr.trim()}`);
    o.log?.(res.stdout.trim());
    return res.stdout.trim();
  }
}

/** ss's addresses: IPv6 in brackets, an IPv4-mapped one as IPv4 (tgt shows initiators that way too). */
function normalAddress(a: string): string {
  const x = a.replace(/%[^\]]*/, '');
  const m = /^\[::ffff:(\d+\.\d+\.\d+\.\d+)\]$/.exec(x);
  if (m) return m[1];
  return x.startsWith('[') || !x.includes(':') ? x : `[${x}]`;
}

export function parseConnections(text: string): { local: string; localPort: number; peer: string }[] {
  return text.split('\n').filter(Boolean).map((l) => {
    const [local, port, peer] = l.trim().split(/\s+/);
    return { local: normalAddress(local), localPort: Number(port), peer: normalAddress(peer).replace(/^\[(.*)\]$/, (_, v: string) => (v.includes(':') ? `[${v}]` : v)) };
  });
}
