// Login phase as a pure state machine (RFC 7143 §6.3, §12): it says which Login Request to send
// next and digests each Login Response. The session module moves the bytes.
//
// Round trips are kept to the minimum the protocol allows:
//  - without CHAP the first PDU already goes CSG=1 -> NSG=3 (security stage skipped, legal and what
//    libiscsi does); one round trip;
//  - with CHAP: AuthMethod, CHAP_A, then CHAP_R with T=1 straight to full feature (CSG=0 -> NSG=3),
//    so the operational stage is skipped and its keys keep their RFC defaults; three round trips.
import { assertDistinctSecrets, CHAP_MD5, chapResponse, newChallenge, responsesEqual } from './chap';
import { IscsiError } from './errors';
import { Stage, type LoginResponse } from './pdu';
import { parseTargetAddress, formatPortal } from './targets';
import { binaryEncodingOf, decodeBinary, decodeText, encodeBinary, parseNumber, type TextPairs } from './text';

export interface ChapCredentials {
  user: string;
  secret: string;
  /** Mutual CHAP: the target's outgoing account, which it must prove it knows. */
  mutual?: { user: string; secret: string };
}

export interface LoginParams {
  initiatorName: string;
  initiatorAlias?: string;
  sessionType: 'Discovery' | 'Normal';
  targetName?: string;
  chap?: ChapCredentials;
  /** Largest data segment we accept per PDU (declared to the target). */
  maxRecvDataSegmentLength?: number;
  /** Test hook: source of our mutual CHAP challenge (default: random). */
  challengeSource?: () => { id: number; challenge: Buffer };
}

export interface LoginOutcome {
  tsih: number;
  targetPortalGroupTag?: number;
  targetAlias?: string;
  /** Largest data segment the target accepts from us (8192 unless it declared otherwise). */
  maxSendDataSegmentLength: number;
  authentication: 'none' | 'chap' | 'mutual-chap';
  /** Every key the target sent, last value wins (for diagnostics; contains no secrets). */
  targetKeys: Record<string, string>;
}

export interface LoginStep {
  transit: boolean;
  csg: number;
  nsg: number;
  text: TextPairs;
}

export type LoginNext = { kind: 'send'; step: LoginStep } | { kind: 'done'; outcome: LoginOutcome };

export const DEFAULT_MRDSL = 262144;
const MAX_STEPS = 16;

type ChapState = 'off' | 'offered' | 'algorithm' | 'responded' | 'done';

// Keys we may have to answer when the target proposes them (T=0 with its own values).
const MIN_KEYS = new Set(['MaxBurstLength', 'FirstBurstLength', 'MaxOutstandingR2T', 'MaxConnections', 'DefaultTime2Retain', 'ErrorRecoveryLevel']);
const MAX_KEYS = new Set(['DefaultTime2Wait']);
const OR_KEYS = new Set(['InitialR2T', 'DataPDUInOrder', 'DataSequenceInOrder']);
const AND_KEYS = new Set(['ImmediateData']);
const DECLARATIVE = new Set(['TargetAlias', 'TargetAddress', 'TargetPortalGroupTag', 'MaxRecvDataSegmentLength', 'TargetName']);

export class LoginNegotiator {
  private stage: number = Stage.Security;
  private chapState: ChapState = 'off';
  private mutualChallenge?: { id: number; challenge: Buffer; encoding: 'hex' | 'base64' };
  private pendingText: Buffer[] = [];
  private steps = 0;
  private readonly ours: Map<string, string>;
  private readonly keys = new Map<string, string>();
  private readonly answered = new Set<string>();

  constructor(private readonly p: LoginParams) {
    if (p.sessionType === 'Normal' && !p.targetName) throw new Error('a Normal session needs a target name');
    if (p.chap?.mutual) assertDistinctSecrets(p.chap.secret, p.chap.mutual.secret);
    const mrdsl = p.maxRecvDataSegmentLength ?? DEFAULT_MRDSL;
    const op: TextPairs = [
      ['HeaderDigest', 'None'],
      ['DataDigest', 'None'],
      ['MaxRecvDataSegmentLength', String(mrdsl)],
    ];
    if (p.sessionType === 'Normal') {
      // Offering the whole table avoids target-initiated negotiation rounds.
      op.push(
        ['InitialR2T', 'Yes'],
        ['ImmediateData', 'Yes'],
        ['MaxBurstLength', '262144'],
        ['FirstBurstLength', '65536'],
        ['DefaultTime2Wait', '2'],
        ['DefaultTime2Retain', '0'],
        ['MaxOutstandingR2T', '1'],
        ['DataPDUInOrder', 'Yes'],
        ['DataSequenceInOrder', 'Yes'],
        ['ErrorRecoveryLevel', '0'],
        ['MaxConnections', '1'],
      );
    }
    this.ours = new Map(op);
  }

  private identity(): TextPairs {
    const t: TextPairs = [['InitiatorName', this.p.initiatorName]];
    if (this.p.initiatorAlias) t.push(['InitiatorAlias', this.p.initiatorAlias]);
    t.push(['SessionType', this.p.sessionType]);
    if (this.p.sessionType === 'Normal') t.push(['TargetName', this.p.targetName!]);
    return t;
  }

  private operationalKeys(): TextPairs {
    return [...this.ours.entries()];
  }

  first(): LoginStep {
    this.steps = 1;
    if (!this.p.chap) {
      this.stage = Stage.Operational;
      return { transit: true, csg: Stage.Operational, nsg: Stage.FullFeature, text: [...this.identity(), ...this.operationalKeys()] };
    }
    this.stage = Stage.Security;
    this.chapState = 'offered';
    // Offer CHAP alone: with "CHAP,None" tgtd silently picks None when no account is bound.
    return { transit: false, csg: Stage.Security, nsg: 0, text: [...this.identity(), ['AuthMethod', 'CHAP']] };
  }

  next(r: LoginResponse): LoginNext {
    if (++this.steps > MAX_STEPS) throw new IscsiError('protocol', 'login did not complete after 16 exchanges');
    if (r.statusClass !== 0) {
      const pairs = safeDecode(Buffer.concat([...this.pendingText, r.text]));
      throw loginFailure(r.statusClass, r.statusDetail, {
        initiatorName: this.p.initiatorName,
        targetName: this.p.targetName,
        sessionType: this.p.sessionType,
        usedChap: !!this.p.chap,
        mutual: !!this.p.chap?.mutual,
        text: pairs,
      });
    }
    if (r.versionActive !== 0) throw new IscsiError('protocol', `target chose iSCSI version ${r.versionActive}; only version 0 is supported`);
    if (r.csg !== this.stage) throw new IscsiError('protocol', `login response for stage ${r.csg} while in stage ${this.stage}`);
    if (r.cont) {
      // Target text continues in the next PDU: ask for it with an empty request.
      this.pendingText.push(Buffer.from(r.text));
      return { kind: 'send', step: { transit: false, csg: this.stage, nsg: 0, text: [] } };
    }
    const text = this.pendingText.length ? Buffer.concat([...this.pendingText, r.text]) : r.text;
    this.pendingText = [];
    const pairs = decodeText(text);
    for (const [k, v] of pairs) this.keys.set(k, v);
    const got = new Map(pairs);

    if (this.stage === Stage.Security && this.chapState !== 'off') {
      const step = this.chapStep(r, got);
      if (step) return { kind: 'send', step };
    }
    this.checkDigests();
    if (r.transit) {
      if (r.nsg === Stage.FullFeature) return { kind: 'done', outcome: this.outcome(r.tsih) };
      if (r.nsg === Stage.Operational && this.stage === Stage.Security) {
        this.stage = Stage.Operational;
        return { kind: 'send', step: { transit: true, csg: Stage.Operational, nsg: Stage.FullFeature, text: this.operationalKeys() } };
      }
      throw new IscsiError('protocol', `target moved to unexpected login stage ${r.nsg}`);
    }
    // T=0: the target wants another exchange in this stage, possibly proposing keys.
    const answers = this.answerProposals(pairs);
    return { kind: 'send', step: { transit: true, csg: this.stage, nsg: Stage.FullFeature, text: answers } };
  }

  private chapStep(r: LoginResponse, got: Map<string, string>): LoginStep | undefined {
    const chap = this.p.chap!;
    switch (this.chapState) {
      case 'offered': {
        const m = got.get('AuthMethod');
        if (m !== 'CHAP') {
          throw new IscsiError(
            'auth-failed',
            m === 'None'
              ? 'The target does not use CHAP for this login, but CHAP credentials were given (no incoming CHAP account is bound on the target).'
              : 'The target refused CHAP authentication.',
            { authMethod: m ?? null },
          );
        }
        this.chapState = 'algorithm';
        return { transit: false, csg: Stage.Security, nsg: 0, text: [['CHAP_A', String(CHAP_MD5)]] };
      }
      case 'algorithm': {
        const a = got.get('CHAP_A');
        const i = parseNumber(got.get('CHAP_I') ?? '');
        const c = got.get('CHAP_C');
        if (a !== String(CHAP_MD5)) throw new IscsiError('auth-failed', `The target does not support CHAP with MD5 (it answered CHAP_A=${a ?? 'nothing'}).`);
        if (i === undefined || i > 255 || !c) throw new IscsiError('protocol', 'the target sent an incomplete CHAP challenge');
        const challenge = decodeBinary(c);
        const resp = chapResponse(i, chap.secret, challenge);
        const enc = binaryEncodingOf(c);
        const text: TextPairs = [
          ['CHAP_N', chap.user],
          ['CHAP_R', encodeBinary(resp, enc)],
        ];
        if (chap.mutual) {
          const source = this.p.challengeSource ?? newChallenge;
          let mine = source();
          // Never reflect the target's challenge back (RFC 7143 §12.1.3).
          for (let i = 0; mine.challenge.equals(challenge); i++) {
            if (i > 3) throw new IscsiError('protocol', 'could not pick a CHAP challenge different from the target\'s');
            mine = newChallenge();
          }
          this.mutualChallenge = { ...mine, encoding: enc };
          text.push(['CHAP_I', String(mine.id)], ['CHAP_C', encodeBinary(mine.challenge, enc)]);
        }
        this.chapState = 'responded';
        // T=1 straight to full feature: the operational stage would only restate RFC defaults.
        return { transit: true, csg: Stage.Security, nsg: Stage.FullFeature, text };
      }
      case 'responded': {
        if (chap.mutual) {
          const n = got.get('CHAP_N');
          const rv = got.get('CHAP_R');
          if (!rv) throw new IscsiError('auth-failed', 'Mutual CHAP failed: the target did not answer our challenge (no outgoing account bound on the target?).');
          const mc = this.mutualChallenge!;
          const expected = chapResponse(mc.id, chap.mutual.secret, mc.challenge);
          let theirs: Buffer;
          try {
            theirs = decodeBinary(rv);
          } catch {
            throw new IscsiError('auth-failed', 'Mutual CHAP failed: the target sent a malformed CHAP_R.');
          }
          // Verify before sending anything else; the target cannot detect this failure itself.
          if (!responsesEqual(theirs, expected)) {
            throw new IscsiError(
              'auth-failed',
              'Mutual CHAP failed: the target proved a different secret than the target secret configured here.',
            );
          }
          if (n !== undefined && n !== chap.mutual.user) {
            throw new IscsiError('auth-failed', `Mutual CHAP failed: the target answered as CHAP user "${n}", expected "${chap.mutual.user}".`);
          }
        }
        this.chapState = 'done';
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private checkDigests(): void {
    for (const k of ['HeaderDigest', 'DataDigest']) {
      const v = this.keys.get(k);
      if (v !== undefined && v !== 'None' && v !== 'Irrelevant' && v !== 'NotUnderstood' && v !== 'Reject') {
        throw new IscsiError('protocol', `the target selected ${k}=${v}; only None was offered`);
      }
    }
  }

  private answerProposals(pairs: TextPairs): TextPairs {
    const out: TextPairs = [];
    for (const [k, v] of pairs) {
      if (DECLARATIVE.has(k) || this.ours.has(k) || this.answered.has(k) || k.startsWith('CHAP_') || k === 'AuthMethod') continue;
      if (['NotUnderstood', 'Irrelevant', 'Reject'].includes(v)) continue;
      this.answered.add(k);
      const n = parseNumber(v);
      if (MIN_KEYS.has(k) && n !== undefined) out.push([k, String(k === 'ErrorRecoveryLevel' ? 0 : n)]);
      else if (MAX_KEYS.has(k) && n !== undefined) out.push([k, String(n)]);
      else if (OR_KEYS.has(k)) out.push([k, v === 'Yes' ? 'Yes' : 'Yes']);
      else if (AND_KEYS.has(k)) out.push([k, v === 'Yes' ? 'Yes' : 'No']);
      else if (k === 'HeaderDigest' || k === 'DataDigest') out.push([k, v.split(',').includes('None') ? 'None' : 'Reject']);
      else if (k === 'IFMarker' || k === 'OFMarker') out.push([k, 'No']);
      else out.push([k, 'NotUnderstood']);
    }
    return out;
  }

  private outcome(tsih: number): LoginOutcome {
    const tpgt = parseNumber(this.keys.get('TargetPortalGroupTag') ?? '');
    const mrdsl = parseNumber(this.keys.get('MaxRecvDataSegmentLength') ?? '');
    const targetKeys: Record<string, string> = {};
    for (const [k, v] of this.keys) if (!k.startsWith('CHAP_')) targetKeys[k] = v;
    return {
      tsih,
      targetPortalGroupTag: tpgt,
      targetAlias: this.keys.get('TargetAlias'),
      maxSendDataSegmentLength: mrdsl && mrdsl >= 512 ? mrdsl : 8192,
      authentication: !this.p.chap ? 'none' : this.p.chap.mutual ? 'mutual-chap' : 'chap',
      targetKeys,
    };
  }
}

function safeDecode(buf: Buffer): TextPairs {
  try {
    return decodeText(buf);
  } catch {
    return [];
  }
}

export interface LoginFailureContext {
  initiatorName: string;
  targetName?: string;
  sessionType: 'Discovery' | 'Normal';
  usedChap: boolean;
  mutual: boolean;
  text: TextPairs;
}

/** Turns a login status class/detail into an IscsiError with a plain message. */
export function loginFailure(cls: number, detail: number, ctx: LoginFailureContext): IscsiError {
  const status = `0x${((cls << 8) | detail).toString(16).padStart(4, '0')}`;
  const what = ctx.sessionType === 'Discovery' ? 'Discovery on this portal' : `Target ${ctx.targetName}`;
  const base = { status, statusClass: cls, statusDetail: detail };
  if (cls === 1) {
    const addr = ctx.text.find(([k]) => k === 'TargetAddress')?.[1];
    const parsed = addr ? parseTargetAddress(addr) : undefined;
    const permanent = detail === 2;
    return new IscsiError(
      'redirect',
      `${what} has moved ${permanent ? 'permanently' : 'temporarily'}${parsed ? ` to portal ${formatPortal(parsed)}` : ''}; log in there instead.`,
      { ...base, permanent, targetAddress: parsed ?? null },
    );
  }
  if (cls === 2) {
    switch (detail) {
      case 0x01:
        return new IscsiError(
          'auth-failed',
          ctx.usedChap
            ? `CHAP authentication failed for ${ctx.sessionType === 'Discovery' ? 'discovery on this portal' : `target ${ctx.targetName}`}: wrong CHAP user or secret${ctx.mutual ? ', or the target has no outgoing (mutual) CHAP account' : ''}.`
            : `${what} requires CHAP authentication, but no CHAP credentials were given.`,
          base,
        );
      case 0x02:
        return new IscsiError('not-authorised', `Initiator ${ctx.initiatorName} is not authorised by the access list of ${ctx.targetName ?? 'this portal'}.`, base);
      case 0x03:
        return new IscsiError(
          'target-not-found',
          `Target ${ctx.targetName} was not found on this portal, or its access list does not admit initiator ${ctx.initiatorName} (the target reports both the same way).`,
          base,
        );
      case 0x04:
        return new IscsiError('target-error', `Target ${ctx.targetName} has been removed from this portal.`, base);
      case 0x05:
        return new IscsiError('login-failed', 'The target does not support iSCSI protocol version 0.', base);
      case 0x06:
        return new IscsiError('login-failed', 'The target refused the login: too many connections, or the session identifier (ISID) was rejected.', base);
      case 0x07:
        return new IscsiError('login-failed', 'The target refused the login: a required parameter (initiator or target name) was missing.', base);
      case 0x08:
        return new IscsiError('login-failed', 'The target cannot add this connection to the session.', base);
      case 0x09:
        return new IscsiError('login-failed', `The target does not support ${ctx.sessionType} sessions.`, base);
      case 0x0a:
        return new IscsiError('login-failed', 'The target does not know the session this login tried to join.', base);
      case 0x0b:
        return new IscsiError('login-failed', 'The target found a request that is not valid during login.', base);
      default:
        return new IscsiError('login-failed', `The target rejected the login as an initiator error (status ${status}): a protocol or negotiation problem.`, base);
    }
  }
  if (cls === 3) {
    if (detail === 0x01) return new IscsiError('target-busy', `${what} is temporarily unavailable (service unavailable); try again later.`, base);
    if (detail === 0x02) return new IscsiError('target-busy', `${what} is out of resources; try again later.`, base);
    return new IscsiError('target-error', `${what} failed on the target side (status ${status}); the target may be offline or not ready.`, base);
  }
  return new IscsiError('protocol', `login failed with unknown status ${status}`, base);
}
