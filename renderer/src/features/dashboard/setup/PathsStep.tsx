// Step 6: from each hypervisor, through its own SSH connection, a login to the target on each
// portal (the portal check, iscsi.survey as that host's initiator), with the result in words.
import { useState } from 'react';
import { Alert, Button, Stack, TextField, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { ChapSchema, parsePortalList } from '../../../../../shared/domain/iscsi';
import { call } from '../../../api/client';
import { useHosts } from '../../hosts/api';
import { targetsQuery } from '../../targets/api';
import { StepFrame } from './StepFrame';
import type { StepApi } from './progress';
import { pathsOf, pathsSentence, type HostPaths } from './paths-words';

export function PathsStep({ api }: { api: StepApi }) {
  const p = api.progress;
  const hosts = useHosts();
  const view = useQuery({ ...targetsQuery(p.targetServerId ?? ''), enabled: !!p.targetServerId });
  const server = hosts.data?.find((h) => h.id === p.targetServerId);
  const target = view.data?.targets.find((t) => t.iqn === p.targetIqn);
  const hvs = (hosts.data ?? []).filter((h) => p.hypervisorIds.includes(h.id));
  const [chapUser, setChapUser] = useState('');
  const [chapSecret, setChapSecret] = useState('');
  const [results, setResults] = useState<HostPaths[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const blocked = !p.targetIqn ? 'No target was made or chosen (step 3 was skipped): there is nothing to log in to.' : !hvs.length ? 'No hypervisor was added (step 4 was skipped): there is no host to check from.' : null;
  const portals = (view.data?.portals ?? []).map((x) => x.replace(/^(0\.0\.0\.0|\[::\])(?=:\d+$)/, server?.address.includes(':') ? `[${server.address}]` : server?.address ?? ''));

  const run = async () => {
    setError(null);
    const list = parsePortalList(portals.join('\n')).portals;
    if (!list.length) return setError(`${server?.name} reports no portal tgtd listens on.`);
    const chap = target?.chap ? ChapSchema.safeParse({ user: chapUser, secret: chapSecret }) : null;
    if (chap && !chap.success) return setError(chap.error.issues[0].message);
    setRunning(true);
    try {
      const out = await Promise.all(hvs.map(async (h) => pathsOf(h.name, p.targetIqn!, await call('iscsi.survey', {
        portals: list.map((x) => ({ ...x, server: server?.name })), via: h.id, initiatorName: h.capabilities?.initiatorName ?? undefined, chap: chap?.data,
      }))));
      setResults(out);
      await api.save({ pathResult: { ok: out.reduce((a, r) => a + r.ok.length, 0), failed: out.reduce((a, r) => a + r.failed.length, 0), words: out.map(pathsSentence).join(' ') } });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setRunning(false);
    }
  };

  const saved = p.pathResult;
  return (
    <StepFrame
      id="paths"
      api={api}
      intro="Each hypervisor logs in to the target on every portal, through its own SSH connection and as its own initiator name, and logs out again. Nothing changes anywhere."
      blocked={blocked}
      canContinue={!!saved}
      onContinue={() => void api.done(saved!.words)}
    >
      <Stack spacing={2}>
        <Typography variant="body2">Portals of {server?.name}: {portals.join(', ') || '…'}</Typography>
        {target?.chap && (
          <Stack direction="row" spacing={2}>
            <TextField size="small" label="CHAP user" value={chapUser} onChange={(e) => setChapUser(e.target.value)} />
            <TextField size="small" type="password" autoComplete="off" label="CHAP secret" value={chapSecret} onChange={(e) => setChapSecret(e.target.value)} />
          </Stack>
        )}
        <div><Button variant="outlined" onClick={() => void run()} disabled={running || !view.data}>{running ? 'Checking…' : saved ? 'Check again' : 'Check the paths'}</Button></div>
        {error && <Alert severity="error" role="alert">{error}</Alert>}
        {(results ?? []).map((r) => (
          <Alert key={r.host} severity={r.failed.length === 0 ? 'success' : r.ok.length ? 'warning' : 'error'} aria-label={`paths from ${r.host}`}>{pathsSentence(r)}</Alert>
        ))}
        {!results && saved && <Alert severity={saved.failed ? 'warning' : 'success'}>{saved.words}</Alert>}
      </Stack>
    </StepFrame>
  );
}
