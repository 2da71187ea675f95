// Export of a bond in the seed's REST shape: the XML body of POST /api/datacenters/{id}/iscsibonds,
// for admins who then create the bond in an oVirt engine. Copy or download; no secret is in it.
import { useState } from 'react';
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, Paper, Typography } from '@mui/material';
import type { BondExport } from '../../../../shared/domain/bond';
import { call } from '../../api/client';
import { downloadText } from '../../components/download';


export function ExportButton({ bondId, bondName }: { bondId: string; bondName: string }) {
  const [ex, setEx] = useState<BondExport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const open = async () => {
    setError(null);
    setCopied(false);
    try {
      setEx(await call('bonds.export', { bondId }));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <>
      <Button variant="outlined" onClick={() => void open()}>Export</Button>
      {error && <Alert severity="error">{error}</Alert>}
      {ex && (
        <Dialog open onClose={() => setEx(null)} aria-labelledby="bonds-export-title" maxWidth="md" fullWidth>
          <DialogTitle id="bonds-export-title">Export bond {bondName} (oVirt REST)</DialogTitle>
          <DialogContent>
            <Typography variant="body2" sx={{ mb: 1 }}>
              <code>{ex.method} {ex.path}</code> with <code>Content-Type: {ex.contentType}</code>. The ids are Portico’s: replace them with the engine’s data center, network and storage connection ids.
            </Typography>
            <Paper variant="outlined" component="pre" aria-label="REST body" sx={{ p: 1.5, m: 0, fontSize: 12.5, overflow: 'auto', maxHeight: 420, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
              {ex.body}
            </Paper>
          </DialogContent>
          <DialogActions>
            <Button onClick={() => downloadText(`iscsibond-${bondName}.xml`, ex.body, 'application/xml')}>Download XML</Button>
            <Button onClick={() => void navigator.clipboard.writeText(ex.body).then(() => setCopied(true), () => setError('The clipboard refused: use Download XML.'))}>{copied ? 'Copied' : 'Copy XML'}</Button>
            <Button variant="contained" onClick={() => setEx(null)}>Close</Button>
          </DialogActions>
        </Dialog>
      )}
    </>
  );
}
