import { CircularProgress } from '@mui/material';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import ErrorIcon from '@mui/icons-material/Error';
import UndoIcon from '@mui/icons-material/Undo';
import RadioButtonUncheckedIcon from '@mui/icons-material/RadioButtonUnchecked';
import HelpOutlineIcon from '@mui/icons-material/HelpOutlineOutlined';
import RemoveCircleOutlineIcon from '@mui/icons-material/RemoveCircleOutlineOutlined';
import type { StepState } from '../../../shared/plan';

const LABEL: Record<StepState, string> = {
  pending: 'Pending', running: 'Running', done: 'Done', failed: 'Failed', 'in-doubt': 'In doubt', undoing: 'Undoing', undone: 'Undone', 'undo-failed': 'Undo failed', skipped: 'Skipped',
};

export function stepStateLabel(s: StepState): string {
  return LABEL[s];
}

export function StepStateIcon({ state }: { state: StepState }) {
  const a = { 'aria-label': LABEL[state], fontSize: 'small' as const };
  switch (state) {
    case 'running':
    case 'undoing':
      return <CircularProgress size={18} aria-label={LABEL[state]} />;
    case 'done':
      return <CheckCircleIcon color="success" {...a} />;
    case 'failed':
    case 'undo-failed':
      return <ErrorIcon color="error" {...a} />;
    case 'in-doubt':
      return <HelpOutlineIcon color="warning" {...a} />;
    case 'undone':
      return <UndoIcon color="warning" {...a} />;
    case 'skipped':
      return <RemoveCircleOutlineIcon color="disabled" {...a} />;
    default:
      return <RadioButtonUncheckedIcon color="disabled" {...a} />;
  }
}
