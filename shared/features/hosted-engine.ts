// Contract fragment of the hosted-engine storage wizard (oVirt, over VDSM). Its input schemas and
// result types live in ../domain/hosted-engine and ../domain/hosted-engine-views.
import { call, type CallMap } from '../contract-kit';
import type { PlanView } from '../plan';
import { DiscoverRequestSchema } from '../domain/hosted-engine';
import { HeConnectInputSchema, HeLunsInputSchema, HePlanInputSchema, type HeConnectResult, type HeDiscoverResult, type HeLunsResult } from '../domain/hosted-engine-views';

export const hostedEngineCalls = {
  // CHAP passwords are inputs only: results and plans never carry them (plans are masked).
  'he.discover': call(DiscoverRequestSchema, { audited: true }).returns<HeDiscoverResult>(),
  'he.connect': call(HeConnectInputSchema, { mutates: true }).returns<HeConnectResult>(),
  'he.luns': call(HeLunsInputSchema).returns<HeLunsResult>(),
  'he.plan': call(HePlanInputSchema).returns<PlanView>(),
} satisfies CallMap;
