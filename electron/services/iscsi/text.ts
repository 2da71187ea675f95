// key=value text codec (RFC 7143 §6.1): UTF-8 pairs each ended by one NUL, order kept, keys may
// repeat (SendTargets). Binary values use 0x (hex) or 0b (base64) prefixes.
import { IscsiError } from './errors';

export type TextPairs = Array<[key: string, value: string]>;

export function encodeText(pairs: TextPairs): Buffer {
  let s = '';
  for (const [k, v] of pairs) {
    if (k.includes('=') || k.includes('\0') || v.includes('\0')) throw new Error(`invalid text key or value for ${JSON.stringify(k)}`);
    s += `${k}=${v}\0`;
  }
  return Buffer.from(s, 'utf8');
}

/** Splits on NUL, drops empty strings (padding NULs), splits each at the first '='. */
export function decodeText(buf: Buffer): TextPairs {
  const out: TextPairs = [];
  for (const item of buf.toString('utf8').split('\0')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new IscsiError('protocol', `malformed key=value text item ${JSON.stringify(item.slice(0, 64))}`);
    out.push([item.slice(0, eq), item.slice(eq + 1)]);
  }
  return out;
}

/** Last value wins; for keys that cannot repeat (login negotiation). */
export function textMap(pairs: TextPairs): Map<string, string> {
  return new Map(pairs);
}

/** Decodes a binary value by its prefix: 0x/0X hex, 0b/0B base64. */
export function decodeBinary(value: string): Buffer {
  const prefix = value.slice(0, 2);
  const body = value.slice(2);
  if (prefix === '0x' || prefix === '0X') {
    if (body.length === 0 || !/^[0-9a-fA-F]+$/.test(body)) throw new IscsiError('protocol', 'malformed hex binary value');
    // An odd digit count means a leading zero nibble was dropped.
    return Buffer.from(body.length % 2 ? `0${body}` : body, 'hex');
  }
  if (prefix === '0b' || prefix === '0B') {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new IscsiError('protocol', 'malformed base64 binary value');
    return Buffer.from(body, 'base64');
  }
  throw new IscsiError('protocol', 'binary value without 0x or 0b prefix');
}

export type BinaryEncoding = 'hex' | 'base64';

export function binaryEncodingOf(value: string): BinaryEncoding {
  return value.startsWith('0b') || value.startsWith('0B') ? 'base64' : 'hex';
}

export function encodeBinary(buf: Buffer, enc: BinaryEncoding = 'hex'): string {
  return enc === 'hex' ? `0x${buf.toString('hex')}` : `0b${buf.toString('base64')}`;
}

/** Numeric values: decimal or 0x hex. */
export function parseNumber(value: string): number | undefined {
  if (/^[0-9]+$/.test(value)) return Number(value);
  if (/^0[xX][0-9a-fA-F]+$/.test(value)) return parseInt(value.slice(2), 16);
  return undefined;
}
