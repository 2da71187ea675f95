// Cross-feature "who uses this?" checks, so one feature can refuse to delete what another depends
// on without importing it: the datastores feature registers a check that names the OpenNebula
// images mapped to a LUN; the targets planners ask before deleting a LUN or a target.
export interface LunRef {
  /** Host id of the storage server. */
  serverId: string;
  iqn: string;
  /** A single LUN, or the whole target when absent. */
  lun?: number;
}

/** One thing that depends on the LUN, in words ("OpenNebula image 12 'db-disk' on fe1"). */
export interface LunUser {
  /** Which feature holds it ("datastores"). */
  owner: string;
  description: string;
  /** How to release it, in words ("remove the image on the Datastores page first"). */
  fix: string;
}

export type LunUserCheck = (ref: LunRef) => Promise<LunUser[]> | LunUser[];

export class UsageRegistry {
  private readonly checks: LunUserCheck[] = [];

  register(check: LunUserCheck): void {
    this.checks.push(check);
  }

  /** Every user of the LUN (or of any LUN of the target), from every registered check. */
  async lunUsers(ref: LunRef): Promise<LunUser[]> {
    const out: LunUser[] = [];
    for (const c of this.checks) out.push(...(await c(ref)));
    return out;
  }
}
