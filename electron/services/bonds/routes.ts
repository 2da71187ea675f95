// Which netdev a host's kernel sends each address out of: one `ip -o route get` per address in a
// single remote script (addresses as script arguments on stdin, never on a command line).
import type { RemoteRunner } from '../remote/runner';
import { runScript } from '../remote/script';

// Output: one line per address, "<address> <dev>" (dev empty when the kernel has no route).
const ROUTE_SCRIPT = `for a in "$@"; do d=$(ip -o route get "$a" 2>/dev/null | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p' | head -n 1); printf '%s %s\\n' "$a" "$d"; done`;

/** Parses ROUTE_SCRIPT's output; addresses it did not answer for are absent. */
export function parseRouteDevices(out: string): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (const line of out.split('\n')) {
    const [addr, dev] = line.trim().split(/\s+/);
    if (addr) m.set(addr, dev || null);
  }
  return m;
}

export async function routeDevices(runner: RemoteRunner, addresses: string[]): Promise<Map<string, string | null>> {
  const r = await runScript(runner, ROUTE_SCRIPT, addresses, { timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`ip route get: ${r.stderr.trim() || `exit ${r.code}`}`);
  return parseRouteDevices(r.stdout);
}
