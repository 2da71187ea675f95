import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

export function DashboardPage() {
  return (
    <>
      <PageHeader title="Dashboard" subtitle="The storage estate at a glance." />
      <EmptyState title="Not in this version yet">The dashboard is being built.</EmptyState>
    </>
  );
}
