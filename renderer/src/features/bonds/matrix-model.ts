// The path matrix as the page lays it out: one row per host, one column per (network, target),
// each cell the paths of that host on that network to that target (one per portal) with the worst
// state first; words for each state. Pure, so the layout and the words are unit-tested.
import type { CellState, HostBondState, MatrixCell, MatrixView } from '../../../../shared/domain/bond';

export interface MatrixColumn {
  key: string;
  networkId: string | null;
  networkName: string;
  iqn: string;
}

export interface MatrixRow {
  hostId: string;
  name: string;
  state: HostBondState;
  reason: string;
  cells: (MatrixCell[] | null)[];
}

const ORDER: CellState[] = ['failed', 'missing', 'degraded', 'checking', 'ok'];

/** The worst state of a cell's paths (failed before missing before degraded...). */
export function worst(paths: MatrixCell[]): CellState {
  return ORDER.find((s) => paths.some((p) => p.state === s)) ?? 'ok';
}

export const CELL_WORDS: Record<CellState, string> = {
  ok: 'path up',
  degraded: 'partly up',
  failed: 'path down',
  missing: 'path missing',
  checking: 'checking',
};

export const HOST_WORDS: Record<HostBondState, string> = {
  ok: 'operational',
  degraded: 'degraded',
  'non-operational': 'non-operational',
  'default-network': 'default route',
  unknown: 'not checked yet',
};

export function columnKey(networkId: string | null, iqn: string): string {
  return `${networkId ?? '-'}|${iqn}`;
}

export function layout(v: MatrixView): { columns: MatrixColumn[]; rows: MatrixRow[] } {
  const netName = (id: string | null) => v.networks.find((n) => n.id === id)?.name ?? (id === null ? 'default route' : id);
  const columns: MatrixColumn[] = [];
  for (const c of v.cells) {
    const key = columnKey(c.networkId, c.iqn);
    if (!columns.some((x) => x.key === key)) columns.push({ key, networkId: c.networkId, networkName: netName(c.networkId), iqn: c.iqn });
  }
  // Networks in the bond's order, then targets by name.
  const netIndex = (id: string | null) => {
    const i = v.networks.findIndex((n) => n.id === id);
    return i < 0 ? v.networks.length : i;
  };
  columns.sort((a, b) => netIndex(a.networkId) - netIndex(b.networkId) || a.iqn.localeCompare(b.iqn));
  const rows = v.hosts.map((h) => ({
    hostId: h.hostId,
    name: h.name,
    state: h.state,
    reason: h.reason,
    cells: columns.map((col) => {
      const paths = v.cells.filter((c) => c.hostId === h.hostId && columnKey(c.networkId, c.iqn) === col.key);
      return paths.length ? paths : null;
    }),
  }));
  return { columns, rows };
}

/** A cell's tooltip: the state, then each portal's reason on its own line. */
export function cellWhy(paths: MatrixCell[]): string {
  return [`${CELL_WORDS[worst(paths)]}.`, ...paths.map((p) => `${p.portal}${p.nic ? ` via ${p.nic}` : ''}: ${p.message}`)].join('\n');
}

/** A cell's accessible name: who, where, the state and why, in words. */
export function cellText(host: string, col: MatrixColumn, paths: MatrixCell[] | null): string {
  const head = `${host} on ${col.networkName} to ${col.iqn}`;
  if (!paths) return `${head}: not part of the bond for this host`;
  const s = worst(paths);
  const why = paths.map((p) => `${p.portal}${p.nic ? ` via ${p.nic}` : ''}: ${p.message}`).join('; ');
  return `${head}: ${CELL_WORDS[s]}. ${why}`;
}
