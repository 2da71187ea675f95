import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

export function DatastoresPage() {
  return (
    <>
      <PageHeader title="Datastores" subtitle="OpenNebula iSCSI datastores." />
      <EmptyState title="Add an OpenNebula front-end first">
        Registering iSCSI datastores needs an OpenNebula front-end host. Add one on the Hosts page with the role “OpenNebula front-end”. (The datastore wizard is not in this version yet.)
      </EmptyState>
    </>
  );
}
