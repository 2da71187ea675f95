// Capability probe: ONE remote command (`sh -s` reading the fixed script below from stdin, so nothing
// of ours or the user's is ever parsed by the remote shell as a command line), and a pure parser.
// Wizards use the result to offer only what works, and availability() says why something does not.
import {
  PROBED_SERVICES,
  PROBED_TOOLS,
  type Capabilities,
  type ProbedService,
  type ProbedTool,
} from '../../../shared/domain/host';
import type { RemoteRunner } from '../remote/runner';

// Services count as running when a process with that name lives in *this host's* network namespace
// (compared via /proc/PID/ns/net), which is right on real hosts and on lab hosts that share one kernel;
// when the login user may not inspect the process, the daemon's control socket decides.
// Root-only reads go through `sudo -n` when the login user has passwordless sudo (all or some commands).
export const PROBE_SCRIPT = String.raw`
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin"
export PATH LC_ALL=C
echo '@@portico-probe 1'
echo '@@os-release'
cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null
echo '@@kernel'
uname -sr 2>/dev/null
echo '@@user'
echo "$(id -un 2>/dev/null) $(id -u 2>/dev/null)"
echo '@@sudo'
SUDO=
if [ "$(id -u)" = 0 ]; then echo root
elif ! command -v sudo >/dev/null 2>&1; then echo absent
elif sudo -n true >/dev/null 2>&1; then SUDO='sudo -n'; echo nopasswd
elif sudo -n -l >/dev/null 2>&1; then SUDO='sudo -n'; echo limited
else echo password-required
fi
echo '@@tools'
for t in ${PROBED_TOOLS.join(' ')}; do
  p=$(command -v "$t" 2>/dev/null) && echo "$t $p" || echo "$t -"
done
echo '@@services'
self=$(readlink /proc/self/ns/net 2>/dev/null)
found=
unsure=
for d in /proc/[0-9]*; do
  c=
  read -r c < "$d/comm" 2>/dev/null || continue
  case " ${PROBED_SERVICES.join(' ')} " in *" $c "*) ;; *) continue ;; esac
  case " $found " in *" $c "*) continue ;; esac
  ns=$(readlink "$d/ns/net" 2>/dev/null)
  if [ -z "$ns" ] && [ "$SUDO" = 'sudo -n' ]; then ns=$(sudo -n readlink "$d/ns/net" 2>/dev/null); fi
  if [ -z "$ns" ] || [ -z "$self" ]; then unsure="$unsure $c"
  elif [ "$ns" = "$self" ]; then found="$found $c"
  fi
done
# Process not ours to inspect (root-owned, no sudo): trust the daemon's control socket in this host's /run.
sock_of() {
  case "$1" in
    tgtd) ls /run/tgtd/socket.* /var/run/tgtd/socket.* 2>/dev/null | grep -qv lock ;;
    libvirtd) [ -S /run/libvirt/libvirt-sock ] ;;
    vdsmd) [ -S /run/vdsm/mom-vdsm.sock ] || [ -f /run/vdsm/vdsmd.pid ] ;;
    *) false ;;
  esac
}
for s in ${PROBED_SERVICES.join(' ')}; do
  case " $found " in *" $s "*) echo "$s running"; continue ;; esac
  case " $unsure " in *" $s "*) if sock_of "$s"; then echo "$s running"; continue; fi ;; esac
  echo "$s stopped"
done
echo '@@initiator'
cat /etc/iscsi/initiatorname.iscsi 2>/dev/null || $SUDO cat /etc/iscsi/initiatorname.iscsi 2>/dev/null
echo '@@links'
ip -o link show 2>/dev/null
echo '@@addrs'
ip -o addr show 2>/dev/null
echo '@@end'
`;

export const PROBE_ARGV = ['sh', '-s'] as const;

export class ProbeParseError extends Error {}

function sections(out: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let cur: string[] | null = null;
  for (const line of out.split('\n')) {
    const m = /^@@([a-z-]+)( .*)?$/.exec(line);
    if (m) {
      cur = [];
      map.set(m[1], cur);
    } else if (cur) {
      cur.push(line.replace(/\r$/, ''));
    }
  }
  return map;
}

function osRelease(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lines) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(l.trim());
    if (!m) continue;
    let v = m[2];
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]] = v.replace(/\\(["$`\\])/g, '$1');
  }
  return out;
}

/** `ip -o link` names look like `eth0@if12:`; the part after @ is the peer index. */
function linkName(s: string): string {
  return s.replace(/:$/, '').split('@')[0];
}

export function parseProbeOutput(out: string): Capabilities {
  const sec = sections(out);
  if (!sec.has('portico-probe') || !sec.has('end')) {
    throw new ProbeParseError('the capability probe output is incomplete (the script did not run to the end)');
  }
  const rel = osRelease(sec.get('os-release') ?? []);
  const kernel = (sec.get('kernel') ?? []).join(' ').trim() || null;
  const [uname, uidText] = ((sec.get('user') ?? [])[0] ?? '').trim().split(/\s+/);
  const uid = uidText !== undefined && /^\d+$/.test(uidText) ? Number(uidText) : null;
  const sudoWord = ((sec.get('sudo') ?? [])[0] ?? '').trim();
  const sudo = (['root', 'nopasswd', 'limited', 'password-required', 'absent'] as const).find((w) => w === sudoWord) ?? 'absent';

  const tools = Object.fromEntries(PROBED_TOOLS.map((t) => [t, null])) as Record<ProbedTool, string | null>;
  for (const l of sec.get('tools') ?? []) {
    const [name, path] = l.trim().split(/\s+/, 2);
    if ((PROBED_TOOLS as readonly string[]).includes(name) && path && path.startsWith('/')) tools[name as ProbedTool] = path;
  }
  const services = Object.fromEntries(PROBED_SERVICES.map((s) => [s, 'stopped'])) as Record<ProbedService, 'running' | 'stopped'>;
  for (const l of sec.get('services') ?? []) {
    const [name, st] = l.trim().split(/\s+/);
    if ((PROBED_SERVICES as readonly string[]).includes(name) && st === 'running') services[name as ProbedService] = 'running';
  }
  let initiatorName: string | null = null;
  for (const l of sec.get('initiator') ?? []) {
    const m = /^\s*InitiatorName\s*=\s*(\S+)\s*$/.exec(l);
    if (m) initiatorName = m[1];
  }

  const ifaces = new Map<string, Capabilities['interfaces'][number]>();
  for (const l of sec.get('links') ?? []) {
    const m = /^\d+:\s+(\S+)\s+<([^>]*)>/.exec(l);
    if (!m) continue;
    const name = linkName(m[1]);
    ifaces.set(name, { name, up: m[2].split(',').includes('UP'), addresses: [] });
  }
  for (const l of sec.get('addrs') ?? []) {
    const m = /^\d+:\s+(\S+)\s+(inet6?)\s+([0-9a-fA-F:.]+)\/(\d+)/.exec(l);
    if (!m) continue;
    const name = linkName(m[1]);
    if (!ifaces.has(name)) ifaces.set(name, { name, up: true, addresses: [] });
    ifaces.get(name)!.addresses.push({ family: m[2] as 'inet' | 'inet6', address: m[3], prefix: Number(m[4]) });
  }

  return {
    os: {
      id: rel.ID ?? null,
      name: rel.NAME ?? null,
      version: rel.VERSION_ID ?? null,
      prettyName: rel.PRETTY_NAME ?? null,
      kernel,
    },
    user: { name: uname || null, uid },
    sudo,
    tools,
    services,
    initiatorName,
    interfaces: [...ifaces.values()],
  };
}

export async function probeCapabilities(runner: RemoteRunner, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Capabilities> {
  const res = await runner.run(PROBE_ARGV, { stdin: PROBE_SCRIPT, timeoutMs: opts.timeoutMs ?? 30_000, signal: opts.signal });
  if (res.code !== 0) {
    throw new ProbeParseError(`the capability probe on ${runner.label} exited ${res.code ?? res.signal}: ${res.stderr.trim().slice(0, 300)}`);
  }
  return parseProbeOutput(res.stdout);
}

// ---------- what the wizards may offer ----------

export type Feature =
  | 'tgt-target' // export LUNs with tgt
  | 'lio-target' // export LUNs with targetcli (LIO)
  | 'iscsi-initiator' // log in to targets with open-iscsi
  | 'libvirt-secret' // CHAP secrets and pools through virsh
  | 'vdsm' // oVirt host operations
  | 'one-datastore' // OpenNebula datastores
  | 'multipath';

export interface Availability {
  available: boolean;
  /** Why not, in words, with what to install or start; empty when available. */
  reasons: string[];
}

const needRoot = (c: Capabilities): string[] =>
  c.sudo === 'root' || c.sudo === 'nopasswd' || c.sudo === 'limited'
    ? []
    : [
        c.sudo === 'password-required'
          ? 'the login user needs passwordless sudo (a NOPASSWD rule), because commands cannot answer a password prompt'
          : 'the login user is not root and sudo is not installed',
      ];

export function availability(c: Capabilities, f: Feature): Availability {
  const r: string[] = [];
  const tool = (t: ProbedTool, pkg: string) => {
    if (!c.tools[t]) r.push(`${t} is not installed (package ${pkg})`);
  };
  const svc = (s: ProbedService, how: string) => {
    if (c.services[s] !== 'running') r.push(`${s} is not running (${how})`);
  };
  switch (f) {
    case 'tgt-target':
      tool('tgtadm', 'tgt');
      svc('tgtd', 'start it with: systemctl start tgt');
      r.push(...needRoot(c));
      break;
    case 'lio-target':
      tool('targetcli', 'targetcli-fb');
      r.push(...needRoot(c));
      break;
    case 'iscsi-initiator':
      tool('iscsiadm', 'open-iscsi / iscsi-initiator-utils');
      if (!c.initiatorName) r.push('the host has no initiator name (/etc/iscsi/initiatorname.iscsi is missing or unreadable)');
      r.push(...needRoot(c));
      break;
    case 'libvirt-secret':
      tool('virsh', 'libvirt-clients');
      svc('libvirtd', 'start it with: systemctl start libvirtd');
      break;
    case 'vdsm':
      tool('vdsm-client', 'vdsm-client');
      svc('vdsmd', 'start it with: systemctl start vdsmd');
      break;
    case 'one-datastore':
      tool('onedatastore', 'opennebula-tools');
      break;
    case 'multipath':
      tool('multipath', 'multipath-tools / device-mapper-multipath');
      r.push(...needRoot(c));
      break;
  }
  return { available: r.length === 0, reasons: r };
}
