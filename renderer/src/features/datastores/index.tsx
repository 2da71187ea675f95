import { lazy, Suspense } from 'react';
import AccountTreeIcon from '@mui/icons-material/AccountTree';
import { LinearProgress } from '@mui/material';
import type { FeatureRoute } from '../route';

// Not the start page: its code (and its dialogs and wizards) loads when it is first opened.
const LazyDatastoresPage = lazy(() => import('./DatastoresPage').then((m) => ({ default: m.DatastoresPage })));

function Page() {
  return (
    <Suspense fallback={<LinearProgress aria-label="Loading Datastores" />}>
      <LazyDatastoresPage />
    </Suspense>
  );
}

export const datastoresRoute: FeatureRoute = { id: 'datastores', label: 'Datastores', icon: <AccountTreeIcon />, Page };
