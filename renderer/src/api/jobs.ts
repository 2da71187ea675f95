// Jobs in the react-query cache, kept live by job.updated events from main.
import { useEffect } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { JobView } from '../../../shared/plan';
import { call, onEvent } from './client';

export function useJobEvents(): void {
  const qc = useQueryClient();
  useEffect(
    () =>
      onEvent('job.updated', (job) => {
        qc.setQueryData(['job', job.id], job);
        qc.setQueryData<JobView[]>(['jobs'], (old) => {
          if (!old) return old;
          const i = old.findIndex((j) => j.id === job.id);
          return i >= 0 ? old.map((j) => (j.id === job.id ? job : j)) : [job, ...old];
        });
      }),
    [qc],
  );
}

export function useJobs() {
  return useQuery({ queryKey: ['jobs'], queryFn: () => call('jobs.list', { limit: 100 }) });
}

/**
 * One job; while it runs it is also polled (every 3 s) besides the events, so that a console that
 * stopped mid-job shows up as an error of this query instead of a job that seems to run forever.
 */
export function useJob(jobId: string | null) {
  return useQuery({
    queryKey: ['job', jobId],
    queryFn: () => call('jobs.get', { jobId: jobId! }),
    enabled: !!jobId,
    refetchInterval: (q) => (q.state.data?.state === 'running' ? 3_000 : false),
  });
}

/**
 * Calls `cb` for every job that leaves "running" (any end state), from main's job.updated push
 * event: pages refresh what a job may have changed instead of showing it stale until a reload.
 */
export function useJobFinished(cb: (job: JobView) => void): void {
  useEffect(() => onEvent('job.updated', (job) => {
    if (job.state !== 'running') cb(job);
  }), [cb]);
}
