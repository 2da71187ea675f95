// The Dashboard feature: the dashboard (the storage estate at a glance, warnings computed in main) and the first-time setup assistant.
import type { dashboardCalls } from '../../../shared/features/dashboard';
import type { CoreDeps, Feature } from '../feature';

export function dashboardFeature(_core: CoreDeps): Feature<typeof dashboardCalls> {
  return { handlers: {} };
}
