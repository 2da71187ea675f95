// Allowed networks: IPv4/IPv6 parsing, address ACLs as tgt takes them, and containment of ranges.
import { z } from 'zod';
import { boundedText } from './target-fields';

export function parseIPv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p, i) => p > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith('0')))) return null;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseIPv6(s: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.length > 45) return null;
  const dbl = s.split('::');
  if (dbl.length > 2) return null;
  const groups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (i === items.length - 1 && it.includes('.')) {
        const v4 = parseIPv4(it);
        if (v4 === null) return null;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(it)) out.push(parseInt(it, 16));
      else return null;
    }
    return out;
  };
  const head = groups(dbl[0]);
  const tail = dbl.length === 2 ? groups(dbl[1]) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if (dbl.length === 2 ? fill < 1 : fill !== 0) return null;
  const all = [...head, ...Array(dbl.length === 2 ? fill : 0).fill(0), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

export type AddrProblem = { ok: true; acl: string } | { ok: false; error: string };

/**
 * Turns what the admin typed (10.0.0.5, 10.0.0.0/24, fd00::1, [fd00::]/64) into the exact string tgt
 * binds. tgt's rules: numeric only, IPv6 in brackets, prefix <= 31/127 (a /32 never matches), host bits zero.
 */
export function addressAcl(input: string, field = 'Allowed network'): AddrProblem {
  const s = input.trim();
  if (s === '') return { ok: false, error: `${field}: enter an address such as 192.168.100.5 or a network such as 192.168.100.0/24` };
  if (s.toUpperCase() === 'ALL') return { ok: false, error: `${field}: "ALL" would open the target to every initiator; list networks or addresses instead` };
  const slash = s.lastIndexOf('/');
  let host = slash >= 0 ? s.slice(0, slash) : s;
  const prefixText = slash >= 0 ? s.slice(slash + 1) : null;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (prefixText !== null && !/^\d{1,3}$/.test(prefixText)) return { ok: false, error: `${field}: "${s}" has a malformed prefix length after "/"` };
  const prefix = prefixText === null ? null : Number(prefixText);
  const v4 = parseIPv4(host);
  if (v4 !== null) {
    if (prefix === null || prefix === 32) {
      if (prefix === 32) return { ok: false, error: `${field}: tgt never matches a /32 rule; write the bare address ${host}` };
      return { ok: true, acl: host };
    }
    if (prefix < 1 || prefix > 31) return { ok: false, error: `${field}: prefix /${prefix} is out of range; use /1 to /31 (or a bare address)` };
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const net = (v4 & mask) >>> 0;
    if (net !== v4) return { ok: false, error: `${field}: ${s} has host bits set and tgt would never match it; use the network address ${formatIPv4(net)}/${prefix}` };
    return { ok: true, acl: `${host}/${prefix}` };
  }
  const v6 = parseIPv6(host);
  if (v6 !== null) {
    if (prefix === null || prefix === 128) {
      if (prefix === 128) return { ok: false, error: `${field}: tgt never matches a /128 rule; write the bare address [${host}]` };
      return { ok: true, acl: `[${host}]` };
    }
    if (prefix < 1 || prefix > 127) return { ok: false, error: `${field}: prefix /${prefix} is out of range for IPv6; use /1 to /127` };
    const hostBits = (1n << BigInt(128 - prefix)) - 1n;
    if ((v6 & hostBits) !== 0n) return { ok: false, error: `${field}: ${s} has host bits set and tgt would never match it; use the network address` };
    return { ok: true, acl: `[${host}]/${prefix}` };
  }
  return { ok: false, error: `${field}: "${s}" is not an IPv4/IPv6 address or network (host names are not allowed by tgt)` };
}

/** The addresses an address rule as tgt binds it admits: one family, a first address and a prefix length. */
export interface AclRange {
  family: 4 | 6;
  net: bigint;
  prefix: number;
}

/**
 * Parses a bound address rule (10.0.0.5, 10.0.0.0/24, [fd00::1], [fd00::]/64) into its range;
 * "ALL" is every address of both families; null for anything else (a never-matching placeholder
 * is a plain address and parses as one).
 */
export function aclRanges(acl: string): AclRange[] | null {
  if (acl.toUpperCase() === 'ALL') return [{ family: 4, net: 0n, prefix: 0 }, { family: 6, net: 0n, prefix: 0 }];
  const slash = acl.lastIndexOf('/');
  let host = slash >= 0 ? acl.slice(0, slash) : acl;
  const prefixText = slash >= 0 ? acl.slice(slash + 1) : null;
  if (prefixText !== null && !/^\d{1,3}$/.test(prefixText)) return null;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const v4 = parseIPv4(host);
  const v6 = v4 === null ? parseIPv6(host) : null;
  if (v4 === null && v6 === null) return null;
  const family = v4 !== null ? 4 : 6;
  const bits = family === 4 ? 32 : 128;
  const prefix = prefixText === null ? bits : Number(prefixText);
  if (prefix > bits) return null;
  const addr = v4 !== null ? BigInt(v4) : v6!;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  return [{ family, net: addr & ~hostMask, prefix }];
}

/** Does range `outer` contain every address of `inner`? */
export function rangeContains(outer: AclRange, inner: AclRange): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  const bits = outer.family === 4 ? 32 : 128;
  const shift = BigInt(bits - outer.prefix);
  return inner.net >> shift === outer.net >> shift;
}

/**
 * Does the address rule `wider` admit every address `narrower` admits, and more? (10.0.0.0/16 vs
 * 10.0.0.0/24 or 10.0.3.7: yes; equal rules, disjoint networks, another family: no.)
 */
export function aclStrictlyContains(wider: string, narrower: string): boolean {
  const w = aclRanges(wider);
  const n = aclRanges(narrower);
  if (!w || !n) return false;
  const covers = (a: AclRange[], b: AclRange[]) => b.every((x) => a.some((y) => rangeContains(y, x)));
  return covers(w, n) && !covers(n, w);
}

export const addressAclSchema = boundedText('Allowed network', 64).transform((v, ctx) => {
  const r = addressAcl(v);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.acl;
});
