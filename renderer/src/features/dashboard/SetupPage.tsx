import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

export function SetupPage() {
  return (
    <>
      <PageHeader title="Setup assistant" subtitle="From nothing to a verified target." />
      <EmptyState title="Not in this version yet">The setup assistant is being built.</EmptyState>
    </>
  );
}
