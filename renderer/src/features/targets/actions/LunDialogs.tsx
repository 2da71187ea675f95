// LUN actions on a target's detail page, each a reviewed plan: add (the wizard's LUN fields),
// grow, remove (sessions shown, force and the backing file only on request), read-only on/off.
import { useState } from 'react';
import { Alert, Checkbox, FormControlLabel, Stack, Table, TableBody, TableRow, TextField, Typography } from '@mui/material';
import type { TargetDetailView, TargetLunDetail } from '../../../../../shared/features/targets';
import { LunAddInputSchema, formatSize, parseSize, type LunAddInput } from '../../../../../shared/domain/target';
import { LunReadonlyInputSchema, LunRemoveInputSchema, LunResizeInputSchema, type LunReadonlyInput, type LunRemoveInput, type LunResizeInput } from '../../../../../shared/domain/target-actions';
import { call } from '../../../api/client';
import { PlanDialog, schemaErrors } from '../../../components/PlanDialog';
import { LunFieldCells, LunTableHead, NEW_LUN, lunInput, type LunRow } from '../LunFields';

const sessionWords = (t: TargetDetailView) => t.sessions.map((s) => `${s.initiator} (${s.connections.map((c) => c.address).join(', ') || 'no address'})`).join('; ');

export function AddLunDialog({ target, onClose }: { target: TargetDetailView; onClose: () => void }) {
  const [row, setRow] = useState<LunRow>({ ...NEW_LUN });
  const next = Math.max(0, ...target.luns.map((l) => l.lun)) + 1;
  const input: LunAddInput = { serverId: target.serverId, iqn: target.iqn, luns: [lunInput(row)] };
  return (
    <PlanDialog title={`Add LUN: ${target.iqn}`} input={input} validate={schemaErrors(LunAddInputSchema)} plan={(i) => call('targets.planLunAdd', i)} onClose={onClose}
      maxWidth="lg"
      onRefused={(fe) => { const f = fe['luns.0.backing.confirmInUse']; if (f) setRow((r) => ({ ...r, inUse: f })); }}>
      {(errors) => (
        <Stack spacing={1}>
          <Typography variant="body2" color="text.secondary">
            The same choices as the create wizard: a sparse or allocated file in the storage folder, an existing block device, or a new logical volume. It becomes LUN {next}.
          </Typography>
          <Table size="small" aria-label="New LUN">
            <LunTableHead trailing={false} />
            <TableBody>
              <TableRow>
                <LunFieldCells row={row} lun={next} errorKey="luns.0" errors={errors} onChange={(p) => setRow((r) => ({ ...r, ...p }))} autoFocus />
              </TableRow>
            </TableBody>
          </Table>
        </Stack>
      )}
    </PlanDialog>
  );
}

export function ResizeLunDialog({ target, lun, onClose }: { target: TargetDetailView; lun: TargetLunDetail; onClose: () => void }) {
  const [size, setSize] = useState('');
  const input: LunResizeInput = { serverId: target.serverId, iqn: target.iqn, lun: lun.lun, size: size.trim() };
  const now = lun.apparentBytes ?? lun.sizeBytes;
  const p = size.trim() ? parseSize(size) : null;
  return (
    <PlanDialog title={`Resize LUN ${lun.lun}: ${target.iqn}`} input={input} validate={schemaErrors(LunResizeInputSchema)} plan={(i) => call('targets.planLunResize', i)} onClose={onClose}>
      {(errors) => (
        <Stack spacing={2} sx={{ maxWidth: 560 }}>
          <Typography>LUN {lun.lun} is {formatSize(now)} now ({lun.path ?? 'no backing path'}). Only growing is possible: the file grows first, then tgt is told the new size.</Typography>
          <TextField label="New size" placeholder="20GB" value={size} onChange={(e) => setSize(e.target.value)} autoFocus
            error={!!errors.size} helperText={errors.size ?? (p?.ok ? `${formatSize(p.bytes)}: +${formatSize(Math.max(0, p.bytes - now))}` : 'e.g. 20GB (binary units: 1 GB = 1024 MB)')} />
          <Alert severity="info">Initiators see the new size only after they rescan (e.g. iscsiadm -m session --rescan, or the hypervisor's own refresh).</Alert>
        </Stack>
      )}
    </PlanDialog>
  );
}

export function RemoveLunDialog({ target, lun, onClose }: { target: TargetDetailView; lun: TargetLunDetail; onClose: () => void }) {
  const [force, setForce] = useState(false);
  const [deleteBacking, setDeleteBacking] = useState(false);
  const input: LunRemoveInput = {
    serverId: target.serverId, iqn: target.iqn, lun: lun.lun, force, deleteBacking,
    confirmedSessions: force ? target.sessions.map((s) => s.initiator) : undefined,
  };
  const isFile = lun.backingKind === 'file-sparse' || lun.backingKind === 'file-allocated';
  return (
    <PlanDialog title={`Remove LUN ${lun.lun}: ${target.iqn}`} input={input} validate={schemaErrors(LunRemoveInputSchema)} plan={(i) => call('targets.planLunRemove', i)} onClose={onClose}>
      {(errors) => (
        <Stack spacing={2}>
          <Typography>LUN {lun.lun}: {lun.path ?? 'no backing'} ({formatSize(lun.apparentBytes ?? lun.sizeBytes)}).</Typography>
          {target.sessions.length > 0 ? (
            <Alert severity="warning" aria-label="Connected now">
              Connected now: {sessionWords(target)}. Removing the LUN takes the disk away from them.
              <FormControlLabel control={<Checkbox checked={force} onChange={(e) => setForce(e.target.checked)} />} label="I have seen who is connected: remove it anyway" />
            </Alert>
          ) : (
            <Typography>No initiator is connected to this target.</Typography>
          )}
          {errors.force && <Alert severity="error">{errors.force}</Alert>}
          {isFile && (
            <FormControlLabel control={<Checkbox checked={deleteBacking} onChange={(e) => setDeleteBacking(e.target.checked)} />}
              label={`Also delete the backing file ${lun.path} (${formatSize(lun.allocatedBytes ?? 0)} allocated). Without this, the file stays in the storage folder.`} />
          )}
        </Stack>
      )}
    </PlanDialog>
  );
}

export function ReadonlyLunDialog({ target, lun, onClose }: { target: TargetDetailView; lun: TargetLunDetail; onClose: () => void }) {
  const input: LunReadonlyInput = { serverId: target.serverId, iqn: target.iqn, lun: lun.lun, readonly: !lun.readonly };
  return (
    <PlanDialog title={`${lun.readonly ? 'Make writable' : 'Make read-only'}: LUN ${lun.lun} of ${target.iqn}`} input={input} validate={schemaErrors(LunReadonlyInputSchema)}
      plan={(i) => call('targets.planLunReadonly', i)} onClose={onClose}>
      {() => (
        <Typography>
          {lun.readonly
            ? `LUN ${lun.lun} becomes writable again: initiators may write to ${lun.path ?? 'it'}.`
            : `LUN ${lun.lun} becomes read-only: initiators can still read it, writes are refused. Connected initiators may need to reconnect to notice.`}
        </Typography>
      )}
    </PlanDialog>
  );
}
