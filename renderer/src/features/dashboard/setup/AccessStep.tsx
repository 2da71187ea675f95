// Step 5: every hypervisor's initiator name on the new target's access list, as a reviewed plan
// (targets.planAccess: the other rules and CHAP stay as they are).
import { useState } from 'react';
import { Alert, Button, List, ListItem, ListItemText, Typography } from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { PlanView } from '../../../../../shared/plan';
import { call } from '../../../api/client';
import { PlanRunner } from '../../../components/PlanRunner';
import { useHosts } from '../../hosts/api';
import { targetsQuery } from '../../targets/api';
import { StepFrame } from './StepFrame';
import type { StepApi } from './progress';

export function AccessStep({ api }: { api: StepApi }) {
  const qc = useQueryClient();
  const p = api.progress;
  const hosts = useHosts();
  const view = useQuery({ ...targetsQuery(p.targetServerId ?? ''), enabled: !!p.targetServerId });
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [applied, setApplied] = useState<string | null>(null);
  const target = view.data?.targets.find((t) => t.iqn === p.targetIqn);
  const hvs = (hosts.data ?? []).filter((h) => p.hypervisorIds.includes(h.id));
  const named = hvs.filter((h) => h.capabilities?.initiatorName);
  const missing = target ? named.filter((h) => !target.initiators.includes(h.capabilities!.initiatorName!)) : [];
  const blocked = !p.targetIqn ? 'No target was made or chosen (step 3 was skipped): there is no access list to edit.' : !p.hypervisorIds.length ? 'No hypervisor was added (step 4 was skipped): there is no initiator name to add.' : null;

  const build = async () => {
    if (!target) return;
    setError(null);
    try {
      const initiators = [...new Set([...target.initiators, ...named.map((h) => h.capabilities!.initiatorName!)])];
      setPlan(await call('targets.planAccess', { serverId: p.targetServerId!, iqn: target.iqn, access: { initiators, networks: target.addresses, chap: { mode: 'keep' } } }));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const note = () => `${named.map((h) => h.name).join(', ')} on the access list of ${p.targetIqn}${applied ? ` (job ${applied})` : ''}.`;
  return (
    <StepFrame
      id="access"
      api={api}
      intro="Offer each hypervisor's initiator name to the target's access list. Portico builds a plan for you to review; the target's other rules and CHAP stay as they are."
      blocked={blocked}
      canContinue={!!target && missing.length === 0}
      onContinue={() => void api.done(note(), { accessJobId: applied ?? p.accessJobId })}
    >
      {view.error && <Alert severity="error">{view.error.message}</Alert>}
      {hvs.filter((h) => !h.capabilities?.initiatorName).map((h) => (
        <Alert key={h.id} severity="warning" sx={{ mb: 1 }}>{h.name} has no iSCSI initiator name (is open-iscsi or libiscsi installed?): it cannot be added by name.</Alert>
      ))}
      {target && (
        <>
          <Typography variant="subtitle2">Access list of <code>{target.iqn}</code> now</Typography>
          <List dense aria-label="Access list now">
            {target.openToAll && <ListItem disableGutters><ListItemText primary="ALL initiators (open to every host)" /></ListItem>}
            {[...target.initiators, ...target.addresses.filter((a) => a !== 'ALL')].map((x) => <ListItem key={x} disableGutters><ListItemText primary={x} /></ListItem>)}
            {!target.openToAll && !target.initiators.length && !target.addresses.length && <ListItem disableGutters><ListItemText primary="nobody" /></ListItem>}
          </List>
          {missing.length === 0 && !plan && <Alert severity="success">Every hypervisor's initiator name is on the access list.</Alert>}
          {missing.length > 0 && !plan && (
            <>
              <Typography sx={{ mb: 1 }}>To add: {missing.map((h) => `${h.name} (${h.capabilities!.initiatorName})`).join(', ')}.</Typography>
              <Button variant="outlined" onClick={() => void build()}>Review the access plan</Button>
            </>
          )}
          {error && <Alert severity="error" role="alert" sx={{ mt: 1 }}>{error}</Alert>}
          {plan && (
            <PlanRunner plan={plan} onReplan={() => { setPlan(null); void build(); }} onFinished={(job) => {
              if (job.state === 'succeeded') {
                setApplied(job.id);
                setPlan(null);
                void api.save({ accessJobId: job.id });
              }
              void qc.invalidateQueries({ queryKey: ['targets', p.targetServerId] });
            }} />
          )}
        </>
      )}
      {view.data && !target && p.targetIqn && <Alert severity="error">{p.targetIqn} is no longer on this server: go back and choose or create a target.</Alert>}
    </StepFrame>
  );
}
