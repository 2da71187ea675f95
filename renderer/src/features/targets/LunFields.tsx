// The LUN fields, declared once: the create wizard's LUN table and Add LUN (on a target's detail
// page) render the same row: size, backing (sparse / allocated file, existing device, new LV), the
// file, device or LV name, read-only.
import { Checkbox, MenuItem, Stack, TableCell, TableHead, TableRow, TextField } from '@mui/material';
import { formatSize, parseSize, type LunInput } from '../../../../shared/domain/target';
import type { FieldErrors } from '../../components/form';
import { DeviceInUse } from './DeviceInUse';

export type BackingKind = 'sparse' | 'full' | 'device' | 'lvm';
export interface LunRow {
  size: string; backing: BackingKind; file: string; path: string; vg: string; lv: string; readonly: boolean;
  /** The device path typed again, to export a device main found in use. */
  confirmInUse: string;
  /** What main found using the device (its refusal, under the confirmInUse field); null = not refused. */
  inUse: string | null;
}
export const NEW_LUN: LunRow = { size: '', backing: 'sparse', file: '', path: '', vg: '', lv: '', readonly: false, confirmInUse: '', inUse: null };

/** The LUN as the shared schema takes it. */
export function lunInput(l: LunRow): LunInput {
  return {
    size: l.backing === 'device' ? undefined : l.size.trim(),
    readonly: l.readonly,
    backing:
      l.backing === 'device' ? { kind: 'device', path: l.path.trim(), confirmInUse: l.confirmInUse.trim() || undefined }
      : l.backing === 'lvm' ? { kind: 'lvm', vg: l.vg.trim(), lv: l.lv.trim() }
      : { kind: l.backing, file: l.file.trim() || undefined },
  };
}

export function LunTableHead({ trailing = true }: { trailing?: boolean }) {
  return (
    <TableHead>
      <TableRow>
        <TableCell>LUN</TableCell>
        <TableCell>Size</TableCell>
        <TableCell>Backing</TableCell>
        <TableCell>File / device / LV</TableCell>
        <TableCell>Read-only</TableCell>
        {trailing && <TableCell />}
      </TableRow>
    </TableHead>
  );
}

/**
 * The cells of one LUN row. `errorKey` is the row's error path prefix (luns.0); `lun` the number
 * shown (the wizard's row number, or the next free LUN number of an existing target).
 */
export function LunFieldCells({ row: l, lun, errorKey, errors, onChange, autoFocus }: {
  row: LunRow; lun: number; errorKey: string; errors: FieldErrors; onChange: (patch: Partial<LunRow>) => void; autoFocus?: boolean;
}) {
  const e = (k: string) => errors[`${errorKey}.${k}`];
  const p = l.size.trim() ? parseSize(l.size) : null;
  return (
    <>
      <TableCell>{lun}</TableCell>
      <TableCell sx={{ minWidth: 180 }}>
        <TextField size="small" label={`Size of LUN ${lun}`} placeholder="750GB" value={l.size} disabled={l.backing === 'device'} autoFocus={autoFocus}
          onChange={(ev) => onChange({ size: ev.target.value })}
          error={!!e('size')} helperText={e('size') ?? (p?.ok ? formatSize(p.bytes) : ' ')} />
      </TableCell>
      <TableCell>
        <TextField select size="small" label="Backing" value={l.backing} onChange={(ev) => onChange({ backing: ev.target.value as BackingKind })} sx={{ minWidth: 170 }}>
          <MenuItem value="sparse">Sparse file</MenuItem>
          <MenuItem value="full">Allocated file</MenuItem>
          <MenuItem value="device">Existing block device</MenuItem>
          <MenuItem value="lvm">New logical volume</MenuItem>
        </TextField>
      </TableCell>
      <TableCell>
        {(l.backing === 'sparse' || l.backing === 'full') && (
          <TextField size="small" label="File name (optional)" value={l.file} onChange={(ev) => onChange({ file: ev.target.value })} error={!!e('backing.file')} helperText={e('backing.file')} />
        )}
        {l.backing === 'device' && (
          <Stack spacing={1} sx={{ maxWidth: 520 }}>
            <TextField size="small" label="Device path" placeholder="/dev/vg0/lun1" value={l.path} onChange={(ev) => onChange({ path: ev.target.value, inUse: null, confirmInUse: '' })} error={!!e('backing.path')} helperText={e('backing.path')} />
            {l.inUse && <DeviceInUse lun={lun} path={l.path.trim()} finding={e('backing.confirmInUse') ?? l.inUse} refused={!!e('backing.confirmInUse')} value={l.confirmInUse} onChange={(v) => onChange({ confirmInUse: v })} />}
          </Stack>
        )}
        {l.backing === 'lvm' && (
          <Stack direction="row" spacing={1}>
            <TextField size="small" label="Volume group" value={l.vg} onChange={(ev) => onChange({ vg: ev.target.value })} error={!!e('backing.vg')} helperText={e('backing.vg')} />
            <TextField size="small" label="LV name" value={l.lv} onChange={(ev) => onChange({ lv: ev.target.value })} error={!!e('backing.lv')} helperText={e('backing.lv')} />
          </Stack>
        )}
      </TableCell>
      <TableCell>
        <Checkbox checked={l.readonly} onChange={(ev) => onChange({ readonly: ev.target.checked })} slotProps={{ input: { 'aria-label': `LUN ${lun} read-only` } }} />
      </TableCell>
    </>
  );
}
