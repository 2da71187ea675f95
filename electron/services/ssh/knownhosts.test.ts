import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knownHostsName, loadKnownHosts, lookupKnownHosts, parseKnownHosts, patternsMatch } from './knownhosts';

const K = 'AAAAC3NzaC1lZDI1NTE5AAAAIBbA0mWkd1t3n5t0tNnV1n3I6r0fKk3w6d3N2s8wYk7c';

describe('known_hosts', () => {
  it('names hosts the way OpenSSH does', () => {
    expect(knownHostsName('stor1', 22)).toBe('stor1');
    expect(knownHostsName('192.0.2.1', 2222)).toBe('[192.0.2.1]:2222');
    expect(knownHostsName('2001:db8::1', 2222)).toBe('[2001:db8::1]:2222');
  });

  it('parses patterns, markers, comments and skips junk', () => {
    const e = parseKnownHosts(
      `# comment\n\nstor1,192.0.2.1 ssh-ed25519 ${K} c\n@cert-authority *.lab ssh-ed25519 ${K}\n@weird x ssh-ed25519 ${K}\nbroken line\nh ssh-ed25519 not*base64\n`,
    );
    expect(e.map((x) => [x.marker, x.patterns, x.line])).toEqual([
      [null, ['stor1', '192.0.2.1'], 3],
      ['cert-authority', ['*.lab'], 4],
    ]);
  });

  it('matches wildcards and honours negation', () => {
    expect(patternsMatch(['*.lab', '!bad.lab'], 'stor1.lab')).toBe(true);
    expect(patternsMatch(['*.lab', '!bad.lab'], 'bad.lab')).toBe(false);
    expect(patternsMatch(['192.0.2.?'], '192.0.2.7')).toBe(true);
    expect(patternsMatch(['192.0.2.?'], '192.0.2.17')).toBe(false);
    expect(patternsMatch(['STOR1'], 'stor1')).toBe(true);
  });

  it('finds hashed entries written by ssh-keygen -H', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kh-'));
    try {
      const f = join(dir, 'known_hosts');
      writeFileSync(f, `[192.0.2.9]:2222 ssh-ed25519 ${K}\nstor9 ssh-ed25519 ${K}\n`);
      execFileSync('ssh-keygen', ['-q', '-H', '-f', f], { stdio: 'ignore' });
      expect(readFileSync(f, 'utf8')).toMatch(/^\|1\|/);
      const entries = loadKnownHosts([f, join(dir, 'missing')]);
      expect(entries).toHaveLength(2);
      expect(lookupKnownHosts(entries, '192.0.2.9', 2222)).toHaveLength(1);
      expect(lookupKnownHosts(entries, '192.0.2.9', 22)).toHaveLength(0);
      expect(lookupKnownHosts(entries, 'stor9', 22)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
