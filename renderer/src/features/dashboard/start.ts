// The start page: with no hash in the address, the setup assistant on first run (no host yet) or
// while it is under way (a step done or skipped, not finished), the dashboard otherwise. An explicit #/page is always honoured.
import { useEffect } from 'react';
import { useQuery } from '@tanstack/react-query';
import { call } from '../../api/client';

export function useStartPage(): void {
  const bare = !window.location.hash.replace(/^#\/?/, '');
  const hosts = useQuery({ queryKey: ['hosts'], queryFn: () => call('hosts.list', {}), enabled: bare });
  const setup = useQuery({ queryKey: ['setup'], queryFn: () => call('setup.get', {}), enabled: bare });
  useEffect(() => {
    if (!bare || !hosts.data || !setup.data) return;
    const underWay = Object.values(setup.data.steps).some((x) => x.status !== 'pending');
    const assistant = !setup.data.finished && (hosts.data.length === 0 || underWay);
    window.location.replace(assistant ? '#/setup' : '#/dashboard');
  }, [bare, hosts.data, setup.data]);
}
