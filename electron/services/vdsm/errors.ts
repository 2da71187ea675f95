// VDSM status/error codes (reference section 3, vdsm lib/vdsm/storage/exception.py) and the
// JSON-RPC protocol codes, each with words for the admin and a next step. Messages never carry
// parameters that could hold a password: callers pass only the code and safe context.

export interface VdsmCodeInfo {
  code: number;
  name: string;
  message: string;
  nextStep: string;
}

function e(code: number, name: string, message: string, nextStep: string): VdsmCodeInfo {
  return { code, name, message, nextStep };
}

const TABLE: VdsmCodeInfo[] = [
  e(0, 'Success', 'Success.', 'Nothing to do.'),
  e(99, 'RecoveryInProgress', 'VDSM is starting or recovering and does not accept calls yet.', 'Wait; Portico retries automatically with backoff. If it persists, check `systemctl status vdsmd` on the host.'),
  e(100, 'GeneralException', 'VDSM hit an unexpected error.', 'Read /var/log/vdsm/vdsm.log on the host around this time for the traceback.'),
  e(200, 'StorageException', 'A generic storage failure occurred on the host.', 'Read /var/log/vdsm/vdsm.log on the host for the underlying command error.'),
  e(302, 'StoragePoolConnectionError', 'Connecting the host to the storage pool failed.', 'Check that the master domain is reachable from the host, then retry.'),
  e(304, 'StoragePoolMasterNotFound', 'The pool\'s master storage domain was not found on connect.', 'Check that the LUN holding the master domain is visible (paths active), then retry.'),
  e(309, 'StoragePoolUnknown', 'The storage pool is unknown to this host or not connected.', 'Connect the pool first (StoragePool.connect) or check the pool id.'),
  e(323, 'CannotConnectMultiplePools', 'The host is already connected to another storage pool.', 'A host can join only one pool: disconnect it from the other pool, or use a host that is not in a pool.'),
  e(324, 'StoragePoolWrongMaster', 'Wrong master storage domain or master version for this pool.', 'Re-read the pool info and retry with its master domain and version.'),
  e(327, 'StoragePoolDescriptionTooLongError', 'The storage pool name is longer than 50 characters.', 'Shorten the pool name to 50 characters or fewer.'),
  e(351, 'StorageDomainCreationError', 'Creating the storage domain failed.', 'Read vdsm.log on the host; check the VG is new (only the UNREADY tag) and the LUN is writable.'),
  e(358, 'StorageDomainDoesNotExist', 'The storage domain is not visible on this host.', 'Check the storage connection and that the LUN paths are active; refresh and retry.'),
  e(361, 'StorageDomainNotEmpty', 'The volume group already contains logical volumes.', 'Use a clean LUN, or wipe it (force) if its data is not needed.'),
  e(365, 'StorageDomainAlreadyExists', 'A storage domain with this UUID already exists.', 'Re-plan: Portico generates a fresh domain UUID each time.'),
  e(379, 'StorageDomainAccessError', 'The storage domain is partially or entirely inaccessible.', 'Check the paths of the LUN (multipath -ll on the host) and the storage network.'),
  e(387, 'StorageDomainDescriptionTooLongError', 'The storage domain name is longer than 50 characters.', 'Shorten the domain name to 50 characters or fewer.'),
  e(401, 'UnknownTask', 'VDSM does not know this task.', 'The task may have been cleared already; re-read the pool state.'),
  e(402, 'TaskClearError', 'The task could not be cleared.', 'Wait until the task has finished, then clear it again.'),
  e(403, 'TaskNotFinished', 'The task has not finished yet.', 'Wait and poll Task.getStatus again.'),
  e(450, 'StorageServerActionError', 'Bad storage connection type.', 'Check the storage type (iSCSI = 3).'),
  e(451, 'StorageServerConnectionError', 'Connecting to the storage server failed.', 'Check the portal address and port, and read vdsm.log on the host.'),
  e(454, 'StorageServeriSCSIError', 'A generic iSCSI connection error occurred.', 'Check the portal, target name and TPGT; read vdsm.log for the iscsiadm error.'),
  e(461, 'SetiSCSIAuthError', 'Setting iSCSI CHAP authentication on the node record failed.', 'Check the CHAP user/password (at most 50 characters each) and retry.'),
  e(462, 'SetiSCSIUsernameError', 'Setting the iSCSI CHAP user name failed.', 'Check the CHAP user name (at most 50 characters) and retry.'),
  e(463, 'SetiSCSIPasswdError', 'Setting the iSCSI CHAP password failed.', 'Check the CHAP password (at most 50 characters) and retry.'),
  e(464, 'iSCSILoginError', 'The iSCSI login failed.', 'Check the target ACL for this host\'s initiator name, the login CHAP and the portal.'),
  e(465, 'iSCSISetupError', 'The iSCSI login failed (VDSM reports almost every non-CHAP login failure this way: unreachable or wrong portal, wrong IQN or TPGT, target ACL refusing this host, timeout).', 'Check the target ACL includes this host\'s initiator name, the login CHAP, and that the portal address/port/TPGT are right and reachable; vdsm.log shows the iscsiadm return code.'),
  e(467, 'MultipathSetupError', 'Multipath setup failed on the host.', 'Check `multipath -ll` and multipathd on the host.'),
  e(468, 'StorageTypeError', 'Unsupported storage type.', 'Use iSCSI (3), NFS (1) or another supported type.'),
  e(472, 'InvalidIpAddress', 'The portal address is not a valid IP address.', 'Enter the portal as an IPv4/IPv6 address.'),
  e(473, 'iSCSIifaceError', 'iSCSI interface problem: an existing iface is bound to a different network device.', 'Check the iSCSI bond/iface configuration on the host (iscsiadm -m iface).'),
  e(474, 'iSCSILogoutError', 'The iSCSI logout failed.', 'Check for devices still in use on that session, then retry.'),
  e(475, 'iSCSIDiscoveryError', 'iSCSI discovery (SendTargets) failed: the portal is unreachable, discovery CHAP was rejected, or the reply was bad.', 'Check the portal address and port are reachable from the host, and the discovery CHAP user/password (leave both empty if the target needs none).'),
  e(476, 'iSCSILoginAuthError', 'The target rejected the login CHAP credentials.', 'Check the login CHAP user and password against the target\'s incoming user (they are separate from the discovery credentials).'),
  e(477, 'MountError', 'Mounting the NFS/POSIX export failed.', 'Check the server, export path and its export options.'),
  e(478, 'ConnectionRefIdAlreadyInUse', 'The connection reference id is already in use.', 'Use a new connection id.'),
  e(479, 'ConnectionRefIdDoesNotExist', 'The connection reference id does not exist.', 'Re-read connections and retry.'),
  e(500, 'VolumeGroupActionError', 'A volume group operation failed.', 'Read vdsm.log for the LVM error.'),
  e(502, 'VolumeGroupCreateError', 'Creating the volume group failed.', 'Read vdsm.log for the vgcreate error; check the LUN is clean.'),
  e(504, 'VolumeGroupSizeError', 'The LUN is too small for a volume group (VDSM needs at least 10 GiB).', 'Choose a larger LUN.'),
  e(505, 'VolumeGroupAlreadyExistsError', 'A volume group with this name already exists.', 'Re-plan: Portico generates a fresh domain UUID each time.'),
  e(506, 'VolumeGroupDoesNotExist', 'The volume group does not exist on this host.', 'Check the LUN paths are active and re-read the device list.'),
  e(515, 'VolumeGroupHasDomainTag', 'The volume group already belongs to a storage domain.', 'Use another LUN, or clean this one if its domain is gone.'),
  e(517, 'VolumeGroupBlockSizeError', 'The devices have different block sizes.', 'Use LUNs with the same logical block size (512 bytes).'),
  e(518, 'DeviceBlockSizeError', 'Unsupported block size: block storage domains need 512-byte logical blocks (4Kn LUNs are rejected).', 'Create the LUN with 512-byte logical blocks (512e is fine).'),
  e(600, 'BlockDeviceActionError', 'Listing block devices failed.', 'Read vdsm.log; check multipathd is running.'),
  e(601, 'PhysDevInitializationError', 'pvcreate failed: the LUN carries old data (partition table, filesystem or LVM).', 'Choose a clean LUN, or confirm force to wipe this one.'),
  e(606, 'InaccessiblePhysDev', 'The LUN is not a visible multipath device on this host.', 'Check the iSCSI session and multipath -ll; refresh the device list.'),
  e(607, 'PartitionedPhysDev', 'The LUN is partitioned.', 'Remove the partition table or choose another LUN.'),
  e(613, 'VgMetadataCriticallyFull', 'The VG metadata area is critically full.', 'Reduce the number of LVs or move to a new domain.'),
  e(614, 'SmallVgMetadata', 'The VG metadata area is too small.', 'Recreate the domain on a new VG.'),
  e(621, 'LVMCommandError', 'An LVM command failed.', 'Read vdsm.log for the LVM error.'),
  e(650, 'SpmStartError', 'Becoming SPM (storage pool manager) failed.', 'Read vdsm.log and sanlock.log on the host.'),
  e(651, 'AcquireLockFailure', 'The sanlock lease could not be obtained.', 'Check another host is not SPM and sanlock is running.'),
  e(654, 'SpmStatusError', 'The host is not the SPM.', 'Start SPM first (StoragePool.spmStart).'),
  e(656, 'IsSpm', 'The host is already the SPM.', 'Nothing to do; continue.'),
  e(661, 'AcquireHostIdFailure', 'sanlock could not obtain the host id.', 'Check for a host id clash or storage I/O errors (sanlock.log).'),
  e(700, 'HostIdMismatch', 'Host id mismatch.', 'Check the host id configured for this host.'),
  e(1000, 'InvalidParameterException', 'VDSM rejected a parameter.', 'This is a Portico bug if it happens; report it with the job log.'),
  // JSON-RPC protocol errors (vdsm lib/yajsonrpc/exception.py).
  e(-32700, 'JsonRpcParseError', 'VDSM could not parse the request.', 'This is a Portico bug; report it with the job log.'),
  e(-32600, 'JsonRpcInvalidRequestError', 'VDSM says the request is invalid.', 'This is a Portico bug; report it with the job log.'),
  e(-32601, 'JsonRpcMethodNotFoundError', 'VDSM does not know this method.', 'The host\'s VDSM version may be too old or too new for this call; check `rpm -q vdsm`.'),
  e(-32602, 'JsonRpcInvalidParamsError', 'VDSM rejected the call\'s parameters.', 'The host\'s VDSM version may expect different parameters; check `rpm -q vdsm`.'),
  e(-32603, 'JsonRpcInternalError', 'VDSM hit an internal error handling the call.', 'Read /var/log/vdsm/vdsm.log on the host.'),
  e(-32604, 'JsonRpcBindingsError', 'VDSM is missing bindings for this call.', 'Check the VDSM installation on the host.'),
  e(-32605, 'JsonRpcNoResponseError', 'VDSM did not produce a response.', 'Retry; if it repeats read vdsm.log.'),
];

export const VDSM_CODES: ReadonlyMap<number, VdsmCodeInfo> = new Map(TABLE.map((x) => [x.code, x]));

/** Words for a code; unknown codes still get a useful sentence. */
export function describeCode(code: number): VdsmCodeInfo {
  return (
    VDSM_CODES.get(code) ?? {
      code,
      name: 'Unknown',
      message: `VDSM returned error code ${code}.`,
      nextStep: 'Read /var/log/vdsm/vdsm.log on the host around this time.',
    }
  );
}

/** A VDSM failure with the code, the method and words for people. */
export class VdsmError extends Error {
  readonly info: VdsmCodeInfo;
  constructor(
    readonly code: number,
    readonly method: string,
    /** VDSM's own message text; may be shown but is never the only text. */
    readonly vdsmMessage: string,
  ) {
    const info = describeCode(code);
    super(`${method}: ${info.message} Next step: ${info.nextStep} (VDSM code ${code}${vdsmMessage ? `: ${vdsmMessage}` : ''})`);
    this.name = 'VdsmError';
    this.info = info;
  }
}

/** Raised when the transport fails or a call times out; no VDSM code. */
export class VdsmTransportError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'disconnected' | 'connect' | 'protocol' | 'closed',
  ) {
    super(message);
    this.name = 'VdsmTransportError';
  }
}

/**
 * The "no LUNs" diagnosis: a login that succeeded but shows no device for the target usually
 * means the target's ACL lacks this host's initiator name.
 */
export function noLunsMessage(targetIqn: string, initiatorName: string | null): { message: string; nextStep: string } {
  const who = initiatorName ? `this host's initiator name ${initiatorName}` : "this host's initiator name (see /etc/iscsi/initiatorname.iscsi)";
  return {
    message: `Logged in to ${targetIqn}, but the host sees no LUNs on it. The likely cause is the target's ACL: it does not include ${who}. Less often the LUNs are mapped to another TPG, or the login CHAP failed silently.`,
    nextStep: `Add ${initiatorName ?? "the host's initiator name"} to the target's ACL (allowed initiators), then press Discover again.`,
  };
}

/** Words for a dead or slow portal during discovery/connect. */
export function timeoutMessage(what: string, seconds: number, portal?: string): string {
  return `${what} did not finish within ${seconds} s${portal ? ` (portal ${portal})` : ''}. The portal is probably unreachable from the host. Next step: check the address and port, the storage network and any firewall between host and target.`;
}
