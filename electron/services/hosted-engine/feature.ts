// The hosted-engine storage wizard: discover, log in, list LUNs and plan, over VDSM per oVirt host;
// its plan's operation kinds (the VDSM verbs, the LUN read, the freshness and result checks) go
// into the core's registry, each resolving a host id to that host's VDSM API (and to its SSH
// runner for the hosted-engine.conf reads; the write itself is the shared file.put). Its usage
// source reads every oVirt host's hosted-engine.conf live, so the targets planners refuse to
// delete the HE storage target and the bonds planner keeps the HE agent's paths logged in.
import type { hostedEngineCalls } from '../../../shared/features/hosted-engine';
import type { CoreDeps, Feature } from '../feature';
import type { CheckKind, OperationKind } from '../jobs/operation';
import { allVdsmKinds, vdsmKinds } from '../vdsm/ops';
import { HostedEngineService } from './he-service';
import { hostedEngineKinds } from './ops';
import { readFileStates } from '../remote/files';
import { PLAN_KIND } from './planner';
import { HeUsageSource, readHeStorageLines } from './usage';

export function hostedEngineFeature({ hostRepo, pool, plans, secrets, kinds, usage, events }: CoreDeps): Feature<typeof hostedEngineCalls> {
  // VDSM's management_port is configurable on the host (vdsm.conf [addresses]); 54321 by default.
  const vdsmPort = Number(process.env.PORTICO_VDSM_PORT) || undefined;
  const hostedEngine = new HostedEngineService(hostRepo, pool, plans, secrets, { vdsmPort });
  const apis = (hostId: string) => hostedEngine.apiFor(hostId);
  const readFile = async (h: string, path: string) => (await readFileStates({ runner: (x) => pool.runner(x) }, h, [path])).get(path)?.content ?? null;
  const he = hostedEngineKinds(apis, readFile);
  kinds.add(...allVdsmKinds(vdsmKinds(apis)), he.checkLun as unknown as OperationKind<never>);
  kinds.addChecks(he.fresh as unknown as CheckKind<never>, he.result as unknown as CheckKind<never>);
  // PORTICO_HE_USAGE_TTL_MS: how long one read answers (lab tests set 0 to see each file change).
  const ttl = Number(process.env.PORTICO_HE_USAGE_TTL_MS ?? NaN);
  const heUsage = new HeUsageSource({ hosts: hostRepo, read: (h) => readHeStorageLines({ runner: (x) => pool.runner(x) }, h), ...(Number.isFinite(ttl) ? { ttlMs: ttl } : {}) });
  usage.register((ref) => heUsage.lunUsers(ref));
  usage.registerPath((ref) => heUsage.pathUsers(ref));
  // Portico's own hosted-engine job just changed the file: the next check reads it again.
  const unsubscribe = events.subscribe((name, payload) => {
    const job = payload as { kind?: string; finishedAt?: string | null };
    if (name === 'job.updated' && job.finishedAt && job.kind === PLAN_KIND) heUsage.invalidate();
  });
  return {
    handlers: {
      'he.discover': (i) => hostedEngine.discover(i),
      'he.connect': (i) => hostedEngine.connect(i),
      'he.luns': (i) => hostedEngine.luns(i),
      'he.plan': (i) => hostedEngine.plan(i),
    },
    close: () => {
      unsubscribe();
      return hostedEngine.close();
    },
  };
}
