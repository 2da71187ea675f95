// Error messages built from untrusted input quote at most a short prefix of it.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { QUOTE_MAX, Router, clipMessage, describeZodError, quoteValue, toContractError } from './router';

const MIB = 'x'.repeat(1024 * 1024);
const longestRun = (s: string) => {
  let best = 0;
  for (const r of s.match(/x+/g) ?? []) best = Math.max(best, r.length);
  return best;
};

describe('router error quoting', () => {
  it('quoteValue keeps at most QUOTE_MAX characters and says how long the value was', () => {
    expect(quoteValue('abc')).toBe('"abc"');
    const q = quoteValue(MIB);
    expect(longestRun(q)).toBe(QUOTE_MAX);
    expect(q).toContain('(1048576 characters)');
  });

  it('an unknown call named with 1 MiB is refused with a short message', async () => {
    const r = await new Router().handle(MIB, {}, { transport: 'test' });
    expect(r.ok).toBe(false);
    const err = (r as { error: { code: string; message: string } }).error;
    expect(err.code).toBe('unknown-call');
    expect(longestRun(err.message)).toBeLessThanOrEqual(QUOTE_MAX);
    expect(err.message.length).toBeLessThan(300);
    const r2 = await new Router().handle(null, {}, { transport: 'test' });
    expect((r2 as { error: { message: string } }).error.message).toContain('(a null, not a name)');
  });

  it('zod messages that quote the value, unknown keys and field paths are clipped', () => {
    const echo = z.object({ name: z.string().refine(() => false, { error: (i) => `name: "${String(i.input)}" is not allowed` }) }).strict();
    const e1 = describeZodError(echo.safeParse({ name: MIB }).error!);
    expect(e1.field).toBe('name');
    expect(longestRun(e1.message)).toBeLessThanOrEqual(QUOTE_MAX);
    expect(e1.message.length).toBeLessThan(300);
    const e2 = describeZodError(echo.safeParse({ name: 'a', [MIB]: 1 }).error!);
    expect(e2.message.length).toBeLessThan(300);
    expect(longestRun(e2.message)).toBeLessThanOrEqual(QUOTE_MAX);
    expect(e2.field!.length).toBeLessThanOrEqual(QUOTE_MAX + 30);
    const many = z.object({ list: z.array(z.number()) });
    // 5000 bad elements: at most 20 details come back.
    const e3 = describeZodError(many.safeParse({ list: Array(5000).fill('a') }).error!);
    expect((e3.details as unknown[]).length).toBeLessThanOrEqual(20);
    const rec = z.record(z.string().max(10), z.number());
    const e4 = describeZodError(rec.safeParse({ [MIB]: 1 }).error!);
    expect(longestRun(e4.message)).toBeLessThanOrEqual(QUOTE_MAX);
    expect(longestRun(e4.field ?? '')).toBeLessThanOrEqual(QUOTE_MAX);
  });

  it('plain errors are clipped too; short messages stay as they are', () => {
    const e = toContractError(new Error(`no such host ${MIB}`));
    expect(longestRun(e.message)).toBeLessThanOrEqual(QUOTE_MAX);
    expect(clipMessage('address: not valid (e.g. 192.0.2.10)')).toBe('address: not valid (e.g. 192.0.2.10)');
  });
});
