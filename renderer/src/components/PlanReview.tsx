// Review step shared by every wizard: the plan main built, step by step, with exact commands
// (secrets already masked by main) and their undo, plus warnings and generated files.
import { Alert, Box, List, ListItem, Paper, Stack, Typography } from '@mui/material';
import type { PlanView } from '../../../shared/plan';

export function PlanReview({ plan }: { plan: PlanView }) {
  return (
    <Stack spacing={2} aria-label="Plan review">
      <Typography variant="subtitle1" component="h3">
        {plan.title}: {plan.steps.length} step{plan.steps.length === 1 ? '' : 's'}, run in order; if one fails, the ones before it are undone in reverse.
      </Typography>
      {plan.warnings.map((w) => (
        <Alert key={w} severity="warning">
          {w}
        </Alert>
      ))}
      <Paper variant="outlined">
        <List dense disablePadding component="ol" aria-label="Plan steps">
          {plan.steps.map((s) => (
            <ListItem key={s.index} divider sx={{ display: 'block', py: 1.2 }}>
              <Typography variant="body2" sx={{ fontWeight: 600 }}>
                {s.index + 1}. {s.title}
              </Typography>
              <Box component="code" sx={{ display: 'block', fontSize: 12.5, mt: 0.5, whiteSpace: 'pre-wrap', wordBreak: 'break-all', color: 'text.secondary' }}>
                {s.command}
              </Box>
              {s.undo && (
                <Typography variant="caption" color="text.secondary" component="div" sx={{ mt: 0.3 }}>
                  Undo: <code>{s.undo}</code>
                </Typography>
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
