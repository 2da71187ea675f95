// The console's pages. Navigation is state kept in the URL fragment (#/targets), so reloads stay put.
import { useEffect, useState, type ReactNode } from 'react';
import StorageIcon from '@mui/icons-material/Storage';
import DnsIcon from '@mui/icons-material/Dns';
import AccountTreeIcon from '@mui/icons-material/AccountTree';
import CallSplitIcon from '@mui/icons-material/CallSplit';
import CloudQueueIcon from '@mui/icons-material/CloudQueue';
import HistoryIcon from '@mui/icons-material/History';

export type PageId = 'hosts' | 'targets' | 'datastores' | 'bonds' | 'hosted-engine' | 'activity';

export const PAGES: { id: PageId; label: string; icon: ReactNode }[] = [
  { id: 'hosts', label: 'Hosts', icon: <DnsIcon /> },
  { id: 'targets', label: 'Targets', icon: <StorageIcon /> },
  { id: 'datastores', label: 'Datastores', icon: <AccountTreeIcon /> },
  { id: 'bonds', label: 'Bonds', icon: <CallSplitIcon /> },
  { id: 'hosted-engine', label: 'Hosted engine', icon: <CloudQueueIcon /> },
  { id: 'activity', label: 'Activity', icon: <HistoryIcon /> },
];

function fromHash(): PageId {
  const id = window.location.hash.replace(/^#\/?/, '').split('/')[0];
  return (PAGES.find((p) => p.id === id)?.id ?? 'hosts') as PageId;
}

export function usePage(): [PageId, (p: PageId) => void] {
  const [page, setPage] = useState<PageId>(fromHash);
  useEffect(() => {
    const onHash = () => setPage(fromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return [page, (p) => (window.location.hash = `#/${p}`)];
}
