// VDSM verbs as operation kinds (jobs/operation.ts): each describes its exact JSON-RPC call
// (passwords as ******), applies it, names its real inverse and verifies through VDSM's own reads.
// Generic storage verbs, shared by the hosted-engine plan and, next, iSCSI bonds. Inverses are
// idempotent: "no such domain / pool / VG", "not connected", "not SPM" on an undo whose effect is
// already there count as success. Reads (discovery, stats, VG info) are readOnly kinds so the plan
// keeps the exact call order of the seed transcript.
import type { OperationKind } from '../jobs/operation';
import { readKinds } from './read-kinds';
import { connectionKinds } from './connection-kinds';
import { storageKinds } from './storage-kinds';
import { poolKinds } from './pool-kinds';
import type { VdsmApis, VdsmKindOptions } from './kind-common';

// The kinds live in one module per verb group; importers keep using this path.
export { FMT, type VdsmApis, type VdsmKindOptions } from './kind-common';
export { ConnectParams, DisconnectParams, type ConnectOutput, type ConnectP } from './connection-kinds';

/** The verbs' kinds over the per-host APIs (in the order allVdsmKinds lists them). */
export function vdsmKinds(apis: VdsmApis, o: VdsmKindOptions = {}) {
  return { ...readKinds(apis), ...connectionKinds(apis), ...storageKinds(apis), ...poolKinds(apis, o) };
}

export type VdsmKinds = ReturnType<typeof vdsmKinds>;

/** Every VDSM kind, as the registry takes them. */
export function allVdsmKinds(k: VdsmKinds): OperationKind<never>[] {
  return Object.values(k) as unknown as OperationKind<never>[];
}
