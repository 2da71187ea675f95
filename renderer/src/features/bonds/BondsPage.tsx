import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

export function BondsPage() {
  return (
    <>
      <PageHeader title="Bonds" subtitle="iSCSI multipath bonds: storage networks and targets grouped per data center." />
      <EmptyState title="Add hypervisors on two storage networks first">
        A bond makes every host reach every target over every network in it. Add your hypervisor hosts on the Hosts page. (The bond wizard is not in this version yet.)
      </EmptyState>
    </>
  );
}
