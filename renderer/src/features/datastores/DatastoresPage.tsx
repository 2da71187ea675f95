// Datastores: the OpenNebula front-end, its datastores (one.datastorepool.info) and their images,
// each with the LUN it maps to and that LUN's live state on the storage server; orphans both ways
// (image without LUN, LUN without image) with their one-click fix plans; deletes as plans.
import { useState } from 'react';
import { Alert, Box, Button, Chip, MenuItem, Paper, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Tooltip, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import type { DatastoreView, ImageView, OrphanFix, OrphanLunView } from '../../../../shared/domain/opennebula-views';
import { formatSize } from '../../../../shared/domain/target';
import { call } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { useHosts } from '../hosts/api';
import { DatastoreWizard } from './DatastoreWizard';
import { FrontendPanel } from './FrontendPanel';
import { ImageDialog } from './ImageDialog';
import { DeleteDatastoreDialog, DeleteImageDialog, FixDialog } from './PlanDialogs';

/** Live state is read again on this interval (sessions come and go without a job). */
const LIST_REFRESH_MS = 15_000;

type Dialog =
  | { kind: 'images'; ds: DatastoreView; preset?: { iqn: string; lun: number; serverId?: string; sizeBytes?: number }[] }
  | { kind: 'fix'; fix: OrphanFix }
  | { kind: 'delete-image'; image: ImageView }
  | { kind: 'delete-ds'; ds: DatastoreView };

function LunState({ im }: { im: ImageView }) {
  const l = im.lun_;
  if (!l) return <Typography variant="body2" color="text.secondary">not on a server Portico manages</Typography>;
  if (!l.exists) return <Chip size="small" color="error" label={`missing on ${l.serverName}`} />;
  return (
    <Tooltip title={l.initiators.join(', ') || 'no initiator logged in'}>
      <Typography variant="body2">
        {l.serverName} · exists · {l.sizeBytes === null ? 'size ?' : formatSize(l.sizeBytes)} · {l.sessions} session(s)
      </Typography>
    </Tooltip>
  );
}

function ImagesTable({ ds, onDialog }: { ds: DatastoreView; onDialog: (d: Dialog) => void }) {
  if (!ds.images.length) return <Typography variant="body2" color="text.secondary" sx={{ px: 2, pb: 2 }}>No images yet.</Typography>;
  return (
    <Box sx={{ overflowX: 'auto' }}>
    <Table size="small" aria-label={`Images of ${ds.name}`}>
      <TableHead>
        <TableRow>
          <TableCell>Image</TableCell>
          <TableCell>Maps to (IQN/LUN)</TableCell>
          <TableCell>LUN now</TableCell>
          <TableCell>Size: LUN · OpenNebula</TableCell>
          <TableCell>Type · state</TableCell>
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {ds.images.map((im) => (
          <TableRow key={im.id}>
            <TableCell>
              <Typography variant="body2" sx={{ fontWeight: 600 }}>{im.name}</Typography>
              <Typography variant="caption" color="text.secondary">id {im.id}{im.persistent ? ' · persistent' : ' · NOT persistent'}</Typography>
            </TableCell>
            <TableCell sx={{ fontFamily: 'monospace', fontSize: 12.5, wordBreak: 'break-all', minWidth: 240, maxWidth: 360 }}>
              {im.iqn}/{im.lun}
              {im.missingLunSuffix && <Box><Chip size="small" color="warning" label="PATH has no /LUN: libvirt uses LUN 0 (tgt's controller)" /></Box>}
              {im.iscsiHost && <Box sx={{ color: 'text.secondary' }}>ISCSI_HOST {im.iscsiHost}</Box>}
            </TableCell>
            <TableCell>
              <LunState im={im} />
              {im.orphan && <Typography variant="body2" color="warning.main" sx={{ mt: 0.5 }}>Orphan: {im.orphanReason ?? 'no LUN'}</Typography>}
            </TableCell>
            <TableCell>
              {im.lun_?.sizeBytes != null ? formatSize(im.lun_.sizeBytes) : '?'} · {im.oneSizeMb} MB
            </TableCell>
            <TableCell>{im.type} · {im.state}</TableCell>
            <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
              {im.fix && <Button size="small" color="warning" onClick={() => onDialog({ kind: 'fix', fix: im.fix! })}>Fix</Button>}
              <Button size="small" color="error" onClick={() => onDialog({ kind: 'delete-image', image: im })}>Delete</Button>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
    </Box>
  );
}

function DatastoreCard({ ds, onDialog }: { ds: DatastoreView; onDialog: (d: Dialog) => void }) {
  return (
    <Paper variant="outlined" component="section" aria-label={`Datastore ${ds.name}`}>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', px: 2, py: 1.5 }} role="row" aria-label={`${ds.name} (id ${ds.id})`}>
        <Box sx={{ flexGrow: 1, minWidth: 0 }}>
          <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600 }}>{ds.name} <Typography component="span" color="text.secondary">· id {ds.id}</Typography></Typography>
          <Typography variant="body2" color="text.secondary" sx={{ wordBreak: 'break-all' }}>
            {ds.type} · DS_MAD {ds.dsMad} · TM_MAD {ds.tmMad} · DISK_TYPE {ds.diskType || '-'}
            {ds.iscsiHost ? ` · ISCSI_HOST ${ds.iscsiHost}` : ''}
            {ds.iscsiUser ? ` · CHAP ${ds.iscsiUser} (secret ${ds.iscsiUsage ?? '?'})` : ds.iscsi ? ' · no CHAP' : ''}
            {` · cluster ${ds.clusterIds.join(', ') || '-'}`}
          </Typography>
        </Box>
        <Button onClick={() => onDialog({ kind: 'images', ds })} sx={{ whiteSpace: 'nowrap', flexShrink: 0 }}>Register images</Button>
        <Button color="error" onClick={() => onDialog({ kind: 'delete-ds', ds })} sx={{ flexShrink: 0 }}>Delete</Button>
      </Stack>
      <ImagesTable ds={ds} onDialog={onDialog} />
    </Paper>
  );
}

function Orphans({ datastores, luns, onDialog }: { datastores: DatastoreView[]; luns: OrphanLunView[]; onDialog: (d: Dialog) => void }) {
  const images = datastores.flatMap((ds) => ds.images.filter((im) => im.orphan).map((im) => ({ ds, im })));
  return (
    <Paper variant="outlined" component="section" aria-label="Orphans" sx={{ p: 2 }}>
      <Typography variant="subtitle1" component="h2" sx={{ fontWeight: 600 }}>Orphans</Typography>
      {images.length + luns.length === 0 ? (
        <Typography variant="body2" color="text.secondary">None: every image has its LUN, and every LUN of the mapped targets has an image.</Typography>
      ) : (
        <Table size="small" aria-label="Orphan list">
          <TableHead>
            <TableRow>
              <TableCell>What</TableCell>
              <TableCell>IQN/LUN</TableCell>
              <TableCell>Why</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {images.map(({ ds, im }) => (
              <TableRow key={`i${im.id}`}>
                <TableCell>Image without LUN: {im.name} (id {im.id}, {ds.name})</TableCell>
                <TableCell sx={{ fontFamily: 'monospace', fontSize: 12.5, wordBreak: 'break-all' }}>{im.iqn}/{im.lun}</TableCell>
                <TableCell>{im.orphanReason}</TableCell>
                <TableCell align="right">{im.fix && <Button size="small" color="warning" onClick={() => onDialog({ kind: 'fix', fix: im.fix! })}>{im.fix.label}</Button>}</TableCell>
              </TableRow>
            ))}
            {luns.map((l) => (
              <TableRow key={`l${l.serverId}/${l.iqn}/${l.lun}`}>
                <TableCell>LUN without image on {l.serverName}</TableCell>
                <TableCell sx={{ fontFamily: 'monospace', fontSize: 12.5, wordBreak: 'break-all' }}>{l.iqn}/{l.lun}</TableCell>
                <TableCell>{formatSize(l.sizeBytes)}, {l.sessions} session(s); its target's other LUNs are images of datastore {datastores.find((d) => d.id === l.datastoreId)?.name ?? l.datastoreId}</TableCell>
                <TableCell align="right"><Button size="small" color="warning" onClick={() => onDialog({ kind: 'fix', fix: l.fix })}>{l.fix.label}</Button></TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Paper>
  );
}

export function DatastoresPage() {
  const hosts = useHosts();
  const frontends = useQuery({ queryKey: ['datastores', 'frontends'], queryFn: () => call('datastores.frontends', {}) });
  const [chosen, setChosen] = useState<string | null>(null);
  const fe = frontends.data?.find((f) => f.hostId === chosen) ?? frontends.data?.[0] ?? null;
  const list = useQuery({
    queryKey: ['datastores', fe?.hostId, 'list'],
    queryFn: () => call('datastores.list', { frontendId: fe!.hostId }),
    enabled: !!fe?.hasSession,
    refetchInterval: LIST_REFRESH_MS,
    retry: false,
  });
  const [creating, setCreating] = useState(false);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const feHosts = (hosts.data ?? []).filter((h) => h.roles.includes('one-frontend'));
  const view = list.data;
  const iscsi = view?.datastores.filter((d) => d.iscsi) ?? [];

  return (
    <>
      <PageHeader
        title="Datastores"
        subtitle="OpenNebula iSCSI datastores: the LUNs your VMs use, each image mapped to its LUN and that LUN's live state."
        actions={fe && !creating ? <Button variant="contained" onClick={() => setCreating(true)} disabled={!view}>Create datastore</Button> : undefined}
      />
      {hosts.data && feHosts.length === 0 && (
        <EmptyState title="Add an OpenNebula front-end first">
          Registering iSCSI datastores needs an OpenNebula front-end host. Add it on the Hosts page with the role “OpenNebula front-end”, then set its XML-RPC endpoint and session here.
        </EmptyState>
      )}
      {feHosts.length > 0 && frontends.data && (
        <Stack spacing={2}>
          {frontends.data.length > 1 && (
            <TextField select size="small" label="Front-end" value={fe?.hostId ?? ''} onChange={(e) => setChosen(e.target.value)} sx={{ maxWidth: 320 }}>
              {frontends.data.map((f) => <MenuItem key={f.hostId} value={f.hostId}>{f.hostName}</MenuItem>)}
            </TextField>
          )}
          <FrontendPanel key={fe?.hostId ?? 'new'} hosts={hosts.data ?? []} frontend={fe} onSaved={setChosen} />
          {list.isError && <Alert severity="error" role="alert">{(list.error as Error).message}</Alert>}
          {view?.problems.map((p) => <Alert key={p} severity="warning">{p}</Alert>)}
          {creating && fe && <DatastoreWizard frontendId={fe.hostId} drivers={view?.drivers ?? null} hosts={hosts.data ?? []} onClose={() => { setCreating(false); void list.refetch(); }} />}
          {view && !creating && (
            <>
              {view.datastores.filter((d) => !d.iscsi).length > 0 && (
                <Typography variant="body2" color="text.secondary">
                  Other datastores on this front-end (not iSCSI, not mapped here): {view.datastores.filter((d) => !d.iscsi).map((d) => `${d.name} (id ${d.id}, ${d.dsMad || d.type})`).join(', ')}.
                </Typography>
              )}
              {iscsi.length === 0 ? (
                <EmptyState title="No iSCSI datastore on this front-end" action={<Button variant="contained" onClick={() => setCreating(true)}>Create datastore</Button>}>
                  Create an iSCSI datastore for LUNs you made on the Targets page; Portico defines the CHAP secret on every KVM host and registers it with oned.
                </EmptyState>
              ) : (
                <Stack spacing={2} role="table" aria-label="Datastores">
                  {iscsi.map((ds) => <DatastoreCard key={ds.id} ds={ds} onDialog={setDialog} />)}
                </Stack>
              )}
              <Orphans datastores={view.datastores} luns={view.orphanLuns} onDialog={setDialog} />
            </>
          )}
        </Stack>
      )}
      {dialog?.kind === 'images' && fe && <ImageDialog frontendId={fe.hostId} datastore={dialog.ds} hosts={hosts.data ?? []} preset={dialog.preset} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'fix' && <FixDialog fix={dialog.fix} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'delete-image' && fe && <DeleteImageDialog frontendId={fe.hostId} image={dialog.image} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'delete-ds' && fe && <DeleteDatastoreDialog frontendId={fe.hostId} datastore={dialog.ds} onClose={() => setDialog(null)} />}
    </>
  );
}
