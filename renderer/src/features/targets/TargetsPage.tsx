import { useCallback, useMemo, useState } from 'react';
import { Alert, Box, Button, MenuItem, Paper, Stack, TextField, Typography } from '@mui/material';
import { useQueries, useQueryClient } from '@tanstack/react-query';
import type { HostView } from '../../../../shared/features/hosts';
import type { TargetView } from '../../../../shared/features/targets';
import { PLACEHOLDER_AUTHORITY, isPlaceholderIqn } from '../../../../shared/domain/target';
import { call } from '../../api/client';
import { useHosts } from '../hosts/api';
import { staleReason, targetsQuery, useTargets, useTargetsRefreshOnJobs } from './api';
import { pageHref, useRouteParams } from '../../app/routes';
import { DEFAULT_QUERY, isUnmanaged, listTargets, pruneSelection, type ListQuery } from './list-model';
import { ListControls, TargetList, type RowAction } from './TargetList';
import { PortalsSection } from './PortalsSection';
import { TargetDetailPage } from './TargetDetail';
import { AdoptDialog, BulkDialog } from './actions/ListDialogs';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { CreateTargetWizard } from './CreateTargetWizard';
import { TargetActionDialog, type TargetAction } from './TargetActionDialog';
import { PortalCheckDialog, type KnownPortal } from './PortalCheckDialog';

/** tgtd portals of every storage server, wildcards replaced by the server's own address. */
function useKnownPortals(servers: HostView[], enabled: boolean): KnownPortal[] {
  const views = useQueries({
    queries: servers.map((s) => ({ ...targetsQuery(s.id), enabled })),
  });
  return servers.flatMap((s, i) =>
    (views[i]?.data?.portals ?? []).map((p) => ({
      portal: p.replace(/^(0\.0\.0\.0|\[::\])(?=:\d+$)/, s.address.includes(':') ? `[${s.address}]` : s.address),
      server: s.name,
    })),
  );
}

function ServerSettings({ serverId, storageDir, baseIqn }: { serverId: string; storageDir: string; baseIqn: string }) {
  const qc = useQueryClient();
  const [dir, setDir] = useState(storageDir);
  const [iqn, setIqn] = useState(baseIqn);
  const [error, setError] = useState<string | null>(null);
  const dirty = dir !== storageDir || iqn !== baseIqn;
  const save = async () => {
    setError(null);
    try {
      await call('targets.settings', { serverId, storageDir: dir, baseIqn: iqn });
      await qc.invalidateQueries({ queryKey: ['targets', serverId] });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
      <TextField size="small" label="Storage folder" value={dir} onChange={(e) => setDir(e.target.value)} error={!!error?.startsWith('storageDir')} sx={{ minWidth: 260 }} />
      <TextField size="small" label="Base IQN" value={iqn} onChange={(e) => setIqn(e.target.value)} error={!!error?.startsWith('baseIqn')} sx={{ minWidth: 340, maxWidth: 420 }}
        color={isPlaceholderIqn(iqn) ? 'warning' : undefined} focused={isPlaceholderIqn(iqn) || undefined}
        helperText={
          isPlaceholderIqn(iqn)
            ? `Placeholder: replace ${PLACEHOLDER_AUTHORITY} with a domain your site owns, reversed (example.com becomes com.example). IQNs must be globally unique, and a domain you own keeps yours from clashing with anyone else's.`
            : "IQNs must be globally unique: a domain your site owns, reversed (iqn.YYYY-MM.com.example:server), keeps yours from clashing with anyone else's."
        } />
      {dirty && <Button onClick={() => void save()}>Save settings</Button>}
      {error && <Alert severity="error">{error}</Alert>}
    </Stack>
  );
}

/** #/targets shows the list (of the first server, or #/targets/<serverId>); #/targets/<serverId>/<iqn> one target. */
export function TargetsPage() {
  useTargetsRefreshOnJobs();
  const params = useRouteParams();
  if (params.length >= 2) return <TargetDetailPage serverId={params[0]} iqn={params[1]} />;
  return <TargetsListPage serverParam={params[0] ?? null} />;
}

type ListDialog =
  | { kind: 'row'; t: TargetView; a: TargetAction }
  | { kind: 'adopt'; ts: TargetView[] }
  | { kind: 'bulk'; ts: TargetView[]; action: 'delete' | 'aclAdd' };

function TargetsListPage({ serverParam }: { serverParam: string | null }) {
  const hosts = useHosts();
  const servers = useMemo(() => (hosts.data ?? []).filter((h) => h.roles.includes('storage')), [hosts.data]);
  const [serverId, setServerId] = useState<string | null>(serverParam);
  const server: HostView | undefined = servers.find((s) => s.id === serverId) ?? servers[0];
  const targets = useTargets(server?.id ?? null, true);
  const [creating, setCreating] = useState(false);
  const [q, setQ] = useState<ListQuery>(DEFAULT_QUERY);
  const [selected, setSelectedRaw] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<ListDialog | null>(null);
  const [checking, setChecking] = useState(false);
  const known = useKnownPortals(servers, checking);
  const all = useMemo(() => targets.data?.targets ?? [], [targets.data]);
  const shown = useMemo(() => listTargets(all, q), [all, q]);
  // A target a job deleted leaves the selection.
  const live = useMemo(() => pruneSelection(selected, all), [selected, all]);
  const setSelected = useCallback((s: Set<string>) => setSelectedRaw(s), []);
  const stale = staleReason(server, targets.isError ? targets.error : null);
  const disabled = stale ? `Not available while the list is stale: ${stale}` : null;
  const onAction = useCallback((t: TargetView, a: RowAction) => setDialog(a === 'adopt' ? { kind: 'adopt', ts: [t] } : { kind: 'row', t, a }), []);
  const chosen = all.filter((t) => live.has(t.iqn));
  const pick = (id: string) => {
    setServerId(id);
    setSelectedRaw(new Set());
    window.location.hash = pageHref('targets', id);
  };

  return (
    <>
      <PageHeader
        title="Targets"
        subtitle="iSCSI targets and LUNs on your storage servers (tgt), read live from each server."
        actions={server && (
          <Stack direction="row" spacing={1} sx={{ flexShrink: 0 }}>
            <Button onClick={() => setChecking(true)}>Check portals</Button>
            {!creating && <Button variant="contained" onClick={() => setCreating(true)} disabled={!targets.data || !!stale} title={disabled ?? undefined}>Create target</Button>}
          </Stack>
        )}
      />
      {hosts.data && servers.length === 0 && (
        <EmptyState title="No storage server yet">Add a storage server on the Hosts page (role “Storage server”); its targets and LUNs appear here, read live from the server.</EmptyState>
      )}
      {server && (
        <Stack spacing={2}>
          <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
            <TextField select size="small" label="Storage server" value={server.id} onChange={(e) => pick(e.target.value)} sx={{ minWidth: 220 }}>
              {servers.map((s) => (
                <MenuItem key={s.id} value={s.id}>{s.name}</MenuItem>
              ))}
            </TextField>
            {targets.data && <ServerSettings key={`${server.id}:${targets.data.settings.storageDir}:${targets.data.settings.baseIqn}`} serverId={server.id} {...targets.data.settings} />}
          </Stack>
          {stale && (
            <Alert severity="warning" role="status" aria-label="Stale list">
              {targets.data ? `Showing the list as read at ${new Date(targets.dataUpdatedAt).toLocaleTimeString()}: it may be out of date. ` : ''}{stale}. Actions are disabled until the server answers again.
            </Alert>
          )}
          {targets.data && <PortalsSection serverId={server.id} server={server.name} disabled={disabled} />}
          {targets.data?.fileErrors.map((f) => (
            <Alert key={f.file} severity="warning">{f.file}: {f.error}</Alert>
          ))}
          {creating && targets.data && (
            <CreateTargetWizard server={server} settings={targets.data.settings} hosts={hosts.data ?? []} onClose={() => { setCreating(false); void targets.refetch(); }} />
          )}
          {!creating && targets.data && targets.data.targets.length === 0 && (
            <EmptyState title={`No targets on ${server.name} yet`} action={<Button variant="contained" onClick={() => setCreating(true)} disabled={!!stale} title={disabled ?? undefined}>Create target</Button>}>
              Create the first target: name it, add LUNs, say who may log in, review the exact tgtadm commands, apply, and Portico logs in to verify.
            </EmptyState>
          )}
          {!creating && targets.data && targets.data.targets.length > 0 && (
            <>
              <ListControls all={all} q={q} setQ={setQ} />
              {chosen.length > 0 && (
                <Paper variant="outlined" sx={{ px: 2, py: 1 }} role="toolbar" aria-label="Selected targets">
                  <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                    <Typography variant="body2" sx={{ fontWeight: 600 }}>{chosen.length} selected</Typography>
                    <Button size="small" disabled={!!disabled} onClick={() => setDialog({ kind: 'bulk', ts: chosen, action: 'aclAdd' })}>Add access…</Button>
                    {chosen.every(isUnmanaged) && <Button size="small" color="warning" disabled={!!disabled} onClick={() => setDialog({ kind: 'adopt', ts: chosen })}>Adopt…</Button>}
                    <Button size="small" color="error" disabled={!!disabled} onClick={() => setDialog({ kind: 'bulk', ts: chosen, action: 'delete' })}>Delete…</Button>
                    <Box sx={{ flexGrow: 1 }} />
                    <Button size="small" onClick={() => setSelectedRaw(new Set())}>Clear selection</Button>
                  </Stack>
                </Paper>
              )}
              <TargetList targets={shown} serverId={server.id} selected={live} setSelected={setSelected} disabled={disabled} onAction={onAction} />
            </>
          )}
        </Stack>
      )}
      {checking && <PortalCheckDialog hosts={hosts.data ?? []} known={known} onClose={() => setChecking(false)} />}
      {dialog?.kind === 'row' && server && <TargetActionDialog serverId={server.id} target={dialog.t} action={dialog.a} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'adopt' && server && <AdoptDialog serverId={server.id} targets={dialog.ts} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'bulk' && server && <BulkDialog serverId={server.id} targets={dialog.ts} action={dialog.action} onClose={() => { setDialog(null); setSelectedRaw(new Set()); }} />}
    </>
  );
}
