import { EmptyState } from '../components/EmptyState';
import { PageHeader } from '../components/PageHeader';

export function TargetsPage() {
  return (
    <>
      <PageHeader title="Targets" subtitle="iSCSI targets and LUNs on your storage servers (tgt)." />
      <EmptyState title="No storage server yet">Add a storage server on the Hosts page; its targets and LUNs appear here, read live from the server.</EmptyState>
    </>
  );
}
