// Pure parsers for tgtadm show output (tgt 1.0.8x layout: 4 spaces per level, see usr/target.c).
// Anything that does not fit the grammar raises TgtParseError with the line; we never guess.

export interface TgtLun {
  lun: number;
  type: string;
  scsiId: string;
  scsiSn: string;
  /**
   * The LUN's size as tgt reports it, its "MB" times 10^6. tgt's MB is print_disksize's
   * ((b - (b/625 - 974)) / 1950) with b = bytes/512 (usr/target.c; 32 MiB prints as 34 MB, see
   * tgtShownMB), so this is approximate only; sizing uses stat where it can.
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

// parseTargetShow reads the text once, front to back, with indexOf and character codes: no split
// into a line array, no regex or Map per line, no copy of a line except the values it keeps. The
// show output of 1,000 targets x 4 LUNs is ~80,000 lines, ~65,000 of them inside LUN blocks: a LUN
// block in tgt's own layout (its 13 lines in tgt's order, nothing else) is read by one sticky regex
// match from its "LUN: n" line (LUN_BLOCK); any other block (a newer tgt's extra keys, another
// order, a malformed line) fails that match within the block and is read line by line, which is
// also where every error is found. Both give the same result for the same block; all work is
// linear in the text (no backtracking: every capture ends at a fixed character).

const WHAT_TARGET = 'tgtadm --mode target --op show';

const S_NONE = 0;
const S_SYSTEM = 1;
const S_NEXUS = 2;
const S_LUN = 3;
const S_ACCOUNT = 4;
const S_ACL = 5;
/** Section headers (4 spaces in), indexed by section code; the order missing ones are reported in. */
const SECTIONS = ['', 'System information', 'I_T nexus information', 'LUN information', 'Account information', 'ACL information'];
const ALL_SECTIONS = (1 << S_SYSTEM) | (1 << S_NEXUS) | (1 << S_LUN) | (1 << S_ACCOUNT) | (1 << S_ACL);

/** JavaScript's \s (what the grammar's \S excludes). */
function isSpace(c: number): boolean {
  return (
    c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/** text[s, e) is one or more non-space characters (/^\S+$/). */
function isToken(text: string, s: number, e: number): boolean {
  if (s >= e) return false;
  for (let k = s; k < e; k++) if (isSpace(text.charCodeAt(k))) return false;
  return true;
}

/** The first position at or after s (before e) that is not an ASCII digit. */
function digitsEnd(text: string, s: number, e: number): number {
  while (s < e) {
    const c = text.charCodeAt(s);
    if (c < 48 || c > 57) break;
    s++;
  }
  return s;
}

/** The value of text[s, e) if it is one or more ASCII digits (/^\d+$/), else -1. */
function digitsValue(text: string, s: number, e: number): number {
  if (s >= e) return -1;
  let v = 0;
  for (let k = s; k < e; k++) {
    const c = text.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return e - s > 15 ? Number(text.slice(s, e)) : v; // exact either way
}

/** text[s, e) is exactly `word`. */
function isWord(text: string, s: number, e: number, word: string): boolean {
  return e - s === word.length && text.startsWith(word, s);
}

/** text[s, e) is `prefix` followed by digits only: their value, else -1. */
function prefixedNumber(text: string, s: number, e: number, prefix: string): number {
  return text.startsWith(prefix, s) && s + prefix.length <= e ? digitsValue(text, s + prefix.length, e) : -1;
}

const YN_MISSING = 0;
const YN_YES = 1;
const YN_NO = 2;
const YN_OTHER = 3;

function ynCode(text: string, s: number, e: number): number {
  if (isWord(text, s, e, 'Yes')) return YN_YES;
  if (isWord(text, s, e, 'No')) return YN_NO;
  return YN_OTHER;
}

/** One LUN block while it is read: each known key's value, undefined/0 until its line is seen. */
interface LunDraft {
  lun: number;
  /** The "LUN: n" line (0-based number, start and end offsets), which errors about the block name. */
  line: number;
  start: number;
  end: number;
  type: string | undefined;
  scsiId: string | undefined;
  scsiSn: string | undefined;
  /** 0: no Size line; 1: "N MB, Block size: M"; 2: malformed. */
  size: number;
  sizeMb: number;
  blockSize: number;
  online: number;
  removable: number;
  preventRemoval: number;
  readonly: number;
  swp: number;
  thin: number;
  bsType: string | undefined;
  path: string | undefined;
  flags: string | undefined;
  /** Keys this parser does not model, in order of appearance. */
  extra: Map<string, string> | null;
}

const IND12 = ' '.repeat(12);
/**
 * A LUN block exactly as tgt prints it (usr/target.c, tgt 1.0.8x), from its "LUN: n" line through
 * "Backing store flags", each line ended by "\n", the next line (if any) not indented 12 or more.
 * Groups: lun, type, SCSI ID, SCSI SN, size MB, block size, online, removable, prevent removal,
 * readonly, SWP, thin provisioning (each "Y" for Yes, undefined for No: no string per flag), backing
 * store type, path, flags.
 */
const LUN_BLOCK = new RegExp(
  ' {8}LUN: (\\d+)\\n' +
    [
      'Type: ([^\\n]*)', 'SCSI ID: ([^\\n]*)', 'SCSI SN: ([^\\n]*)', 'Size: (\\d+) MB, Block size: (\\d+)', 'Online: (?:(Y)es|No)',
      'Removable media: (?:(Y)es|No)', 'Prevent removal: (?:(Y)es|No)', 'Readonly: (?:(Y)es|No)', 'SWP: (?:(Y)es|No)', 'Thin-provisioning: (?:(Y)es|No)',
      'Backing store type: ([^\\n]*)', 'Backing store path: ([^\\n]*)', 'Backing store flags: ([^\\n]*)',
    ].map((l) => `${IND12}${l}\\n`).join('') +
    '(?! {12})',
  'y',
);
/** Lines in a LUN_BLOCK match. */
const LUN_BLOCK_LINES = 14;
/** Its last line's length without the flags value. */
const FLAGS_LINE_HEAD = IND12.length + 'Backing store flags: '.length;

function lunFromBlock(m: RegExpExecArray): TgtLun {
  return {
    lun: Number(m[1]),
    type: m[2],
    scsiId: m[3],
    scsiSn: m[4],
    sizeBytes: Number(m[5]) * 1_000_000,
    blockSize: Number(m[6]),
    online: m[7] !== undefined,
    removable: m[8] !== undefined,
    preventRemoval: m[9] !== undefined,
    readonly: m[10] !== undefined,
    swp: m[11] !== undefined,
    thinProvisioning: m[12] !== undefined,
    bsType: m[13],
    path: m[14] === 'None' ? null : m[14],
    bsFlags: m[15].trim(),
  };
}

function newLunDraft(lun: number, line: number, start: number, end: number): LunDraft {
  return {
    lun, line, start, end, type: undefined, scsiId: undefined, scsiSn: undefined, size: 0, sizeMb: 0, blockSize: 0,
    online: YN_MISSING, removable: YN_MISSING, preventRemoval: YN_MISSING, readonly: YN_MISSING, swp: YN_MISSING, thin: YN_MISSING,
    bsType: undefined, path: undefined, flags: undefined, extra: null,
  };
}

function lineError(text: string, i: number, s: number, e: number, reason: string): TgtParseError {
  return new TgtParseError(WHAT_TARGET, i + 1, text.slice(s, e), reason);
}

/**
 * Stores one "key: value" line of a LUN block (key text[b, c), value text[v, e)); returns the
 * repeated key's name if the block already had it, else null.
 */
function lunField(text: string, d: LunDraft, b: number, c: number, v: number, e: number): string | null {
  switch (c - b) {
    case 3:
      if (text.startsWith('SWP', b)) return d.swp !== YN_MISSING ? 'SWP' : ((d.swp = ynCode(text, v, e)), null);
      break;
    case 4:
      if (text.startsWith('Type', b)) return d.type !== undefined ? 'Type' : ((d.type = text.slice(v, e)), null);
      if (text.startsWith('Size', b)) {
        if (d.size !== 0) return 'Size';
        // "N MB, Block size: M"
        const q = digitsEnd(text, v, e);
        const bs = digitsValue(text, q + 17, e);
        if (q > v && bs >= 0 && text.startsWith(' MB, Block size: ', q)) {
          d.size = 1;
          d.sizeMb = digitsValue(text, v, q);
          d.blockSize = bs;
        } else d.size = 2;
        return null;
      }
      break;
    case 6:
      if (text.startsWith('Online', b)) return d.online !== YN_MISSING ? 'Online' : ((d.online = ynCode(text, v, e)), null);
      break;
    case 7:
      if (text.startsWith('SCSI ID', b)) return d.scsiId !== undefined ? 'SCSI ID' : ((d.scsiId = text.slice(v, e)), null);
      if (text.startsWith('SCSI SN', b)) return d.scsiSn !== undefined ? 'SCSI SN' : ((d.scsiSn = text.slice(v, e)), null);
      break;
    case 8:
      if (text.startsWith('Readonly', b)) return d.readonly !== YN_MISSING ? 'Readonly' : ((d.readonly = ynCode(text, v, e)), null);
      break;
    case 15:
      if (text.startsWith('Removable media', b)) return d.removable !== YN_MISSING ? 'Removable media' : ((d.removable = ynCode(text, v, e)), null);
      if (text.startsWith('Prevent removal', b)) return d.preventRemoval !== YN_MISSING ? 'Prevent removal' : ((d.preventRemoval = ynCode(text, v, e)), null);
      break;
    case 17:
      if (text.startsWith('Thin-provisioning', b)) return d.thin !== YN_MISSING ? 'Thin-provisioning' : ((d.thin = ynCode(text, v, e)), null);
      break;
    case 18:
      if (text.startsWith('Backing store type', b)) return d.bsType !== undefined ? 'Backing store type' : ((d.bsType = text.slice(v, e)), null);
      if (text.startsWith('Backing store path', b)) return d.path !== undefined ? 'Backing store path' : ((d.path = text.slice(v, e)), null);
      break;
    case 19:
      if (text.startsWith('Backing store flags', b)) return d.flags !== undefined ? 'Backing store flags' : ((d.flags = text.slice(v, e)), null);
      break;
  }
  const k = text.slice(b, c);
  if (d.extra === null) d.extra = new Map();
  else if (d.extra.has(k)) return k;
  d.extra.set(k, text.slice(v, e));
  return null;
}

/** Checks a finished LUN block (in the order the grammar names its lines) and adds it to the target. */
function finishLun(text: string, d: LunDraft, t: TgtTarget): void {
  const fail = (reason: string): never => {
    throw lineError(text, d.line, d.start, d.end, reason);
  };
  const missing = (k: string): never => fail(`LUN ${d.lun} has no "${k}" line`);
  const yn = (code: number, key: string, dflt: boolean | null): boolean => {
    if (code === YN_MISSING) return dflt === null ? missing(key) : dflt;
    if (code === YN_YES) return true;
    if (code === YN_NO) return false;
    return fail(`${key} must be Yes or No`);
  };
  if (d.size === 0) missing('Size');
  if (d.size === 2) fail(`LUN ${d.lun} has a malformed Size line`);
  const p = d.path ?? missing('Backing store path');
  const l: TgtLun = {
    lun: d.lun,
    type: d.type ?? missing('Type'),
    scsiId: d.scsiId ?? missing('SCSI ID'),
    scsiSn: d.scsiSn ?? missing('SCSI SN'),
    sizeBytes: d.sizeMb * 1_000_000,
    blockSize: d.blockSize,
    online: yn(d.online, 'Online', null),
    removable: yn(d.removable, 'Removable media', null),
    preventRemoval: yn(d.preventRemoval, 'Prevent removal', null),
    readonly: yn(d.readonly, 'Readonly', null),
    swp: yn(d.swp, 'SWP', false),
    thinProvisioning: yn(d.thin, 'Thin-provisioning', false),
    bsType: d.bsType ?? missing('Backing store type'),
    path: p === 'None' ? null : p,
    bsFlags: d.flags === undefined ? '' : d.flags.trim(),
  };
  if (d.extra !== null) {
    const extra: Record<string, string> = {};
    for (const [k, v] of d.extra) extra[k] = v;
    l.extra = extra;
  }
  t.luns.push(l);
}

export function parseTargetShow(text: string): TgtTarget[] {
  const targets: TgtTarget[] = [];
  const n = text.length;
  let t: TgtTarget | null = null;
  let section = S_NONE;
  let seen = 0; // bit per section code
  let session: TgtSession | null = null;
  let conn: TgtConnection | null = null;
  let lun: LunDraft | null = null;
  // The current line: number i (0-based), text[s, e); b is where its text starts after the indent.
  let i = -1;
  let s = 0;
  let e = 0;
  for (let pos = 0; pos < n; pos = e + 1) {
    i++;
    s = pos;
    e = text.indexOf('\n', pos);
    if (e < 0) e = n;
    let b = s;
    while (b < e && text.charCodeAt(b) === 32) b++;
    const ind = b - s;

    if (ind === 0) {
      // "Target <tid>: <iqn>"
      const d = s + 7;
      const q = text.startsWith('Target ', s) ? digitsEnd(text, d, e) : d;
      if (q === d || !text.startsWith(': ', q) || !isToken(text, q + 2, e)) throw lineError(text, i, s, e, 'expected "Target <tid>: <iqn>"');
      if (t !== null) {
        if (lun !== null) finishLun(text, lun, t);
        lun = null;
        if (seen !== ALL_SECTIONS) throw missingSection(text, t, seen, i, s, e);
        targets.push(t);
      }
      t = { tid: digitsValue(text, d, q), iqn: text.slice(q + 2, e), driver: '', state: '', sessions: [], luns: [], accounts: [], aclAddresses: [], aclNames: [] };
      seen = 0;
      section = S_NONE;
      session = null;
      conn = null;
      continue;
    }
    if (t === null) throw lineError(text, i, s, e, 'line before the first "Target" line');

    if (ind === 4) {
      if (lun !== null) finishLun(text, lun, t);
      lun = null;
      session = null;
      conn = null;
      // "<Section name>:"
      let code = S_NONE;
      if (text.charCodeAt(e - 1) === 58) {
        for (let k = S_SYSTEM; k <= S_ACL; k++) {
          if (isWord(text, b, e - 1, SECTIONS[k])) {
            code = k;
            break;
          }
        }
      }
      if (code === S_NONE) throw lineError(text, i, s, e, 'unknown section');
      if (seen & (1 << code)) throw lineError(text, i, s, e, 'section repeated');
      seen |= 1 << code;
      section = code;
      continue;
    }

    if (ind === 8) {
      switch (section) {
        case S_LUN: {
          if (lun !== null) finishLun(text, lun, t);
          lun = null;
          LUN_BLOCK.lastIndex = s;
          const m = LUN_BLOCK.exec(text);
          if (m !== null) {
            // The whole block, complete and valid: the current line becomes its last one.
            t.luns.push(lunFromBlock(m));
            i += LUN_BLOCK_LINES - 1;
            e = LUN_BLOCK.lastIndex - 1;
            s = e - FLAGS_LINE_HEAD - m[15].length;
            break;
          }
          const no = prefixedNumber(text, b, e, 'LUN: ');
          if (no < 0) throw lineError(text, i, s, e, 'expected "LUN: <n>"');
          lun = newLunDraft(no, i, s, e);
          break;
        }
        case S_SYSTEM: {
          const c0 = text.indexOf(': ', b);
          const c = c0 >= 0 && c0 < e ? c0 : -1;
          const ke = c < 0 ? e : c;
          const v = c < 0 ? e : c + 2;
          if (isWord(text, b, ke, 'Driver')) t.driver = text.slice(v, e);
          else if (isWord(text, b, ke, 'State')) t.state = text.slice(v, e);
          else if (isWord(text, b, ke, 'Nop interval') || isWord(text, b, ke, 'Nop count')) {
            const key = text.slice(b, ke);
            const x = digitsValue(text, v, e);
            if (x < 0) throw lineError(text, i, s, e, `${key} is not a number`);
            if (key === 'Nop interval') t.nopInterval = x;
            else t.nopCount = x;
          } else throw lineError(text, i, s, e, 'unknown system information line');
          break;
        }
        case S_NEXUS: {
          const nexus = prefixedNumber(text, b, e, 'I_T nexus: ');
          if (nexus < 0) throw lineError(text, i, s, e, 'expected "I_T nexus: <id>"');
          session = { nexus, initiator: '', alias: null, connections: [] };
          conn = null;
          t.sessions.push(session);
          break;
        }
        case S_ACCOUNT: {
          const body = text.slice(b, e);
          if (body.endsWith(' (outgoing)')) t.accounts.push({ user: body.slice(0, -11), outgoing: true });
          else if (isToken(text, b, e)) t.accounts.push({ user: body, outgoing: false });
          else throw lineError(text, i, s, e, 'malformed account line');
          break;
        }
        case S_ACL: {
          if (!isToken(text, b, e)) throw lineError(text, i, s, e, 'malformed ACL line');
          const body = text.slice(b, e);
          if (isAddressAcl(body)) t.aclAddresses.push(body);
          else t.aclNames.push(body);
          break;
        }
        default:
          throw lineError(text, i, s, e, 'entry outside a section');
      }
      continue;
    }

    if (ind === 12) {
      if (section === S_LUN && lun !== null) {
        // "<key>: <value>": the key ends at the first colon ("Size: 1 MB, Block size: 512" keeps its
        // inner one); one space after it is dropped (flags may be empty with a trailing space).
        const c = text.indexOf(':', b);
        if (c < 0 || c >= e) throw lineError(text, i, s, e, 'expected "<key>: <value>" in a LUN block');
        const v = c + 1 < e && text.charCodeAt(c + 1) === 32 ? c + 2 : c + 1;
        const repeated = lunField(text, lun, b, c, v, e);
        if (repeated !== null) throw lineError(text, i, s, e, `"${repeated}" repeated in LUN ${lun.lun}`);
        continue;
      }
      if (section === S_NEXUS && session !== null) {
        if (text.startsWith('Initiator: ', b)) {
          // "Initiator: <name> alias: <rest of the line>"
          const p = b + 11;
          let q = p;
          while (q < e && !isSpace(text.charCodeAt(q))) q++;
          if (q > p && text.startsWith(' alias: ', q) && q + 8 <= e && !hasLineBreak(text, q + 8, e)) {
            session.initiator = text.slice(p, q);
            session.alias = q + 8 === e || isWord(text, q + 8, e, 'none') ? null : text.slice(q + 8, e);
            continue;
          }
        }
        const cid = prefixedNumber(text, b, e, 'Connection: ');
        if (cid >= 0) {
          conn = { cid, address: '' };
          session.connections.push(conn);
          continue;
        }
        throw lineError(text, i, s, e, 'unknown I_T nexus line');
      }
      throw lineError(text, i, s, e, 'unexpected indented line');
    }

    if (ind === 16 && section === S_NEXUS && conn !== null) {
      if (!text.startsWith('IP Address: ', b) || !isToken(text, b + 12, e)) throw lineError(text, i, s, e, 'expected "IP Address: <addr>"');
      conn.address = text.slice(b + 12, e);
      continue;
    }
    if (b === e) throw lineError(text, i, s, e, 'unexpected blank line');
    throw lineError(text, i, s, e, `unexpected indentation (${ind} spaces)`);
  }
  if (t !== null) {
    if (lun !== null) finishLun(text, lun, t);
    if (seen !== ALL_SECTIONS) throw missingSection(text, t, seen, i, s, e);
    targets.push(t);
  }
  for (const tg of targets) {
    for (const ss of tg.sessions) {
      if (!ss.initiator) throw new TgtParseError(WHAT_TARGET, 0, '', `target ${tg.tid} session ${ss.nexus} has no Initiator line`);
    }
  }
  return targets;
}

/** "." in a regex stops at these: a value taken "to the end of the line" may not contain one. */
function hasLineBreak(text: string, s: number, e: number): boolean {
  for (let k = s; k < e; k++) {
    const c = text.charCodeAt(k);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/** The error for a target that ended without one of its five sections (the first missing one). */
function missingSection(text: string, t: TgtTarget, seen: number, i: number, s: number, e: number): TgtParseError {
  let k = S_SYSTEM;
  while (seen & (1 << k)) k++;
  return lineError(text, i, s, e, `target ${t.tid} has no "${SECTIONS[k]}:" section`);
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
