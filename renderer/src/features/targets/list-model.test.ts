// The Targets list's filters, sort orders and counts on hand-made target views.
import { describe, expect, it } from 'vitest';
import type { TargetView } from '../../../../shared/features/targets';
import { DEFAULT_QUERY, accessSummary, filterCounts, listTargets, pruneSelection, sortBy, toggleFilter } from './list-model';

const MiB = 1024 ** 2;
function target(iqn: string, patch: Partial<TargetView> = {}): TargetView {
  return {
    tid: 1, iqn, luns: [], addresses: [], initiators: [], namesOnly: false, openToAll: false, chap: false, mutualChap: false,
    chapUsers: [], mutualChapUser: null, sessions: [], persisted: 'in-sync', driftMessages: [], managed: true, alias: null, comment: null, ...patch,
    totalBytes: (patch.luns ?? []).reduce((a, l) => a + l.sizeBytes, 0),
  };
}
const lun = (n: number, mib: number, allocated: number | null = null) => ({ lun: n, path: `/srv/x${n}`, type: 'disk', sizeBytes: mib * MiB, apparentBytes: mib * MiB, allocatedBytes: allocated, readonly: false, scsiId: '', scsiSn: '' });
const session = (initiator: string) => ({ nexus: 1, initiator, alias: null, connections: [{ cid: 0, address: '203.0.113.21' }] });

const T = [
  target('iqn.2026-11.test:t10', { luns: [lun(1, 100)], chap: true, chapUsers: ['u'], sessions: [session('iqn.h1'), session('iqn.h2')] }),
  target('iqn.2026-11.test:t2', { luns: [lun(1, 500), lun(2, 500)], openToAll: true, addresses: ['ALL'], persisted: 'drift' }),
  target('iqn.2026-11.test:t1', { luns: [], initiators: ['iqn.1994-05.com.redhat:hv1'], persisted: 'not-persisted', managed: false, sessions: [session('iqn.h1')] }),
  target('iqn.2026-11.test:t3', { luns: [lun(1, 200)], addresses: ['192.0.2.0/24'], persisted: 'file-error' }),
];
const iqns = (ts: TargetView[]) => ts.map((t) => t.iqn.replace(/^.*:/, ''));

describe('targets list', () => {
  it('sorts by IQN numerically (t2 before t10), and flips with a second click', () => {
    expect(iqns(listTargets(T, DEFAULT_QUERY))).toEqual(['t1', 't2', 't3', 't10']);
    expect(iqns(listTargets(T, sortBy(DEFAULT_QUERY, 'iqn')))).toEqual(['t10', 't3', 't2', 't1']);
  });

  it('sorts by size, sessions and drift (largest / most / problems first), ties by IQN', () => {
    const bySize = sortBy(DEFAULT_QUERY, 'size');
    expect(bySize.desc).toBe(true);
    expect(iqns(listTargets(T, bySize))).toEqual(['t2', 't3', 't10', 't1']);
    expect(iqns(listTargets(T, { ...bySize, desc: false }))).toEqual(['t1', 't10', 't3', 't2']);
    expect(iqns(listTargets(T, sortBy(DEFAULT_QUERY, 'sessions')))).toEqual(['t10', 't1', 't2', 't3']);
    // Drift ascending puts problems first: file error, drift, unmanaged, in sync.
    expect(iqns(listTargets(T, { ...DEFAULT_QUERY, sort: 'drift', desc: false }))).toEqual(['t3', 't2', 't1', 't10']);
  });

  it('filters AND together; text matches IQN, initiator names and address rules', () => {
    expect(iqns(listTargets(T, toggleFilter(DEFAULT_QUERY, 'chap')))).toEqual(['t10']);
    expect(iqns(listTargets(T, toggleFilter(DEFAULT_QUERY, 'open')))).toEqual(['t2']);
    expect(iqns(listTargets(T, toggleFilter(DEFAULT_QUERY, 'sessions')))).toEqual(['t1', 't10']);
    expect(iqns(listTargets(T, toggleFilter(DEFAULT_QUERY, 'drift')))).toEqual(['t2', 't3']);
    expect(iqns(listTargets(T, toggleFilter(DEFAULT_QUERY, 'unmanaged')))).toEqual(['t1']);
    expect(iqns(listTargets(T, toggleFilter(toggleFilter(DEFAULT_QUERY, 'sessions'), 'unmanaged')))).toEqual(['t1']);
    expect(toggleFilter(toggleFilter(DEFAULT_QUERY, 'chap'), 'chap').filters).toEqual([]);
    expect(iqns(listTargets(T, { ...DEFAULT_QUERY, text: 'redhat:hv1' }))).toEqual(['t1']);
    expect(iqns(listTargets(T, { ...DEFAULT_QUERY, text: '192.0.2' }))).toEqual(['t3']);
  });

  it('counts every filter over all targets', () => {
    expect(filterCounts(T)).toEqual({ all: 4, chap: 1, open: 1, sessions: 2, drift: 2, unmanaged: 1 });
  });

  it('describes access and prunes a selection to the targets still listed', () => {
    expect(accessSummary(T[1])).toBe('open to every initiator (ALL)');
    expect(accessSummary(T[2])).toBe('iqn.1994-05.com.redhat:hv1');
    expect(accessSummary(target('x', { namesOnly: true, initiators: ['a'] }))).toBe('names only: a');
    expect([...pruneSelection(new Set(['iqn.2026-11.test:t1', 'gone']), T)]).toEqual(['iqn.2026-11.test:t1']);
  });
});
