// Specs note every secret they type; the e2e teardown then checks none reached disk or logs: the
// console's data folder and log (console-server.ts), and the storage servers (here): no secret in
// a file other users can read, in the hosts' daemon and sudo logs, or in any process's argv but
// tgtadm's own (a /proc sampler runs through the whole e2e run, picking up secrets as they are noted).
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execOnHost } from '../lab/hosts';
import type { LabInfo } from '../lab/labinfo';
import { startProcSampler, type ProcSampler, type SampleReport } from '../../electron/test-support/proc-sampler';

export function noteSecret(secret: string): void {
  const f = process.env.PORTICO_E2E_SECRETS_FILE;
  if (!f) throw new Error('PORTICO_E2E_SECRETS_FILE is not set: the e2e global setup sets it');
  appendFileSync(f, secret + '\n', { mode: 0o600 });
}

/** Samples every process's argv every 20 ms for the secrets noted so far (nothing while none is). */
export function watchProcesses(secretsFile: string): ProcSampler {
  return startProcSampler({ secretsFile, intervalMs: 20 });
}

// Files under the given roots (one filesystem each) that other users can read (world-readable, or
// group-readable by a group other than root), small enough to hold text, holding one of the
// secrets read from stdin (into a 0600 temp file, which the search skips).
const SCAN = `t=$(mktemp); trap 'rm -f -- "$t"' EXIT; cat > "$t"
for d; do [ -d "$d" ] || continue
  find "$d" -xdev -type f \\( -perm -o=r -o \\( -perm -g=r ! -group root \\) \\) -size -16M ! -path "$t" -print0 2>/dev/null
done | xargs -0 -r grep -lF -f "$t" -- 2>/dev/null
exit 0`;

/** What on the lab's storage servers holds a secret it should not; [] when nothing. */
export async function scanStorageServers(lab: LabInfo, secrets: readonly string[], ps: SampleReport | null): Promise<string[]> {
  const wanted = secrets.filter((s) => s.length >= 8);
  const found: string[] = [];
  if (!wanted.length) return found;
  for (const h of Object.values(lab.hosts).filter((x) => x.role === 'storage')) {
    const roots = ['/etc/tgt', ...(h.storageDir ? [h.storageDir] : []), '/tmp', '/var/log'];
    const r = await execOnHost(h, ['bash', '-c', SCAN, 'scan', ...roots], { input: wanted.join('\n') + '\n', allowFail: true, timeoutMs: 60_000 });
    for (const f of r.stdout.split('\n').filter(Boolean)) found.push(`${h.name}:${f} holds a secret and other users can read it`);
    // The host's daemon logs and sudo's log (e2e/lab/lab.ts: Defaults logfile), whatever their mode.
    if (existsSync(h.logDir)) {
      for (const n of readdirSync(h.logDir)) {
        const text = readFileSync(join(h.logDir, n), 'utf8');
        const joined = text.replace(/\n\s+/g, '');
        for (const s of wanted) if (text.includes(s) || joined.includes(s)) found.push(`${h.name}'s ${n} contains a secret (${s.length} chars)`);
      }
    }
  }
  if (ps) {
    for (const [prog, n] of Object.entries(ps.byProgram)) {
      if (prog !== 'tgtadm') found.push(`a secret was in the argv of ${prog} in ${n} of ${ps.samples} process samples`);
    }
  }
  return found;
}
