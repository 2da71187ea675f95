// Step 7: what comes next by the roles of the hosts added: each platform wizard is offered only
// when this build has it (its plan call is in the contract); otherwise the page that will bring it is named.
import { Alert, Button, Stack, Typography } from '@mui/material';
import { callNames } from '../../../../../shared/contract';
import { pageHref } from '../../../app/routes';
import { useHosts } from '../../hosts/api';
import { StepFrame } from './StepFrame';
import type { StepApi } from './progress';

const has = (name: string) => (callNames as string[]).includes(name);

interface Offer { role: string; title: string; page: string; ready: boolean; what: string }

export function NextStep({ api }: { api: StepApi }) {
  const hosts = useHosts();
  const all = hosts.data ?? [];
  const roles = new Set(all.flatMap((h) => h.roles));
  const offers: Offer[] = [
    { role: 'one-frontend', title: 'OpenNebula datastore', page: 'datastores', ready: has('datastores.planDatastore'), what: 'an OpenNebula datastore on this target' },
    { role: 'ovirt-host', title: 'Hosted-engine storage', page: 'hosted-engine', ready: has('he.plan'), what: "the hosted engine's storage domain on this target" },
    { role: 'hypervisor', title: 'Bonds', page: 'bonds', ready: has('bonds.planApply'), what: 'iSCSI bonds, so each hypervisor uses every network to the portals' },
  ];
  const relevant = offers.filter((o) => roles.has(o.role as never));
  return (
    <StepFrame
      id="next"
      api={api}
      intro="The storage is ready. What comes next depends on the platform your hosts run."
      continueLabel="Finish and open the dashboard"
      onContinue={() => void api.done('Finished.').then(() => { window.location.hash = pageHref('dashboard'); })}
    >
      <Stack spacing={1}>
        {relevant.length === 0 && <Typography>No host has a platform role (OpenNebula front-end, oVirt host, hypervisor): nothing platform-specific to set up.</Typography>}
        {relevant.map((o) =>
          o.ready ? (
            <Alert key={o.page} severity="info" action={<Button color="inherit" href={pageHref(o.page)}>Open {o.title}</Button>}>Set up {o.what} with the {o.title} wizard.</Alert>
          ) : (
            <Alert key={o.page} severity="info">{o.title}: the {o.title} page will bring the wizard for {o.what}; it is not in this version yet.</Alert>
          ),
        )}
      </Stack>
    </StepFrame>
  );
}
