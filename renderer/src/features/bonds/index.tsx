import { lazy, Suspense } from 'react';
import CallSplitIcon from '@mui/icons-material/CallSplit';
import { LinearProgress } from '@mui/material';
import type { FeatureRoute } from '../route';

// Not the start page: its code (and its dialogs and wizards) loads when it is first opened.
const LazyBondsPage = lazy(() => import('./BondsPage').then((m) => ({ default: m.BondsPage })));

function Page() {
  return (
    <Suspense fallback={<LinearProgress aria-label="Loading Bonds" />}>
      <LazyBondsPage />
    </Suspense>
  );
}

export const bondsRoute: FeatureRoute = { id: 'bonds', label: 'Bonds', icon: <CallSplitIcon />, Page };
