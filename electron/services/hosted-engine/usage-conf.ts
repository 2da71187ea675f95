// The part of hosted-engine.conf that says which iSCSI storage the hosted engine lives on, as the
// HA agent reads it (he-ha lib/storage_server.py, see reference/ovirt-vdsm.md §4.4): `storage`
// and `port` are comma lists zipped together; `iqn` and `portal` (the TPGT) are one value for all
// portals or comma lists zipped with them. Only the keys below are ever kept: `password` (clear
// text in that file) is not read into anything.
export const HE_USAGE_KEYS = ['domainType', 'sdUUID', 'storage', 'port', 'iqn', 'portal'] as const;
type Key = (typeof HE_USAGE_KEYS)[number];

export interface HePath {
  iqn: string;
  address: string;
  port: number;
  /** The TPGT (`portal=`), null when the file gives none. */
  tpgt: number | null;
}

export interface HeStorage {
  /** The file's domainType; null when the key is missing. */
  domainType: string | null;
  sdUUID: string | null;
  /** Every target IQN named (also when no portal is). */
  iqns: string[];
  /** One entry per portal the agent connects to (before its per-iface expansion). */
  paths: HePath[];
}

const list = (v: string | undefined) => (v ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');

/**
 * Parses the HE storage keys. Returns null when the file is not about iSCSI storage (another
 * domainType, or no iqn at all). Where the lists are of unequal length the agent's zip would drop
 * the surplus; here a short list repeats its last item (the port defaults to 3260), so every
 * portal named is counted: counting one too many keeps a session or a LUN, missing one loses it.
 */
export function parseHeConf(text: string): HeStorage | null {
  const kv = new Map<Key, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    // The value is everything after the first '=' (values may contain '=' themselves).
    if ((HE_USAGE_KEYS as readonly string[]).includes(key)) kv.set(key as Key, line.slice(eq + 1).trim());
  }
  const domainType = kv.get('domainType') || null;
  if (domainType !== null && domainType.toLowerCase() !== 'iscsi') return null;
  const iqns = list(kv.get('iqn'));
  if (!iqns.length) return null;
  const addresses = list(kv.get('storage'));
  const ports = list(kv.get('port'));
  const tpgts = list(kv.get('portal'));
  const at = <T>(xs: T[], i: number): T | undefined => xs[Math.min(i, xs.length - 1)];
  const n = Math.max(addresses.length, iqns.length > 1 ? iqns.length : 0);
  const paths: HePath[] = [];
  for (let i = 0; i < n; i++) {
    const address = at(addresses, i);
    if (!address) continue;
    const port = Number(at(ports, i) ?? 3260);
    const tpgt = at(tpgts, i);
    paths.push({ iqn: at(iqns, i)!, address, port: Number.isInteger(port) ? port : 3260, tpgt: tpgt !== undefined && /^\d+$/.test(tpgt) ? Number(tpgt) : null });
  }
  return { domainType, sdUUID: kv.get('sdUUID') || null, iqns: [...new Set(iqns)], paths };
}
