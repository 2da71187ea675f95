import { useState } from 'react';
import { Alert, Button } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { useHosts } from '../hosts/api';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { HostedEngineWizard } from './HostedEngineWizard';

export function HostedEnginePage() {
  const hosts = useHosts();
  const qc = useQueryClient();
  // A new key starts a fresh wizard (after Close or "Start again").
  const [run, setRun] = useState(0);
  const ovirt = (hosts.data ?? []).filter((h) => h.roles.includes('ovirt-host'));
  const restart = () => {
    void qc.invalidateQueries({ queryKey: ['hosts'] });
    setRun((n) => n + 1);
  };
  return (
    <>
      <PageHeader
        title="Hosted engine"
        subtitle="Prepare iSCSI or NFS storage for an oVirt self-hosted engine over VDSM."
        actions={ovirt.length > 0 ? <Button onClick={restart}>Start again</Button> : undefined}
      />
      {hosts.error && <Alert severity="error">{hosts.error.message}</Alert>}
      {hosts.isSuccess && ovirt.length === 0 && (
        <EmptyState title="Add an oVirt host first">
          Add the host that will run the engine on the Hosts page with the role “oVirt host”, then come back to prepare its storage.
        </EmptyState>
      )}
      {ovirt.length > 0 && <HostedEngineWizard key={run} hosts={ovirt} onDone={restart} />}
    </>
  );
}
