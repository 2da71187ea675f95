// Property test: shell metacharacters in every value that reaches a remote command are carried as data,
// never executed (a marker file on the host would show it); values invalid by grammar (user, address,
// NUL) are refused before any SSH traffic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import fc from 'fast-check';
import { labSkipReason, loadLab, type LabInfo } from '../../../e2e/lab/labinfo';
import { hostPath } from '../../../e2e/lab/hosts';
import { labHost, labPool, TableResolver, trustedStore } from '../../test-support/labkit';
import type { SshPool } from './pool';

const skip = labSkipReason();
const HOST = 'stor2';
const MARK = '/tmp/portico-pwned';

/** Strings built to break out of naive quoting; each tries to create the marker file. */
const attack = fc.constantFrom(
  `$(touch ${MARK})`,
  `\`touch ${MARK}\``,
  `; touch ${MARK}`,
  `'; touch ${MARK}; '`,
  `"; touch ${MARK}; "`,
  `'"$(touch ${MARK})"'`,
  `\ntouch ${MARK}\n`,
  `\\'; touch ${MARK} #`,
  `&& touch ${MARK}`,
  `| touch ${MARK}`,
  `> ${MARK}`,
  `$IFS;touch$IFS${MARK}`,
  `\r\ntouch ${MARK}`,
  `-n; touch ${MARK}`,
  `*`,
  `~root`,
  `{a,b}`,
  `!!`,
);
const arg = fc.oneof(
  attack,
  fc.tuple(fc.string({ unit: 'grapheme' }), attack, fc.string({ unit: 'grapheme' })).map(([a, b, c]) => a + b + c),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\0/g, '')),
);

/** What a UTF-8 round trip does to a JS string (lone surrogates become U+FFFD). */
const utf8 = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

describe.skipIf(skip)('shell metacharacters against the real sshd', () => {
  let lab: LabInfo;
  let pool: SshPool;
  let resolver: TableResolver;
  const mark = () => existsSync(hostPath(lab.hosts[HOST], MARK));

  beforeAll(() => {
    lab = loadLab()!;
    resolver = new TableResolver();
    resolver.set('s', labHost(lab, HOST, 'admin'));
    pool = labPool(resolver, { hostKeys: trustedStore(lab, { s: HOST }) });
    rmSync(hostPath(lab.hosts[HOST], MARK), { force: true });
  });
  afterAll(async () => {
    await pool?.close();
    rmSync(hostPath(lab.hosts[HOST], MARK), { force: true });
  });

  it('arguments arrive byte for byte and nothing runs (plain)', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arg, { minLength: 1, maxLength: 4 }), async (args) => {
        const r = await pool.run('s', ['printf', '%s\\0', ...args]);
        expect(r.code).toBe(0);
        expect(r.stdout.split('\0').slice(0, -1)).toEqual(args.map(utf8));
        expect(mark()).toBe(false);
      }),
      { numRuns: 120 },
    );
  });

  it('and through sudo -n', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(arg, async (a) => {
        // test(1) is on the admin's NOPASSWD list; `test -n X` is true for any non-empty X.
        const r = await pool.run('s', ['test', '-n', `x${a}`], { sudo: true });
        expect(r.code).toBe(0);
        expect(mark()).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('and on stdin', async () => {
    const evil = `$(touch ${MARK})\n\`touch ${MARK}\`\n; touch ${MARK}\n`;
    expect((await pool.run('s', ['cat'], { stdin: evil })).stdout).toBe(evil);
    expect(mark()).toBe(false);
  });

  it('very long and non-ASCII arguments', async () => {
    const long = `ä€😀'"$(x)\`;\n`.repeat(6000); // ~90 KB, ~4x that once quoted
    const r = await pool.run('s', ['printf', '%s', long]);
    expect(r.stdout).toBe(long);
    expect(mark()).toBe(false);
  });

  it('NUL is refused before SSH', async () => {
    await expect(pool.run('s', ['printf', '%s', `a\0; touch ${MARK}`])).rejects.toMatchObject({ code: 'invalid-command' });
  });

  it('user and address invalid by grammar are refused before any connection', async () => {
    const bad = fc.tuple(fc.string({ maxLength: 10 }), attack).map(([a, b]) => a + b);
    await fc.assert(
      fc.asyncProperty(bad, fc.constantFrom<'user' | 'address'>('user', 'address'), async (v, field) => {
        const r = new TableResolver();
        r.set('x', { ...labHost(lab, HOST, 'admin'), [field]: v });
        const p = labPool(r, { hostKeys: trustedStore(lab, { x: HOST }) });
        const states: string[] = [];
        p.on('state', (s) => states.push(s.code ?? s.state));
        const e = await p.run('x', ['true']).catch((x) => x);
        const seen = [...states];
        await p.close();
        expect(e.code).toBe('invalid-host');
        expect(e.message).toMatch(new RegExp(`^host x has invalid connection settings:\\n${field}: `));
        expect(seen).toEqual(['connecting', 'invalid-host']);
      }),
      { numRuns: 60 },
    );
    expect(mark()).toBe(false);
  });
});
