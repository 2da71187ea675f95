// The start page: with no hash in the address, the setup assistant on first run (no host yet and
// the assistant not finished), the dashboard otherwise. An explicit #/page is always honoured.
import { useEffect } from 'react';
import { useQuery } from '@tanstack/react-query';
import { call } from '../../api/client';

export function useStartPage(): void {
  const bare = !window.location.hash.replace(/^#\/?/, '');
  const hosts = useQuery({ queryKey: ['hosts'], queryFn: () => call('hosts.list', {}), enabled: bare });
  const setup = useQuery({ queryKey: ['setup'], queryFn: () => call('setup.get', {}), enabled: bare });
  useEffect(() => {
    if (!bare || !hosts.data || !setup.data) return;
    const firstRun = hosts.data.length === 0 && !setup.data.finished;
    window.location.replace(firstRun ? '#/setup' : '#/dashboard');
  }, [bare, hosts.data, setup.data]);
}
