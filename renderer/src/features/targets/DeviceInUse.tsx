// An existing block device main found in use: its finding and the field where the admin types the
// device path to export it anyway (shared by the create-target wizard's LUN step and Add LUN).
import { Alert, Stack, TextField } from '@mui/material';

/** The refusal's field for a device in use: luns.N.backing.confirmInUse (N = the row). */
export const IN_USE_KEY = /^luns\.(\d+)\.backing\.confirmInUse$/;

/**
 * Main's finding for a device in use (mounted, a signature, partitions, holders, or unreadable) and
 * the field where the admin types the device path to export it anyway; the review then lists it as
 * a danger to confirm.
 */
export function DeviceInUse({ lun, path, finding, refused, value, onChange }: { lun: number; path: string; finding: string; refused: boolean; value: string; onChange: (v: string) => void }) {
  const typed = value.trim() === path;
  return (
    <Stack spacing={1} aria-label={`LUN ${lun} device in use`}>
      <Alert severity="warning" sx={{ whiteSpace: 'pre-line' }}>{finding}</Alert>
      <TextField size="small" label="Type the device path to export it anyway" placeholder={path} value={value} onChange={(e) => onChange(e.target.value)}
        error={refused && !typed} slotProps={{ htmlInput: { spellCheck: false, autoComplete: 'off' } }}
        helperText={typed ? 'Confirmed: the review lists this device as a danger you must confirm before applying.' : `Only ${path}, typed exactly, exports it while it is in use.`} />
    </Stack>
  );
}
