import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { quoteArg, shellLine } from './quote';

describe('shellLine', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(shellLine(['tgtadm', '--op', 'show'])).toBe('tgtadm --op show');
    expect(quoteArg("it's")).toBe(`'it'\\''s'`);
    expect(quoteArg('')).toBe(`''`);
    expect(quoteArg('$(id)')).toBe(`'$(id)'`);
  });
  it('refuses NUL', () => {
    expect(() => quoteArg('a\0b')).toThrow(/NUL/);
  });
  it('round-trips any argument through a real shell', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')), { maxLength: 4 }), (args) => {
        const line = shellLine(['printf', '%s\\0', ...args]);
        const out = execFileSync('/bin/sh', ['-c', line]);
        const got = args.length ? out.toString('utf8').split('\0').slice(0, -1) : [];
        // printf with no args still prints one empty field
        expect(args.length ? got : []).toEqual(args.map((a) => Buffer.from(a, 'utf8').toString('utf8')));
      }),
      { numRuns: 150 },
    );
  });
});
