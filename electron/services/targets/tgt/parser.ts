// Pure parsers for tgtadm show output (tgt 1.0.8x layout: 4 spaces per level, see usr/target.c).
// Anything that does not fit the grammar raises TgtParseError with the line; we never guess.
import { isAddressAcl, TgtParseError, type TgtConnection, type TgtSession, type TgtTarget } from './show-types';
import { digitsEnd, digitsValue, hasLineBreak, isSpace, isToken, isWord, prefixedNumber } from './show-scan';
import {
  FLAGS_LINE_HEAD, finishLun, lineError, LUN_BLOCK, LUN_BLOCK_LINES, lunField, lunFromBlock, newLunDraft, WHAT_TARGET, type LunDraft,
} from './lun-block';

// The types and the short shows live in their own modules; this stays the entry point.
export * from './show-types';
export { parseAccountShow, parsePortalShow, parseSysShow } from './account-portal-sys-show';

// parseTargetShow reads the text once, front to back, with indexOf and character codes: no split
// into a line array, no regex or Map per line, no copy of a line except the values it keeps. The
// show output of 1,000 targets x 4 LUNs is ~80,000 lines, ~65,000 of them inside LUN blocks: a LUN
// block in tgt's own layout (its 13 lines in tgt's order, nothing else) is read by one sticky regex
// match from its "LUN: n" line (LUN_BLOCK); any other block (a newer tgt's extra keys, another
// order, a malformed line) fails that match within the block and is read line by line, which is
// also where every error is found. Both give the same result for the same block; all work is
// linear in the text (no backtracking: every capture ends at a fixed character).

const S_NONE = 0;
const S_SYSTEM = 1;
const S_NEXUS = 2;
const S_LUN = 3;
const S_ACCOUNT = 4;
const S_ACL = 5;
/** Section headers (4 spaces in), indexed by section code; the order missing ones are reported in. */
const SECTIONS = ['', 'System information', 'I_T nexus information', 'LUN information', 'Account information', 'ACL information'];
const ALL_SECTIONS = (1 << S_SYSTEM) | (1 << S_NEXUS) | (1 << S_LUN) | (1 << S_ACCOUNT) | (1 << S_ACL);

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

/** The error for a target that ended without one of its five sections (the first missing one). */
function missingSection(text: string, t: TgtTarget, seen: number, i: number, s: number, e: number): TgtParseError {
  let k = S_SYSTEM;
  while (seen & (1 << k)) k++;
  return lineError(text, i, s, e, `target ${t.tid} has no "${SECTIONS[k]}:" section`);
}
