// Register images in an iSCSI datastore: pick LUNs from a target Portico manages (its live list)
// or type an IQN and LUN; one image per LUN, PATH = IQN/LUN (never without the suffix: libvirt
// would use LUN 0, tgt's controller), persistent, DATABLOCK or OS, optional per-image overrides.
// The LUN's size is shown: OpenNebula reports 0 for these images.
import { useMemo, useState } from 'react';
import {
  Alert, Box, Button, Checkbox, Divider, MenuItem, Paper, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography,
} from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { ImagesInputSchema, lunNumberProblem } from '../../../../shared/domain/opennebula';
import type { DatastoreView } from '../../../../shared/domain/opennebula-views';
import type { HostView } from '../../../../shared/features/hosts';
import { formatSize } from '../../../../shared/domain/target';
import { call } from '../../api/client';
import type { FieldErrors } from '../../components/form';
import { PlanDialog, schemaErrors } from '../../components/PlanDialog';
import { useTargets } from '../targets/api';
import { FieldList } from '../../components/FieldList';
import { imageFields, newRow, toImagesInput, type ImageRow } from './image-rows';

const validateImages = schemaErrors<ReturnType<typeof toImagesInput>>(ImagesInputSchema);

/** The live LUN list of one managed server's targets, each LUN a checkbox. */
function LunPicker({ serverId, picked, registered, onToggle }: { serverId: string; picked: Set<string>; registered: Set<string>; onToggle: (iqn: string, lun: number, sizeBytes: number, on: boolean) => void }) {
  const targets = useTargets(serverId, true);
  if (targets.isPending) return <Typography variant="body2" color="text.secondary">Reading the server’s targets…</Typography>;
  if (targets.isError) return <Alert severity="error">{(targets.error as Error).message}</Alert>;
  const luns = targets.data.targets.flatMap((t) => t.luns.filter((l) => l.lun > 0).map((l) => ({ t, l })));
  if (!luns.length) return <Alert severity="info">This server has no LUNs yet: create a target on the Targets page first.</Alert>;
  return (
    <Paper variant="outlined" sx={{ maxHeight: 280, overflow: 'auto' }}>
      <Table size="small" aria-label="LUNs on the server" stickyHeader>
        <TableHead>
          <TableRow>
            <TableCell padding="checkbox" />
            <TableCell>Target / LUN</TableCell>
            <TableCell>Size</TableCell>
            <TableCell>Sessions</TableCell>
            <TableCell>In this datastore</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {luns.map(({ t, l }) => {
            const key = `${t.iqn}/${l.lun}`;
            // The backing file's exact size where it is known (tgt itself reports decimal MB, rounded), as the Targets and Datastores pages show it.
            const bytes = l.apparentBytes ?? l.sizeBytes;
            return (
              <TableRow key={key} hover>
                <TableCell padding="checkbox">
                  <Checkbox checked={picked.has(key)} disabled={registered.has(key)} onChange={(e) => onToggle(t.iqn, l.lun, bytes, e.target.checked)} slotProps={{ input: { 'aria-label': key } }} />
                </TableCell>
                <TableCell sx={{ fontFamily: 'monospace', fontSize: 12.5, wordBreak: 'break-all' }}>{key}</TableCell>
                <TableCell>{formatSize(bytes)}</TableCell>
                <TableCell>{t.sessions.length}</TableCell>
                <TableCell>{registered.has(key) ? 'already an image' : ''}</TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </Paper>
  );
}

function TypedLun({ onAdd }: { onAdd: (iqn: string, lun: number) => void }) {
  const [iqn, setIqn] = useState('');
  const [lun, setLun] = useState('1');
  const n = Number(lun);
  const problem = lun.trim() === '' ? 'enter the LUN number' : lunNumberProblem(n, 'tgt', 'LUN')?.replace(/^LUN: /, '') ?? null;
  return (
    <Stack direction="row" spacing={1.5} sx={{ alignItems: 'flex-start' }}>
      <TextField size="small" label="Target IQN" value={iqn} onChange={(e) => setIqn(e.target.value)} sx={{ flex: 1 }} placeholder="iqn.2025-01.com.example.san:vmstore1" slotProps={{ htmlInput: { spellCheck: false } }} />
      <TextField size="small" label="LUN number" value={lun} onChange={(e) => setLun(e.target.value)} sx={{ width: 130 }} error={!!problem && iqn !== ''} helperText={iqn !== '' ? problem ?? ' ' : ' '} />
      <Button onClick={() => { onAdd(iqn.trim(), n); setIqn(''); }} disabled={!iqn.trim() || !!problem}>Add</Button>
    </Stack>
  );
}

export function ImageDialog({ frontendId, datastore, hosts, preset, onClose }: {
  frontendId: string; datastore: DatastoreView; hosts: HostView[];
  /** LUNs picked already (an orphan LUN's fix). */
  preset?: { iqn: string; lun: number; serverId?: string; sizeBytes?: number }[];
  onClose: () => void;
}) {
  const qc = useQueryClient();
  const servers = useMemo(() => hosts.filter((h) => h.roles.includes('storage')), [hosts]);
  const [serverId, setServerId] = useState(preset?.[0]?.serverId ?? servers[0]?.id ?? '');
  const [rows, setRows] = useState<ImageRow[]>(() => (preset ?? []).map((p) => newRow(p.iqn, p.lun, p.serverId)));
  const [sizes, setSizes] = useState<Record<string, number>>(() => Object.fromEntries((preset ?? []).filter((p) => p.sizeBytes !== undefined).map((p) => [`${p.iqn}/${p.lun}`, p.sizeBytes!])));
  const registered = new Set(datastore.images.map((im) => `${im.iqn}/${im.lun}`));
  const picked = new Set(rows.map((r) => r.key));
  const input = toImagesInput(frontendId, datastore.id, rows);
  const toggle = (iqn: string, lun: number, sizeBytes: number | null, on: boolean, server = serverId) => {
    const key = `${iqn}/${lun}`;
    if (sizeBytes !== null) setSizes((s) => ({ ...s, [key]: sizeBytes }));
    setRows((rs) => (on ? (rs.some((r) => r.key === key) ? rs : [...rs, newRow(iqn, lun, server)]) : rs.filter((r) => r.key !== key)));
  };
  const setRow = (i: number, p: Partial<ImageRow>) => setRows((rs) => rs.map((r, j) => (j === i ? ({ ...r, ...p } as ImageRow) : r)));

  const body = (errors: FieldErrors) => {
    const rowKeys = new Set(rows.flatMap((_, i) => imageFields(i).filter((d) => !d.when || d.when(rows[i])).map((d) => d.errorKey ?? d.key)));
    const loose = Object.entries(errors).filter(([k]) => k !== '_form' && !rowKeys.has(k));
    return (
      <Stack spacing={2}>
        <Typography variant="body2" color="text.secondary">
          Each image’s PATH is the target’s IQN and the LUN number (IQN/LUN): without the number libvirt would use LUN 0, which on tgt is the controller. Images are persistent; the datastore accepts no others.
        </Typography>
        {servers.length > 0 && (
          <>
            <TextField select size="small" label="Storage server" value={serverId} onChange={(e) => setServerId(e.target.value)} sx={{ maxWidth: 320 }}>
              {servers.map((s) => <MenuItem key={s.id} value={s.id}>{s.name} ({s.address})</MenuItem>)}
            </TextField>
            {serverId && <LunPicker serverId={serverId} picked={picked} registered={registered} onToggle={(iqn, lun, size, on) => toggle(iqn, lun, size, on)} />}
          </>
        )}
        <Typography variant="subtitle2">Or a LUN Portico does not manage</Typography>
        <TypedLun onAdd={(iqn, lun) => toggle(iqn, lun, null, true, '')} />
        <Divider />
        {loose.map(([k, m]) => <Alert key={k} severity="error">{m}</Alert>)}
        {rows.length === 0 && <Typography color="text.secondary">No LUN picked yet.</Typography>}
        {rows.map((r, i) => (
          <Box key={r.key} aria-label={`Image for ${r.key}`} role="group" sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 1.5 }}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline', mb: 1 }}>
              <Typography sx={{ fontFamily: 'monospace', fontSize: 13, flexGrow: 1, wordBreak: 'break-all' }}>PATH = {r.key}</Typography>
              <Typography variant="body2" color="text.secondary" data-testid="image-size">
                {sizes[r.key] !== undefined ? `LUN size ${formatSize(sizes[r.key])}` : 'LUN size unknown (not on a managed server)'} · OpenNebula will show 0 MB
              </Typography>
              <Button size="small" onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}>Remove</Button>
            </Stack>
            <FieldList fields={imageFields(i)} form={r} set={(p) => setRow(i, p)} errors={errors} autoFocus={false} />
          </Box>
        ))}
      </Stack>
    );
  };

  return (
    <PlanDialog
      title={`Register images in ${datastore.name}`}
      input={input}
      validate={validateImages}
      plan={(x) => call('datastores.planImage', x)}
      onClose={onClose}
      onFinished={() => void qc.invalidateQueries({ queryKey: ['datastores'] })}
      maxWidth="lg"
    >
      {body}
    </PlanDialog>
  );
}
