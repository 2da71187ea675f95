import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { processGuardHandlers } from './process-guards';

describe('process guards', () => {
  it('log rejections and exceptions and keep serving; a burst of exceptions exits', () => {
    const lines: string[] = [];
    const exits: number[] = [];
    const h = processGuardHandlers({ log: (l) => lines.push(l), maxExceptions: 2, windowMs: 60_000, exit: (c) => exits.push(c) });
    h.onRejection(new Error('boom'));
    h.onException(new Error('one'));
    h.onException(new Error('two'));
    expect(exits).toEqual([]);
    expect(lines.join('\n')).toMatch(/unhandled promise rejection; the console keeps serving[\s\S]*boom/);
    h.onException(new Error('three'));
    expect(exits).toEqual([70]);
    expect(lines.at(-1)).toContain('stopping');
  });

  it('installed, a stray rejection in a real Node process is logged and the process lives on', () => {
    const code = `
      import { installProcessGuards } from ${JSON.stringify(new URL('./process-guards.ts', import.meta.url).pathname)};
      installProcessGuards();
      Promise.reject(new Error('stray'));
      setTimeout(() => { throw new Error('thrown'); }, 10);
      setTimeout(() => { console.log('still serving'); }, 100);
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 10_000 });
    expect(r.stdout).toContain('still serving');
    expect(r.stderr).toContain('caught an unhandled promise rejection');
    expect(r.stderr).toContain('caught an unexpected error');
    expect(r.status).toBe(0);
  });
});
