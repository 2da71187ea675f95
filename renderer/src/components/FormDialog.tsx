// A dialog whose body is a form: Enter in a field submits it (the browser's own implicit
// submission through the submit button), Escape closes it; every action dialog uses it.
import type { ReactNode } from 'react';
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, type Breakpoint } from '@mui/material';

export function FormDialog({ title, onClose, onSubmit, submitLabel, busy, children, closeLabel = 'Cancel', maxWidth = 'md', label }: {
  title: ReactNode;
  onClose: () => void;
  /** Absent once the form is done (a plan under review): then Enter does nothing and only Close shows. */
  onSubmit?: () => void;
  submitLabel?: string;
  busy?: boolean;
  children: ReactNode;
  closeLabel?: string;
  maxWidth?: Breakpoint;
  /** The dialog's accessible name when the title is not plain text. */
  label?: string;
}) {
  return (
    <Dialog open onClose={onClose} maxWidth={maxWidth} fullWidth aria-labelledby={label ? undefined : 'form-dialog-title'} aria-label={label}
      slotProps={{
        paper: {
          component: 'form',
          noValidate: true,
          onSubmit: (e: React.FormEvent) => {
            e.preventDefault();
            if (onSubmit && !busy) onSubmit();
          },
        } as object,
      }}>
      <DialogTitle id="form-dialog-title" sx={{ wordBreak: 'break-all' }}>{title}</DialogTitle>
      <DialogContent dividers>{children}</DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{closeLabel}</Button>
        {onSubmit && submitLabel && (
          <Button type="submit" variant="contained" disabled={busy}>
            {submitLabel}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
