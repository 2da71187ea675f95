import { useState } from 'react';
import { Accordion, AccordionDetails, AccordionSummary, Alert, Box, Chip, Tab, Tabs, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import { useQuery } from '@tanstack/react-query';
import { call } from '../../api/client';
import { useJobs } from '../../api/jobs';
import { EmptyState } from '../../components/EmptyState';
import { JobProgress } from '../../components/JobProgress';
import { PageHeader } from '../../components/PageHeader';

const COLOR = { running: 'info', succeeded: 'success', failed: 'error', cancelled: 'warning' } as const;

function Jobs() {
  const jobs = useJobs();
  if (jobs.isError) return <Alert severity="error">{(jobs.error as Error).message}</Alert>;
  if (!jobs.data) return null;
  if (jobs.data.length === 0)
    return <EmptyState title="No jobs yet">Every change Portico makes to a server runs as a job and shows up here, live, with each step and its undo.</EmptyState>;
  return (
    <Box>
      {jobs.data.map((j) => (
        <Accordion key={j.id} disableGutters defaultExpanded={j.state === 'running'}>
          <AccordionSummary expandIcon={<ExpandMoreIcon />}>
            <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', width: '100%' }}>
              <Chip size="small" color={COLOR[j.state]} label={j.state} />
              <Typography sx={{ flexGrow: 1 }}>{j.title}</Typography>
              <Typography variant="body2" color="text.secondary">
                {new Date(j.startedAt).toLocaleString()}
              </Typography>
            </Box>
          </AccordionSummary>
          <AccordionDetails>
            <JobProgress job={j} />
          </AccordionDetails>
        </Accordion>
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
