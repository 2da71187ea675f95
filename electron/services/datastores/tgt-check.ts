// The tgt + LVM flavour's server side, checked over SSH (as root, read-only): the 3.4 driver logs
// in as oneadmin and needs the volume group, tgtadm and lvcreate, and passwordless sudo for
// tgtadm, lvcreate, lvremove and dd. What is missing is named, each with the fix.
import type { TgtServerCheck } from '../../../shared/domain/opennebula-views';
import type { RemoteHosts } from '../remote/script';
import { runScript } from '../remote/script';

const CHECK = `set -u
u="$1"; vg="$2"
line() { printf '%s\\t%s\\t%s\\n' "$1" "$2" "$(printf '%s' "$3" | tr '\\n\\t' '  ' | cut -c1-240)"; }
check() { n="$1"; shift; if out=$("$@" 2>&1); then line ok "$n" "$out"; else line no "$n" "$out"; fi; }
check tgtadm command -v tgtadm
check lvcreate command -v lvcreate
check vg vgs --noheadings --units m -o vg_name,vg_size,vg_free -- "$vg"
check user id -- "$u"
if id -- "$u" >/dev/null 2>&1; then
  l=$(sudo -n -l -U "$u" 2>&1)
  for c in tgtadm lvcreate lvremove dd; do
    if printf '%s\\n' "$l" | grep -Eq "NOPASSWD:.*(\\bALL\\b|/$c([ ,]|$))"; then line ok "sudo-$c" "$u may run $c without a password"; else line no "sudo-$c" "$u may not run $c through sudo without a password"; fi
  done
fi
`;

const FIX: Record<string, (user: string, vg: string) => string> = {
  tgtadm: () => 'tgtadm is missing: install tgt (scsi-target-utils) on the server',
  lvcreate: () => 'lvcreate is missing: install lvm2 on the server',
  vg: (_u, vg) => `volume group ${vg} does not exist: create it (vgcreate ${vg} /dev/...) or give the existing VG's name`,
  user: (u) => `user ${u} does not exist on the server: create it, with the front-end's oneadmin SSH key in its authorized_keys`,
};

export async function checkTgtServer(hosts: RemoteHosts, serverId: string, vgName: string, user: string): Promise<TgtServerCheck> {
  const r = hosts.runner(serverId);
  const res = await runScript(r, CHECK, [user, vgName], { sudo: true, timeoutMs: 30_000 });
  if (res.code !== 0 && !res.stdout.trim()) throw new Error(`cannot check ${r.label}: ${res.stderr.trim() || `exit ${res.code}`}`);
  const checks = res.stdout.split('\n').filter(Boolean).map((l) => {
    const [st, name, detail] = l.split('\t');
    return { name, ok: st === 'ok', detail: detail ?? '' };
  });
  const missing = checks.filter((c) => !c.ok).map((c) => (FIX[c.name] ? FIX[c.name](user, vgName) : `${c.detail}: allow it in sudoers (e.g. ${user} ALL=(root) NOPASSWD: /usr/sbin/tgtadm, /sbin/lvcreate, /sbin/lvremove, /bin/dd)`));
  return { serverId, ok: missing.length === 0, checks, missing };
}
