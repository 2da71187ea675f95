// The Datastores page's plan dialogs: an orphan's one-click fix (main said which plan call fixes
// it; the dialog builds that plan at once and shows its review), deleting an image (the LUN stays)
// and deleting a datastore (optionally with its libvirt secret on the cluster's hosts).
import { useEffect, useState } from 'react';
import { Alert, Checkbox, FormControlLabel, LinearProgress, Typography } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import type { DatastoreView, ImageView, OrphanFix } from '../../../../shared/domain/opennebula-views';
import type { PlanView } from '../../../../shared/plan';
import { call } from '../../api/client';
import { FormDialog } from '../../components/FormDialog';
import { PlanDialog, schemaErrors } from '../../components/PlanDialog';
import { PlanRunner } from '../../components/PlanRunner';

function planOf(fix: OrphanFix): Promise<PlanView> {
  return fix.call === 'datastores.planImageDelete' ? call(fix.call, fix.input) : call(fix.call, fix.input);
}

export function FixDialog({ fix, onClose }: { fix: OrphanFix; onClose: () => void }) {
  const qc = useQueryClient();
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const build = () => {
    setError(null);
    setPlan(null);
    planOf(fix).then(setPlan, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };
  useEffect(build, [fix]);
  return (
    <FormDialog title={`Fix: ${fix.label}`} onClose={onClose} closeLabel="Close">
      {!plan && !error && <LinearProgress aria-label="Building the plan" />}
      {error && <Alert severity="error" role="alert">{error}</Alert>}
      {plan && <PlanRunner plan={plan} onReplan={build} onFinished={() => void qc.invalidateQueries({ queryKey: ['datastores'] })} />}
    </FormDialog>
  );
}

const noInput = () => ({});

export function DeleteImageDialog({ frontendId, image, onClose }: { frontendId: string; image: ImageView; onClose: () => void }) {
  const qc = useQueryClient();
  return (
    <PlanDialog title={`Delete image: ${image.name}`} input={{ frontendId, imageId: image.id }} validate={noInput}
      plan={(x) => call('datastores.planImageDelete', x)} onClose={onClose} onFinished={() => void qc.invalidateQueries({ queryKey: ['datastores'] })}>
      {() => (
        <Typography>
          Unregisters image {image.id} ({image.path}) from OpenNebula. The LUN on the storage server stays as it is, with its data; delete it on the Targets page if you want it gone.
        </Typography>
      )}
    </PlanDialog>
  );
}

const DeleteDs = z.object({ removeSecrets: z.boolean() });

export function DeleteDatastoreDialog({ frontendId, datastore, onClose }: { frontendId: string; datastore: DatastoreView; onClose: () => void }) {
  const qc = useQueryClient();
  const [removeSecrets, setRemoveSecrets] = useState(false);
  return (
    <PlanDialog title={`Delete datastore: ${datastore.name}`} input={{ frontendId, datastoreId: datastore.id, removeSecrets }} validate={schemaErrors(DeleteDs)}
      plan={(x) => call('datastores.planDatastoreDelete', x)} onClose={onClose} onFinished={() => void qc.invalidateQueries({ queryKey: ['datastores'] })}>
      {() => (
        <>
          <Typography sx={{ mb: 1 }}>
            Deletes datastore {datastore.id} from OpenNebula. {datastore.images.length ? `It still has ${datastore.images.length} image(s): oned refuses until they are deleted.` : 'It has no images.'} LUNs are not touched.
          </Typography>
          {datastore.iscsiUsage && (
            <FormControlLabel control={<Checkbox checked={removeSecrets} onChange={(e) => setRemoveSecrets(e.target.checked)} />}
              label={`Also remove the libvirt secret ${datastore.iscsiUsage} from the cluster's KVM hosts`} />
          )}
        </>
      )}
    </PlanDialog>
  );
}
