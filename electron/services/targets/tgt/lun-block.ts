// LUN blocks of `tgtadm --mode target --op show`: the one-match fast path for tgt's own layout
// (LUN_BLOCK) and the line-by-line draft that every other block, and every error, goes through.
import { TgtParseError, type TgtLun, type TgtTarget } from './show-types';
import { digitsEnd, digitsValue, YN_MISSING, YN_NO, YN_YES, ynCode } from './show-scan';

export const WHAT_TARGET = 'tgtadm --mode target --op show';

export interface LunDraft {
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
export const LUN_BLOCK = new RegExp(
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
export const LUN_BLOCK_LINES = 14;
/** Its last line's length without the flags value. */
export const FLAGS_LINE_HEAD = IND12.length + 'Backing store flags: '.length;

export function lunFromBlock(m: RegExpExecArray): TgtLun {
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

export function newLunDraft(lun: number, line: number, start: number, end: number): LunDraft {
  return {
    lun, line, start, end, type: undefined, scsiId: undefined, scsiSn: undefined, size: 0, sizeMb: 0, blockSize: 0,
    online: YN_MISSING, removable: YN_MISSING, preventRemoval: YN_MISSING, readonly: YN_MISSING, swp: YN_MISSING, thin: YN_MISSING,
    bsType: undefined, path: undefined, flags: undefined, extra: null,
  };
}

export function lineError(text: string, i: number, s: number, e: number, reason: string): TgtParseError {
  return new TgtParseError(WHAT_TARGET, i + 1, text.slice(s, e), reason);
}

/**
 * Stores one "key: value" line of a LUN block (key text[b, c), value text[v, e)); returns the
 * repeated key's name if the block already had it, else null.
 */
export function lunField(text: string, d: LunDraft, b: number, c: number, v: number, e: number): string | null {
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
export function finishLun(text: string, d: LunDraft, t: TgtTarget): void {
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
