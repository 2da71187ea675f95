// The short show outputs: accounts, portals and the system (line-oriented; no performance concern).
import { TgtParseError, type TgtPortal, type TgtSystem } from './show-types';

/** `tgtadm --mode account --op show`: "Account list:" then one user per line. */
export function parseAccountShow(text: string): string[] {
  const what = 'tgtadm --mode account --op show';
  const lines = text.split('\n').filter((l, i, a) => !(l === '' && i === a.length - 1));
  if (lines.length === 0) return [];
  if (lines[0] !== 'Account list:') throw new TgtParseError(what, 1, lines[0], 'expected "Account list:"');
  const out: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const m = /^ {4}(\S+)$/.exec(lines[i]);
    if (!m) throw new TgtParseError(what, i + 1, lines[i], 'expected an indented user name');
    out.push(m[1]);
  }
  return out;
}

/** `tgtadm --mode portal --op show`: "Portal: 192.0.2.1:3260,1" or "Portal: [::1]:3260,1". */
export function parsePortalShow(text: string): TgtPortal[] {
  const what = 'tgtadm --mode portal --op show';
  const out: TgtPortal[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l === '' && i === lines.length - 1) continue;
    const m = /^Portal: (\[[^\]]+\]|[^:\s]*):(\d+),(\d+)$/.exec(l);
    if (!m) throw new TgtParseError(what, i + 1, l, 'expected "Portal: <address>:<port>,<tpgt>"');
    out.push({ address: m[1], port: Number(m[2]), tpgt: Number(m[3]) });
  }
  return out;
}

/** `tgtadm --mode sys --op show`: only the parts Portico uses are typed. */
export function parseSysShow(text: string): TgtSystem {
  const what = 'tgtadm --mode sys --op show';
  const sys: TgtSystem = { state: '', llds: {}, backingStores: [], deviceTypes: [] };
  let sec = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l === '') continue;
    if (!l.startsWith(' ')) {
      if (!l.endsWith(':')) throw new TgtParseError(what, i + 1, l, 'expected a section header');
      sec = l.slice(0, -1);
      continue;
    }
    const b = l.trim();
    if (sec === 'System' && b.startsWith('State: ')) sys.state = b.slice(7);
    else if (sec === 'LLDs') {
      const m = /^(\S+): (\S+)$/.exec(b);
      if (!m) throw new TgtParseError(what, i + 1, l, 'expected "<lld>: <state>"');
      sys.llds[m[1]] = m[2];
    } else if (sec === 'Backing stores') sys.backingStores.push(b.split(' ')[0]);
    else if (sec === 'Device types') sys.deviceTypes.push(b);
  }
  if (!sys.state) throw new TgtParseError(what, 1, lines[0] ?? '', 'no "State:" line');
  return sys;
}
