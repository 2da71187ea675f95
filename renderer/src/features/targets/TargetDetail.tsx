// One target, deep-linkable (#/targets/<serverId>/<iqn>): identity, LUNs, access and CHAP accounts,
// sessions (read again every few seconds), drift or "unmanaged" with what differs, the conf file as
// written, and the jobs that touched it; every change from here is a reviewed plan.
import { useState, type ReactNode } from 'react';
import { Alert, Box, Button, Chip, Link, Paper, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import type { TargetDetailView, TargetLunDetail, TargetView } from '../../../../shared/features/targets';
import { formatSize } from '../../../../shared/domain/target';
import { pageHref } from '../../app/routes';
import { useHosts } from '../hosts/api';
import { staleReason, useTargetDetail } from './api';
import { AddLunDialog, ReadonlyLunDialog, RemoveLunDialog, ResizeLunDialog } from './actions/LunDialogs';
import { ChapDialog, type ChapAction } from './actions/ChapDialog';
import { RenameDialog, SessionCloseDialog } from './actions/SmallDialogs';
import { AdoptDialog } from './actions/ListDialogs';
import { TargetActionDialog, type TargetAction } from './TargetActionDialog';

type Dialog =
  | { kind: 'add-lun' } | { kind: 'resize' | 'remove' | 'readonly'; lun: TargetLunDetail } | { kind: 'chap'; what: ChapAction }
  | { kind: 'session'; nexus: number } | { kind: 'rename' } | { kind: 'adopt' } | { kind: 'target'; action: TargetAction };

const BACKING: Record<TargetLunDetail['backingKind'], string> = {
  'file-sparse': 'sparse file', 'file-allocated': 'allocated file', block: 'block device', lv: 'logical volume', missing: 'missing', unknown: 'unknown',
};

function Section({ title, actions, children, label }: { title: string; actions?: ReactNode; children: ReactNode; label?: string }) {
  return (
    <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-label={label ?? title}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1.5 }}>
        <Typography variant="h6" component="h2" sx={{ fontSize: 17, flexGrow: 1 }}>{title}</Typography>
        {actions}
      </Stack>
      {children}
    </Paper>
  );
}

const Mono = ({ children }: { children: ReactNode }) => <Box component="span" sx={{ fontFamily: 'monospace', fontSize: 13, wordBreak: 'break-all' }}>{children}</Box>;

/** The detail as a TargetView, for the dialogs the list shares (access, delete, reconcile, adopt). */
function asView(d: TargetDetailView): TargetView {
  return {
    tid: d.tid, iqn: d.iqn, luns: d.luns, addresses: d.access.addresses, initiators: d.access.initiators, namesOnly: d.access.namesOnly, openToAll: d.access.openToAll,
    chap: d.access.chapUsers.length > 0, mutualChap: !!d.access.mutualChapUser, chapUsers: d.access.chapUsers, mutualChapUser: d.access.mutualChapUser,
    sessions: d.sessions, persisted: d.persisted, driftMessages: d.driftMessages, managed: d.managed, alias: d.alias, comment: d.comment,
    totalBytes: d.luns.reduce((a, l) => a + l.sizeBytes, 0),
  };
}

export function TargetDetailPage({ serverId, iqn }: { serverId: string; iqn: string }) {
  const detail = useTargetDetail(serverId, iqn);
  const hosts = useHosts();
  const host = hosts.data?.find((h) => h.id === serverId);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const d = detail.data;
  // Stale: the host is blocked or unreachable, or a read failed while an older answer is shown.
  const stale = d || !detail.isError ? staleReason(host, detail.isError ? detail.error : null) : null;
  const off = stale ? `Not available while this view is stale: ${stale}` : null;
  const act = (x: Dialog) => () => setDialog(x);
  const btn = (label: string, x: Dialog, color?: 'error' | 'warning') => (
    <Button size="small" color={color} disabled={!!off} title={off ?? undefined} onClick={act(x)}>{label}</Button>
  );
  return (
    <>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1 }}>
        <Button startIcon={<ArrowBackIcon />} href={pageHref('targets', serverId)}>Targets{host ? ` on ${host.name}` : ''}</Button>
      </Stack>
      <Typography variant="h5" component="h1" sx={{ fontFamily: 'monospace', fontSize: 20, wordBreak: 'break-all', mb: 1 }}>{iqn}</Typography>
      {stale && (
        <Alert severity="warning" role="status" aria-label="Stale view" sx={{ mb: 2 }}>
          {d ? `Showing this target as read at ${new Date(detail.dataUpdatedAt).toLocaleTimeString()}: it may be out of date. ` : ''}{stale}. Actions are disabled until the server answers again.
        </Alert>
      )}
      {!d && !detail.isError && <Typography color="text.secondary">Reading the target from the server…</Typography>}
      {!d && detail.isError && <Alert severity="error">{(detail.error as Error).message}</Alert>}
      {d && (
        <Stack spacing={2}>
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }} useFlexGap>
            <Chip label={d.managed ? 'managed by Portico' : 'unmanaged'} color={d.managed ? 'success' : 'warning'} variant="outlined" />
            <Chip label={d.persisted} color={d.persisted === 'in-sync' ? 'success' : 'warning'} variant="outlined" />
            <Chip label={`${d.sessions.length} session(s)`} color={d.sessions.length ? 'info' : 'default'} variant="outlined" />
            <Chip label={d.access.chapUsers.length ? (d.access.mutualChapUser ? 'mutual CHAP' : 'CHAP') : 'no CHAP'} color={d.access.chapUsers.length ? 'success' : 'default'} variant="outlined" />
            <Box sx={{ flexGrow: 1 }} />
            {btn('Delete target', { kind: 'target', action: 'delete' }, 'error')}
          </Stack>

          {!d.managed && (
            <Alert severity="warning" aria-label="Unmanaged target"
              action={<Button color="inherit" disabled={!!off} onClick={act({ kind: 'adopt' })}>Adopt</Button>}>
              Portico did not create this target (made by hand, by tgt-admin, or left over): no conf.d file of Portico's defines it, so a restart of tgt may lose it and drift is not checked.
              {d.driftMessages.length > 0 && <Box component="ul" sx={{ m: 0, pl: 2.5 }}>{d.driftMessages.map((m) => <li key={m}>{m}</li>)}</Box>}
              {d.adoptNeeds?.secretsFor.length ? ` Adopting needs the secrets of ${d.adoptNeeds.secretsFor.join(', ')} (tgt never shows them).` : ''}
            </Alert>
          )}
          {d.managed && d.persisted !== 'in-sync' && (
            <Alert severity="warning" aria-label="Drift" action={<Button color="inherit" disabled={!!off} onClick={act({ kind: 'target', action: 'reconcile' })}>Reconcile</Button>}>
              Running state and conf file differ ({d.persisted}).
              {d.driftMessages.length > 0 && <Box component="ul" sx={{ m: 0, pl: 2.5 }}>{d.driftMessages.map((m) => <li key={m}>{m}</li>)}</Box>}
            </Alert>
          )}

          <Section title="Identity" actions={btn('Alias and comment', { kind: 'rename' })}>
            <Table size="small" aria-label="Identity">
              <TableBody>
                <TableRow><TableCell sx={{ width: 160 }}>IQN</TableCell><TableCell><Mono>{d.iqn}</Mono></TableCell></TableRow>
                <TableRow><TableCell>tid</TableCell><TableCell>{d.tid}</TableCell></TableRow>
                <TableRow><TableCell>Alias</TableCell><TableCell>{d.alias ?? '—'}</TableCell></TableRow>
                <TableRow><TableCell>Comment</TableCell><TableCell>{d.comment ?? '—'}</TableCell></TableRow>
                <TableRow><TableCell>Server</TableCell><TableCell>{d.server}; portals {d.portals.join(', ') || 'none'} (shared by every target)</TableCell></TableRow>
              </TableBody>
            </Table>
          </Section>

          <Section title={`LUNs (${d.luns.length})`} label="LUNs" actions={btn('Add LUN', { kind: 'add-lun' })}>
            <Table size="small" aria-label="LUN table">
              <TableHead>
                <TableRow>
                  <TableCell>LUN</TableCell><TableCell>Backing</TableCell><TableCell>Size</TableCell><TableCell>Block</TableCell><TableCell>Read-only</TableCell>
                  <TableCell>scsi_id / serial</TableCell><TableCell>Device GUID</TableCell><TableCell />
                </TableRow>
              </TableHead>
              <TableBody>
                {d.luns.map((l) => (
                  <TableRow key={l.lun} aria-label={`LUN ${l.lun}`}>
                    <TableCell>{l.lun}</TableCell>
                    <TableCell><Mono>{l.path ?? '—'}</Mono><Typography variant="caption" component="div" color="text.secondary">{BACKING[l.backingKind]}</Typography></TableCell>
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>
                      {formatSize(l.apparentBytes ?? l.sizeBytes)}
                      <Typography variant="caption" component="div" color="text.secondary">{l.allocatedBytes === null ? 'allocated: ?' : `${formatSize(l.allocatedBytes)} allocated`}</Typography>
                    </TableCell>
                    <TableCell>{l.blockSize}</TableCell>
                    <TableCell>{l.readonly ? 'yes' : 'no'}</TableCell>
                    <TableCell><Mono>{l.scsiId}</Mono><Typography variant="caption" component="div" color="text.secondary"><Mono>{l.scsiSn}</Mono></Typography></TableCell>
                    <TableCell><Mono>{l.guid ?? '—'}</Mono></TableCell>
                    <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                      {btn('Resize', { kind: 'resize', lun: l })}
                      {btn(l.readonly ? 'Make writable' : 'Make read-only', { kind: 'readonly', lun: l })}
                      {btn('Remove', { kind: 'remove', lun: l }, 'error')}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {d.luns.length === 0 && <Typography color="text.secondary">No LUNs: initiators that log in see no disk.</Typography>}
          </Section>

          <Section title="Access" actions={btn('Edit rules', { kind: 'target', action: 'access' })}>
            <Stack spacing={1}>
              <Typography variant="body2">
                {d.access.openToAll ? 'Open to every initiator (ALL).' : d.access.namesOnly ? 'Initiator names only.' : 'Initiators matching a name or an address rule.'}
              </Typography>
              <Table size="small" aria-label="Access rules">
                <TableBody>
                  <TableRow><TableCell sx={{ width: 160 }}>Initiator names</TableCell><TableCell>{d.access.initiators.length ? d.access.initiators.map((i) => <div key={i}><Mono>{i}</Mono></div>) : 'none'}</TableCell></TableRow>
                  <TableRow><TableCell>Address rules</TableCell><TableCell>{d.access.addresses.length ? d.access.addresses.map((a) => <div key={a}><Mono>{a}</Mono></div>) : 'none'}</TableCell></TableRow>
                </TableBody>
              </Table>
              <Typography variant="subtitle2" sx={{ pt: 1 }}>CHAP accounts (user names only; Portico never shows a stored secret)</Typography>
              <Table size="small" aria-label="CHAP accounts">
                <TableBody>
                  {d.access.chapUsers.map((u) => (
                    <TableRow key={u} aria-label={`CHAP ${u}`}>
                      <TableCell sx={{ width: 160 }}>incoming</TableCell><TableCell><Mono>{u}</Mono></TableCell>
                      <TableCell align="right">{btn('Rotate secret', { kind: 'chap', what: { action: 'rotate', user: u, mutual: false } })}{btn('Remove', { kind: 'chap', what: { action: 'remove', user: u, mutual: false } }, 'error')}</TableCell>
                    </TableRow>
                  ))}
                  {d.access.mutualChapUser && (
                    <TableRow aria-label={`CHAP ${d.access.mutualChapUser}`}>
                      <TableCell>outgoing (mutual)</TableCell><TableCell><Mono>{d.access.mutualChapUser}</Mono></TableCell>
                      <TableCell align="right">
                        {btn('Rotate secret', { kind: 'chap', what: { action: 'rotate', user: d.access.mutualChapUser, mutual: true } })}
                        {btn('Remove', { kind: 'chap', what: { action: 'remove', user: d.access.mutualChapUser, mutual: true } }, 'error')}
                      </TableCell>
                    </TableRow>
                  )}
                </TableBody>
              </Table>
              {!d.access.chapUsers.length && !d.access.mutualChapUser && <Typography variant="body2" color="text.secondary">No CHAP: initiators the rules admit log in without a secret.</Typography>}
              <Stack direction="row">{btn('Add CHAP account', { kind: 'chap', what: { action: 'add' } })}</Stack>
            </Stack>
          </Section>

          <Section title={`Sessions (${d.sessions.length})`} label="Sessions">
            <Typography variant="caption" color="text.secondary" component="div" sx={{ mb: 1 }}>Read again every 5 s. {d.sinceNote}</Typography>
            {d.sessions.length === 0 ? (
              <Typography color="text.secondary">No initiator is connected.</Typography>
            ) : (
              <Table size="small" aria-label="Session table">
                <TableHead>
                  <TableRow><TableCell>Session</TableCell><TableCell>Initiator</TableCell><TableCell>Address</TableCell><TableCell>Connections</TableCell><TableCell>Since</TableCell><TableCell /></TableRow>
                </TableHead>
                <TableBody>
                  {d.sessions.map((s) => (
                    <TableRow key={s.nexus} aria-label={`session ${s.initiator}`}>
                      <TableCell>{s.nexus}</TableCell>
                      <TableCell><Mono>{s.initiator}</Mono>{s.alias && <Typography variant="caption" component="div" color="text.secondary">{s.alias}</Typography>}</TableCell>
                      <TableCell>{s.connections.map((c) => c.address).join(', ')}</TableCell>
                      <TableCell>{s.connectionCount}</TableCell>
                      <TableCell>{s.since ? new Date(s.since).toLocaleString() : '—'}</TableCell>
                      <TableCell align="right">{btn('Disconnect', { kind: 'session', nexus: s.nexus }, 'warning')}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </Section>

          <Section title="Conf file" label="Conf file">
            {d.confPath ? (
              <>
                <Typography variant="body2" sx={{ mb: 1 }}><Mono>{d.confPath}</Mono> as written (CHAP secrets masked):</Typography>
                <Paper variant="outlined" component="pre" aria-label="Conf file text" sx={{ p: 1.5, m: 0, fontSize: 12.5, overflow: 'auto', maxHeight: 320 }}>{d.confText}</Paper>
              </>
            ) : (
              <Typography color="text.secondary">No conf.d file defines this target{d.managed ? '' : ': adopting it writes one from the live state'}.</Typography>
            )}
          </Section>

          <Section title="Jobs that touched this target" label="Jobs">
            {d.jobs.length === 0 ? (
              <Typography color="text.secondary">No job of Portico's changed this target yet.</Typography>
            ) : (
              <Table size="small" aria-label="Target jobs">
                <TableBody>
                  {d.jobs.map((j) => (
                    <TableRow key={j.id}>
                      <TableCell><Link href={pageHref('activity', j.id)}>{j.title}</Link></TableCell>
                      <TableCell>{j.state}</TableCell>
                      <TableCell>{new Date(j.startedAt).toLocaleString()}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </Section>
        </Stack>
      )}
      {d && dialog?.kind === 'add-lun' && <AddLunDialog target={d} onClose={() => setDialog(null)} />}
      {d && dialog?.kind === 'resize' && <ResizeLunDialog target={d} lun={dialog.lun} onClose={() => setDialog(null)} />}
      {d && dialog?.kind === 'remove' && <RemoveLunDialog target={d} lun={dialog.lun} onClose={() => setDialog(null)} />}
      {d && dialog?.kind === 'readonly' && <ReadonlyLunDialog target={d} lun={dialog.lun} onClose={() => setDialog(null)} />}
      {d && dialog?.kind === 'chap' && <ChapDialog target={d} what={dialog.what} onClose={() => setDialog(null)} />}
      {d && dialog?.kind === 'session' && <SessionCloseDialog target={d} nexus={dialog.nexus} onClose={() => setDialog(null)} />}
      {d && dialog?.kind === 'rename' && <RenameDialog target={d} onClose={() => setDialog(null)} />}
      {d && dialog?.kind === 'adopt' && <AdoptDialog serverId={serverId} targets={[asView(d)]} onClose={() => setDialog(null)} />}
      {d && dialog?.kind === 'target' && (
        <TargetActionDialog serverId={serverId} target={asView(d)} action={dialog.action}
          onClose={() => setDialog(null)} />
      )}
    </>
  );
}
