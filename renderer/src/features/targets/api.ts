import { useCallback } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { HostView } from '../../../../shared/features/hosts';
import { call } from '../../api/client';
import { useJobFinished } from '../../api/jobs';

/** Sessions come and go without a job: the list and the detail read them again on this interval. */
export const LIST_REFRESH_MS = 15_000;
export const DETAIL_REFRESH_MS = 5_000;

/** One storage server's live targets view; one key and fetcher for every place that reads it. */
export function targetsQuery(serverId: string) {
  return { queryKey: ['targets', serverId], queryFn: () => call('targets.view', { serverId }), staleTime: 2_000 };
}

export function useTargets(serverId: string | null, live = false) {
  return useQuery({ ...targetsQuery(serverId ?? ''), enabled: !!serverId, refetchInterval: live ? LIST_REFRESH_MS : false });
}

export function useTargetDetail(serverId: string, iqn: string) {
  return useQuery({
    queryKey: ['targets', serverId, 'detail', iqn],
    queryFn: () => call('targets.detail', { serverId, iqn }),
    refetchInterval: DETAIL_REFRESH_MS,
    retry: false,
  });
}

export function usePortals(serverId: string | null) {
  return useQuery({ queryKey: ['targets', serverId, 'portals'], queryFn: () => call('targets.portals', { serverId: serverId! }), enabled: !!serverId, retry: false });
}

/** After any job ends, every targets query (lists, details, portals) is read again from the servers. */
export function useTargetsRefreshOnJobs(): void {
  const qc = useQueryClient();
  useJobFinished(useCallback(() => void qc.invalidateQueries({ queryKey: ['targets'] }), [qc]));
}

/** Why a server's cached view is stale (blocked or unreachable host), or null while it answers. */
export function staleReason(host: HostView | undefined, queryError: unknown): string | null {
  if (host && (host.connection.state === 'blocked' || host.connection.state === 'failed')) {
    return `${host.name} is ${host.connection.state === 'blocked' ? 'blocked' : 'unreachable'}${host.connection.reason ? `: ${host.connection.reason}` : ''}`;
  }
  if (queryError) return `${host?.name ?? 'The server'} did not answer: ${queryError instanceof Error ? queryError.message : String(queryError)}`;
  return null;
}
