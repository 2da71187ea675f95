// The path matrix: hosts x (network, target), each cell green/red/grey with the reason in words
// (on hover and in the detail below), the LUNs with their GUIDs and expected path counts, each
// host's state by the bond rules. Refreshed on demand and every N seconds (RefreshLoop: never
// piling up behind a slow check).
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Alert, Box, Button, Chip, MenuItem, Paper, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Tooltip, Typography,
} from '@mui/material';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import CancelIcon from '@mui/icons-material/Cancel';
import HelpOutlineIcon from '@mui/icons-material/HelpOutlined';
import WarningAmberIcon from '@mui/icons-material/WarningAmber';
import HourglassEmptyIcon from '@mui/icons-material/HourglassEmpty';
import type { BondsOverview, CellState, HostBondState, MatrixCell, MatrixView } from '../../../../shared/domain/bond';
import { formatSize } from '../../../../shared/domain/target';
import { call } from '../../api/client';
import { RefreshLoop, type RefreshLoopState } from './refresh-loop';
import { CELL_WORDS, HOST_WORDS, cellText, cellWhy, layout, worst, type MatrixColumn } from './matrix-model';
import { ExportButton } from './ExportDialog';

const INTERVALS = [
  { value: 0, label: 'Off (on demand)' },
  { value: 5, label: 'every 5 s' },
  { value: 10, label: 'every 10 s' },
  { value: 30, label: 'every 30 s' },
  { value: 60, label: 'every minute' },
];

const CELL_LOOK: Record<CellState, { color: 'success' | 'error' | 'warning' | 'info' | 'default'; icon: React.ReactElement }> = {
  ok: { color: 'success', icon: <CheckCircleIcon fontSize="small" /> },
  failed: { color: 'error', icon: <CancelIcon fontSize="small" /> },
  degraded: { color: 'warning', icon: <WarningAmberIcon fontSize="small" /> },
  missing: { color: 'default', icon: <HelpOutlineIcon fontSize="small" /> },
  checking: { color: 'info', icon: <HourglassEmptyIcon fontSize="small" /> },
};

const HOST_COLOR: Record<HostBondState, 'success' | 'warning' | 'error' | 'default' | 'info'> = {
  ok: 'success', degraded: 'warning', 'non-operational': 'error', 'default-network': 'info', unknown: 'default',
};

function CellView({ host, col, paths, selected, onSelect }: { host: string; col: MatrixColumn; paths: MatrixCell[] | null; selected: boolean; onSelect: () => void }) {
  const text = cellText(host, col, paths);
  if (!paths) {
    return <TableCell aria-label={text} sx={{ color: 'text.disabled' }}>—</TableCell>;
  }
  const s = worst(paths);
  const look = CELL_LOOK[s];
  return (
    <TableCell aria-label={text} data-state={s} sx={{ p: 0.75 }}>
      <Tooltip title={<Box sx={{ whiteSpace: 'pre-line' }}>{cellWhy(paths)}</Box>}>
        <Chip
          icon={look.icon}
          color={look.color}
          variant={selected ? 'filled' : 'outlined'}
          label={`${CELL_WORDS[s]}${paths.length > 1 ? ` (${paths.filter((p) => p.state === 'ok').length}/${paths.length})` : ''}`}
          onClick={onSelect}
          aria-pressed={selected}
          sx={{ width: '100%', justifyContent: 'flex-start' }}
        />
      </Tooltip>
    </TableCell>
  );
}

function CellDetail({ host, col, paths }: { host: string; col: MatrixColumn; paths: MatrixCell[] }) {
  return (
    <Paper variant="outlined" sx={{ p: 2 }} aria-label="Path detail">
      <Typography variant="subtitle1" component="h3" sx={{ mb: 1 }}>{host} on {col.networkName} to <code>{col.iqn}</code></Typography>
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>Portal</TableCell>
            <TableCell>NIC</TableCell>
            <TableCell>TCP</TableCell>
            <TableCell>Login</TableCell>
            <TableCell>LUNs seen (GUID)</TableCell>
            <TableCell>In words</TableCell>
            <TableCell>Took</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {paths.map((p) => (
            <TableRow key={p.connectionId}>
              <TableCell sx={{ fontFamily: 'monospace' }}>{p.portal}</TableCell>
              <TableCell sx={{ fontFamily: 'monospace' }}>{p.nic ?? 'default route'}</TableCell>
              <TableCell>{p.tcp ? 'reachable' : 'no'}</TableCell>
              <TableCell>{p.login ? 'OK' : 'no'}</TableCell>
              <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>
                {p.luns.length ? p.luns.map((l) => <div key={`${l.lun}-${l.guid}`}>LUN {l.lun ?? '?'} {l.guid ?? 'no GUID'}{l.sizeBytes !== null ? ` (${formatSize(l.sizeBytes)})` : ''}</div>) : 'none'}
              </TableCell>
              <TableCell sx={{ color: p.state === 'ok' ? 'success.main' : p.state === 'failed' ? 'error.main' : 'text.primary' }}>{p.message}</TableCell>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>{p.elapsedMs} ms</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Paper>
  );
}

function LunTable({ v, hostName }: { v: MatrixView; hostName: (id: string) => string }) {
  if (v.luns.length === 0) return <Typography variant="body2" color="text.secondary">No LUN seen through any path yet.</Typography>;
  return (
    <Table size="small" aria-label="LUNs and paths">
      <TableHead>
        <TableRow>
          <TableCell>LUN GUID (multipath WWID)</TableCell>
          {v.hosts.map((h) => <TableCell key={h.hostId}>{h.name}: paths seen / expected</TableCell>)}
        </TableRow>
      </TableHead>
      <TableBody>
        {v.luns.map((l) => (
          <TableRow key={l.guid} aria-label={`LUN ${l.guid}`}>
            <TableCell sx={{ fontFamily: 'monospace', fontSize: 13 }}>{l.guid}</TableCell>
            {v.hosts.map((h) => {
              const p = l.perHost.find((x) => x.hostId === h.hostId);
              const short = p && p.seen < p.expected;
              return (
                <TableCell key={h.hostId} aria-label={`${hostName(h.hostId)} paths to ${l.guid}`} sx={{ color: short ? 'error.main' : 'text.primary', fontWeight: short ? 600 : undefined }}>
                  {p ? `${p.seen} / ${p.expected}` : '—'}
                </TableCell>
              );
            })}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

export function PathMatrix({ o, bondId }: { o: BondsOverview; bondId: string }) {
  const [view, setView] = useState<MatrixView | null>(null);
  const [loop, setLoopState] = useState<RefreshLoopState>({ running: false, lastFinishedAt: null, error: null });
  const [every, setEvery] = useState(10);
  const [selected, setSelected] = useState<{ hostId: string; col: string } | null>(null);
  const loopRef = useRef<RefreshLoop | null>(null);
  const bond = o.bonds.find((b) => b.id === bondId);

  useEffect(() => {
    const l = new RefreshLoop(async () => setView(await call('bonds.matrix', { bondId, refresh: true })), setLoopState);
    loopRef.current = l;
    // The last result at once; a first check when there is none yet.
    call('bonds.matrix', { bondId, refresh: false }).then((v) => {
      setView(v);
      if (!v.at) void l.refresh();
    }, () => void l.refresh());
    return () => l.stop();
  }, [bondId]);
  useEffect(() => loopRef.current?.setInterval(every > 0 ? every * 1000 : null), [every, bondId]);

  const grid = useMemo(() => (view ? layout(view) : null), [view]);
  const hostName = (id: string) => view?.hosts.find((h) => h.hostId === id)?.name ?? id;
  const sel = selected && grid ? (() => {
    const ci = grid.columns.findIndex((c) => c.key === selected.col);
    const row = grid.rows.find((r) => r.hostId === selected.hostId);
    const paths = ci >= 0 && row ? row.cells[ci] : null;
    return paths && row ? { host: row.name, col: grid.columns[ci], paths } : null;
  })() : null;
  const checking = loop.running || !!view?.running;

  return (
    <Stack spacing={2} role="region" aria-label={`Path matrix of ${bond?.name ?? 'the bond'}`}>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', flexWrap: 'wrap' }} useFlexGap>
        <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>Path matrix{bond ? ` of bond ${bond.name}` : ''}</Typography>
        <Typography variant="body2" color="text.secondary" data-testid="matrix-checked-at" data-at={view?.at ?? ''}>
          {view?.at ? `Checked at ${new Date(view.at).toLocaleTimeString()}${view.elapsedMs !== null ? ` in ${view.elapsedMs < 1000 ? `${view.elapsedMs} ms` : `${(view.elapsedMs / 1000).toFixed(1)} s`}` : ''}` : 'Not checked yet'}
        </Typography>
        <TextField select size="small" label="Refresh" value={every} onChange={(e) => setEvery(Number(e.target.value))} sx={{ width: 180 }}>
          {INTERVALS.map((i) => <MenuItem key={i.value} value={i.value}>{i.label}</MenuItem>)}
        </TextField>
        <Button variant="outlined" onClick={() => void loopRef.current?.refresh()} disabled={checking}>{checking ? 'Checking…' : 'Refresh now'}</Button>
        {bond && <ExportButton bondId={bond.id} bondName={bond.name} />}
      </Stack>
      {loop.error && <Alert severity="error" role="alert">The last check failed: {loop.error}</Alert>}
      {grid && view && (
        <>
          <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }} aria-label="Host states">
            {grid.rows.map((r) => (
              <Tooltip key={r.hostId} title={r.reason || HOST_WORDS[r.state]}>
                <Chip data-testid={`host-state-${r.name}`} color={HOST_COLOR[r.state]} variant="outlined"
                  label={`${r.name}: ${HOST_WORDS[r.state]}${r.reason && r.state !== 'ok' ? ` — ${r.reason}` : ''}`}
                  sx={{ maxWidth: '100%', height: 'auto', '& .MuiChip-label': { whiteSpace: 'normal', py: 0.5 } }} />
              </Tooltip>
            ))}
          </Stack>
          <Paper variant="outlined" sx={{ overflowX: 'auto' }}>
            <Table size="small" aria-label="Path matrix">
              <TableHead>
                <TableRow>
                  <TableCell>Host</TableCell>
                  {grid.columns.map((c) => (
                    <TableCell key={c.key} sx={{ minWidth: 170 }}>
                      <div>network {c.networkName}</div>
                      <Typography variant="caption" color="text.secondary" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>{c.iqn}</Typography>
                    </TableCell>
                  ))}
                </TableRow>
              </TableHead>
              <TableBody>
                {grid.rows.map((r) => (
                  <TableRow key={r.hostId} aria-label={`paths of ${r.name}`}>
                    <TableCell component="th" scope="row" sx={{ fontWeight: 600 }}>{r.name}</TableCell>
                    {r.cells.map((paths, i) => (
                      <CellView key={grid.columns[i].key} host={r.name} col={grid.columns[i]} paths={paths}
                        selected={selected?.hostId === r.hostId && selected.col === grid.columns[i].key}
                        onSelect={() => setSelected({ hostId: r.hostId, col: grid.columns[i].key })} />
                    ))}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Paper>
          {grid.rows.length === 0 && <Alert severity="info">The data center has no host: add hosts to it first.</Alert>}
          {sel ? <CellDetail host={sel.host} col={sel.col} paths={sel.paths} /> : grid.rows.length > 0 && (
            <Typography variant="body2" color="text.secondary">Choose a cell for its detail: each portal, the NIC, TCP, login, the LUNs seen and why a path is down.</Typography>
          )}
          <Typography variant="subtitle1" component="h3">LUNs</Typography>
          <LunTable v={view} hostName={hostName} />
        </>
      )}
    </Stack>
  );
}
