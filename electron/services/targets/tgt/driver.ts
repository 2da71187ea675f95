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
import { parseAccountShow, parsePortalShow, parseSysShow, parseTargetShow, type TgtSystem } from './parser';
import type { ConfFile, FileStat, FullAllocationMethod, OpResult, SpaceInfo, StepLog, TargetDriver, TargetState, TgtServiceFiles } from './driver-api';
import { classifyTgtError, TgtOpError } from './tgt-errors';
import {
  BATCH_SCRIPT, CONF_LIST_SCRIPT, DIGEST_SCRIPT, LIST_SCRIPT, READ_FILES_SCRIPT, SPACE_SCRIPT, SPARSE_SCRIPT, STAT_SCRIPT,
  TGT_SERVICE_SCRIPT,
} from './driver-scripts';
import { allocateFull, fullAllocationLimits, parseFullAllocationEnv, RESIZE_SCRIPT, type FullAllocationOptions } from './allocation';
import { CONNECTIONS_SCRIPT, parseConnections } from './connections';

// The driver's contract, errors and helpers live in their own modules; this stays the entry point.
export type * from './driver-api';
export type { TargetOp, LunParams } from './target-op';
export * from './tgt-errors';
export { fullAllocationLimits, parseFullAllocationEnv, partialPathOf, type FullAllocationOptions } from './allocation';
export { parseConnections } from './connections';


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
  fullAllocation?: FullAllocationOptions;
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
  private readonly timeoutMs: number;
  private readonly full: FullAllocationOptions;

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
    return allocateFull((s, a, opts) => this.script(s, a, opts), this.label, this.full, path, bytes, o);
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

  async tgtService(): Promise<TgtServiceFiles | null> {
    const res = await this.script(TGT_SERVICE_SCRIPT, []);
    if (res.code !== 0) throw new Error(`reading the tgt service on ${this.label} failed: ${res.stderr.trim()}`);
    const [unit, unitFile] = res.stdout.split('\n');
    if (!unit || !unitFile || !/^tgtd?\.service$/.test(unit) || !unitFile.startsWith('/')) return null;
    return { unit, unitFile, dropIn: `/etc/systemd/system/${unit}.d/portico-portals.conf` };
  }

  async systemdReload(o: StepLog = {}): Promise<string> {
    const res = await this.script('if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then systemctl daemon-reload && echo "systemctl daemon-reload done"; else echo "systemd does not run this server: nothing to reload"; fi', [], { signal: o.signal });
    if (res.code !== 0) throw new Error(`systemctl daemon-reload failed on ${this.label}: ${res.stderr.trim()}`);
    o.log?.(res.stdout.trim());
    return res.stdout.trim();
  }
}

