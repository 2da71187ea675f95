// Character-level scanning for parseTargetShow: every helper looks at text[s, e) by offsets and
// character codes, never copying a line.

/** JavaScript's \s (what the grammar's \S excludes). */
export function isSpace(c: number): boolean {
  return (
    c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/** text[s, e) is one or more non-space characters (/^\S+$/). */
export function isToken(text: string, s: number, e: number): boolean {
  if (s >= e) return false;
  for (let k = s; k < e; k++) if (isSpace(text.charCodeAt(k))) return false;
  return true;
}

/** The first position at or after s (before e) that is not an ASCII digit. */
export function digitsEnd(text: string, s: number, e: number): number {
  while (s < e) {
    const c = text.charCodeAt(s);
    if (c < 48 || c > 57) break;
    s++;
  }
  return s;
}

/** The value of text[s, e) if it is one or more ASCII digits (/^\d+$/), else -1. */
export function digitsValue(text: string, s: number, e: number): number {
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
export function isWord(text: string, s: number, e: number, word: string): boolean {
  return e - s === word.length && text.startsWith(word, s);
}

/** text[s, e) is `prefix` followed by digits only: their value, else -1. */
export function prefixedNumber(text: string, s: number, e: number, prefix: string): number {
  return text.startsWith(prefix, s) && s + prefix.length <= e ? digitsValue(text, s + prefix.length, e) : -1;
}

export const YN_MISSING = 0;
export const YN_YES = 1;
export const YN_NO = 2;
export const YN_OTHER = 3;

export function ynCode(text: string, s: number, e: number): number {
  if (isWord(text, s, e, 'Yes')) return YN_YES;
  if (isWord(text, s, e, 'No')) return YN_NO;
  return YN_OTHER;
}


/** "." in a regex stops at these: a value taken "to the end of the line" may not contain one. */
export function hasLineBreak(text: string, s: number, e: number): boolean {
  for (let k = s; k < e; k++) {
    const c = text.charCodeAt(k);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}
