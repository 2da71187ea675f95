// Step 2: per storage server, the storage folder and base IQN (targets.settings), with the
// filesystem the folder is on and its free space (df on the server, setup.storageSpace).
import { useEffect, useState } from 'react';
import { Alert, Box, Stack, TextField, Typography } from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { formatSize } from '../../../../../shared/domain/target';
import type { HostView } from '../../../../../shared/features/hosts';
import { call } from '../../../api/client';
import { apiFieldErrors, type FieldErrors } from '../../../components/form';
import { useHosts } from '../../hosts/api';
import { targetsQuery } from '../../targets/api';
import { StepFrame } from './StepFrame';
import type { StepApi } from './progress';

interface Row { storageDir: string; baseIqn: string }

function ServerSettings({ host, row, onChange, errors }: { host: HostView; row: Row | undefined; onChange: (r: Row) => void; errors: FieldErrors }) {
  const view = useQuery(targetsQuery(host.id));
  const [measured, setMeasured] = useState<string | null>(null);
  useEffect(() => {
    if (view.data && !row) onChange({ storageDir: view.data.settings.storageDir, baseIqn: view.data.settings.baseIqn });
  }, [view.data, row]);
  useEffect(() => {
    if (row && measured === null) setMeasured(row.storageDir);
  }, [row, measured]);
  const space = useQuery({ queryKey: ['setup', 'space', host.id, measured], queryFn: () => call('setup.storageSpace', { serverId: host.id, storageDir: measured! }), enabled: !!measured, retry: false });
  const err = (k: string) => ({ error: !!errors[k], helperText: errors[k] });
  return (
    <Box component="fieldset" sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 2, mb: 2 }} aria-label={`Settings of ${host.name}`}>
      <Typography component="legend" sx={{ px: 1, fontWeight: 600 }}>{host.name}</Typography>
      {view.error && <Alert severity="error">{view.error.message}</Alert>}
      {!row && !view.error && <Typography color="text.secondary">Reading {host.name}…</Typography>}
      {row && (
        <Stack spacing={2}>
          <TextField label={`Storage folder on ${host.name}`} value={row.storageDir} onChange={(e) => onChange({ ...row, storageDir: e.target.value })} onBlur={() => setMeasured(row.storageDir)}
            {...err('storageDir')} />
          <Typography role="status" variant="body2" color={space.error ? 'error' : 'text.secondary'}>
            {space.isFetching ? 'Measuring…' : space.error ? `Free space unknown: ${space.error.message}` : space.data
              ? `${space.data.exists ? 'The folder exists' : `The folder does not exist yet (the first target's plan creates it); measured at ${space.data.measuredAt}`}: ${space.data.filesystem.type} filesystem ${space.data.filesystem.source} mounted on ${space.data.filesystem.mount}, ${formatSize(space.data.availBytes)} free of ${formatSize(space.data.sizeBytes)}.`
              : ''}
          </Typography>
          <TextField label={`Base IQN of ${host.name}`} value={row.baseIqn} onChange={(e) => onChange({ ...row, baseIqn: e.target.value })} {...err('baseIqn')}
            helperText={errors.baseIqn ?? 'Target names start with it: iqn.YYYY-MM.reversed.domain:server.'} />
        </Stack>
      )}
    </Box>
  );
}

export function SettingsStep({ api }: { api: StepApi }) {
  const qc = useQueryClient();
  const hosts = useHosts();
  const servers = (hosts.data ?? []).filter((h) => api.progress.serverIds.includes(h.id));
  const [rows, setRows] = useState<Record<string, Row>>({});
  const [errors, setErrors] = useState<Record<string, FieldErrors>>({});
  const save = async () => {
    const errs: Record<string, FieldErrors> = {};
    for (const s of servers) {
      const r = rows[s.id];
      if (!r) continue;
      try {
        await call('targets.settings', { serverId: s.id, storageDir: r.storageDir.trim(), baseIqn: r.baseIqn.trim() });
      } catch (e) {
        errs[s.id] = apiFieldErrors(e);
      }
    }
    setErrors(errs);
    void qc.invalidateQueries({ queryKey: ['targets'] });
    if (Object.keys(errs).length === 0) await api.done(servers.map((s) => `${s.name}: ${rows[s.id]?.storageDir}, ${rows[s.id]?.baseIqn}`).join('; '));
  };
  return (
    <StepFrame
      id="settings"
      api={api}
      intro="Where each server keeps the LUN files, and the name its targets start with. Nothing changes on the server here: the folder is made by the first target's plan."
      blocked={api.progress.serverIds.length ? null : 'No storage server was added (step 1 was skipped): there is nothing to set.'}
      canContinue={servers.length > 0 && servers.every((s) => rows[s.id])}
      continueLabel="Save and continue"
      onContinue={() => void save()}
    >
      {servers.map((s) => (
        <ServerSettings key={s.id} host={s} row={rows[s.id]} errors={errors[s.id] ?? {}} onChange={(r) => setRows((x) => ({ ...x, [s.id]: r }))} />
      ))}
    </StepFrame>
  );
}
