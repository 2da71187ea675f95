// TgtDriver: reads and changes a tgtd over a RemoteRunner. Changes go in batches (one remote process
// per batch, not one ssh per tgtadm) and every batch ends with a fresh `show`, because tgtadm exits 22
// for every daemon-side error and tgt-admin "succeeds" while skipping things: we check what tgtd
// reports, not exit codes.
import type { RemoteRunner, RunOptions } from '../../remote/runner';
import { RemoteCommandError } from '../../remote/runner';
import { MASK } from '../../../../shared/plan';
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

export interface SpaceInfo {
  path: string;
  availBytes: number;
  sizeBytes: number;
}

/** One change to a target daemon. The same vocabulary would drive an LIO/targetcli driver. */
export type TargetOp =
  | { op: 'target-new'; tid: number; iqn: string }
  | { op: 'target-delete'; tid: number; iqn: string; force?: boolean }
  | { op: 'lun-new'; tid: number; lun: number; path: string }
  | { op: 'lun-delete'; tid: number; lun: number }
  | { op: 'lun-params'; tid: number; lun: number; params: LunParams }
  | { op: 'bind-address' | 'unbind-address'; tid: number; address: string }
  | { op: 'bind-name' | 'unbind-name'; tid: number; name: string }
  | { op: 'account-new'; user: string; password: string }
  | { op: 'account-delete'; user: string }
  | { op: 'account-bind' | 'account-unbind'; tid: number; user: string; outgoing: boolean };

export interface LunParams {
  scsi_id?: string;
  scsi_sn?: string;
  readonly?: 0 | 1;
  vendor_id?: string;
  product_id?: string;
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
  readState(o?: StepLog): Promise<TargetState>;
  readSystem(): Promise<{ version: string; system: TgtSystem }>;
  /** Applies ops in order in one round trip; on failure undoes the ones that took effect, then throws TgtOpError. */
  apply(ops: readonly TargetOp[], o?: StepLog): Promise<TargetState>;
  /** Best-effort: runs every op (used for undo) and reports those tgtd does not show afterwards. */
  applyLoose(ops: readonly TargetOp[], o?: StepLog): Promise<TargetState>;
  /** Undo ops for `ops`, in reverse order (null entries where nothing needs undoing). */
  inverse(op: TargetOp): TargetOp | null;
  /** How an op is shown for review (secrets masked). */
  describe(op: TargetOp): string;
  readConfFiles(): Promise<ConfFile[]>;
  /** Reads files exactly (null = absent), for undo and snapshots. */
  readFiles(paths: readonly string[]): Promise<Map<string, Buffer | null>>;
  /** Atomic replace (temp file + rename); keeps the replaced version as PATH.prev. */
  writeFileAtomic(path: string, content: string, o?: StepLog & { keepPrevious?: boolean }): Promise<void>;
  /** Puts files back exactly as `snapshot` had them (absent ones are removed). */
  restoreFiles(snapshot: Map<string, Buffer | null>, o?: StepLog): Promise<void>;
  stat(paths: readonly string[]): Promise<FileStat[]>;
  space(path: string): Promise<SpaceInfo>;
  listStorage(): Promise<FileStat[]>;
  /** Creates all sparse files in one round trip; refuses existing paths and leaves nothing behind on failure. */
  createSparse(files: readonly { path: string; bytes: number }[], o?: StepLog): Promise<void>;
  createFull(path: string, bytes: number, o?: StepLog & { onProgress?: (done: number, total: number) => void }): Promise<void>;
  removeFiles(paths: readonly string[], o?: StepLog): Promise<void>;
  hasLvm(): Promise<boolean>;
  lvCreate(vg: string, lv: string, bytes: number, o?: StepLog): Promise<string>;
  lvRemove(vg: string, lv: string, o?: StepLog): Promise<void>;
  /** Replays the conf files into tgtd (tgt-admin --update ALL, as the service start does). */
  replayConf(o?: StepLog): Promise<string>;
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
    /** Undo of the batch's earlier ops failed too: the server may be left changed. */
    readonly compensationErrors: string[] = [],
  ) {
    super(message + (compensationErrors.length ? ` Undo of earlier changes in this step also failed: ${compensationErrors.join('; ')}` : ''));
    this.name = 'TgtOpError';
  }
}

// ---------------------------------------------------------------- remote scripts (fixed text; values only as positional args)

/**
 * Batch runner. Args: SUDO(0|1) then entries `MODE N ARG1..ARGN`; MODE c = change (after a failure the
 * remaining changes are skipped), r = read (always runs). Output per entry: \x1e IDX RC \x1f OUTPUT.
 */
const BATCH_SCRIPT = `S=; [ "$1" = 1 ] && S="sudo -n"; shift
i=0; failed=
while [ $# -gt 0 ]; do
  m=$1; n=$2; shift 2
  cmd=("\${@:1:$n}"); shift "$n"
  if [ "$m" = c ] && [ -n "$failed" ]; then printf '\\036%d -\\037' "$i"; i=$((i+1)); continue; fi
  out=$($S "\${cmd[@]}" 2>&1 </dev/null); rc=$?
  printf '\\036%d %d\\037%s' "$i" "$rc" "$out"
  [ $rc -eq 0 ] || [ "$m" = r ] || failed=1
  i=$((i+1))
done`;

/** Reads files: per path "F <base64>" or "N". Args: SUDO PATH... */
const READ_FILES_SCRIPT = `S=; [ "$1" = 1 ] && S="sudo -n"; shift
for f; do if $S test -f "$f"; then printf 'F '; $S cat -- "$f" | base64 -w0; echo; else echo N; fi; done`;

/** Atomic write from stdin. Args: SUDO PATH KEEP(0|1). */
const WRITE_FILE_SCRIPT = `set -e; S=; [ "$1" = 1 ] && S="sudo -n"; f=$2
$S tee -- "$f.portico-tmp" >/dev/null
if [ "$3" = 1 ] && $S test -f "$f"; then $S cp -p -- "$f" "$f.prev"; fi
$S mv -f -- "$f.portico-tmp" "$f"`;

/** Restore: args SUDO then pairs PATH MODE(W|D); contents for W entries come on stdin, NUL-separated base64. */
const RESTORE_SCRIPT = `set -e; S=; [ "$1" = 1 ] && S="sudo -n"; shift
while [ $# -gt 0 ]; do f=$1; m=$2; shift 2
  if [ "$m" = W ]; then IFS= read -r -d '' b64 || true; printf '%s' "$b64" | base64 -d | $S tee -- "$f.portico-tmp" >/dev/null; $S mv -f -- "$f.portico-tmp" "$f"
  else $S rm -f -- "$f"; fi
done`;

/** Stat: args SUDO PATH...; per path "path\\ttype\\tsize\\tblocks\\tblocksize" or "path\\tmissing". */
const STAT_SCRIPT = `S=; [ "$1" = 1 ] && S="sudo -n"; shift
for f; do
  if $S test -b "$f"; then printf '%s\\tblock\\t%s\\t0\\t0\\n' "$f" "$($S blockdev --getsize64 "$f" 2>/dev/null || echo 0)"
  elif $S test -e "$f"; then printf '%s\\t' "$f"; $S stat -c '%F	%s	%b	%B' -- "$f"
  else printf '%s\\tmissing\\n' "$f"; fi
done`;

const LIST_SCRIPT = `S=; [ "$1" = 1 ] && S="sudo -n"; $S find "$2" -mindepth 1 -maxdepth 1 -printf '%p\\t%y\\t%s\\t%b\\n' | LC_ALL=C sort`;

/** Sparse files: args SUDO then PATH BYTES pairs; refuses existing paths; on failure removes what it made. */
const SPARSE_SCRIPT = `S=; [ "$1" = 1 ] && S="sudo -n"; shift
made=()
fail() { echo "$1" >&2; [ \${#made[@]} -gt 0 ] && $S rm -f -- "\${made[@]}"; exit 17; }
while [ $# -gt 0 ]; do f=$1; n=$2; shift 2
  if $S test -e "$f"; then fail "already exists: $f"; fi
  $S truncate -s "$n" -- "$f" 2>/dev/null || fail "truncate failed: $f"
  made+=("$f")
done`;

/** Full allocation with progress: args SUDO PATH MIB REM_BLOCKS CHUNK_MIB. Writes zeros so ENOSPC shows up now, not later. */
const FULL_SCRIPT = `set -e; S=; [ "$1" = 1 ] && S="sudo -n"; f=$2; total=$3; rem=$4; chunk=$5
if $S test -e "$f"; then echo "already exists: $f" >&2; exit 17; fi
$S touch -- "$f"
done=0
while [ "$done" -lt "$total" ]; do n=$((total-done)); [ "$n" -gt "$chunk" ] && n=$chunk
  $S dd if=/dev/zero of="$f" bs=1M seek="$done" count="$n" conv=notrunc,fsync status=none
  done=$((done+n)); echo "progress $((done*1048576))"
done
if [ "$rem" -gt 0 ]; then $S dd if=/dev/zero of="$f" bs=512 seek="$((total*2048))" count="$rem" conv=notrunc,fsync status=none; fi
echo done`;

const CONF_LIST_SCRIPT = `S=; [ "$1" = 1 ] && S="sudo -n"
for f in "$2"/*.conf; do [ -f "$f" ] || continue; printf '\\036%s\\037' "$f"; $S cat -- "$f"; done`;

// ---------------------------------------------------------------- driver

export interface TgtDriverOptions {
  runner: RemoteRunner;
  /** Prefix each privileged command with `sudo -n` (login user is not root). */
  sudo?: boolean;
  /** tgtd control port (tgtadm -C); omitted = default instance. */
  controlPort?: number;
  /** Storage folder for file-backed LUNs. */
  storageDir: string;
  confDir?: string;
  targetsConf?: string;
  timeoutMs?: number;
}

interface BatchEntry {
  mode: 'c' | 'r';
  argv: string[];
}

interface BatchResult {
  rc: number | null; // null = skipped
  out: string;
}

export class TgtDriver implements TargetDriver {
  readonly kind = 'tgt' as const;
  readonly label: string;
  readonly storageDir: string;
  readonly confDir: string;
  readonly targetsConf: string;
  private readonly r: RemoteRunner;
  private readonly sudoFlag: string;
  private readonly timeoutMs: number;

  constructor(private readonly o: TgtDriverOptions) {
    this.r = o.runner;
    this.label = o.runner.label;
    this.storageDir = o.storageDir.replace(/\/+$/, '');
    this.confDir = (o.confDir ?? '/etc/tgt/conf.d').replace(/\/+$/, '');
    this.targetsConf = o.targetsConf ?? '/etc/tgt/targets.conf';
    this.sudoFlag = o.sudo ? '1' : '0';
    this.timeoutMs = o.timeoutMs ?? 120_000;
  }

  /** tgtadm argv with control port and LLD. */
  tgtadm(...args: string[]): string[] {
    return ['tgtadm', ...(this.o.controlPort !== undefined ? ['-C', String(this.o.controlPort)] : []), '--lld', 'iscsi', ...args];
  }

  private async script(script: string, args: string[], opts: RunOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const argv = ['bash', '-c', script, 'portico', this.sudoFlag, ...args];
    const res = await this.r.run(argv, { timeoutMs: this.timeoutMs, ...opts });
    return res;
  }

  private async batch(entries: BatchEntry[], o: StepLog = {}): Promise<BatchResult[]> {
    const args: string[] = [];
    for (const e of entries) args.push(e.mode, String(e.argv.length), ...e.argv);
    const res = await this.script(BATCH_SCRIPT, args, { signal: o.signal });
    if (res.code !== 0) {
      throw new TgtOpError(classifyTgtError(res.stderr), null, `remote batch failed on ${this.label} (exit ${res.code}): ${res.stderr.trim().slice(0, 400)}`);
    }
    const out: BatchResult[] = entries.map(() => ({ rc: null, out: '' }));
    for (const rec of res.stdout.split('\x1e').slice(1)) {
      const sep = rec.indexOf('\x1f');
      const [idx, rc] = rec.slice(0, sep).split(' ');
      out[Number(idx)] = { rc: rc === '-' ? null : Number(rc), out: rec.slice(sep + 1) };
    }
    return out;
  }

  private readEntries(): BatchEntry[] {
    return [
      { mode: 'r', argv: this.tgtadm('--mode', 'target', '--op', 'show') },
      { mode: 'r', argv: this.tgtadm('--mode', 'account', '--op', 'show') },
      { mode: 'r', argv: this.tgtadm('--mode', 'portal', '--op', 'show') },
    ];
  }

  private stateFrom(rs: BatchResult[]): TargetState {
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
    const t = (tid: number) => ['--tid', String(tid)];
    switch (op.op) {
      case 'target-new': return this.tgtadm('--mode', 'target', '--op', 'new', ...t(op.tid), '--targetname', op.iqn);
      case 'target-delete': return this.tgtadm('--mode', 'target', '--op', 'delete', ...(op.force ? ['--force'] : []), ...t(op.tid));
      case 'lun-new': return this.tgtadm('--mode', 'logicalunit', '--op', 'new', ...t(op.tid), '--lun', String(op.lun), '--backing-store', op.path, '--bstype', 'rdwr', '--blocksize', '512');
      case 'lun-delete': return this.tgtadm('--mode', 'logicalunit', '--op', 'delete', ...t(op.tid), '--lun', String(op.lun));
      case 'lun-params': {
        const kv = Object.entries(op.params).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
        return this.tgtadm('--mode', 'logicalunit', '--op', 'update', ...t(op.tid), '--lun', String(op.lun), '--params', kv.join(','));
      }
      case 'bind-address': case 'unbind-address':
        return this.tgtadm('--mode', 'target', '--op', op.op === 'bind-address' ? 'bind' : 'unbind', ...t(op.tid), '--initiator-address', op.address);
      case 'bind-name': case 'unbind-name':
        return this.tgtadm('--mode', 'target', '--op', op.op === 'bind-name' ? 'bind' : 'unbind', ...t(op.tid), '--initiator-name', op.name);
      case 'account-new': return this.tgtadm('--mode', 'account', '--op', 'new', '--user', op.user, '--password', op.password);
      case 'account-delete': return this.tgtadm('--mode', 'account', '--op', 'delete', '--user', op.user);
      case 'account-bind': case 'account-unbind':
        return this.tgtadm('--mode', 'account', '--op', op.op === 'account-bind' ? 'bind' : 'unbind', ...t(op.tid), '--user', op.user, ...(op.outgoing ? ['--outgoing'] : []));
    }
  }

  describe(op: TargetOp): string {
    const argv = this.opArgv(op.op === 'account-new' ? { ...op, password: MASK } : op);
    return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./*-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  }

  inverse(op: TargetOp): TargetOp | null {
    switch (op.op) {
      case 'target-new': return { op: 'target-delete', tid: op.tid, iqn: op.iqn, force: true };
      case 'lun-new': return { op: 'lun-delete', tid: op.tid, lun: op.lun };
      case 'bind-address': return { op: 'unbind-address', tid: op.tid, address: op.address };
      case 'unbind-address': return { op: 'bind-address', tid: op.tid, address: op.address };
      case 'bind-name': return { op: 'unbind-name', tid: op.tid, name: op.name };
      case 'unbind-name': return { op: 'bind-name', tid: op.tid, name: op.name };
      case 'account-new': return { op: 'account-delete', user: op.user };
      case 'account-bind': return { op: 'account-unbind', tid: op.tid, user: op.user, outgoing: op.outgoing };
      case 'account-unbind': return { op: 'account-bind', tid: op.tid, user: op.user, outgoing: op.outgoing };
      // Params are set right after lun-new (undone by its delete); deletes need the old state: planners build those.
      case 'lun-params': case 'lun-delete': case 'target-delete': case 'account-delete': return null;
    }
  }

  /** What `show` must say after `op`; null when it does. */
  verifyOp(op: TargetOp, s: TargetState): string | null {
    const tgt = 'tid' in op ? s.targets.find((t) => t.tid === op.tid) : undefined;
    switch (op.op) {
      case 'target-new': return tgt?.iqn === op.iqn ? null : `target ${op.iqn} (tid ${op.tid}) is not listed`;
      case 'target-delete': return tgt ? `target tid ${op.tid} is still listed` : null;
      case 'lun-new': {
        const l = tgt?.luns.find((x) => x.lun === op.lun);
        return l && l.path === op.path ? null : `LUN ${op.lun} with ${op.path} is not listed on tid ${op.tid}`;
      }
      case 'lun-delete': return tgt?.luns.some((x) => x.lun === op.lun) ? `LUN ${op.lun} is still listed on tid ${op.tid}` : null;
      case 'lun-params': {
        const l = tgt?.luns.find((x) => x.lun === op.lun);
        if (!l) return `LUN ${op.lun} is not listed on tid ${op.tid}`;
        if (op.params.scsi_id !== undefined && l.scsiId !== op.params.scsi_id) return `LUN ${op.lun} has SCSI ID ${l.scsiId}, not ${op.params.scsi_id}`;
        if (op.params.scsi_sn !== undefined && l.scsiSn !== op.params.scsi_sn) return `LUN ${op.lun} has SCSI SN ${l.scsiSn}, not ${op.params.scsi_sn}`;
        if (op.params.readonly !== undefined && l.readonly !== (op.params.readonly === 1)) return `LUN ${op.lun} readonly is ${l.readonly}`;
        return null;
      }
      case 'bind-address': return tgt?.aclAddresses.includes(op.address) ? null : `address rule ${op.address} is not listed on tid ${op.tid}`;
      case 'unbind-address': return tgt?.aclAddresses.includes(op.address) ? `address rule ${op.address} is still listed` : null;
      case 'bind-name': return tgt?.aclNames.includes(op.name) ? null : `initiator rule ${op.name} is not listed on tid ${op.tid}`;
      case 'unbind-name': return tgt?.aclNames.includes(op.name) ? `initiator rule ${op.name} is still listed` : null;
      case 'account-new': return s.accounts.includes(op.user) ? null : `account ${op.user} is not listed`;
      case 'account-delete': return s.accounts.includes(op.user) ? `account ${op.user} is still listed` : null;
      case 'account-bind': return tgt?.accounts.some((a) => a.user === op.user && a.outgoing === op.outgoing) ? null : `account ${op.user} is not bound to tid ${op.tid}`;
      case 'account-unbind': return tgt?.accounts.some((a) => a.user === op.user && a.outgoing === op.outgoing) ? `account ${op.user} is still bound to tid ${op.tid}` : null;
    }
  }

  async apply(ops: readonly TargetOp[], o: StepLog = {}): Promise<TargetState> {
    if (ops.length === 0) return this.readState(o);
    const entries: BatchEntry[] = [...ops.map((op) => ({ mode: 'c' as const, argv: this.opArgv(op) })), ...this.readEntries()];
    for (const op of ops) o.log?.(this.describe(op));
    const rs = await this.batch(entries, o);
    const state = this.stateFrom(rs.slice(ops.length));
    let failedAt = -1;
    let failure = '';
    let kind: TgtErrorKind = 'unknown';
    for (let i = 0; i < ops.length; i++) {
      const r = rs[i];
      if (r.rc !== 0) {
        failedAt = i;
        failure = r.out.trim() || `exit ${r.rc}`;
        kind = classifyTgtError(failure);
        break;
      }
    }
    // Exit codes are not trusted: every op that claims success must be visible in the new show.
    const upTo = failedAt < 0 ? ops.length : failedAt;
    if (failedAt < 0) {
      for (let i = 0; i < ops.length; i++) {
        // Later ops in the batch can legitimately undo earlier ones (delete after new); check the net effect only for the last op touching a thing.
        const later = ops.slice(i + 1).some((x) => sameSubject(x, ops[i]));
        if (later) continue;
        const bad = this.verifyOp(ops[i], state);
        if (bad) {
          failedAt = i;
          failure = `tgtadm reported success but tgtd's show says: ${bad}`;
          kind = 'not-verified';
          break;
        }
      }
    }
    if (failedAt < 0) {
      o.log?.(`tgtd confirms ${ops.length} change(s)`);
      return state;
    }
    const failedOp = ops[failedAt];
    o.log?.(`failed: ${this.describe(failedOp)}: ${failure}`);
    // Undo what took effect in this batch (the JobRunner only undoes completed steps).
    const done = ops.slice(0, kind === 'not-verified' ? failedAt + 1 : upTo);
    const undo = done.map((x) => this.inverse(x)).filter((x): x is TargetOp => x !== null).reverse();
    const compErrors: string[] = [];
    if (undo.length) {
      o.log?.(`undoing ${undo.length} change(s) of this step`);
      try {
        await this.applyLoose(undo, o);
      } catch (e) {
        compErrors.push((e as Error).message);
      }
    }
    throw new TgtOpError(kind, failedOp, `${this.describe(failedOp)} failed on ${this.label}: ${failure}`, compErrors);
  }

  /** Best-effort run used for compensation: runs every op, reports the ones that did not take. */
  async applyLoose(ops: readonly TargetOp[], o: StepLog = {}): Promise<TargetState> {
    const entries: BatchEntry[] = [...ops.map((op) => ({ mode: 'r' as const, argv: this.opArgv(op) })), ...this.readEntries()];
    for (const op of ops) o.log?.(this.describe(op));
    const rs = await this.batch(entries, o);
    const state = this.stateFrom(rs.slice(ops.length));
    const bad = ops.map((op) => this.verifyOp(op, state)).filter((x): x is string => x !== null);
    if (bad.length) throw new Error(bad.join('; '));
    return state;
  }

  // ------------------------------------------------------------ files

  async readConfFiles(): Promise<ConfFile[]> {
    const res = await this.script(CONF_LIST_SCRIPT, [this.confDir]);
    if (res.code !== 0) throw new RemoteCommandError(['read', this.confDir], res as never, `cannot read ${this.confDir} on ${this.label}: ${res.stderr.trim()}`);
    return res.stdout.split('\x1e').slice(1).map((rec) => {
      const i = rec.indexOf('\x1f');
      return { path: rec.slice(0, i), text: rec.slice(i + 1) };
    });
  }

  async readFiles(paths: readonly string[]): Promise<Map<string, Buffer | null>> {
    const m = new Map<string, Buffer | null>();
    if (!paths.length) return m;
    const res = await this.script(READ_FILES_SCRIPT, [...paths]);
    const lines = res.stdout.split('\n');
    if (res.code !== 0 || lines.length < paths.length) throw new Error(`cannot read files on ${this.label}: ${res.stderr.trim()}`);
    paths.forEach((p, i) => m.set(p, lines[i].startsWith('F ') ? Buffer.from(lines[i].slice(2), 'base64') : null));
    return m;
  }

  async writeFileAtomic(path: string, content: string, o: StepLog & { keepPrevious?: boolean } = {}): Promise<void> {
    o.log?.(`write ${path} (atomic, previous kept as ${path}.prev)`);
    const res = await this.script(WRITE_FILE_SCRIPT, [path, o.keepPrevious === false ? '0' : '1'], { stdin: content, signal: o.signal });
    if (res.code !== 0) throw new TgtOpError(classifyTgtError(res.stderr), null, `cannot write ${path} on ${this.label}: ${res.stderr.trim()}`);
  }

  async restoreFiles(snapshot: Map<string, Buffer | null>, o: StepLog = {}): Promise<void> {
    const args: string[] = [];
    const chunks: string[] = [];
    for (const [p, c] of snapshot) {
      args.push(p, c === null ? 'D' : 'W');
      if (c !== null) chunks.push(c.toString('base64') + '\0');
      o.log?.(c === null ? `remove ${p}` : `restore ${p}`);
    }
    if (!args.length) return;
    const res = await this.script(RESTORE_SCRIPT, args, { stdin: chunks.join(''), signal: o.signal });
    if (res.code !== 0) throw new Error(`cannot restore files on ${this.label}: ${res.stderr.trim()}`);
  }

  async stat(paths: readonly string[]): Promise<FileStat[]> {
    if (!paths.length) return [];
    const res = await this.script(STAT_SCRIPT, [...paths]);
    if (res.code !== 0) throw new Error(`cannot stat files on ${this.label}: ${res.stderr.trim()}`);
    return res.stdout.split('\n').filter(Boolean).map((l) => {
      const [path, type, size, blocks, bsize] = l.split('\t');
      if (type === 'missing') return { path, exists: false, size: 0, allocated: 0, kind: 'missing' as const };
      if (type === 'block') return { path, exists: true, size: Number(size), allocated: Number(size), kind: 'block' as const };
      const kind = /regular/.test(type) ? ('file' as const) : ('other' as const);
      return { path, exists: true, size: Number(size), allocated: Number(blocks) * Number(bsize), kind };
    });
  }

  async space(path: string): Promise<SpaceInfo> {
    const res = await this.r.run(['df', '-B1', '--output=avail,size', path], { sudo: this.o.sudo, timeoutMs: this.timeoutMs });
    const m = /(\d+)\s+(\d+)\s*$/.exec(res.stdout);
    if (res.code !== 0 || !m) throw new Error(`cannot read free space of ${path} on ${this.label}: ${res.stderr.trim()}`);
    return { path, availBytes: Number(m[1]), sizeBytes: Number(m[2]) };
  }

  async listStorage(): Promise<FileStat[]> {
    const res = await this.script(LIST_SCRIPT, [this.storageDir]);
    if (res.code !== 0) throw new Error(`cannot list ${this.storageDir} on ${this.label}: ${res.stderr.trim()}`);
    return res.stdout.split('\n').filter(Boolean).map((l) => {
      const [path, y, size, blocks] = l.split('\t');
      return { path, exists: true, size: Number(size), allocated: Number(blocks) * 512, kind: y === 'f' ? 'file' : y === 'b' ? 'block' : 'other' };
    });
  }

  async createSparse(files: readonly { path: string; bytes: number }[], o: StepLog = {}): Promise<void> {
    if (!files.length) return;
    for (const f of files) o.log?.(`truncate -s ${f.bytes} ${f.path}`);
    const res = await this.script(SPARSE_SCRIPT, files.flatMap((f) => [f.path, String(f.bytes)]), { signal: o.signal });
    if (res.code !== 0) throw new TgtOpError(classifyTgtError(res.stderr), null, `cannot create sparse files on ${this.label}: ${res.stderr.trim()}`);
  }

  async createFull(path: string, bytes: number, o: StepLog & { onProgress?: (done: number, total: number) => void } = {}): Promise<void> {
    const mib = Math.floor(bytes / 1048576);
    const rem = (bytes % 1048576) / 512;
    o.log?.(`dd if=/dev/zero of=${path} (${bytes} bytes, fully allocated)`);
    let last = 0;
    const res = await this.script(FULL_SCRIPT, [path, String(mib), String(rem), '256'], {
      signal: o.signal,
      onLine: (s, line) => {
        const m = /^progress (\d+)$/.exec(line);
        if (s === 'stdout' && m) {
          o.onProgress?.(Number(m[1]), bytes);
          const pct = Math.floor((Number(m[1]) / bytes) * 100);
          if (pct >= last + 10) { last = pct; o.log?.(`${path}: ${pct}% written`); }
        }
      },
    });
    if (res.code !== 0) {
      const kind = classifyTgtError(res.stderr);
      // A partial file must not stay behind (rollback compares the storage folder).
      if (kind !== 'file-exists') await this.script(`S=; [ "$1" = 1 ] && S="sudo -n"; $S rm -f -- "$2"`, [path]).catch(() => undefined);
      throw new TgtOpError(kind, null, `cannot allocate ${path} on ${this.label}: ${res.stderr.trim()}`);
    }
  }

  async removeFiles(paths: readonly string[], o: StepLog = {}): Promise<void> {
    if (!paths.length) return;
    o.log?.(`rm -f ${paths.join(' ')}`);
    const res = await this.script(`S=; [ "$1" = 1 ] && S="sudo -n"; shift; $S rm -f -- "$@"`, [...paths], { signal: o.signal });
    if (res.code !== 0) throw new Error(`cannot remove files on ${this.label}: ${res.stderr.trim()}`);
  }

  async hasLvm(): Promise<boolean> {
    const res = await this.r.run(['sh', '-c', 'command -v lvcreate >/dev/null && test -e /dev/mapper/control'], { timeoutMs: this.timeoutMs });
    return res.code === 0;
  }

  async lvCreate(vg: string, lv: string, bytes: number, o: StepLog = {}): Promise<string> {
    const argv = ['lvcreate', '-L', `${bytes}b`, '-n', lv, vg];
    o.log?.(argv.join(' '));
    const res = await this.r.run(argv, { sudo: this.o.sudo, signal: o.signal, timeoutMs: this.timeoutMs });
    if (res.code !== 0) throw new Error(`lvcreate failed on ${this.label}: ${res.stderr.trim()}`);
    return `/dev/${vg}/${lv}`;
  }

  async lvRemove(vg: string, lv: string, o: StepLog = {}): Promise<void> {
    const argv = ['lvremove', '-f', `${vg}/${lv}`];
    o.log?.(argv.join(' '));
    const res = await this.r.run(argv, { sudo: this.o.sudo, signal: o.signal, timeoutMs: this.timeoutMs });
    if (res.code !== 0) throw new Error(`lvremove failed on ${this.label}: ${res.stderr.trim()}`);
  }

  async replayConf(o: StepLog = {}): Promise<string> {
    const argv = ['tgt-admin', ...(this.o.controlPort !== undefined ? ['-C', String(this.o.controlPort)] : []), '--update', 'ALL', '-c', this.targetsConf];
    o.log?.(argv.join(' '));
    const res = await this.r.run(argv, { sudo: this.o.sudo, signal: o.signal, timeoutMs: this.timeoutMs });
    if (res.code !== 0) throw new Error(`tgt-admin failed on ${this.label}: ${(res.stdout + res.stderr).trim()}`);
    return res.stdout;
  }
}

function sameSubject(a: TargetOp, b: TargetOp): boolean {
  const key = (x: TargetOp): string => {
    switch (x.op) {
      case 'target-new': case 'target-delete': return `t${x.tid}`;
      case 'lun-new': case 'lun-delete': return `l${x.tid}/${x.lun}`;
      case 'lun-params': return `p${x.tid}/${x.lun}`;
      case 'bind-address': case 'unbind-address': return `a${x.tid}/${x.address}`;
      case 'bind-name': case 'unbind-name': return `n${x.tid}/${x.name}`;
      case 'account-new': case 'account-delete': return `u${x.user}`;
      case 'account-bind': case 'account-unbind': return `b${x.tid}/${x.user}/${x.outgoing}`;
    }
  };
  return key(a) === key(b);
}
