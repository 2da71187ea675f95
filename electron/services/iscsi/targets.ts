// SendTargets result parsing and TargetAddress values (RFC 7143 §13.8, Appendix C).
import type { TextPairs } from './text';
import type { IscsiDiscoveredTarget, IscsiPortalAddress } from '../../../shared/domain/iscsi';

/** Host without brackets; tpgt 1 when the target omits it. */
export type PortalAddress = IscsiPortalAddress;
/** Empty portals means "the portal you asked" (a TargetName with no TargetAddress). */
export type DiscoveredTarget = IscsiDiscoveredTarget;

/** `host:port,tpgt` with `[v6]:port,tpgt`; missing port 3260, missing tpgt 1. */
export function parseTargetAddress(value: string): PortalAddress | undefined {
  let rest = value.trim();
  let tpgt = 1;
  const comma = rest.lastIndexOf(',');
  // A comma after a closing bracket (or with no bracket) separates the TPGT.
  if (comma >= 0 && comma > rest.lastIndexOf(']')) {
    const t = rest.slice(comma + 1);
    if (!/^[0-9]+$/.test(t)) return undefined;
    tpgt = Number(t);
    rest = rest.slice(0, comma);
  }
  let address: string;
  let port = 3260;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return undefined;
    address = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':') || !/^[0-9]+$/.test(after.slice(1))) return undefined;
      port = Number(after.slice(1));
    }
  } else {
    const colon = rest.lastIndexOf(':');
    // More than one colon without brackets: a bare IPv6 literal, no port.
    if (colon >= 0 && rest.indexOf(':') === colon) {
      const p = rest.slice(colon + 1);
      if (!/^[0-9]+$/.test(p)) return undefined;
      port = Number(p);
      address = rest.slice(0, colon);
    } else {
      address = rest;
    }
  }
  if (address === '' || port < 1 || port > 65535 || tpgt > 65535) return undefined;
  // Zone ids are meaningless to anyone but the sender.
  const pct = address.indexOf('%');
  if (pct >= 0 && address.includes(':')) address = address.slice(0, pct);
  return { address, port, tpgt };
}

/** host:port with brackets around IPv6 literals. */
export { formatPortal } from '../../../shared/domain/iscsi';

/** Groups TargetName / TargetAddress / TargetAlias pairs in the order the target sent them. */
export function parseSendTargets(pairs: TextPairs): DiscoveredTarget[] {
  const out: DiscoveredTarget[] = [];
  let cur: DiscoveredTarget | undefined;
  for (const [k, v] of pairs) {
    if (k === 'TargetName') {
      cur = { targetName: v, portals: [] };
      out.push(cur);
    } else if (k === 'TargetAddress' && cur) {
      const a = parseTargetAddress(v);
      if (a && !cur.portals.some((p) => p.address === a.address && p.port === a.port && p.tpgt === a.tpgt)) cur.portals.push(a);
    } else if (k === 'TargetAlias' && cur) {
      cur.targetAlias = v;
    }
  }
  return out;
}
