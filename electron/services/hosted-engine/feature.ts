// The hosted-engine storage wizard: discover, log in, list LUNs and plan, over VDSM per oVirt host.
import type { hostedEngineCalls } from '../../../shared/features/hosted-engine';
import type { CoreDeps, Feature } from '../feature';
import { HostedEngineService } from './he-service';

export function hostedEngineFeature({ hostRepo, pool, plans, secrets }: CoreDeps): Feature<typeof hostedEngineCalls> {
  const hostedEngine = new HostedEngineService(hostRepo, pool, plans, secrets);
  return {
    handlers: {
      'he.discover': (i) => hostedEngine.discover(i),
      'he.connect': (i) => hostedEngine.connect(i),
      'he.luns': (i) => hostedEngine.luns(i),
      'he.plan': (i) => hostedEngine.plan(i),
    },
    close: () => hostedEngine.close(),
  };
}
