import { describe, expect, it } from 'vitest';
import { openDb } from './db';
import { PathHealthStore } from './path-health';

describe('PathHealthStore', () => {
  it('keeps the latest result per source and survives a reopen of the tables', () => {
    const db = openDb(':memory:');
    const s = new PathHealthStore(db);
    const cell = { fromHostId: 'h1', portal: '203.0.113.11:3260', iqn: null, network: 'a', state: 'ok' as const, message: 'answered' };
    s.record('portal-check', [cell], '2026-12-01T10:00:00Z');
    s.record('portal-check', [{ ...cell, state: 'failed', message: 'timed out' }], '2026-12-01T11:00:00Z');
    s.record('bond:b1', [cell], '2026-12-01T09:00:00Z');
    new PathHealthStore(db); // migrating twice is a no-op
    const latest = s.latest();
    expect(latest.map((r) => r.source)).toEqual(['portal-check', 'bond:b1']);
    expect(latest[0].cells[0]).toMatchObject({ state: 'failed', message: 'timed out' });
    s.forget('bond:b1');
    expect(s.latest()).toHaveLength(1);
  });
});
