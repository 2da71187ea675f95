// Review step shared by every wizard: the plan main built, step by step, each operation with its
// exact command (secrets already masked by main) and its undo, one command per line. What the admin
// reads is sorted by severity: dangers (an error block with an explicit "I understand" box), then
// what cannot be undone and the plan's warnings, then plain information (what runs, how long main
// keeps the plan). usePlanGate holds the box and the clock; ApplyButton is enabled only when the
// gate allows, and StickyActions keeps it in view on long reviews.
import { useEffect, useState, type ReactNode } from 'react';
import { Alert, AlertTitle, Box, Button, Checkbox, Chip, FormControlLabel, List, ListItem, Paper, Stack, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import type { PlanOpView, PlanView } from '../../../shared/plan';
import { call } from '../api/client';
import { EXPIRED_LABEL, expiryText, planGate, type PlanGateState } from './job-words';

export interface PlanGate extends PlanGateState {
  confirmed: boolean;
  setConfirmed: (v: boolean) => void;
  now: number;
}

/** The "I understand" box and the expiry clock of the plan under review (reset when the plan changes). */
export function usePlanGate(plan: PlanView | null): PlanGate {
  const [confirmed, setConfirmedFor] = useState<{ id: string; v: boolean } | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!plan) return;
    // Tick each 15 s (the minutes left), and exactly at expiry.
    const iv = setInterval(() => setNow(Date.now()), 15_000);
    const left = Date.parse(plan.expiresAt) - Date.now();
    const to = left > 0 && left < 2 ** 31 - 1 ? setTimeout(() => setNow(Date.now()), left + 50) : undefined;
    return () => {
      clearInterval(iv);
      if (to) clearTimeout(to);
    };
  }, [plan]);
  const c = !!plan && confirmed?.id === plan.id && confirmed.v;
  const state = plan ? planGate(plan, c, now) : { expired: false, needsConfirm: false, canApply: false, blocked: 'No plan yet.' };
  return { ...state, confirmed: c, setConfirmed: (v) => plan && setConfirmedFor({ id: plan.id, v }), now };
}

/** Apply, always visible; disabled (with the reason next to it) until the gate allows. */
export function ApplyButton({ gate, busy, onClick, label = 'Apply' }: { gate: PlanGate; busy?: boolean; onClick: () => void; label?: string }) {
  return (
    <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center' }}>
      <Button variant="contained" disabled={!gate.canApply || busy} onClick={onClick}>
        {gate.expired ? EXPIRED_LABEL : label}
      </Button>
      {gate.needsConfirm && !gate.expired && (
        <Typography variant="body2" color="text.secondary">
          {gate.blocked}
        </Typography>
      )}
    </Stack>
  );
}

/** A bar that stays at the bottom of the scrolling page or dialog, so Apply is always visible. */
export function StickyActions({ children }: { children: ReactNode }) {
  return (
    <Box data-testid="sticky-actions" sx={{ position: 'sticky', bottom: 0, zIndex: 2, bgcolor: 'background.paper', borderTop: 1, borderColor: 'divider', py: 1.5, mt: 1 }}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>{children}</Stack>
    </Box>
  );
}

/** One command per line (a step's or an undo's commands arrive joined by newlines). */
export function commandLines(text: string): string[] {
  return text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
}

/** Host ids as names (the same query the Hosts page uses). */
function useHostNames(): (id: string) => string {
  const hosts = useQuery({ queryKey: ['hosts'], queryFn: () => call('hosts.list', {}) });
  return (id) => hosts.data?.find((h) => h.id === id)?.name ?? id;
}

/** `showUndo` is off in rollback plans: their operations are the undo (undoing an undo is not offered). */
function OpLine({ op, hostName, showHost, showUndo }: { op: PlanOpView; hostName: string; showHost: boolean; showUndo: boolean }) {
  return (
    <Box component="li" sx={{ listStyle: 'none', py: 0.5 }}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline' }}>
        {showHost && <Chip size="small" variant="outlined" label={hostName} sx={{ height: 20, fontSize: 11.5 }} />}
        <Box component="code" sx={{ fontSize: 12.5, whiteSpace: 'pre-wrap', wordBreak: 'break-all', color: 'text.primary', flexGrow: 1 }}>
          {op.command}
        </Box>
        {op.irreversible && <Chip size="small" color="warning" label="cannot be undone" sx={{ height: 20, fontSize: 11.5, flexShrink: 0 }} />}
      </Stack>
      {showUndo && !op.irreversible && <UndoLines undo={op.undo} />}
    </Box>
  );
}

function UndoLines({ undo }: { undo: string | null }) {
  if (!undo)
    return (
      <Typography variant="caption" color="text.secondary" component="div" sx={{ pl: 2 }}>
        Undo: none of its own (undoing the operations above covers it).
      </Typography>
    );
  return (
    <>
      {commandLines(undo).map((l, i) => (
        <Typography key={i} variant="caption" color="text.secondary" component="div" sx={{ pl: 2, wordBreak: 'break-all' }} data-testid="undo-line">
          Undo: <code>{l}</code>
        </Typography>
      ))}
    </>
  );
}

export function PlanReview({ plan, gate }: { plan: PlanView; gate: PlanGate }) {
  const hostName = useHostNames();
  const hosts = new Set(plan.steps.flatMap((s) => s.ops.map((o) => o.host)));
  const irreversible = plan.steps.flatMap((s) => s.ops.filter((o) => o.irreversible).map((o) => ({ step: s.index, op: o })));
  const isRollback = !!plan.rollbackOf;
  return (
    <Stack spacing={2} aria-label="Plan review">
      <Typography variant="subtitle1" component="h3">
        {plan.title}: {plan.steps.length} step{plan.steps.length === 1 ? '' : 's'}, run in order;{' '}
        {isRollback ? 'each undo first checks the live server and skips what is already undone.' : 'if one fails, the ones before it are undone in reverse.'}
      </Typography>
      <Alert severity={gate.expired ? 'error' : 'info'} variant="outlined" aria-label="Information" sx={{ py: 0 }}>
        <Typography variant="body2" data-testid="plan-expiry">
          {gate.expired
            ? 'This plan expired: Portico forgot it and its secrets. Build it again to see the current state.'
            : `Portico keeps this plan and its secrets ${expiryText(plan.expiresAt, gate.now)}; after that, build it again.`}
        </Typography>
      </Alert>
      {plan.dangers.length > 0 && (
        <Alert severity="error" role="alert" aria-label="This plan lowers protection">
          <AlertTitle>This plan lowers protection</AlertTitle>
          <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
            {plan.dangers.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </Box>
          <FormControlLabel
            sx={{ mt: 1 }}
            control={<Checkbox checked={gate.confirmed} onChange={(e) => gate.setConfirmed(e.target.checked)} color="error" disabled={gate.expired} />}
            label="I understand: this plan lowers protection"
          />
        </Alert>
      )}
      {irreversible.map(({ step, op }) => (
        <Alert key={`${step}:${op.command}`} severity="warning">
          This cannot be undone (step {step + 1}): <code>{op.command}</code>. If a later step fails, it stays as it is; the plan runs it as late as it can.
        </Alert>
      ))}
      {plan.warnings.length > 0 && (
        <Alert severity="warning" aria-label="Warnings">
          <AlertTitle>{plan.warnings.length === 1 ? 'Warning' : `${plan.warnings.length} warnings`}: read before you apply</AlertTitle>
          {plan.warnings.length === 1 ? (
            plan.warnings[0]
          ) : (
            <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
              {plan.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </Box>
          )}
        </Alert>
      )}
      <Paper variant="outlined">
        <List dense disablePadding component="ol" aria-label="Plan steps">
          {plan.steps.map((s) => (
            <ListItem key={s.index} divider sx={{ display: 'block', py: 1.2 }}>
              <Typography variant="body2" sx={{ fontWeight: 600 }}>
                {s.index + 1}. {s.title}
              </Typography>
              {s.ops.length > 0 ? (
                <Box component="ul" aria-label={`Operations of step ${s.index + 1}`} sx={{ m: 0, mt: 0.5, p: 0 }}>
                  {s.ops.map((o, i) => (
                    <OpLine key={i} op={o} hostName={hostName(o.host)} showHost={hosts.size > 1 || isRollback} showUndo={!isRollback} />
                  ))}
                </Box>
              ) : (
                <>
                  <Box component="code" sx={{ display: 'block', fontSize: 12.5, mt: 0.5, whiteSpace: 'pre-wrap', wordBreak: 'break-all', color: 'text.secondary' }}>
                    {s.command}
                  </Box>
                  {s.undo && !isRollback && <UndoLines undo={s.undo} />}
                </>
              )}
            </ListItem>
          ))}
        </List>
      </Paper>
      {plan.artifacts.map((a) => (
        <Box key={a.name}>
          <Typography variant="subtitle2">{a.name}</Typography>
          <Paper variant="outlined" component="pre" sx={{ p: 1.5, m: 0, fontSize: 12.5, overflow: 'auto', maxHeight: 260 }}>
            {a.content}
          </Paper>
        </Box>
      ))}
    </Stack>
  );
}
