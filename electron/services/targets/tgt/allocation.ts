// Files allocated in full (and backing files resized): the scripts, their limits, and the watchdog
// that stops an allocation which no longer grows.
import type { RunResult } from '../../remote/runner';
import type { ScriptOptions } from '../../remote/script';
import type { FullAllocationMethod, StepLog } from './driver-api';
import { classifyTgtError, TgtOpError } from './tgt-errors';

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
export const RESIZE_SCRIPT = `set -o pipefail; f=$1; from=$2; to=$3; how=$4
cur=$(stat -c %s -- "$f") || exit 4
if [ "$cur" = "$to" ]; then echo same; exit 0; fi
[ "$cur" = "$from" ] || { echo "$f is $cur bytes, not $from as planned: it changed since the plan was built" >&2; exit 3; }
if [ "$how" = alloc ] && [ "$to" -gt "$from" ]; then
  if ! fallocate -o "$from" -l "$((to - from))" -- "$f" 2>/dev/null; then head -c "$((to - from))" /dev/zero >> "$f" || exit 28; fi
else truncate -s "$to" -- "$f" || exit 4; fi
sz=$(stat -c %s -- "$f") || exit 4
[ "$sz" = "$to" ] || { echo "$f is $sz bytes after the change, not $to" >&2; exit 5; }
echo done`;

/** Full allocation settings (tests); see TgtDriverOptions.fullAllocation. */
export interface FullAllocationOptions { how?: 'auto' | 'dd'; chunkMiB?: number; pauseS?: number; stallMs?: number }

/** PORTICO_TEST_FULL_ALLOCATION, parsed (see TgtDriverOptions.fullAllocation in driver.ts). */
export function parseFullAllocationEnv(text: string | undefined): FullAllocationOptions {
  const o: FullAllocationOptions = {};
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

/** How the driver runs a script (its retry of reads included). */
export type ScriptRun = (script: string, args: readonly string[], opts: ScriptOptions & { change?: boolean }) => Promise<RunResult>;

/** TargetDriver.createFull for tgt: FULL_SCRIPT with a progress log and the stall watchdog. */
export async function allocateFull(run: ScriptRun, label: string, full: FullAllocationOptions, path: string, bytes: number, o: StepLog & { onProgress?: (done: number, total: number) => void } = {}): Promise<{ method: FullAllocationMethod }> {
  const { timeoutMs, stallMs } = fullAllocationLimits(bytes, { stallMs: full.stallMs });
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
    const res = await run(FULL_SCRIPT, [path, partialPathOf(path), String(bytes), full.how ?? 'auto', String(full.chunkMiB ?? 64), String(full.pauseS ?? 0)], {
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
    if (res.code !== 0) throw new TgtOpError(classifyTgtError(res.stderr), null, `cannot allocate ${path} on ${label}: ${res.stderr.trim() || `exit ${res.code}`}`);
    const method = /^done (fallocate|dd)$/m.exec(res.stdout)?.[1] as FullAllocationMethod | undefined;
    if (!method) throw new TgtOpError('unknown', null, `allocating ${path} on ${label} ended without saying it was done`);
    o.log?.(`${path}: allocated in full with ${method}`);
    return { method };
  } catch (e) {
    if (stalled) {
      throw new TgtOpError('unknown', null, `allocating ${path} on ${label} stalled: no progress for ${Math.round(stallMs / 1000)} s at ${done} of ${bytes} bytes; it was stopped (the partial file is removed, by the script or by the rollback)`);
    }
    throw e;
  } finally {
    clearInterval(dog);
    o.signal?.removeEventListener('abort', onAbort);
  }
}
