// The storage estate at a glance: warnings (computed in main), each storage server's capacity,
// targets, sessions and drift, path health, blocked or unreachable hosts, recent and interrupted
// jobs. Refreshes in the background; the last answer stays on screen while the next one loads.
import { Alert, Box, Button, Card, CardContent, Chip, LinearProgress, Link, List, ListItem, ListItemText, Stack, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import type { DashboardOverview, DashboardWarning } from '../../../../shared/features/dashboard';
import { call } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { pageHref } from '../../app/routes';
import { ServerCard } from './ServerCard';

export const REFRESH_MS = 30_000;

export function useOverview() {
  return useQuery({ queryKey: ['dashboard', 'overview'], queryFn: () => call('dashboard.overview', {}), refetchInterval: REFRESH_MS, placeholderData: (prev) => prev });
}

const hrefOf = (w: DashboardWarning) => pageHref(w.link.page, ...w.link.params);

function Warnings({ list }: { list: DashboardWarning[] }) {
  if (!list.length) return <Alert severity="success" sx={{ mb: 3 }}>No warnings: nothing overcommitted, short of space, open to all, weakly protected or drifted.</Alert>;
  return (
    <Stack spacing={1} sx={{ mb: 3 }} component="section" aria-label="Warnings">
      {list.map((w, i) => (
        <Alert key={i} severity={w.severity} data-code={w.code} action={<Button color="inherit" size="small" href={hrefOf(w)}>Open</Button>}>
          {w.message}
        </Alert>
      ))}
    </Stack>
  );
}

function Panel({ title, children, label }: { title: string; label: string; children: React.ReactNode }) {
  return (
    <Card variant="outlined" component="section" aria-label={label} sx={{ flex: 1, minWidth: 280 }}>
      <CardContent>
        <Typography variant="h6" component="h2" gutterBottom>{title}</Typography>
        {children}
      </CardContent>
    </Card>
  );
}

function PathsPanel({ d }: { d: DashboardOverview }) {
  const p = d.paths;
  return (
    <Panel title="Path health" label="Path health">
      {p.at === null ? (
        <Typography color="text.secondary">
          No path check has run yet. Run <Link href={pageHref('targets')}>Check portals</Link> on the Targets page from each hypervisor.
        </Typography>
      ) : (
        <>
          <Link href={pageHref('targets')} underline="hover" color="inherit" aria-label={`Paths: ${p.ok} ok, ${p.failed} failed`}>
            <Typography variant="h5" component="div">{p.ok} ok · {p.failed} failed</Typography>
          </Link>
          <Typography variant="caption" color="text.secondary">latest check {new Date(p.at).toLocaleString()}</Typography>
          <List dense>
            {p.failures.map((f, i) => (
              <ListItem key={i} disableGutters>
                <ListItemText primary={`${f.from} → ${f.portal}${f.iqn ? ` (${f.iqn})` : ''}`} secondary={f.message} />
              </ListItem>
            ))}
          </List>
        </>
      )}
    </Panel>
  );
}

function HostsPanel({ d }: { d: DashboardOverview }) {
  return (
    <Panel title="Hosts" label="Hosts">
      <Link href={pageHref('hosts')} underline="hover" color="inherit" aria-label={`${d.hosts.total} hosts`}>
        <Typography variant="h5" component="div">{d.hosts.total} hosts</Typography>
      </Link>
      <Typography variant="caption" color="text.secondary">{d.hosts.storage} storage server(s), {d.hosts.hypervisors} hypervisor(s)</Typography>
      {d.hostProblems.length === 0 ? (
        <Typography sx={{ mt: 1 }} color="text.secondary">Every host answers with the key on record.</Typography>
      ) : (
        <List dense aria-label="Hosts needing attention">
          {d.hostProblems.map((h) => (
            <ListItem key={h.hostId} disableGutters>
              <ListItemText
                primary={<><Link href={pageHref('hosts', h.hostId)}>{h.name}</Link> <Chip size="small" color="error" label={h.state === 'blocked' ? 'blocked: host key changed' : 'unreachable'} /></>}
                secondary={`${h.address}: ${h.reason}`}
                slotProps={{ secondary: { sx: { overflowWrap: 'anywhere' } } }}
              />
            </ListItem>
          ))}
        </List>
      )}
    </Panel>
  );
}

function JobsPanel({ d }: { d: DashboardOverview }) {
  const { recent, interrupted } = d.jobs;
  return (
    <Panel title="Jobs" label="Jobs">
      {interrupted.length > 0 && (
        <Alert severity="warning" sx={{ mb: 1 }} action={<Button color="inherit" size="small" href={pageHref('activity')}>Review</Button>}>
          {interrupted.length} job(s) need a rollback or resume: {interrupted.map((j) => j.title).join('; ')}
        </Alert>
      )}
      {recent.length === 0 ? (
        <Typography color="text.secondary">No job has run yet.</Typography>
      ) : (
        <List dense>
          {recent.map((j) => (
            <ListItem key={j.id} disableGutters>
              <ListItemText primary={<Link href={pageHref('activity', j.id)}>{j.title}</Link>} secondary={`${j.state} · ${new Date(j.startedAt).toLocaleString()}`} />
            </ListItem>
          ))}
        </List>
      )}
    </Panel>
  );
}

export function DashboardPage() {
  const q = useOverview();
  const d = q.data;
  const setup = <Button variant="outlined" href={pageHref('setup')}>Open the setup assistant</Button>;
  return (
    <>
      <PageHeader title="Dashboard" subtitle="The storage estate at a glance." actions={setup} />
      <Box sx={{ height: 4, mb: 1 }}>{q.isFetching && <LinearProgress aria-label="Refreshing" />}</Box>
      {q.error && <Alert severity="error" sx={{ mb: 2 }}>{q.error.message}{d ? ' (showing the previous reading)' : ''}</Alert>}
      {!d && !q.error && <Typography color="text.secondary">Reading the servers…</Typography>}
      {d && d.hosts.total === 0 && (
        <EmptyState title="Nothing to show yet" action={setup}>The dashboard sums up the storage servers and hypervisors you add. The setup assistant walks you from the first server to a verified target.</EmptyState>
      )}
      {d && d.hosts.total > 0 && (
        <>
          <Typography variant="caption" color="text.secondary" component="p" sx={{ mb: 1 }}>Read {new Date(d.at).toLocaleTimeString()}; refreshes every {REFRESH_MS / 1000} s.</Typography>
          <Warnings list={d.warnings} />
          <Stack direction="row" spacing={2} sx={{ mb: 3, flexWrap: 'wrap' }} useFlexGap>
            <HostsPanel d={d} />
            <PathsPanel d={d} />
            <JobsPanel d={d} />
          </Stack>
          <Stack spacing={2}>
            {d.servers.length === 0 && <Typography color="text.secondary">No storage server yet: <Link href={pageHref('hosts')}>add one</Link> with the role “Storage server”.</Typography>}
            {d.servers.map((s) => <ServerCard key={s.serverId} s={s} />)}
          </Stack>
        </>
      )}
    </>
  );
}
