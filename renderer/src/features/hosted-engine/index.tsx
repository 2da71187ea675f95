import { lazy, Suspense } from 'react';
import CloudQueueIcon from '@mui/icons-material/CloudQueue';
import { LinearProgress } from '@mui/material';
import type { FeatureRoute } from '../route';

// Not the start page: its code (and its dialogs and wizards) loads when it is first opened.
const LazyHostedEnginePage = lazy(() => import('./HostedEnginePage').then((m) => ({ default: m.HostedEnginePage })));

function Page() {
  return (
    <Suspense fallback={<LinearProgress aria-label="Loading Hosted engine" />}>
      <LazyHostedEnginePage />
    </Suspense>
  );
}

export const hostedEngineRoute: FeatureRoute = { id: 'hosted-engine', label: 'Hosted engine', icon: <CloudQueueIcon />, Page };
