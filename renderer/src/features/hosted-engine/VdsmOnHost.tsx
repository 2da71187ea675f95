import { useState } from 'react';
import { Alert, AlertTitle, Button } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import type { HostView } from '../../../../shared/features/hosts';
import { call } from '../../api/client';

/**
 * What the host's last probe says about VDSM, at the host step: the wizard needs VDSM from the
 * login on (discovery alone falls back to Portico's initiator), so a host without it is told now,
 * with what to install, instead of after host → storage → portals → discover.
 * Same rule as main (HostedEngineService.probedVdsm): vdsmd running or vdsm-client installed.
 */
export function VdsmOnHost({ host }: { host: HostView }) {
  const qc = useQueryClient();
  const [probing, setProbing] = useState(false);
  const [probeError, setProbeError] = useState<string | null>(null);
  const probe = async () => {
    setProbing(true);
    setProbeError(null);
    try {
      await call('hosts.probe', { hostId: host.id });
    } catch (e) {
      setProbeError(e instanceof Error ? e.message : String(e));
    } finally {
      setProbing(false);
      await qc.invalidateQueries({ queryKey: ['hosts'] });
    }
  };
  const again = (
    <Button color="inherit" size="small" onClick={() => void probe()} disabled={probing} sx={{ whiteSpace: 'nowrap' }}>
      {probing ? 'Probing…' : 'Probe again'}
    </Button>
  );
  const c = host.capabilities;
  const errorNote = probeError && <Alert severity="error">Probing {host.name} failed: {probeError}</Alert>;
  if (!c) {
    return (
      <>
        <Alert severity="info" action={again} aria-label="VDSM on the host">
          {host.name} has not been probed yet, so Portico cannot tell whether VDSM runs on it. Probe it before you go on.
        </Alert>
        {errorNote}
      </>
    );
  }
  const client = !!c.tools['vdsm-client'];
  const running = c.services.vdsmd === 'running';
  if (running) return errorNote || null;
  if (client) {
    return (
      <>
        <Alert severity="warning" action={again} aria-label="VDSM on the host">
          <AlertTitle>vdsmd is not running on {host.name}</AlertTitle>
          VDSM is installed (vdsm-client at {c.tools['vdsm-client']}) but its daemon is stopped. Start it on the host with{' '}
          <code style={{ whiteSpace: 'nowrap' }}>systemctl enable --now vdsmd</code>, then probe again.
        </Alert>
        {errorNote}
      </>
    );
  }
  return (
    <>
      <Alert severity="warning" action={again} aria-label="VDSM on the host">
        <AlertTitle>No VDSM found on {host.name}</AlertTitle>
        Its last probe found neither a running vdsmd nor the vdsm-client command. This wizard needs VDSM to log in to the
        target, list LUNs and create the storage domain. Install the oVirt host packages on {host.name} (on EL:{' '}
        <code style={{ whiteSpace: 'nowrap' }}>dnf install ovirt-hosted-engine-setup</code>, which brings vdsm and vdsm-client), run{' '}
        <code style={{ whiteSpace: 'nowrap' }}>vdsm-tool configure --force</code> and <code style={{ whiteSpace: 'nowrap' }}>systemctl enable --now vdsmd</code>, then probe again, or choose another host.
      </Alert>
      {errorNote}
    </>
  );
}
