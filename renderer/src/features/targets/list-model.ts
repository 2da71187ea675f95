// The Targets list as data: what each filter means, the sort orders and the counts above the list.
// Pure (no React), so the unit tests read the same rules the page uses.
import type { TargetView } from '../../../../shared/features/targets';

export type SortKey = 'iqn' | 'size' | 'sessions' | 'drift';
export type FilterKey = 'chap' | 'open' | 'sessions' | 'drift' | 'unmanaged';

export const SORT_LABELS: Record<SortKey, string> = { iqn: 'IQN', size: 'Size', sessions: 'Sessions', drift: 'Drift' };
export const FILTER_LABELS: Record<FilterKey, string> = { chap: 'CHAP', open: 'Open to ALL', sessions: 'Has sessions', drift: 'Drift', unmanaged: 'Unmanaged' };
export const FILTER_KEYS = Object.keys(FILTER_LABELS) as FilterKey[];

export interface ListQuery {
  /** Free text: part of the IQN, an initiator name or an address rule. */
  text: string;
  /** Every chosen filter must hold (AND). */
  filters: FilterKey[];
  sort: SortKey;
  desc: boolean;
}

export const DEFAULT_QUERY: ListQuery = { text: '', filters: [], sort: 'iqn', desc: false };

/** A target Portico did not create (by hand, by tgt-admin, or left over): no conf.d file of Portico's defines it. */
export const isUnmanaged = (t: TargetView) => !t.managed;
/** Running state and conf file disagree (or the file cannot be read, or it is not running). */
export const hasDrift = (t: TargetView) => t.persisted === 'drift' || t.persisted === 'file-error' || t.persisted === 'not-running';

/** Apparent size of all LUNs, in bytes (tgt's size where the file's is unknown). */
export const targetBytes = (t: TargetView) => t.luns.reduce((a, l) => a + (l.apparentBytes ?? l.sizeBytes), 0);
export const allocatedBytes = (t: TargetView) => t.luns.reduce((a, l) => a + (l.allocatedBytes ?? 0), 0);

const TESTS: Record<FilterKey, (t: TargetView) => boolean> = {
  chap: (t) => t.chap || t.chapUsers.length > 0 || !!t.mutualChapUser,
  open: (t) => t.openToAll,
  sessions: (t) => t.sessions.length > 0,
  drift: hasDrift,
  unmanaged: isUnmanaged,
};

export const matchesFilter = (t: TargetView, f: FilterKey) => TESTS[f](t);

/** Problems first when sorting by drift: a file that cannot be read, drift, not running, unmanaged, then in sync. */
const DRIFT_RANK: Record<TargetView['persisted'], number> = { 'file-error': 0, drift: 1, 'not-running': 2, 'not-persisted': 3, 'in-sync': 4 };

// Numeric-aware, so :t2 comes before :t10.
const collator = new Intl.Collator('en', { numeric: true });

function compare(a: TargetView, b: TargetView, key: SortKey): number {
  switch (key) {
    case 'size':
      return a.totalBytes - b.totalBytes;
    case 'sessions':
      return a.sessions.length - b.sessions.length;
    case 'drift':
      return DRIFT_RANK[a.persisted] - DRIFT_RANK[b.persisted];
    default:
      return 0;
  }
}

/** The targets to show, in order; ties (and the IQN sort) by IQN, always ascending. */
export function listTargets(targets: readonly TargetView[], q: ListQuery): TargetView[] {
  const text = q.text.trim().toLowerCase();
  const shown = targets.filter(
    (t) =>
      q.filters.every((f) => TESTS[f](t)) &&
      (!text || t.iqn.includes(text) || t.initiators.some((i) => i.toLowerCase().includes(text)) || t.addresses.some((a) => a.toLowerCase().includes(text))),
  );
  const dir = q.desc ? -1 : 1;
  return shown.sort((a, b) => {
    const c = q.sort === 'iqn' ? collator.compare(a.iqn, b.iqn) : compare(a, b, q.sort);
    return c !== 0 ? dir * c : collator.compare(a.iqn, b.iqn);
  });
}

/** How many targets each filter would keep (of all targets, not of the current view). */
export function filterCounts(targets: readonly TargetView[]): Record<FilterKey | 'all', number> {
  const out = { all: targets.length, chap: 0, open: 0, sessions: 0, drift: 0, unmanaged: 0 };
  for (const t of targets) for (const f of FILTER_KEYS) if (TESTS[f](t)) out[f]++;
  return out;
}

/** Toggles a filter on or off. */
export function toggleFilter(q: ListQuery, f: FilterKey): ListQuery {
  return { ...q, filters: q.filters.includes(f) ? q.filters.filter((x) => x !== f) : [...q.filters, f] };
}

/** A column header clicked: sort by it, or flip the direction when it is already the sort. */
export function sortBy(q: ListQuery, key: SortKey): ListQuery {
  return q.sort === key ? { ...q, desc: !q.desc } : { ...q, sort: key, desc: key !== 'iqn' };
}

/** The access rules in words, as the list and the detail show them. */
export function accessSummary(t: TargetView): string {
  if (t.openToAll) return 'open to every initiator (ALL)';
  const parts = [...t.initiators, ...t.addresses];
  return (t.namesOnly ? 'names only: ' : '') + (parts.join(', ') || 'nobody');
}

/** Keeps only selected IQNs that are still listed (a target deleted by a job leaves the selection). */
export function pruneSelection(selected: ReadonlySet<string>, targets: readonly TargetView[]): Set<string> {
  const live = new Set(targets.map((t) => t.iqn));
  return new Set([...selected].filter((i) => live.has(i)));
}
