import { lazy, Suspense } from 'react';
import HistoryIcon from '@mui/icons-material/History';
import { LinearProgress } from '@mui/material';
import type { FeatureRoute } from '../route';

// Not the start page: its code (and its dialogs and wizards) loads when it is first opened.
const LazyActivityPage = lazy(() => import('./ActivityPage').then((m) => ({ default: m.ActivityPage })));

function Page() {
  return (
    <Suspense fallback={<LinearProgress aria-label="Loading Activity" />}>
      <LazyActivityPage />
    </Suspense>
  );
}

export const activityRoute: FeatureRoute = { id: 'activity', label: 'Activity', icon: <HistoryIcon />, Page };
