// The hosted-engine usage source: reads hosted-engine.conf LIVE on every host with the oVirt host
// role (admins deploy HE with oVirt's own installer too, so Portico's records cannot know), and
// answers the core's usage questions: the targets planners' "who uses this LUN/target?" and the
// bonds planner's "who needs this path logged in?". Only the storage keys leave the host: the
// read greps them there, so the clear-text `password=` never reaches Portico.
import type { RemoteHosts } from '../remote/script';
import { runScript } from '../remote/script';
import type { HostRecord } from '../hosts/host-repo';
import type { LunRef, LunUser, PathRef, PathUser } from '../usage';
import { TtlCache } from './usage-cache';
import { HE_USAGE_KEYS, parseHeConf } from './usage-conf';
import { HE_CONF_PATH } from './planner';
import { lunUsersOf, pathUsersOf, type AddressBook, type HeHostConf } from './usage-match';

/** How long one read of a host's file answers for (a bulk plan's many checks share it). */
export const HE_USAGE_TTL_MS = 20_000;

// Prints ABSENT, or PRESENT and then only the storage key lines. grep's 1 (no line) is fine.
// Exit 5: the file (or its folder) is there but this user may not read it: try again as root.
const READ_KEYS = `f=$1; d=$(dirname -- "$f")
if [ -e "$d" ] && { [ ! -x "$d" ] || [ ! -r "$d" ]; }; then echo "cannot look into $d" >&2; exit 5; fi
if [ ! -e "$f" ]; then echo ABSENT; exit 0; fi
[ -f "$f" ] || { echo "not a regular file: $f" >&2; exit 3; }
[ -r "$f" ] || { echo "cannot read $f" >&2; exit 5; }
echo PRESENT
grep -E "^[[:space:]]*(${HE_USAGE_KEYS.join('|')})[[:space:]]*=" -- "$f"
rc=$?; [ "$rc" -le 1 ] || exit 4`;

/**
 * The storage-key lines of the host's hosted-engine.conf (or `o.path`), or null when the file does
 * not exist. Read as the login user first: most hosts have no file, and that needs no root (an
 * oVirt host added without passwordless sudo still answers); only a file this user cannot read
 * is read again through sudo.
 */
export async function readHeStorageLines(hosts: RemoteHosts, hostId: string, o: { path?: string; timeoutMs?: number } = {}): Promise<string | null> {
  const r = hosts.runner(hostId);
  const args = [o.path ?? HE_CONF_PATH];
  const timeoutMs = o.timeoutMs ?? 20_000;
  let res = await runScript(r, READ_KEYS, args, { timeoutMs });
  if (res.code === 5) res = await runScript(r, READ_KEYS, args, { sudo: true, timeoutMs });
  const [head, ...rest] = res.stdout.split('\n');
  if (res.code !== 0 || (head !== 'ABSENT' && head !== 'PRESENT')) throw new Error(res.stderr.trim() || `exit ${res.code}`);
  return head === 'ABSENT' ? null : rest.join('\n');
}

export interface HeUsageDeps {
  hosts: { list(): HostRecord[]; find(id: string): HostRecord | null };
  /** A host's storage-key lines (null: no file); throws when the host cannot be read. */
  read(hostId: string): Promise<string | null>;
  ttlMs?: number;
  now?: () => number;
}

const isHeHost = (h: HostRecord) => h.roles.includes('ovirt-host');

function addressBook(hosts: HostRecord[]): AddressBook {
  return new Map(hosts.map((h) => [h.id, new Set([h.address, ...(h.capabilities?.interfaces ?? []).flatMap((i) => i.addresses.filter((a) => a.family === 'inet').map((a) => a.address))])]));
}

export class HeUsageSource {
  private readonly cache: TtlCache<HeHostConf>;

  constructor(private readonly deps: HeUsageDeps) {
    this.cache = new TtlCache(deps.ttlMs ?? HE_USAGE_TTL_MS, deps.now);
  }

  /** One host's answer, cached briefly; a failed read becomes an answer naming the failure. */
  conf(h: Pick<HostRecord, 'id' | 'name'>): Promise<HeHostConf> {
    return this.cache.get(h.id, async () => {
      try {
        const text = await this.deps.read(h.id);
        return { hostId: h.id, hostName: h.name, storage: text === null ? null : parseHeConf(text) };
      } catch (e) {
        return { hostId: h.id, hostName: h.name, error: e instanceof Error ? e.message : String(e) };
      }
    });
  }

  async lunUsers(ref: LunRef): Promise<LunUser[]> {
    const all = this.deps.hosts.list();
    const confs = await Promise.all(all.filter(isHeHost).map((h) => this.conf(h)));
    return lunUsersOf(ref, confs, addressBook(all));
  }

  async pathUsers(ref: PathRef): Promise<PathUser[]> {
    const h = this.deps.hosts.find(ref.hostId);
    if (!h || !isHeHost(h)) return [];
    return pathUsersOf(ref, await this.conf(h));
  }

  /** Forgets cached reads (a host's, or all), e.g. after Portico wrote hosted-engine.conf itself. */
  invalidate(hostId?: string): void {
    this.cache.invalidate(hostId);
  }
}
