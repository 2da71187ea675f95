// The Bonds feature's reads: one overview query (data centers, networks, NICs, connections, bonds,
// hosts) that every section of the page shares, invalidated after each change.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { BondsOverview } from '../../../../shared/domain/bond';
import { call } from '../../api/client';

export const OVERVIEW_KEY = ['bonds', 'overview'] as const;

export function useOverview() {
  return useQuery({ queryKey: OVERVIEW_KEY, queryFn: () => call('bonds.overview', {}) });
}

/** Re-reads the overview (after a save or a removal). */
export function useRefreshOverview(): () => Promise<void> {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: OVERVIEW_KEY });
}

/** Names for ids, from the overview. */
export function namer(o: BondsOverview) {
  return {
    host: (id: string) => o.hosts.find((h) => h.hostId === id)?.name ?? id,
    network: (id: string | null) => (id === null ? 'default route' : o.networks.find((n) => n.id === id)?.name ?? id),
    connection: (id: string) => {
      const c = o.connections.find((x) => x.id === id);
      return c ? `${c.iqn} ${portalText(c.address, c.port)}` : id;
    },
  };
}

export function portalText(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}
