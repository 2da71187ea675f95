import { describe, expect, it } from 'vitest';
import type { MatrixCell, MatrixView } from '../../../../shared/domain/bond';
import { cellText, cellWhy, layout, worst } from './matrix-model';

const IQN = 'iqn.2026-12.lab.portico:bond';
function cell(hostId: string, networkId: string, portal: string, state: MatrixCell['state'], message: string): MatrixCell {
  return { hostId, networkId, connectionId: `c-${portal}`, iqn: IQN, portal, nic: networkId === 'na' ? 'eth1' : 'eth2', state, tcp: state === 'ok', login: state === 'ok', luns: [], message, elapsedMs: 5 };
}

const view: MatrixView = {
  bondId: 'b1', at: '2026-12-01T12:00:00.000Z', running: false, elapsedMs: 40,
  networks: [{ id: 'na', name: 'A' }, { id: 'nb', name: 'B' }],
  cells: [
    cell('h1', 'nb', '192.0.2.11:3260', 'failed', 'no answer from 192.0.2.11:3260 within 5 s (TCP)'),
    cell('h1', 'na', '203.0.113.11:3260', 'ok', 'logged in, 1 LUN'),
    cell('h2', 'na', '203.0.113.11:3260', 'ok', 'logged in, 1 LUN'),
    cell('h2', 'nb', '192.0.2.11:3260', 'ok', 'logged in, 1 LUN'),
  ],
  hosts: [
    { hostId: 'h1', name: 'hv1', state: 'degraded', reason: '1 of 2 paths down' },
    { hostId: 'h2', name: 'hv2', state: 'ok', reason: '' },
  ],
  luns: [],
};

describe('path matrix layout', () => {
  it('one column per (network, target) in the bond’s network order, one row per host, cells in place', () => {
    const { columns, rows } = layout(view);
    expect(columns.map((c) => c.networkName)).toEqual(['A', 'B']);
    expect(rows.map((r) => r.name)).toEqual(['hv1', 'hv2']);
    expect(rows[0].cells.map((c) => c?.[0].state)).toEqual(['ok', 'failed']);
    expect(rows[1].cells.map((c) => c?.[0].state)).toEqual(['ok', 'ok']);
  });

  it('a host without a path in a column gets an empty cell, said in words', () => {
    const v = { ...view, cells: view.cells.filter((c) => !(c.hostId === 'h2' && c.networkId === 'nb')) };
    const { columns, rows } = layout(v);
    expect(rows[1].cells[1]).toBeNull();
    expect(cellText('hv2', columns[1], null)).toBe(`hv2 on B to ${IQN}: not part of the bond for this host`);
  });

  it('the worst path decides the cell; the words name the portal, the NIC and why', () => {
    const ok = view.cells[1];
    const down = { ...view.cells[1], state: 'failed' as const, portal: '203.0.113.12:3260', message: 'connection refused' };
    expect(worst([ok, down])).toBe('failed');
    expect(worst([ok, { ...ok, state: 'missing' }])).toBe('missing');
    expect(worst([ok])).toBe('ok');
    const { columns } = layout(view);
    expect(cellText('hv1', columns[1], [view.cells[0]])).toBe(`hv1 on B to ${IQN}: path down. 192.0.2.11:3260 via eth2: no answer from 192.0.2.11:3260 within 5 s (TCP)`);
  });

  it('the tooltip gives the state, then one line per portal with its reason', () => {
    const down = { ...view.cells[1], state: 'failed' as const, portal: '203.0.113.12:3260', message: 'connection refused' };
    expect(cellWhy([view.cells[1], down])).toBe('path down.\n203.0.113.11:3260 via eth1: logged in, 1 LUN\n203.0.113.12:3260 via eth1: connection refused');
  });
});
