// Removals that cascade say so before: main is asked what the removal would take (confirm false:
// nothing changes), the admin reads the list, then confirms.
import { useEffect, useState } from 'react';
import { Alert, AlertTitle, Box, CircularProgress, Typography } from '@mui/material';
import { FormDialog } from '../../components/FormDialog';
import type { RemoveResult } from '../../../../shared/domain/bond';

export function RemoveDialog({ title, what, remove, onClose, onDone }: {
  title: string;
  /** What goes, in words ("network B of data center dc1"). */
  what: string;
  remove: (confirm: boolean) => Promise<RemoveResult>;
  onClose: () => void;
  onDone: () => void;
}) {
  const [preview, setPreview] = useState<RemoveResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    remove(false).then((r) => live && setPreview(r), (e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
    // Asked once per opening.
  }, []);
  const confirm = async () => {
    setBusy(true);
    try {
      await remove(true);
      onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <FormDialog title={title} onClose={onClose} onSubmit={preview ? () => void confirm() : undefined} submitLabel={busy ? 'Removing…' : 'Remove'} busy={busy} maxWidth="sm">
      {error && <Alert severity="error" role="alert" sx={{ mb: 2 }}>{error}</Alert>}
      {!preview && !error && <CircularProgress size={22} aria-label="Asking what goes with it" />}
      {preview && (preview.effects.length === 0 ? (
        <Typography>Removes {what}. Nothing else uses it.</Typography>
      ) : (
        <Alert severity="warning" aria-label="What else goes">
          <AlertTitle>Removing {what} also changes:</AlertTitle>
          <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
            {preview.effects.map((e) => <li key={e}>{e}</li>)}
          </Box>
        </Alert>
      ))}
    </FormDialog>
  );
}
