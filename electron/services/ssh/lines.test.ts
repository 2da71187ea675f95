import { describe, expect, it } from 'vitest';
import { LineSplitter } from './lines';

describe('LineSplitter', () => {
  it('splits across chunks, strips CR, keeps UTF-8 split mid-character and flushes the tail', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    const bytes = Buffer.from('one\r\ntwo ü\nthree', 'utf8');
    let text = '';
    for (let i = 0; i < bytes.length; i += 3) text += s.push(bytes.subarray(i, i + 3));
    text += s.end();
    expect(lines).toEqual(['one', 'two ü', 'three']);
    expect(text).toBe('one\r\ntwo ü\nthree');
  });
});
