// libvirt secrets on a hypervisor over SSH, with virsh: read what a usage name has now, define a
// secret from an XML file, set its value from a 0600 temp file (base64 inside, removed on exit),
// undefine. Every script goes through runScript (one `sudo -n bash`, values on stdin): no value,
// and never the secret, on a command line. Formats: libvirt docs/formatsecret.rst, virsh(1).
import { XMLBuilder } from 'fast-xml-parser';
import type { RemoteHosts } from '../remote/script';
import { runScript } from '../remote/script';

export interface SecretState {
  uuid: string;
  usage: string;
  private: boolean | null;
  ephemeral: boolean | null;
  /** The value, when the secret is not private and has one; null = none; undefined = unreadable (private). */
  value: string | null | undefined;
}

export interface HostSecrets {
  /** Every secret listed (uuid, usage column as virsh prints it, e.g. "iscsi vmstore1-chap"). */
  listed: { uuid: string; usage: string }[];
  /** The iscsi secret with the asked usage name, if any. */
  match: SecretState | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Parses `virsh secret-list`: header, dashes, then " UUID  usage-type usage-id" rows. */
export function parseSecretList(out: string): { uuid: string; usage: string }[] {
  const rows: { uuid: string; usage: string }[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f-]{36})\s+(.*?)\s*$/.exec(line);
    if (m && UUID.test(m[1])) rows.push({ uuid: m[1], usage: m[2] });
  }
  return rows;
}

// Lists, then for the secret whose usage is "iscsi <name>": its flags (dumpxml) and value (base64;
// private secrets refuse it). Sections are separated by a line "--portico--".
const READ = `set -u
list=$(virsh secret-list 2>&1) || { printf '%s\\n' "$list" >&2; exit 3; }
printf '%s\\n' "$list"
echo --portico--
uuid=$(printf '%s\\n' "$list" | awk -v u="$1" '$2 == "iscsi" && $3 == u && NF == 3 { print $1; exit }')
[ -n "$uuid" ] || exit 0
echo "$uuid"
echo --portico--
virsh secret-dumpxml "$uuid" | tr -d '\\n'
echo
echo --portico--
if v=$(virsh secret-get-value "$uuid" 2>&1); then echo "V $v"; else echo "E $v"; fi
`;

export async function readHostSecrets(hosts: RemoteHosts, hostId: string, usage: string, signal?: AbortSignal): Promise<HostSecrets> {
  const r = hosts.runner(hostId);
  const res = await runScript(r, READ, [usage], { sudo: true, signal, timeoutMs: 30_000 });
  if (res.code !== 0) throw new Error(`cannot list libvirt secrets on ${r.label}: ${libvirtReason(res.stderr || res.stdout)}`);
  const [list, uuidPart, xml, value] = res.stdout.split('--portico--\n');
  const listed = parseSecretList(list ?? '');
  const uuid = uuidPart?.trim();
  if (!uuid) return { listed, match: null };
  const flag = (name: string) => {
    const m = new RegExp(`${name}=['"](yes|no)['"]`).exec(xml ?? '');
    return m ? m[1] === 'yes' : null;
  };
  const v = (value ?? '').replace(/\n$/, '');
  let val: SecretState['value'];
  if (v.startsWith('V ')) val = Buffer.from(v.slice(2).trim(), 'base64').toString('utf8');
  else if (/does not have a value|no value/i.test(v)) val = null;
  else val = undefined;
  return { listed, match: { uuid, usage, private: flag('private'), ephemeral: flag('ephemeral'), value: val } };
}

/** libvirt's error in words, with what to do when the daemon is unreachable. */
export function libvirtReason(text: string): string {
  const t = text.trim().split('\n').filter(Boolean).slice(-3).join(' ');
  if (/failed to connect|Failed to connect socket|no such file or directory.*libvirt|libvirt-sock/i.test(t)) return `libvirtd is not running or not reachable (${t}); start it (systemctl start libvirtd, or virtsecretd on modular installs) and apply again`;
  if (/sudo/i.test(t) && /password|not allowed|a terminal/i.test(t)) return `the login user may not run this through sudo without a password (${t}); allow bash/virsh for it in sudoers`;
  if (/command not found|virsh: not found/i.test(t)) return `virsh is not installed (${t}); install libvirt-clients`;
  return t || 'no output';
}

const xml = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: true, processEntities: true });

/** The secret's XML: iscsi usage, private (the value cannot be read back), persistent (not ephemeral). */
export function secretXml(p: { uuid: string; usage: string; description: string }): string {
  return xml.build({ secret: { '@ephemeral': 'no', '@private': 'yes', description: p.description, uuid: p.uuid, usage: { '@type': 'iscsi', target: p.usage } } }) as string;
}

const DEFINE = `set -eu
umask 077
f=$(mktemp "\${TMPDIR:-/tmp}/portico-secret.XXXXXXXX")
trap 'rm -f -- "$f"' EXIT
cat > "$f"
virsh secret-define --file "$f"
`;

// The value arrives on stdin as base64 and goes to a 0600 temp file that virsh reads (--file without
// --plain decodes base64; also understood by libvirt versions without --plain); the file is removed on exit.
const SET = `set -eu
umask 077
f=$(mktemp "\${TMPDIR:-/tmp}/portico-secret.XXXXXXXX")
trap 'rm -f -- "$f"' EXIT
cat > "$f"
virsh secret-set-value "$1" --file "$f"
`;

const UNDEFINE = `set -u
if virsh secret-list 2>/dev/null | awk -v u="$1" '$1 == u { f = 1 } END { exit !f }'; then virsh secret-undefine "$1"; else
  virsh secret-list >/dev/null || exit 3; echo "secret $1 is not defined"; fi
`;

/** virsh ran and refused (non-zero exit): nothing took effect, unlike a lost connection (in doubt). */
export class VirshRefused extends Error {}

async function run(hosts: RemoteHosts, hostId: string, what: string, script: string, args: string[], input: string | undefined, signal?: AbortSignal): Promise<string> {
  const r = hosts.runner(hostId);
  const res = await runScript(r, script, args, { sudo: true, signal, input, timeoutMs: 30_000 });
  if (res.code !== 0) throw new VirshRefused(`${what} on ${r.label} failed: ${libvirtReason(res.stderr || res.stdout)}`);
  return res.stdout;
}

export const defineSecret = (hosts: RemoteHosts, hostId: string, p: { uuid: string; usage: string; description: string }, signal?: AbortSignal) =>
  run(hosts, hostId, `virsh secret-define (${p.usage})`, DEFINE, [], secretXml(p), signal);

export const setSecretValue = (hosts: RemoteHosts, hostId: string, uuid: string, value: string, signal?: AbortSignal) =>
  run(hosts, hostId, `virsh secret-set-value ${uuid}`, SET, [uuid], Buffer.from(value, 'utf8').toString('base64'), signal);

export const undefineSecret = (hosts: RemoteHosts, hostId: string, uuid: string, signal?: AbortSignal) =>
  run(hosts, hostId, `virsh secret-undefine ${uuid}`, UNDEFINE, [uuid], undefined, signal);

// Whether the secret exists: from virsh; when libvirtd cannot be reached, from the secret driver's
// persistent store (/etc/libvirt/secrets/UUID.xml), so a define refused by a stopped daemon is known
// not to have happened.
const PRESENT = `if out=$(virsh secret-list 2>&1); then printf '%s\\n' "$out" | awk -v u="$1" '$1 == u { f = 1 } END { print (f ? "listed yes" : "listed no") }'
else if [ -e "/etc/libvirt/secrets/$1.xml" ]; then echo "disk yes"; else echo "disk no"; fi; fi
`;

export async function secretPresent(hosts: RemoteHosts, hostId: string, uuid: string, signal?: AbortSignal): Promise<{ present: boolean; from: 'virsh' | 'disk' }> {
  const r = hosts.runner(hostId);
  const res = await runScript(r, PRESENT, [uuid], { sudo: true, signal, timeoutMs: 30_000 });
  const m = /^(listed|disk) (yes|no)$/m.exec(res.stdout);
  if (res.code !== 0 || !m) throw new Error(`cannot tell whether secret ${uuid} exists on ${r.label}: ${res.stderr.trim() || res.stdout.trim() || `exit ${res.code}`}`);
  return { present: m[2] === 'yes', from: m[1] === 'listed' ? 'virsh' : 'disk' };
}
