// The Targets list: counts that double as filters, sort headers, multi-select, and fixed-height
// rows virtualised with @tanstack/react-virtual. Rows are memoised plain elements styled by one
// class sheet (no per-row sx, tooltips or chips), so scrolling a thousand targets only renders the
// rows that come into view; full values are in each cell's title (hover) and on the detail page.
import { memo, useCallback, useRef, useState } from 'react';
import { Box, Button, Paper, Stack, TextField, ToggleButton, Typography } from '@mui/material';
import { styled } from '@mui/material/styles';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { TargetView } from '../../../../shared/features/targets';
import { formatSize } from '../../../../shared/domain/target';
import { pageHref } from '../../app/routes';
import {
  FILTER_KEYS, FILTER_LABELS, SORT_LABELS, accessSummary, allocatedBytes, filterCounts, hasDrift, isUnmanaged, sortBy, targetBytes, toggleFilter,
  type ListQuery, type SortKey,
} from './list-model';

export const ROW_HEIGHT = 64;
export type RowAction = 'access' | 'delete' | 'reconcile' | 'adopt';

const Sheet = styled(Paper)(({ theme }) => {
  const muted = theme.palette.text.secondary;
  const badge = (c: string) => ({ color: c, borderColor: c });
  return {
    overflow: 'auto',
    maxHeight: '62vh',
    // contain: each row lays out and paints on its own, so a row coming into view does not relayout the others.
    '& .tr': { display: 'flex', alignItems: 'center', gap: 12, padding: '0 12px', height: ROW_HEIGHT, boxSizing: 'border-box', borderBottom: `1px solid ${theme.palette.divider}`, contain: 'strict' },
    '& .tr.sel': { background: theme.palette.action.selected },
    '& .cb': { width: 18, height: 18, flex: '0 0 auto', accentColor: theme.palette.primary.main, margin: 0 },
    '& .main': { flex: '3 1 0', minWidth: 0 },
    '& .size': { flex: '1.1 1 0', minWidth: 0, fontSize: 13 },
    '& .acl': { flex: '1.8 1 0', minWidth: 0, fontSize: 13 },
    '& .badges': { flex: '0 0 214px', display: 'flex', flexWrap: 'wrap', gap: 4 },
    '& .acts': { flex: '0 0 auto', display: 'flex', gap: 2 },
    '& .line': { whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' },
    '& .iqn': { fontFamily: 'monospace', fontSize: 13.5, color: theme.palette.text.primary, textDecoration: 'none' },
    '& .iqn:hover': { textDecoration: 'underline' },
    '& .sub': { fontSize: 12.5, color: muted },
    '& .b': { fontSize: 11.5, lineHeight: '18px', padding: '0 7px', border: '1px solid', borderRadius: 9, whiteSpace: 'nowrap', ...badge(muted) },
    '& .b.ok': badge(theme.palette.success.main),
    '& .b.info': badge(theme.palette.info.main),
    '& .b.warn': badge(theme.palette.warning.main),
    // Row actions: plain buttons and links (a MUI Button per action made each new row cost a frame).
    '& .act': {
      font: 'inherit', fontSize: 13, fontWeight: 500, lineHeight: '22px', padding: '2px 7px', border: 0, borderRadius: 4, background: 'none', cursor: 'pointer',
      color: theme.palette.primary.main, textDecoration: 'none', whiteSpace: 'nowrap',
    },
    '& .act:hover': { background: theme.palette.action.hover },
    '& .act.warn': { color: theme.palette.warning.main },
    '& .act.err': { color: theme.palette.error.main },
    // Last and as specific as .act.warn/.act.err: a disabled Delete must not look live.
    '& .act:disabled, & .act.warn:disabled, & .act.err:disabled': { color: theme.palette.text.disabled, cursor: 'default', background: 'none' },
  };
});

/** The drift state in words, as the badge shows it. */
function driftLabel(t: TargetView): string {
  if (isUnmanaged(t)) return 'unmanaged';
  return t.persisted;
}

interface RowProps {
  t: TargetView;
  serverId: string;
  top: number;
  selected: boolean;
  disabled: string | null;
  onToggle: (iqn: string) => void;
  onAction: (t: TargetView, a: RowAction) => void;
}

const Row = memo(function Row({ t, serverId, top, selected, disabled, onToggle, onAction }: RowProps) {
  const acl = accessSummary(t);
  const sizes = t.luns.map((l) => formatSize(l.apparentBytes ?? l.sizeBytes)).join(', ');
  const chap = t.mutualChap ? 'mutual CHAP' : t.chap ? 'CHAP' : 'no CHAP';
  const drift = driftLabel(t);
  const why = t.driftMessages.join('; ') || (drift === 'in-sync' ? 'running state and conf.d file agree' : drift);
  const title = disabled ?? undefined;
  return (
    <div className={selected ? 'tr sel' : 'tr'} role="row" aria-label={t.iqn} aria-selected={selected} style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${top}px)` }}>
      <input type="checkbox" className="cb" checked={selected} onChange={() => onToggle(t.iqn)} aria-label={`Select ${t.iqn}`} />
      <div className="main">
        <div className="line">
          <a className="iqn" href={pageHref('targets', serverId, t.iqn)} title={t.iqn}>{t.iqn}</a>
        </div>
        <div className="line sub" title={`tid ${t.tid}${t.alias ? ` · ${t.alias}` : ''}${t.comment ? ` · ${t.comment}` : ''} · LUN sizes: ${sizes || 'none'}`}>
          tid {t.tid}{t.alias ? ` · ${t.alias}` : ''} · {t.luns.length} LUN(s){sizes ? `: ${sizes}` : ''}
        </div>
      </div>
      <div className="size" title={`${formatSize(targetBytes(t))} apparent, ${formatSize(allocatedBytes(t))} allocated`}>
        <div className="line">{formatSize(targetBytes(t))}</div>
        <div className="line sub">{formatSize(allocatedBytes(t))} allocated</div>
      </div>
      <div className="acl line" title={acl}>{acl}</div>
      <div className="badges">
        <span className={t.chap ? 'b ok' : 'b'}>{chap}</span>
        <span className={t.sessions.length ? 'b info' : 'b'} title={t.sessions.map((s) => s.initiator).join(', ') || undefined}>{t.sessions.length} session(s)</span>
        <span className={drift === 'in-sync' ? 'b ok' : 'b warn'} title={why}>{drift}</span>
      </div>
      <div className="acts">
        <a className="act" href={pageHref('targets', serverId, t.iqn)} aria-label={`Open ${t.iqn}`}>Open</a>
        <button type="button" className="act" disabled={!!disabled} title={title} onClick={() => onAction(t, 'access')}>Access</button>
        {isUnmanaged(t) ? (
          <button type="button" className="act warn" disabled={!!disabled} title={title} onClick={() => onAction(t, 'adopt')}>Adopt</button>
        ) : hasDrift(t) ? (
          <button type="button" className="act warn" disabled={!!disabled} title={title} onClick={() => onAction(t, 'reconcile')}>Reconcile</button>
        ) : null}
        <button type="button" className="act err" disabled={!!disabled} title={title} onClick={() => onAction(t, 'delete')}>Delete</button>
      </div>
    </div>
  );
});

function SortHeader({ q, setQ }: { q: ListQuery; setQ: (q: ListQuery) => void }) {
  const keys = Object.keys(SORT_LABELS) as SortKey[];
  return (
    <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center' }} role="group" aria-label="Sort by">
      <Typography variant="body2" color="text.secondary">Sort by</Typography>
      {keys.map((k) => (
        <Button key={k} size="small" variant={q.sort === k ? 'outlined' : 'text'} onClick={() => setQ(sortBy(q, k))} aria-pressed={q.sort === k}
          aria-label={`Sort by ${SORT_LABELS[k]}${q.sort === k ? (q.desc ? ', descending' : ', ascending') : ''}`}>
          {SORT_LABELS[k]}{q.sort === k ? (q.desc ? ' ↓' : ' ↑') : ''}
        </Button>
      ))}
    </Stack>
  );
}

/** Counts that double as filter toggles, the text filter and the sort. */
export function ListControls({ all, q, setQ }: { all: TargetView[]; q: ListQuery; setQ: (q: ListQuery) => void }) {
  const counts = filterCounts(all);
  return (
    <Stack spacing={1}>
      <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }} role="group" aria-label="Filters">
        <Typography variant="body2" sx={{ fontWeight: 600, mr: 1 }} data-testid="target-count">{counts.all} target(s)</Typography>
        {FILTER_KEYS.map((f) => (
          <ToggleButton key={f} size="small" value={f} selected={q.filters.includes(f)} onChange={() => setQ(toggleFilter(q, f))} sx={{ py: 0.2, textTransform: 'none' }}>
            {FILTER_LABELS[f]}: {counts[f]}
          </ToggleButton>
        ))}
      </Stack>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
        <TextField size="small" label="Filter by IQN, initiator or address" value={q.text} onChange={(e) => setQ({ ...q, text: e.target.value })} sx={{ width: 380 }} />
        <SortHeader q={q} setQ={setQ} />
      </Stack>
    </Stack>
  );
}

/** The rows in view; only this re-renders while scrolling (the styled frame around it does not). */
function VirtualRows({ scroller, targets, serverId, selected, disabled, onToggle, onAction }: {
  scroller: HTMLDivElement | null; targets: TargetView[]; serverId: string; selected: Set<string>; disabled: string | null;
  onToggle: (iqn: string) => void; onAction: (t: TargetView, a: RowAction) => void;
}) {
  // No flushSync on scroll: React renders the new rows in its own batch instead of inside the scroll event.
  const v = useVirtualizer({ count: targets.length, getScrollElement: () => scroller, estimateSize: () => ROW_HEIGHT, overscan: 4, useFlushSync: false });
  return (
    <div style={{ height: v.getTotalSize(), position: 'relative' }}>
      {v.getVirtualItems().map((it) => {
        const t = targets[it.index];
        return <Row key={t.iqn} t={t} serverId={serverId} top={it.start} selected={selected.has(t.iqn)} disabled={disabled} onToggle={onToggle} onAction={onAction} />;
      })}
    </div>
  );
}

export function TargetList({ targets, serverId, selected, setSelected, disabled, onAction }: {
  targets: TargetView[];
  serverId: string;
  selected: Set<string>;
  setSelected: (s: Set<string>) => void;
  disabled: string | null;
  onAction: (t: TargetView, a: RowAction) => void;
}) {
  // The scroll element as state, not a ref read by the child: a parent's ref is attached only after
  // its children's layout effects, so on first mount the virtualizer would see no element and,
  // with nothing else re-rendering the rows, show none (seen with a one-target list).
  const [scroller, setScroller] = useState<HTMLDivElement | null>(null);
  const sel = useRef(selected);
  sel.current = selected;
  const onToggle = useCallback((iqn: string) => {
    const next = new Set(sel.current);
    if (next.has(iqn)) next.delete(iqn);
    else next.add(iqn);
    setSelected(next);
  }, [setSelected]);
  const allOn = targets.length > 0 && targets.every((t) => selected.has(t.iqn));
  return (
    <Box>
      <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center', px: 1.5, py: 0.5 }}>
        <input type="checkbox" checked={allOn} aria-label="Select every target shown" style={{ width: 18, height: 18 }}
          onChange={() => setSelected(allOn ? new Set() : new Set(targets.map((t) => t.iqn)))} />
        <Typography variant="body2" color="text.secondary">{targets.length} shown{selected.size ? `, ${selected.size} selected` : ''}</Typography>
      </Stack>
      <Sheet variant="outlined" ref={setScroller} role="table" aria-label="Targets" aria-rowcount={targets.length}>
        <VirtualRows scroller={scroller} targets={targets} serverId={serverId} selected={selected} disabled={disabled} onToggle={onToggle} onAction={onAction} />
      </Sheet>
    </Box>
  );
}
