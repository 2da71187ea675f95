// Who is connected to tgtd's iSCSI ports, from ss: the local address (portal) each initiator came in on.

/** Established connections on the given local ports: "LOCAL_ADDR LOCAL_PORT PEER_ADDR" lines; exit 9 without ss. */
export const CONNECTIONS_SCRIPT = `command -v ss >/dev/null 2>&1 || exit 9
ss -Htn state established | awk -v ports=" $* " '{ l=$3; p=$4; if ($1 ~ /^[0-9]+$/) { l=$3; p=$4 } else { l=$4; p=$5 }
  i=match(l, /:[0-9]+$/); la=substr(l, 1, i-1); lp=substr(l, i+1); j=match(p, /:[0-9]+$/); pa=substr(p, 1, j-1)
  if (index(ports, " " lp " ")) print la, lp, pa }'`;

/** ss's addresses: IPv6 in brackets, an IPv4-mapped one as IPv4 (tgt shows initiators that way too). */
function normalAddress(a: string): string {
  const x = a.replace(/%[^\]]*/, '');
  const m = /^\[::ffff:(\d+\.\d+\.\d+\.\d+)\]$/.exec(x);
  if (m) return m[1];
  return x.startsWith('[') || !x.includes(':') ? x : `[${x}]`;
}

export function parseConnections(text: string): { local: string; localPort: number; peer: string }[] {
  return text.split('\n').filter(Boolean).map((l) => {
    const [local, port, peer] = l.trim().split(/\s+/);
    return { local: normalAddress(local), localPort: Number(port), peer: normalAddress(peer).replace(/^\[(.*)\]$/, (_, v: string) => (v.includes(':') ? `[${v}]` : v)) };
  });
}
