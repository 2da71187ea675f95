// One error type for the whole initiator, with a stable code the UI maps to behaviour and a
// plain message an admin can act on. Messages never contain secrets.

export type IscsiErrorCode =
  | 'auth-failed' // CHAP refused (wrong user/secret, CHAP required, mutual check failed)
  | 'not-authorised' // target exists but its access list does not admit this initiator
  | 'target-not-found' // unknown target (tgtd also answers this for ACL denial; message says so)
  | 'redirect' // target moved; details.targetAddress says where
  | 'target-busy' // out of resources / service unavailable: retry later
  | 'target-error' // other target-side failures (class 3, target removed)
  | 'login-failed' // other initiator-class login errors (0x0200, 0x0205, 0x0207...)
  | 'timeout'
  | 'cancelled'
  | 'connection' // could not connect, or the stream closed under us
  | 'protocol' // malformed or unexpected PDU
  | 'scsi'; // a SCSI command failed (details carry status/sense)

export class IscsiError extends Error {
  constructor(
    readonly code: IscsiErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'IscsiError';
  }
}

export function isIscsiError(e: unknown, code?: IscsiErrorCode): e is IscsiError {
  return e instanceof IscsiError && (code === undefined || e.code === code);
}
