// Pure parsers for tgtadm show output (tgt 1.0.8x layout: 4 spaces per level, see usr/target.c).
// Anything that does not fit the grammar raises TgtParseError with the line; we never guess.

export interface TgtLun {
  lun: number;
  type: string;
  scsiId: string;
  scsiSn: string;
  /**
   * The LUN's size in bytes as tgt reports it: tgt prints decimal megabytes (bytes / 10^6, rounded
   * down), so this is exact to 1 MB only; converted here, once. Sizing uses stat where it can.
   */
  sizeBytes: number;
  blockSize: number;
  online: boolean;
  removable: boolean;
  preventRemoval: boolean;
  readonly: boolean;
  swp: boolean;
  thinProvisioning: boolean;
  bsType: string;
  /** null for "None" (the controller LUN 0). */
  path: string | null;
  bsFlags: string;
  /** Keys a newer tgt prints that this parser does not model, kept verbatim. */
  extra?: Record<string, string>;
}

export interface TgtConnection {
  cid: number;
  address: string;
}

export interface TgtSession {
  /** I_T nexus id (tgt's session id). */
  nexus: number;
  initiator: string;
  alias: string | null;
  connections: TgtConnection[];
}

export interface TgtAccountRef {
  user: string;
  outgoing: boolean;
}

export interface TgtTarget {
  tid: number;
  iqn: string;
  driver: string;
  state: string;
  nopInterval?: number;
  nopCount?: number;
  sessions: TgtSession[];
  /** All LUNs including LUN 0 (controller). */
  luns: TgtLun[];
  accounts: TgtAccountRef[];
  /** Address rules (ALL, IPv4[/n], [IPv6][/n]) in tgt's order. */
  aclAddresses: string[];
  /** Initiator-name rules in tgt's order. */
  aclNames: string[];
}

export interface TgtPortal {
  address: string;
  port: number;
  tpgt: number;
}

export interface TgtSystem {
  state: string;
  llds: Record<string, string>;
  backingStores: string[];
  deviceTypes: string[];
}

export class TgtParseError extends Error {
  constructor(
    readonly what: string,
    readonly lineNo: number,
    readonly lineText: string,
    reason: string,
  ) {
    super(`cannot parse ${what} output at line ${lineNo} (${JSON.stringify(lineText.slice(0, 120))}): ${reason}`);
    this.name = 'TgtParseError';
  }
}

const ADDR_ACL = /^(?:ALL|\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?|\[[0-9A-Fa-f:.]+\](?:\/\d{1,3})?)$/;

/** tgt's ACL section mixes address and name rules; tell them apart by form. */
export function isAddressAcl(entry: string): boolean {
  return ADDR_ACL.test(entry);
}

type Section = 'none' | 'system' | 'nexus' | 'lun' | 'account' | 'acl';

const LUN_KEYS = new Set([
  'Type', 'SCSI ID', 'SCSI SN', 'Size', 'Online', 'Removable media', 'Prevent removal', 'Readonly', 'SWP',
  'Thin-provisioning', 'Backing store type', 'Backing store path', 'Backing store flags',
]);

function indentOf(line: string): number {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 32) i++;
  return i;
}

interface LunDraft {
  lun: number;
  f: Map<string, string>;
  line: number;
}

export function parseTargetShow(text: string): TgtTarget[] {
  const what = 'tgtadm --mode target --op show';
  const targets: TgtTarget[] = [];
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  let t: TgtTarget | null = null;
  let section: Section = 'none';
  let session: TgtSession | null = null;
  let conn: TgtConnection | null = null;
  let lun: LunDraft | null = null;
  const seenSections = new Set<string>();
  const fail = (i: number, reason: string): never => {
    throw new TgtParseError(what, i + 1, lines[i], reason);
  };
  const yn = (v: string, key: string, ln: number): boolean => {
    if (v === 'Yes') return true;
    if (v === 'No') return false;
    return fail(ln, `${key} must be Yes or No`);
  };
  const int = (v: string, ln: number, what2: string): number => {
    if (!/^\d+$/.test(v)) fail(ln, `${what2} is not a number`);
    return Number(v);
  };
  const finishLun = () => {
    if (!lun || !t) return;
    const f = lun.f;
    const need = (k: string): string => {
      const v = f.get(k);
      if (v === undefined) throw new TgtParseError(what, lun!.line + 1, lines[lun!.line], `LUN ${lun!.lun} has no "${k}" line`);
      return v;
    };
    const sizeM = /^(\d+) MB, Block size: (\d+)$/.exec(need('Size'));
    if (!sizeM) throw new TgtParseError(what, lun.line + 1, lines[lun.line], `LUN ${lun.lun} has a malformed Size line`);
    const p = need('Backing store path');
    const l: TgtLun = {
      lun: lun.lun,
      type: need('Type'),
      scsiId: need('SCSI ID'),
      scsiSn: need('SCSI SN'),
      sizeBytes: Number(sizeM[1]) * 1_000_000,
      blockSize: Number(sizeM[2]),
      online: yn(need('Online'), 'Online', lun.line),
      removable: yn(need('Removable media'), 'Removable media', lun.line),
      preventRemoval: yn(need('Prevent removal'), 'Prevent removal', lun.line),
      readonly: yn(need('Readonly'), 'Readonly', lun.line),
      swp: yn(f.get('SWP') ?? 'No', 'SWP', lun.line),
      thinProvisioning: yn(f.get('Thin-provisioning') ?? 'No', 'Thin-provisioning', lun.line),
      bsType: need('Backing store type'),
      path: p === 'None' ? null : p,
      bsFlags: (f.get('Backing store flags') ?? '').trim(),
    };
    const extra: Record<string, string> = {};
    let hasExtra = false;
    for (const [k, v] of f) if (!LUN_KEYS.has(k)) { extra[k] = v; hasExtra = true; }
    if (hasExtra) l.extra = extra;
    t.luns.push(l);
    lun = null;
  };
  const finishTarget = (i: number) => {
    if (!t) return;
    finishLun();
    for (const s of ['System information', 'I_T nexus information', 'LUN information', 'Account information', 'ACL information']) {
      if (!seenSections.has(s)) fail(i, `target ${t.tid} has no "${s}:" section`);
    }
    targets.push(t);
    t = null;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const ind = indentOf(line);
    const body = line.slice(ind);
    if (ind === 0) {
      const m = /^Target (\d+): (\S+)$/.exec(line);
      if (!m) fail(i, 'expected "Target <tid>: <iqn>"');
      finishTarget(i);
      t = { tid: Number(m![1]), iqn: m![2], driver: '', state: '', sessions: [], luns: [], accounts: [], aclAddresses: [], aclNames: [] };
      seenSections.clear();
      section = 'none';
      session = null;
      conn = null;
      continue;
    }
    if (!t) fail(i, 'line before the first "Target" line');
    const tg = t!;
    if (ind === 4) {
      finishLun();
      session = null;
      conn = null;
      switch (body) {
        case 'System information:': section = 'system'; break;
        case 'I_T nexus information:': section = 'nexus'; break;
        case 'LUN information:': section = 'lun'; break;
        case 'Account information:': section = 'account'; break;
        case 'ACL information:': section = 'acl'; break;
        default: fail(i, 'unknown section');
      }
      if (seenSections.has(body.slice(0, -1))) fail(i, 'section repeated');
      seenSections.add(body.slice(0, -1));
      continue;
    }
    if (ind === 8) {
      switch (section) {
        case 'system': {
          const c = body.indexOf(': ');
          const k = c < 0 ? body : body.slice(0, c);
          const v = c < 0 ? '' : body.slice(c + 2);
          if (k === 'Driver') tg.driver = v;
          else if (k === 'State') tg.state = v;
          else if (k === 'Nop interval') tg.nopInterval = int(v, i, 'Nop interval');
          else if (k === 'Nop count') tg.nopCount = int(v, i, 'Nop count');
          else fail(i, 'unknown system information line');
          break;
        }
        case 'nexus': {
          const m = /^I_T nexus: (\d+)$/.exec(body);
          if (!m) fail(i, 'expected "I_T nexus: <id>"');
          session = { nexus: Number(m![1]), initiator: '', alias: null, connections: [] };
          conn = null;
          tg.sessions.push(session);
          break;
        }
        case 'lun': {
          finishLun();
          const m = /^LUN: (\d+)$/.exec(body);
          if (!m) fail(i, 'expected "LUN: <n>"');
          lun = { lun: Number(m![1]), f: new Map(), line: i };
          break;
        }
        case 'account': {
          if (body.endsWith(' (outgoing)')) tg.accounts.push({ user: body.slice(0, -11), outgoing: true });
          else if (/^\S+$/.test(body)) tg.accounts.push({ user: body, outgoing: false });
          else fail(i, 'malformed account line');
          break;
        }
        case 'acl': {
          if (!/^\S+$/.test(body)) fail(i, 'malformed ACL line');
          if (isAddressAcl(body)) tg.aclAddresses.push(body);
          else tg.aclNames.push(body);
          break;
        }
        default:
          fail(i, 'entry outside a section');
      }
      continue;
    }
    if (ind === 12) {
      if (section === 'lun' && lun) {
        const c = body.indexOf(':');
        if (c < 0) fail(i, 'expected "<key>: <value>" in a LUN block');
        const k = body.slice(0, c);
        // "Size: 1 MB, Block size: 512" keeps its inner colon; flags may be empty with a trailing space.
        const v = body.slice(c + 1).replace(/^ /, '');
        if (lun.f.has(k)) fail(i, `"${k}" repeated in LUN ${lun.lun}`);
        lun.f.set(k, v);
        continue;
      }
      if (section === 'nexus' && session) {
        const im = /^Initiator: (\S+) alias: (.*)$/.exec(body);
        if (im) {
          session.initiator = im[1];
          session.alias = im[2] === 'none' || im[2] === '' ? null : im[2];
          continue;
        }
        const cm = /^Connection: (\d+)$/.exec(body);
        if (cm) {
          conn = { cid: Number(cm[1]), address: '' };
          session.connections.push(conn);
          continue;
        }
        fail(i, 'unknown I_T nexus line');
      }
      fail(i, 'unexpected indented line');
    }
    if (ind === 16 && section === 'nexus' && conn) {
      const am = /^IP Address: (\S+)$/.exec(body);
      if (!am) fail(i, 'expected "IP Address: <addr>"');
      conn.address = am![1];
      continue;
    }
    if (body === '') fail(i, 'unexpected blank line');
    fail(i, `unexpected indentation (${ind} spaces)`);
  }
  finishTarget(lines.length - 1);
  for (const tg of targets) {
    for (const s of tg.sessions) {
      if (!s.initiator) throw new TgtParseError(what, 0, '', `target ${tg.tid} session ${s.nexus} has no Initiator line`);
    }
  }
  return targets;
}

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
