// One storage server on the dashboard: capacity of its storage folder's filesystem as charts
// (apparent vs allocated, overcommit %, free %), targets, sessions and drift, each linking to the
// Targets page; the server's warning thresholds are edited here.
import { useState } from 'react';
import { Alert, Box, Button, Card, CardContent, Chip, Link, Stack, TextField, Typography } from '@mui/material';
import { BarChart } from '@mui/x-charts/BarChart';
import { Gauge } from '@mui/x-charts/Gauge';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { formatSize } from '../../../../shared/domain/target';
import type { ServerSummary } from '../../../../shared/features/dashboard';
import { call } from '../../api/client';
import { apiFieldErrors, type FieldErrors } from '../../components/form';
import { pageHref } from '../../app/routes';

function Figure({ label, value, href }: { label: string; value: string | number; href: string }) {
  return (
    <Link href={href} underline="hover" color="inherit" aria-label={`${label}: ${value}`} sx={{ display: 'block', minWidth: 90 }}>
      <Typography variant="h5" component="div">{value}</Typography>
      <Typography variant="caption" color="text.secondary">{label}</Typography>
    </Link>
  );
}

function Thresholds({ s }: { s: ServerSummary }) {
  const qc = useQueryClient();
  const [over, setOver] = useState(String(s.thresholds.overcommitPct));
  const [free, setFree] = useState(String(s.thresholds.minFreePct));
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: () => call('dashboard.setThresholds', { serverId: s.serverId, overcommitPct: Number(over), minFreePct: Number(free) }),
    onSuccess: () => { setErrors({}); void qc.invalidateQueries({ queryKey: ['dashboard'] }); },
    onError: (e) => setErrors(apiFieldErrors(e)),
  });
  const err = (k: string) => ({ error: !!errors[k], helperText: errors[k] });
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }} component="form" aria-label={`Warning thresholds of ${s.name}`} onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <TextField size="small" label="Warn above overcommit %" value={over} onChange={(e) => setOver(e.target.value)} {...err('overcommitPct')} slotProps={{ htmlInput: { inputMode: 'numeric' } }} sx={{ width: 190 }} />
      <TextField size="small" label="Warn under free %" value={free} onChange={(e) => setFree(e.target.value)} {...err('minFreePct')} slotProps={{ htmlInput: { inputMode: 'numeric' } }} sx={{ width: 160 }} />
      <Button type="submit" size="small" variant="outlined" disabled={save.isPending} sx={{ mt: 0.5 }}>Save thresholds</Button>
    </Stack>
  );
}

export function ServerCard({ s }: { s: ServerSummary }) {
  const c = s.capacity;
  const href = pageHref('targets', s.serverId);
  const bars = c
    ? [
        { label: 'All LUN files, apparent', v: c.apparentBytes },
        { label: 'All LUN files, allocated', v: c.allocatedBytes },
        { label: 'Sparse LUNs, apparent', v: c.sparseApparentBytes },
        { label: 'Sparse LUNs, allocated', v: c.sparseAllocatedBytes },
        ...(c.filesystem ? [{ label: 'Filesystem size', v: c.filesystem.sizeBytes }, { label: 'Filesystem free', v: c.filesystem.availBytes }] : []),
      ]
    : [];
  return (
    <Card variant="outlined" component="section" aria-label={`Storage server ${s.name}`}>
      <CardContent>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1 }}>
          <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>
            <Link href={href} underline="hover" color="inherit">{s.name}</Link>
          </Typography>
          <Chip size="small" variant="outlined" color={s.reachable ? 'success' : 'error'} label={s.reachable ? 'reachable' : 'not read'} />
        </Stack>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          {s.address} · storage folder <code>{s.storageDir}</code>
          {c?.filesystem && <> on {c.filesystem.mount} ({c.filesystem.type})</>}
        </Typography>
        {s.error && <Alert severity="error" sx={{ mb: 2 }}>{s.name} could not be read: {s.error}</Alert>}
        {s.reachable && (
          <Stack direction="row" spacing={3} sx={{ mb: 2, flexWrap: 'wrap' }} useFlexGap>
            <Figure label="targets" value={s.targets} href={href} />
            <Figure label="sessions" value={s.sessions} href={href} />
            <Figure label="sparse LUNs" value={c?.sparseLuns ?? 0} href={href} />
            <Figure label="drifted targets" value={s.drift.length} href={s.drift[0] ? pageHref('targets', s.serverId, s.drift[0].iqn) : href} />
          </Stack>
        )}
        {c && (
          <Stack direction={{ xs: 'column', md: 'row' }} spacing={2} sx={{ alignItems: 'center' }}>
            <Box sx={{ flexGrow: 1, minWidth: 0, width: '100%' }} aria-label={`Capacity of ${s.name}`} role="img">
              <BarChart
                height={220}
                layout="horizontal"
                yAxis={[{ scaleType: 'band', data: bars.map((b) => b.label), width: 170 }]}
                xAxis={[{ valueFormatter: (v: number) => formatSize(v) }]}
                series={[{ data: bars.map((b) => b.v), label: 'bytes', valueFormatter: (v) => formatSize(v ?? 0) }]}
                hideLegend
                margin={{ left: 0, right: 16 }}
              />
            </Box>
            <Stack direction="row" spacing={2}>
              <Link href={href} underline="none" color="inherit" aria-label={`Overcommit ${c.overcommitPct ?? 'unknown'}%`} sx={{ textAlign: 'center' }}>
                <Gauge width={110} height={110} value={Math.min(c.overcommitPct ?? 0, 200)} valueMax={200} text={c.overcommitPct === null ? '?' : `${c.overcommitPct}%`} />
                <Typography variant="caption" color="text.secondary">overcommit</Typography>
              </Link>
              <Link href={href} underline="none" color="inherit" aria-label={`Free ${c.filesystem?.freePct ?? 'unknown'}%`} sx={{ textAlign: 'center' }}>
                <Gauge width={110} height={110} value={c.filesystem?.freePct ?? 0} text={c.filesystem ? `${c.filesystem.freePct}%` : '?'} />
                <Typography variant="caption" color="text.secondary">free ({c.filesystem ? formatSize(c.filesystem.availBytes) : 'unknown'})</Typography>
              </Link>
            </Stack>
          </Stack>
        )}
        {c?.filesystemError && <Alert severity="warning" sx={{ mt: 1 }}>Free space unknown: {c.filesystemError}</Alert>}
        {s.drift.length > 0 && (
          <Box sx={{ mt: 2 }}>
            <Typography variant="subtitle2">Drift between running state and conf files</Typography>
            {s.drift.map((d) => (
              <Typography key={d.iqn} variant="body2">
                <Link href={pageHref('targets', s.serverId, d.iqn)} sx={{ fontFamily: 'monospace' }}>{d.iqn}</Link> — {d.status}{d.messages.length ? `: ${d.messages.join('; ')}` : ''}
              </Typography>
            ))}
          </Box>
        )}
        <Box sx={{ mt: 2 }}>
          <Thresholds key={`${s.thresholds.overcommitPct}/${s.thresholds.minFreePct}`} s={s} />
        </Box>
      </CardContent>
    </Card>
  );
}
