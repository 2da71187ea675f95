import { useQuery } from '@tanstack/react-query';
import { call } from './client';

export function useTargets(serverId: string | null) {
  return useQuery({ queryKey: ['targets', serverId], queryFn: () => call('targets.view', { serverId: serverId! }), enabled: !!serverId, staleTime: 2_000 });
}
