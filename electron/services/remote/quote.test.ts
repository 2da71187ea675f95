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

describe('sudoLine, pidReportingLine, killGroupLine', () => {
  it('builds sudo -n lines through shellLine', async () => {
    const { sudoLine, pidReportingLine, killGroupLine } = await import('./quote');
    expect(sudoLine(['tgtadm', '--op', 'show'])).toBe('sudo -n -- tgtadm --op show');
    expect(sudoLine(['echo', '$(id)'])).toBe(`sudo -n -- echo '$(id)'`);
    expect(pidReportingLine(['echo', 'a b'])).toBe(`echo $$; exec echo 'a b'`);
    expect(pidReportingLine(['id'], { sudo: true })).toBe('echo $$; exec sudo -n -- id');
    expect(killGroupLine(1234, 'TERM')).toBe('kill -TERM -- -1234 2>/dev/null');
    expect(killGroupLine(1234, 'KILL', { sudo: true })).toBe('kill -KILL -- -1234 2>/dev/null || sudo -n -- kill -KILL -- -1234');
    expect(() => killGroupLine(1, 'TERM')).toThrow();
    expect(() => sudoLine([])).toThrow();
  });
  it('pidReportingLine prints the PID first, then the untouched output', () => {
    const out = execFileSync('/bin/sh', ['-c', shellLine(['sh', '-c', `${'echo $$; exec printf %s "$1"'}`, 'x', "a'b"])]).toString();
    expect(out.split('\n')[1]).toBe("a'b");
  });
});
