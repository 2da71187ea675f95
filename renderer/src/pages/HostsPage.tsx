import { Button } from '@mui/material';
import { EmptyState } from '../components/EmptyState';
import { PageHeader } from '../components/PageHeader';

export function HostsPage() {
  return (
    <>
      <PageHeader title="Hosts" subtitle="Storage servers and hypervisors Portico manages over SSH." />
      <EmptyState title="Add your first storage server" action={<Button variant="contained">Add host</Button>}>
        Portico connects to your storage servers and hypervisor hosts over SSH. Start with the Linux box that will serve iSCSI targets.
      </EmptyState>
    </>
  );
}
