// A page that is not the start page: its code (and its dialogs and wizards) loads when it is first
// opened, behind a progress bar named after the page.
import { lazy, Suspense, type ComponentType } from 'react';
import { LinearProgress } from '@mui/material';
import type React from 'react';

export function lazyPage(label: string, load: () => Promise<ComponentType>): () => React.JSX.Element {
  const Lazy = lazy(() => load().then((Page) => ({ default: Page })));
  return function Page() {
    return (
      <Suspense fallback={<LinearProgress aria-label={`Loading ${label}`} />}>
        <Lazy />
      </Suspense>
    );
  };
}
