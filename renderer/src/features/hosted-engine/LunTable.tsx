import { Radio, Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';
import type { LunRow } from '../../../../shared/domain/hosted-engine';
import { formatSize } from '../../../../shared/domain/target';

/** The host's LUNs as VDSM lists them; eligible and forceable rows can be chosen. */
export function LunTable({ rows, chosen, onChoose }: { rows: LunRow[]; chosen: string; onChoose: (guid: string) => void }) {
  return (
    <Table size="small" aria-label="LUNs">
      <TableHead>
        <TableRow>
          <TableCell padding="checkbox" />
          <TableCell>GUID</TableCell>
          <TableCell>Size</TableCell>
          <TableCell>Vendor / product</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Paths</TableCell>
          <TableCell>Why not</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((r) => {
          const usable = r.eligible || r.forceable;
          return (
            <TableRow key={r.guid} selected={r.guid === chosen} aria-label={r.guid} aria-disabled={!usable}>
              <TableCell padding="checkbox">
                <Radio checked={r.guid === chosen} disabled={!usable} onChange={() => onChoose(r.guid)} slotProps={{ input: { 'aria-label': `Use LUN ${r.guid}` } }} />
              </TableCell>
              <TableCell sx={{ fontFamily: 'monospace', fontSize: 13, color: usable ? undefined : 'text.disabled', wordBreak: 'break-all' }}>{r.guid}</TableCell>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatSize(Number(r.sizeBytes))}</TableCell>
              <TableCell>{r.vendor} {r.product}</TableCell>
              <TableCell>{r.usedBy ? 'used' : r.status === 'free' ? 'free' : r.status}</TableCell>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>
                {r.pathsActive} active{r.pathsFailed ? `, ${r.pathsFailed} failed` : ''}
              </TableCell>
              <TableCell sx={{ color: r.eligible ? 'success.main' : 'text.secondary', maxWidth: 420 }}>{r.reason ?? 'eligible'}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
