import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunner } from '../../test-support/local-runner';
import { fileKinds, filePut, readFileStates } from './files';
import { encodeScriptInput, runScript } from './script';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'portico-files-'));
  dirs.push(d);
  return d;
};
const ctx = { signal: new AbortController().signal, log: () => undefined };

describe('runScript', () => {
  it('passes the script and its arguments on stdin: the argv holds no value', async () => {
    const r = new LocalRunner();
    const res = await runScript(r, 'printf "%s|" "$@"; cat', ['a b', "it's", 'secret-XYZ', ''], { input: 'payload' });
    expect(res.stdout).toBe("a b|it's|secret-XYZ||payload");
    expect(r.argvs[0].join(' ')).not.toContain('secret-XYZ');
    expect(r.argvs[0].slice(0, 2)).toEqual(['bash', '-c']);
  });
  it('refuses NUL in arguments', () => {
    expect(() => encodeScriptInput('true', ['a\0b'])).toThrow(/NUL/);
  });
});

describe('file.put', () => {
  const hostsFor = (r: LocalRunner) => ({ runner: () => r });

  it('writes atomically with the planned mode, verifies, and its inverse restores bytes and mode', async () => {
    const d = tmp();
    const f = join(d, 't.conf');
    writeFileSync(f, 'old\n');
    chmodSync(f, 0o644);
    const r = new LocalRunner();
    const k = fileKinds(hostsFor(r));
    const pre = (await readFileStates(hostsFor(r), 'h', [f])).get(f)!;
    expect(pre).toMatchObject({ content: 'old\n', mode: '644' });
    const op = filePut('h', f, 'incominguser u SECRET\n', pre, { mode: '600' });
    const p = k.put.schema.parse(op.params);
    expect(await k.put.verify(p, 'h', ctx)).toEqual({ applied: false });
    await k.put.apply(p, 'h', ctx);
    expect(readFileSync(f, 'utf8')).toBe('incominguser u SECRET\n');
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(readdirSync(d)).toEqual(['t.conf']); // no temp file left
    expect(await k.put.verify(p, 'h', ctx)).toEqual({ applied: true });
    expect(r.argvs.flat().join(' ')).not.toContain('SECRET');
    const inv = k.put.inverse(p, 'h', undefined)!;
    const ip = k.put.schema.parse(inv[0].params);
    await k.put.apply(ip, 'h', ctx);
    await k.put.apply(ip, 'h', ctx); // idempotent
    expect(readFileSync(f, 'utf8')).toBe('old\n');
    expect(statSync(f).mode & 0o777).toBe(0o644);
  });

  it('removes a file, and the inverse of creating one removes it again', async () => {
    const d = tmp();
    const f = join(d, 'new.conf');
    const r = new LocalRunner();
    const k = fileKinds({ runner: () => r });
    const p = k.put.schema.parse(filePut('h', f, 'x', { content: null, mode: null, owner: null }).params);
    await k.put.apply(p, 'h', ctx);
    expect(statSync(f).mode & 0o777).toBe(0o644);
    await k.put.apply(k.put.schema.parse(k.put.inverse(p, 'h', undefined)![0].params), 'h', ctx);
    expect(existsSync(f)).toBe(false);
  });

  it('a file that cannot be read is an error, never an empty file', async () => {
    const d = tmp();
    const r = new LocalRunner();
    await expect(readFileStates({ runner: () => r }, 'h', [d])).rejects.toThrow(/not a regular file/);
  });
});

describe('dir.create', () => {
  it('creates a folder with its mode; the inverse removes it only while empty', async () => {
    const d = tmp();
    const r = new LocalRunner();
    const k = fileKinds({ runner: () => r });
    const p = { path: join(d, 'storage'), mode: '750', owner: null };
    await k.dirCreate.apply(p, 'h', ctx);
    expect(statSync(p.path).mode & 0o777).toBe(0o750);
    expect(await k.dirCreate.verify(p, 'h', ctx)).toEqual({ applied: true });
    const inv = k.dirRemove.schema.parse(k.dirCreate.inverse(p, 'h', undefined)![0].params);
    writeFileSync(join(p.path, 'keep'), '');
    await expect(k.dirRemove.apply(inv, 'h', ctx)).rejects.toThrow();
    rmSync(join(p.path, 'keep'));
    await k.dirRemove.apply(inv, 'h', ctx);
    await k.dirRemove.apply(inv, 'h', ctx);
    expect(existsSync(p.path)).toBe(false);
  });
});
