// tgtadm's errors: it exits 22 for everything tgtd reports, so the kind comes from the text.
import type { TargetOp } from './target-op';

export type TgtErrorKind =
  | 'daemon-down' | 'target-exists' | 'target-not-found' | 'lun-exists' | 'lun-not-found' | 'acl-exists'
  | 'acl-not-found' | 'account-exists' | 'account-not-found' | 'outgoing-exists' | 'target-active'
  | 'lun-active' | 'invalid-request' | 'not-verified' | 'file-exists' | 'no-space' | 'unknown';

const TGT_ERRORS: [RegExp, TgtErrorKind][] = [
  [/can't find the target/, 'target-not-found'],
  [/this target already exists/, 'target-exists'],
  [/can't find the logical unit/, 'lun-not-found'],
  [/this logical unit number already exists/, 'lun-exists'],
  [/this access control rule already exists/, 'acl-exists'],
  [/this access control rule does not exist/, 'acl-not-found'],
  [/this account already exists/, 'account-exists'],
  [/can't find the account/, 'account-not-found'],
  [/already has an outgoing account/, 'outgoing-exists'],
  [/this target is still active/, 'target-active'],
  [/this logical unit is still active/, 'lun-active'],
  [/Transport endpoint is not connected|can't connect to the tgt daemon|failed to send request/, 'daemon-down'],
  [/No space left on device/, 'no-space'],
  [/File exists|already exists:/, 'file-exists'],
  [/invalid request/, 'invalid-request'],
];

/** tgtadm exits 22 for everything tgtd reports; the text tells the cause. */
export function classifyTgtError(text: string): TgtErrorKind {
  for (const [re, k] of TGT_ERRORS) if (re.test(text)) return k;
  return 'unknown';
}

export class TgtOpError extends Error {
  constructor(
    readonly kind: TgtErrorKind,
    readonly failedOp: TargetOp | null,
    message: string,
  ) {
    super(message);
    this.name = 'TgtOpError';
  }
}
