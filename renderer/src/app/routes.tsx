// The console's pages, composed from the features' routes (renderer/src/features/<feature>/index.tsx).
// Navigation is state kept in the URL fragment (#/targets), so reloads stay put.
import { useEffect, useState } from 'react';
import type { FeatureRoute } from '../features/route';
import { hostsRoute } from '../features/hosts';
import { targetsRoute } from '../features/targets';
import { datastoresRoute } from '../features/datastores';
import { bondsRoute } from '../features/bonds';
import { hostedEngineRoute } from '../features/hosted-engine';
import { activityRoute } from '../features/activity';
import { dashboardRoute, setupRoute } from '../features/dashboard';

/**
 * The navigation, in order. The start page is the dashboard once a host exists and the setup
 * assistant on first run (features/dashboard/start.ts); the first entry shows until that is known.
 */
export const PAGES: readonly FeatureRoute[] = [dashboardRoute, hostsRoute, targetsRoute, datastoresRoute, bondsRoute, hostedEngineRoute, activityRoute, setupRoute];

function fromHash(): FeatureRoute {
  const id = window.location.hash.replace(/^#\/?/, '').split('/')[0];
  return PAGES.find((p) => p.id === id) ?? PAGES[0];
}

export function usePage(): [FeatureRoute, (id: string) => void] {
  const [page, setPage] = useState<FeatureRoute>(fromHash);
  useEffect(() => {
    const onHash = () => setPage(fromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return [page, (id) => (window.location.hash = `#/${id}`)];
}

/** The path segments after the page id (#/targets/<serverId>/<iqn> gives [serverId, iqn]), decoded; live. */
export function useRouteParams(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('/').slice(1).filter(Boolean).map(decodeURIComponent);
  const [params, setParams] = useState<string[]>(read);
  useEffect(() => {
    const onHash = () => setParams(read());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return params;
}

/** Link to a page with sub-path segments, each encoded ("#/targets/h1/iqn.2026-..."). */
export function pageHref(id: string, ...params: string[]): string {
  return `#/${[id, ...params.map(encodeURIComponent)].join('/')}`;
}
