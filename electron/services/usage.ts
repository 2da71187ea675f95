// Cross-feature "who uses this?" checks, so one feature can refuse to delete (or log out) what
// another depends on without importing it. Two questions:
//  - LUN users: the datastores feature names the OpenNebula images mapped to a LUN, the
//    hosted-engine feature the HE storage domain on a target; the targets planners ask before
//    deleting a LUN or a target and refuse while any user is named.
//  - Path users: who needs an initiator host's iSCSI session (iqn at address:port) to stay logged
//    in; the hosted-engine feature answers for the HE agent's own connections, and the bonds
//    planner keeps such a path logged in when a bond drops it.
// A check that cannot tell (host unreachable) reports a user saying so, never "unused".
export interface LunRef {
  /** Host id of the storage server. */
  serverId: string;
  iqn: string;
  /** A single LUN, or the whole target when absent. */
  lun?: number;
}

/** One thing that depends on the LUN (or path), in words ("OpenNebula image 12 'db-disk' on fe1"). */
export interface LunUser {
  /** Which feature holds it ("datastores", "hosted-engine"). */
  owner: string;
  description: string;
  /** How to release it, in words ("remove the image on the Datastores page first"). */
  fix: string;
}

/** One iSCSI path of an initiator host: its sessions to `iqn` through the portal address:port, on any iface. */
export interface PathRef {
  /** Host id of the initiator (hypervisor) host. */
  hostId: string;
  iqn: string;
  address: string;
  port: number;
}

/** Same shape as a LUN user; the description is a noun phrase ("the hosted-engine storage domain …"). */
export type PathUser = LunUser;

export type LunUserCheck = (ref: LunRef) => Promise<LunUser[]> | LunUser[];
export type PathUserCheck = (ref: PathRef) => Promise<PathUser[]> | PathUser[];

export class UsageRegistry {
  private readonly checks: LunUserCheck[] = [];
  private readonly pathChecks: PathUserCheck[] = [];

  register(check: LunUserCheck): void {
    this.checks.push(check);
  }

  registerPath(check: PathUserCheck): void {
    this.pathChecks.push(check);
  }

  /** Every user of the LUN (or of any LUN of the target), from every registered check. */
  async lunUsers(ref: LunRef): Promise<LunUser[]> {
    return collect(this.checks, ref);
  }

  /** Every user of the host's path, from every registered path check. */
  async pathUsers(ref: PathRef): Promise<PathUser[]> {
    return collect(this.pathChecks, ref);
  }
}

async function collect<R>(checks: ((ref: R) => Promise<LunUser[]> | LunUser[])[], ref: R): Promise<LunUser[]> {
  const out: LunUser[] = [];
  for (const c of checks) out.push(...(await c(ref)));
  return out;
}
