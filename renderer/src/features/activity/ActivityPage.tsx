import { Fragment, useEffect, useRef, useState } from 'react';
import { useRouteParams } from '../../app/routes';
import { Accordion, AccordionDetails, AccordionSummary, Alert, Box, Chip, Tab, Tabs, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import { useQuery } from '@tanstack/react-query';
import type { JobView } from '../../../../shared/plan';
import { call } from '../../api/client';
import { useJobs } from '../../api/jobs';
import { EmptyState } from '../../components/EmptyState';
import { JobProgress } from '../../components/JobProgress';
import { jobStateColor, jobStateLabel, needsAttention, sortForAttention } from '../../components/job-words';
import { PageHeader } from '../../components/PageHeader';

function JobItem({ j, attention, linked }: { j: JobView; attention: boolean; linked: boolean }) {
  // A link to this job (#/activity/<jobId>, from a target's detail page) opens it and scrolls to it.
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (linked) ref.current?.scrollIntoView({ block: 'start' });
  }, [linked]);
  return (
    <Accordion ref={ref} disableGutters defaultExpanded={j.state === 'running' || attention || linked} data-testid="job" data-job-state={j.state}
      sx={attention ? { borderLeft: 4, borderLeftStyle: 'solid', borderLeftColor: j.state === 'interrupted' ? 'warning.main' : 'error.main' } : undefined}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', width: '100%' }}>
          <Chip size="small" color={jobStateColor(j.state)} label={jobStateLabel(j.state)} sx={{ minWidth: 96 }} />
          <Typography sx={{ flexGrow: 1 }} data-testid="job-title">{j.title}</Typography>
          <Typography variant="body2" color="text.secondary">
            {new Date(j.startedAt).toLocaleString()}
          </Typography>
        </Box>
      </AccordionSummary>
      <AccordionDetails>
        <JobProgress job={j} />
      </AccordionDetails>
    </Accordion>
  );
}

function Jobs() {
  const jobs = useJobs();
  const [linkedId] = useRouteParams();
  if (jobs.isError) return <Alert severity="error">{(jobs.error as Error).message}</Alert>;
  if (!jobs.data) return null;
  if (jobs.data.length === 0)
    return <EmptyState title="No jobs yet">Every change Portico makes to a server runs as a job and shows up here, live, with each step and its undo.</EmptyState>;
  // One keyed list (headings included), so a job keeps its open review when it moves between groups.
  const sorted = sortForAttention(jobs.data);
  const firstOther = sorted.findIndex((j) => !needsAttention(j));
  const attentionCount = firstOther < 0 ? sorted.length : firstOther;
  return (
    <Box>
      {sorted.map((j, i) => (
        <Fragment key={j.id}>
          {i === 0 && attentionCount > 0 && (
            <Box sx={{ mb: 1.5 }}>
              <Typography variant="h6" component="h2">Needs your decision</Typography>
              <Typography variant="body2" color="text.secondary">
                Jobs the console stopped in, whose rollback is incomplete, or whose read-back disagrees. Nothing changes on a server until you review a plan and apply it.
              </Typography>
            </Box>
          )}
          {i === attentionCount && attentionCount > 0 && (
            <Typography variant="h6" component="h2" sx={{ mt: 3, mb: 1.5 }}>
              Other jobs
            </Typography>
          )}
          <JobItem j={j} attention={i < attentionCount} linked={j.id === linkedId} />
        </Fragment>
      ))}
    </Box>
  );
}

function Audit() {
  const audit = useQuery({ queryKey: ['audit'], queryFn: () => call('audit.list', { limit: 200 }), refetchInterval: 3000 });
  if (!audit.data) return null;
  if (audit.data.length === 0) return <EmptyState title="The audit log is empty">Each step Portico runs on a server is recorded here, with secrets masked.</EmptyState>;
  return (
    <Table size="small" aria-label="Audit log">
      <TableHead>
        <TableRow>
          <TableCell>When</TableCell>
          <TableCell>Action</TableCell>
          <TableCell>Detail</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {audit.data.map((a) => (
          <TableRow key={a.id}>
            <TableCell sx={{ whiteSpace: 'nowrap' }}>{new Date(a.at).toLocaleString()}</TableCell>
            <TableCell>{a.action}</TableCell>
            <TableCell sx={{ fontFamily: 'monospace', fontSize: 12.5, whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{a.detail}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

export function ActivityPage() {
  const [tab, setTab] = useState(0);
  return (
    <>
      <PageHeader title="Activity" subtitle="Jobs that changed servers, live and past, and the append-only audit log." />
      <Tabs value={tab} onChange={(_e, v) => setTab(v)} sx={{ mb: 2 }}>
        <Tab label="Jobs" />
        <Tab label="Audit log" />
      </Tabs>
      {tab === 0 ? <Jobs /> : <Audit />}
    </>
  );
}
