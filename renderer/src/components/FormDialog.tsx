// A dialog whose body is a form: Enter in a field submits it (the browser's own implicit
// submission through the submit button), Escape closes it; every action dialog uses it.
import { useId, type ReactNode } from 'react';
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, type Breakpoint } from '@mui/material';

export function FormDialog({ title, onClose, onSubmit, submitLabel, busy, children, closeLabel = 'Cancel', maxWidth = 'md' }: {
  title: ReactNode;
  onClose: () => void;
  /** Absent once the form is done (a plan under review): then Enter does nothing and only Close shows. */
  onSubmit?: () => void;
  submitLabel?: string;
  busy?: boolean;
  children: ReactNode;
  closeLabel?: string;
  maxWidth?: Breakpoint;
}) {
  const titleId = useId();
  return (
    <Dialog open onClose={onClose} maxWidth={maxWidth} fullWidth aria-labelledby={titleId}
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
      <DialogTitle id={titleId} sx={{ wordBreak: 'break-all' }}>{title}</DialogTitle>
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
