import { useQuery } from '@tanstack/react-query';
import { call } from '../../api/client';

/** One storage server's live targets view; one key and fetcher for every place that reads it. */
export function targetsQuery(serverId: string) {
  return { queryKey: ['targets', serverId], queryFn: () => call('targets.view', { serverId }), staleTime: 2_000 };
}

export function useTargets(serverId: string | null) {
  return useQuery({ ...targetsQuery(serverId ?? ''), enabled: !!serverId });
}
