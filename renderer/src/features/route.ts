import type React from 'react';
import type { ReactNode } from 'react';

/** One page of the console as a feature exports it; app/routes.tsx composes the list. */
export interface FeatureRoute {
  /** The URL fragment (#/<id>) and the page's stable id. */
  id: string;
  label: string;
  icon: ReactNode;
  Page: () => React.JSX.Element;
  /** false: reachable by link only (#/<id>), not listed in the navigation. */
  nav?: boolean;
}
