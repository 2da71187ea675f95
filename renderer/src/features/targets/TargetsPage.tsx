import { useMemo, useRef, useState } from 'react';
import { Alert, Box, Button, Chip, MenuItem, Paper, Stack, TextField, Tooltip, Typography } from '@mui/material';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useQueries, useQueryClient } from '@tanstack/react-query';
import type { HostView } from '../../../../shared/features/hosts';
import type { TargetView } from '../../../../shared/features/targets';
import { PLACEHOLDER_AUTHORITY, formatSize, isPlaceholderIqn } from '../../../../shared/domain/target';
import { call } from '../../api/client';
import { useHosts } from '../hosts/api';
import { targetsQuery, useTargets } from './api';
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

const ROW_HEIGHT = 76;

function acl(t: TargetView): string {
  if (t.openToAll) return 'open to every initiator';
  const parts = [...t.initiators, ...t.addresses];
  return (t.namesOnly ? 'names only: ' : '') + (parts.join(', ') || 'nobody');
}

function TargetRowView({ t, onAction }: { t: TargetView; onAction: (a: TargetAction) => void }) {
  const apparent = t.luns.reduce((a, l) => a + (l.apparentBytes ?? l.sizeBytes), 0);
  const allocated = t.luns.reduce((a, l) => a + (l.allocatedBytes ?? 0), 0);
  return (
    <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', px: 2, height: ROW_HEIGHT, borderBottom: 1, borderColor: 'divider' }} role="row" aria-label={t.iqn}>
      <Box sx={{ flex: 3, minWidth: 0 }}>
        <Typography noWrap sx={{ fontFamily: 'monospace', fontSize: 13.5 }} title={t.iqn}>
          {t.iqn}
        </Typography>
        <Typography variant="body2" color="text.secondary" noWrap>
          tid {t.tid} · {t.luns.length} LUN(s): {t.luns.map((l) => formatSize(l.apparentBytes ?? l.sizeBytes)).join(', ')} · {formatSize(apparent)} apparent, {formatSize(allocated)} allocated
        </Typography>
      </Box>
      <Typography variant="body2" sx={{ flex: 2, minWidth: 0 }} noWrap title={acl(t)}>
        {acl(t)}
      </Typography>
      <Stack direction="row" spacing={0.5} sx={{ flex: 1.4 }}>
        <Chip size="small" label={t.mutualChap ? 'mutual CHAP' : t.chap ? 'CHAP' : 'no CHAP'} color={t.chap ? 'success' : 'default'} variant="outlined" />
        <Chip size="small" label={`${t.sessions.length} session(s)`} color={t.sessions.length ? 'info' : 'default'} variant="outlined" />
        <Tooltip title={t.driftMessages.join('; ') || 'running state and conf.d file agree'}>
          <Chip size="small" label={t.persisted} color={t.persisted === 'in-sync' ? 'success' : 'warning'} variant="outlined" />
        </Tooltip>
      </Stack>
      <Stack direction="row" spacing={0.5}>
        <Button size="small" onClick={() => onAction('add-lun')}>Add LUN</Button>
        <Button size="small" onClick={() => onAction('access')}>Access</Button>
        {t.persisted !== 'in-sync' && <Button size="small" color="warning" onClick={() => onAction('reconcile')}>Reconcile</Button>}
        <Button size="small" color="error" onClick={() => onAction('delete')}>Delete</Button>
      </Stack>
    </Box>
  );
}

/** Virtualised so a server with a thousand targets scrolls smoothly. */
function TargetList({ targets, onAction }: { targets: TargetView[]; onAction: (t: TargetView, a: TargetAction) => void }) {
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: targets.length, getScrollElement: () => parent.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });
  return (
    <Paper variant="outlined" ref={parent} sx={{ maxHeight: '62vh', overflow: 'auto' }} role="table" aria-label="Targets" aria-rowcount={targets.length}>
      <Box sx={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map((it) => (
          <Box key={it.key} sx={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${it.start}px)` }}>
            <TargetRowView t={targets[it.index]} onAction={(a) => onAction(targets[it.index], a)} />
          </Box>
        ))}
      </Box>
    </Paper>
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

export function TargetsPage() {
  const hosts = useHosts();
  const servers = useMemo(() => (hosts.data ?? []).filter((h) => h.roles.includes('storage')), [hosts.data]);
  const [serverId, setServerId] = useState<string | null>(null);
  const server: HostView | undefined = servers.find((s) => s.id === serverId) ?? servers[0];
  const targets = useTargets(server?.id ?? null);
  const [creating, setCreating] = useState(false);
  const [filter, setFilter] = useState('');
  const [action, setAction] = useState<{ t: TargetView; a: TargetAction } | null>(null);
  const [checking, setChecking] = useState(false);
  const known = useKnownPortals(servers, checking);
  const shown = (targets.data?.targets ?? []).filter((t) => !filter || t.iqn.includes(filter) || t.initiators.some((i) => i.includes(filter)));

  return (
    <>
      <PageHeader title="Targets" subtitle="iSCSI targets and LUNs on your storage servers (tgt), read live from each server." />
      {hosts.data && servers.length === 0 && (
        <EmptyState title="No storage server yet">Add a storage server on the Hosts page (role “Storage server”); its targets and LUNs appear here, read live from the server.</EmptyState>
      )}
      {server && (
        <Stack spacing={2}>
          <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
            <TextField select size="small" label="Storage server" value={server.id} onChange={(e) => setServerId(e.target.value)} sx={{ minWidth: 220 }}>
              {servers.map((s) => (
                <MenuItem key={s.id} value={s.id}>{s.name}</MenuItem>
              ))}
            </TextField>
            {targets.data && <ServerSettings key={`${server.id}:${targets.data.settings.storageDir}:${targets.data.settings.baseIqn}`} serverId={server.id} {...targets.data.settings} />}
            <Box sx={{ flexGrow: 1 }} />
            <Button onClick={() => setChecking(true)}>Check portals</Button>
            {!creating && <Button variant="contained" onClick={() => setCreating(true)} disabled={!targets.data}>Create target</Button>}
          </Stack>
          {targets.isError && <Alert severity="error">{(targets.error as Error).message}</Alert>}
          {targets.data?.portals && (
            <Typography variant="body2" color="text.secondary">
              tgtd portals on {server.name}: {targets.data.portals.join(', ') || 'none'} (shared by every target; per-target “networks” are address rules).
            </Typography>
          )}
          {targets.data?.fileErrors.map((f) => (
            <Alert key={f.file} severity="warning">{f.file}: {f.error}</Alert>
          ))}
          {creating && targets.data && (
            <CreateTargetWizard server={server} settings={targets.data.settings} hosts={hosts.data ?? []} onClose={() => { setCreating(false); void targets.refetch(); }} />
          )}
          {!creating && targets.data && targets.data.targets.length === 0 && (
            <EmptyState title={`No targets on ${server.name} yet`} action={<Button variant="contained" onClick={() => setCreating(true)}>Create target</Button>}>
              Create the first target: name it, add LUNs, say who may log in, review the exact tgtadm commands, apply, and Portico logs in to verify.
            </EmptyState>
          )}
          {!creating && targets.data && targets.data.targets.length > 0 && (
            <>
              <TextField size="small" label="Filter by IQN or initiator" value={filter} onChange={(e) => setFilter(e.target.value)} sx={{ maxWidth: 420 }} />
              <TargetList targets={shown} onAction={(t, a) => setAction({ t, a })} />
            </>
          )}
        </Stack>
      )}
      {checking && <PortalCheckDialog hosts={hosts.data ?? []} known={known} onClose={() => setChecking(false)} />}
      {action && server && <TargetActionDialog serverId={server.id} target={action.t} action={action.a} onClose={() => { setAction(null); void targets.refetch(); }} />}
    </>
  );
}
