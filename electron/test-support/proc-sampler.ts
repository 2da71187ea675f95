// Test support: samples every process's command line (/proc/*/cmdline) every few ms in a child
// process, looking for secrets, and reports how many samples it took and which programs held a
// secret in their argv. The lab's hosts share this machine's PID namespace (they have their own
// network, mount and UTS namespaces only), so sampling /proc here covers every process on stor1
// and stor2 (and the workstation's too: a superset). Secrets reach the sampler on its stdin (or
// from a file it re-reads when it changes), never on a command line, so it cannot find itself.
import { spawn } from 'node:child_process';

export interface SampleReport {
  /** Sweeps over /proc taken while at least one secret was known. */
  samples: number;
  /** Sweeps in which some process's argv held a secret. */
  samplesWithSecret: number;
  /** Per program (argv[0]'s base name): in how many sweeps its argv held a secret. */
  byProgram: Record<string, number>;
  /** Mean time of one sweep, ms. */
  sweepMs: number;
  /** Sweeps that saw the control string (a positive control: proves the sampler sees what runs). */
  controlSamples: number;
}

export interface ProcSampler {
  stop(): Promise<SampleReport>;
}

const CHILD = String.raw`
const fs = require('node:fs');
let cfg = null; let buf = ''; let stopping = false;
let secrets = []; let fileMtime = -1;
const rep = { samples: 0, samplesWithSecret: 0, byProgram: {}, sweepMs: 0, controlSamples: 0 };
let control = null;
let sweepTotal = 0;
function reload() {
  if (!cfg.secretsFile) return;
  try {
    const st = fs.statSync(cfg.secretsFile);
    if (st.mtimeMs === fileMtime) return;
    fileMtime = st.mtimeMs;
    secrets = fs.readFileSync(cfg.secretsFile, 'utf8').split('\n').filter((s) => s.length >= 6).map((s) => Buffer.from(s));
  } catch { /* not written yet */ }
}
function sweep() {
  const t0 = performance.now();
  const hit = new Set();
  let ctl = false;
  for (const pid of fs.readdirSync('/proc')) {
    if (pid.charCodeAt(0) > 57 || pid === String(process.pid)) continue;
    let b;
    try { b = fs.readFileSync('/proc/' + pid + '/cmdline'); } catch { continue; }
    if (!b.length) continue;
    if (control && b.includes(control)) ctl = true;
    for (const s of secrets) if (b.includes(s)) {
      const argv0 = b.subarray(0, b.indexOf(0) < 0 ? b.length : b.indexOf(0)).toString();
      hit.add(argv0.slice(argv0.lastIndexOf('/') + 1));
      break;
    }
  }
  sweepTotal += performance.now() - t0;
  rep.samples++;
  if (hit.size) rep.samplesWithSecret++;
  if (ctl) rep.controlSamples++;
  for (const p of hit) rep.byProgram[p] = (rep.byProgram[p] || 0) + 1;
}
function loop() {
  if (stopping) return;
  reload();
  if (secrets.length) sweep();
  setTimeout(loop, cfg.intervalMs);
}
// The parent is gone (its end of stdin closed): stop too, never sample on as an orphan.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    if (!cfg) { cfg = JSON.parse(line); secrets = (cfg.secrets || []).map((s) => Buffer.from(s)); control = cfg.control ? Buffer.from(cfg.control) : null; loop(); }
    else if (line === 'stop') {
      stopping = true;
      rep.sweepMs = rep.samples ? Math.round((sweepTotal / rep.samples) * 100) / 100 : 0;
      process.stdout.write(JSON.stringify(rep) + '\n', () => process.exit(0));
    }
  }
});
`;

/** Starts sampling; `secrets` now, and/or those listed (one per line) in `secretsFile` as it grows. */
export function startProcSampler(o: { secrets?: readonly string[]; secretsFile?: string; intervalMs?: number; control?: string }): ProcSampler {
  const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stdin.write(JSON.stringify({ secrets: o.secrets ?? [], secretsFile: o.secretsFile ?? null, intervalMs: o.intervalMs ?? 3, control: o.control ?? null }) + '\n');
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    stop: async () => {
      child.stdin.write('stop\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      const line = out.trim().split('\n').pop();
      if (!line) throw new Error('the /proc sampler ended without a report');
      return JSON.parse(line) as SampleReport;
    },
  };
}
