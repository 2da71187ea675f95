import { lazy, Suspense } from 'react';
import StorageIcon from '@mui/icons-material/Storage';
import { LinearProgress } from '@mui/material';
import type { FeatureRoute } from '../route';

// Not the start page: its code (and its dialogs and wizards) loads when it is first opened.
const LazyTargetsPage = lazy(() => import('./TargetsPage').then((m) => ({ default: m.TargetsPage })));

function Page() {
  return (
    <Suspense fallback={<LinearProgress aria-label="Loading Targets" />}>
      <LazyTargetsPage />
    </Suspense>
  );
}

export const targetsRoute: FeatureRoute = { id: 'targets', label: 'Targets', icon: <StorageIcon />, Page };
