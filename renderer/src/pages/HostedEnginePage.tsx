import { EmptyState } from '../components/EmptyState';
import { PageHeader } from '../components/PageHeader';

export function HostedEnginePage() {
  return (
    <>
      <PageHeader title="Hosted engine" subtitle="Prepare iSCSI storage for an oVirt self-hosted engine over VDSM." />
      <EmptyState title="Add an oVirt host first">Add the host that will run the engine on the Hosts page with the role “oVirt host”, then come back to prepare its storage.</EmptyState>
    </>
  );
}
