import { useEffect } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { HostView } from '../../../../shared/features/hosts';
import { call, onEvent } from '../../api/client';

/** Hosts with their live connection state (host.state events patch the cache). */
export function useHosts() {
  const qc = useQueryClient();
  useEffect(
    () =>
      onEvent('host.state', (s) => {
        qc.setQueryData<HostView[]>(['hosts'], (old) => old?.map((h) => (h.id === s.hostId ? { ...h, connection: s } : h)));
      }),
    [qc],
  );
  return useQuery({ queryKey: ['hosts'], queryFn: () => call('hosts.list', {}) });
}
