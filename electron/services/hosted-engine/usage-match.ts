// Which hosted-engine storage a LUN/target ref or an initiator path ref hits, from the parsed
// hosted-engine.conf of each oVirt host (pure: the live reads are in usage.ts). The conf names
// the target by IQN and its portal IPs but never a LUN number, so a hit covers every LUN of the
// target. A host whose file could not be read is reported as a user too: "not checked" must
// never pass for "not used".
import type { LunRef, LunUser, PathRef, PathUser } from '../usage';
import type { HeStorage } from './usage-conf';

export const OWNER = 'hosted-engine';

/** One oVirt host's answer: its HE storage (null: no file, or not iSCSI), or why it could not be read. */
export type HeHostConf = { hostId: string; hostName: string; storage: HeStorage | null } | { hostId: string; hostName: string; error: string };

/** The addresses each inventory host is known by (its SSH address and probed IPv4 addresses). */
export type AddressBook = Map<string, Set<string>>;

const domain = (s: HeStorage) => (s.sdUUID ? `the hosted-engine storage domain ${s.sdUUID}` : 'the hosted-engine storage domain');

/**
 * True when the conf's IQN is the ref's target on this server. The IQN decides; the portal IPs only
 * rule a server out when every one of them is known to be another host's address and none this
 * server's (two servers given the same IQN). Unknown addresses keep the match: protecting too much
 * is the safe mistake.
 */
export function onServer(s: HeStorage, iqn: string, serverId: string, book: AddressBook): boolean {
  if (!s.iqns.includes(iqn)) return false;
  const ips = s.paths.filter((p) => p.iqn === iqn).map((p) => p.address);
  if (!ips.length || ips.some((ip) => book.get(serverId)?.has(ip))) return true;
  const elsewhere = (ip: string) => [...book].some(([id, addrs]) => id !== serverId && addrs.has(ip));
  return !ips.every(elsewhere);
}

export function lunUsersOf(ref: LunRef, confs: HeHostConf[], book: AddressBook): LunUser[] {
  return confs.flatMap((c): LunUser[] => {
    if ('error' in c) {
      return [{
        owner: OWNER,
        description: `could not check ${c.hostName} for a hosted-engine storage domain on this target (${c.error})`,
        fix: `fix ${c.hostName}'s connection or sudo on the Hosts page so Portico can read /etc/ovirt-hosted-engine/hosted-engine.conf, or, if ${c.hostName} is gone, remove its oVirt host role; then plan again`,
      }];
    }
    if (!c.storage || !onServer(c.storage, ref.iqn, ref.serverId, book)) return [];
    return [{
      owner: OWNER,
      description: `${domain(c.storage)} of ${c.hostName} is on this target (hosted-engine.conf); Portico cannot tell which LUN, so every LUN of it is protected`,
      fix: `move the hosted engine to other storage or undeploy it from ${c.hostName} first (hosted-engine.conf must no longer name ${ref.iqn}); deleting it destroys the hosted-engine VM's disk`,
    }];
  });
}

/** Whether the host's own HE agent logs in to this path (on any iface: it follows the bonds). */
export function pathUsersOf(ref: PathRef, c: HeHostConf): PathUser[] {
  if ('error' in c) {
    return [{
      owner: OWNER,
      description: `the hosted engine, if ${c.hostName} runs one (its hosted-engine.conf could not be read: ${c.error})`,
      fix: `fix ${c.hostName}'s connection or sudo on the Hosts page and plan again to log the path out`,
    }];
  }
  const s = c.storage;
  if (!s || !s.paths.some((p) => p.iqn === ref.iqn && p.address === ref.address && p.port === ref.port)) return [];
  return [{
    owner: OWNER,
    description: `${domain(s)} (hosted-engine.conf on ${c.hostName})`,
    fix: `the hosted-engine HA agent on ${c.hostName} connects through it; move the hosted engine off ${ref.iqn} first if the path must go`,
  }];
}
