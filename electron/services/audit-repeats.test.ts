// AuditRepeats against a recording writer and a hand-moved clock: changes always written, the
// first read-only call written at once, identical repeats counted into one row per window.
import { afterEach, describe, expect, it } from 'vitest';
import { AuditRepeats, callAuditDetail, type Repeats } from './audit-repeats';
import type { CallAudit } from './router';

const opened: AuditRepeats[] = [];
afterEach(() => opened.splice(0).forEach((r) => r.close()));

function setup(windowMs = 60_000) {
  let now = Date.parse('2026-12-01T10:00:00Z');
  const rows: string[] = [];
  const r = new AuditRepeats((e, rep?: Repeats) => rows.push(callAuditDetail(e, rep)), windowMs, () => now);
  opened.push(r);
  return { r, rows, tick: (ms: number) => (now += ms) };
}

const matrix = (o: Partial<CallAudit> = {}): CallAudit => ({ actor: 'admin via ipc', call: 'bonds.matrix', input: '{"bondId":"b1","refresh":true}', outcome: 'ok', repeatable: true, ...o });

describe('AuditRepeats', () => {
  it('writes every change, however often', () => {
    const t = setup();
    for (let i = 0; i < 3; i++) t.r.record({ actor: 'a', call: 'jobs.apply', input: '{"planId":"p"}', outcome: 'ok', repeatable: false });
    expect(t.rows).toHaveLength(3);
  });

  it('writes the first read-only call at once, counts identical ones, and writes the count when the window ends', () => {
    const t = setup();
    t.r.record(matrix());
    expect(t.rows).toEqual(['bonds.matrix {"bondId":"b1","refresh":true} → ok']);
    for (let i = 0; i < 11; i++) {
      t.tick(5_000);
      t.r.record(matrix());
    }
    expect(t.rows).toHaveLength(1);
    t.tick(10_000); // the window (60 s) ends: the next call writes the count, then itself
    t.r.record(matrix());
    expect(t.rows).toEqual([
      'bonds.matrix {"bondId":"b1","refresh":true} → ok',
      'bonds.matrix {"bondId":"b1","refresh":true} → ok; 11 more identical call(s) between 2026-12-01T10:00:00.000Z and 2026-12-01T10:00:55.000Z',
      'bonds.matrix {"bondId":"b1","refresh":true} → ok',
    ]);
  });

  it('another input or outcome is its own row; close writes what is pending', () => {
    const t = setup();
    t.r.record(matrix());
    t.r.record(matrix());
    t.r.record(matrix({ input: '{"bondId":"b2","refresh":true}' }));
    t.r.record(matrix({ outcome: 'failed', error: { code: 'timeout', message: 'hv1 did not answer' } }));
    expect(t.rows).toHaveLength(3);
    expect(t.rows[2]).toBe('bonds.matrix {"bondId":"b1","refresh":true} → failed (timeout): hv1 did not answer');
    t.r.close();
    expect(t.rows).toHaveLength(4);
    expect(t.rows[3]).toMatch(/^bonds\.matrix \{"bondId":"b1","refresh":true\} → ok; 1 more identical call\(s\)/);
  });
});
