import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertPrivateDir, privateBase, privateDir } from './private-dir';

describe('privateDir', () => {
  let root = '';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'portico-private-test-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates base and folder with mode 0700 and returns the folder', () => {
    const base = join(root, 'cache', 'portico');
    const dir = privateDir('netdelay', base);
    expect(dir).toBe(join(base, 'netdelay'));
    expect(statSync(base).mode & 0o777).toBe(0o700);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(privateDir('netdelay', base)).toBe(dir); // idempotent
  });

  it('refuses a folder others can enter', () => {
    const base = join(root, 'base');
    mkdirSync(join(base, 'netdelay'), { recursive: true, mode: 0o700 });
    chmodSync(base, 0o700);
    chmodSync(join(base, 'netdelay'), 0o755);
    expect(() => privateDir('netdelay', base)).toThrow(/mode 755/);
    chmodSync(base, 0o777);
    expect(() => privateDir('other', base)).toThrow(/mode 777/);
  });

  it('refuses a symlink, even to a private folder', () => {
    const real = join(root, 'real');
    mkdirSync(real, { mode: 0o700 });
    const link = join(root, 'link');
    symlinkSync(real, link);
    expect(() => assertPrivateDir(link)).toThrow(/symlink/);
  });

  it('refuses a folder owned by another user', () => {
    if (process.getuid?.() !== 0) return; // only root can hand a folder to someone else
    const dir = join(root, 'theirs');
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, 65534, 65534);
    expect(() => assertPrivateDir(dir)).toThrow(/belongs to uid 65534/);
  });

  it('lives under $XDG_RUNTIME_DIR when set, else ~/.cache, never a fixed /tmp path', () => {
    expect(privateBase({ XDG_RUNTIME_DIR: '/run/user/1000' }, '/home/u')).toBe('/run/user/1000/portico');
    expect(privateBase({}, '/home/u')).toBe('/home/u/.cache/portico');
    expect(privateBase({ XDG_RUNTIME_DIR: 'relative' }, '/home/u')).toBe('/home/u/.cache/portico');
  });
});
