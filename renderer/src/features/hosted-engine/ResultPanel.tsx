import { useState } from 'react';
import { Alert, Box, Button, Paper, Stack, Table, TableBody, TableCell, TableRow, Typography } from '@mui/material';
import type { HeApplyResult } from '../../../../shared/domain/hosted-engine-views';
import { formatSize } from '../../../../shared/domain/target';
import { downloadText } from '../../components/download';

/** A generated file, shown in full with download and copy buttons. */
function FileBox({ title, name, text }: { title: string; name: string; text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Box aria-label={title}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 0.5 }}>
        <Typography variant="subtitle2" sx={{ flexGrow: 1 }}>{title}</Typography>
        <Button size="small" onClick={() => downloadText(name, text)}>Download {title.toLowerCase()}</Button>
        <Button size="small" onClick={() => void navigator.clipboard.writeText(text).then(() => setCopied(true))}>{copied ? 'Copied' : `Copy ${title.toLowerCase()}`}</Button>
      </Stack>
      <Paper variant="outlined" component="pre" sx={{ p: 1.5, m: 0, fontSize: 12.5, overflow: 'auto', maxHeight: 360, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
        {text}
      </Paper>
    </Box>
  );
}

/** What the applied plan left on the host, and the files hosted-engine --deploy needs next. */
export function ResultPanel({ r }: { r: HeApplyResult }) {
  const b = (s: string) => formatSize(Number(s));
  return (
    <Stack spacing={2} aria-label="Result" sx={{ mt: 2 }}>
      <Alert severity="success">
        Storage domain “{r.domain.name}” is active in pool “{r.pool.name}”. Next: run <code>hosted-engine --deploy --config-append=he-storage-answers.conf</code> on the host.
      </Alert>
      {r.warnings.map((w) => (
        <Alert key={w} severity="warning">{w}</Alert>
      ))}
      <Table size="small" aria-label="Storage summary" sx={{ maxWidth: 900 }}>
        <TableBody>
          <TableRow><TableCell component="th">Storage domain</TableCell><TableCell sx={{ fontFamily: 'monospace' }}>{r.domain.sdUUID}</TableCell></TableRow>
          <TableRow><TableCell component="th">Domain size / free</TableCell><TableCell>{b(r.domain.totalBytes)} / {b(r.domain.freeBytes)} free</TableCell></TableRow>
          {r.vg && (
            <>
              <TableRow><TableCell component="th">Volume group</TableCell><TableCell sx={{ fontFamily: 'monospace' }}>{r.vg.name} (LVM uuid {r.vg.vgUUID})</TableCell></TableRow>
              <TableRow><TableCell component="th">VG size / free, state</TableCell><TableCell>{b(r.vg.sizeBytes)} / {b(r.vg.freeBytes)} free, {r.vg.state}</TableCell></TableRow>
              <TableRow><TableCell component="th">Physical volumes</TableCell><TableCell sx={{ fontFamily: 'monospace' }}>{r.vg.pvs.join(', ')}</TableCell></TableRow>
            </>
          )}
          <TableRow><TableCell component="th">Storage pool</TableCell><TableCell sx={{ fontFamily: 'monospace' }}>{r.pool.spUUID}</TableCell></TableRow>
          {r.confWritten && (
            <TableRow><TableCell component="th">hosted-engine.conf</TableCell><TableCell>written to {r.confWritten.path} (a rollback of this job puts back the previous file exactly)</TableCell></TableRow>
          )}
        </TableBody>
      </Table>
      <FileBox title="Answer file" name="he-storage-answers.conf" text={r.answerFile} />
      <FileBox title="hosted-engine.conf keys" name="hosted-engine.conf.storage" text={r.hostedEngineConf} />
    </Stack>
  );
}
