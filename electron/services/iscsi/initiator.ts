// Public API of the native initiator: discover() and inspect(), plain typed results, IscsiError
// with a stable code on failure. Runs over TCP or any duplex stream (e.g. an SSH tunnel).
import { hostname } from 'node:os';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { connectWithin, type Connector } from './connection';
import { IscsiError, isIscsiError } from './errors';
import { deriveGuid, duplicateGuidWarnings, type GuidWarning } from './guid';
import type { ChapCredentials } from './login';
import {
  cdbInquiry,
  cdbInquiryVpd,
  cdbReadCapacity10,
  cdbReadCapacity16,
  cdbReportLuns,
  cdbTestUnitReady,
  encodeLun,
  parseReadCapacity10,
  parseReadCapacity16,
  parseReportLuns,
  parseStandardInquiry,
  parseVpd83,
  parseVpdHeader,
  parseVpdSerial,
  parseVpdSupportedPages,
  ScsiStatus,
  SenseKey,
  type Capacity,
  type Designator,
  type LunEntry,
} from './scsi';
import { describeStatus, Session, type ScsiResult } from './session';
import { formatPortal, type PortalAddress } from './targets';
import type { IscsiDesignator, IscsiDiscoverResult, IscsiInspectResult, IscsiLun } from '../../../shared/domain/iscsi';

export type { ChapCredentials } from './login';
export type { DiscoveredTarget, PortalAddress } from './targets';
export type { Connector } from './connection';
export { IscsiError, type IscsiErrorCode } from './errors';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_PORT = 3260;

/** The console's own initiator name: distinct from every host's, so checks never collide with them. */
export function consoleInitiatorName(host = hostname()): string {
  const id = host.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'workstation';
  return `iqn.2025-01.org.portico:console.${id}`;
}

export interface PortalInput {
  address: string;
  port?: number;
}

export interface CommonOptions {
  /** The portal to check; also the TCP destination when `connect` is not given. */
  portal: PortalInput;
  /** Custom transport, e.g. an ssh2 forwardOut channel from a host (see sshTunnelConnector). */
  connect?: Connector;
  /** Defaults to consoleInitiatorName(); pass a host's name to test an ACL "as host X". */
  initiatorName?: string;
  chap?: ChapCredentials;
  /** Limit for every single wait (connect, each response), ms. Default 10 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type DiscoverOptions = CommonOptions;

export interface InspectOptions extends CommonOptions {
  target: string;
  /**
   * tgtd answers "not found" for both unknown targets and ACL denial. When testing as another
   * initiator, a follow-up discovery as the console tells them apart. Default true.
   */
  probeOnNotFound?: boolean;
}

export type DiscoverResult = IscsiDiscoverResult;
export type DesignatorInfo = IscsiDesignator;
export type LunInfo = IscsiLun;
export type InspectResult = IscsiInspectResult;

// ---- transports ------------------------------------------------------------------------------

/** Plain TCP with Nagle off (every exchange is a small request waiting for its answer). */
export function tcpConnector(portal: PortalInput): Connector {
  return (signal) =>
    new Promise<Duplex>((resolve, reject) => {
      const s = net.connect({ host: portal.address, port: portal.port ?? DEFAULT_PORT, noDelay: true });
      const onAbort = () => {
        s.destroy();
        reject(new IscsiError('cancelled', 'connect aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      s.once('connect', () => {
        signal.removeEventListener('abort', onAbort);
        s.setNoDelay(true);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (e) => {
        signal.removeEventListener('abort', onAbort);
        s.destroy();
        reject(e);
      });
    });
}

/** Structural subset of ssh2's Client, so this module needs no ssh2 import. */
export interface ForwardingClient {
  forwardOut(srcIP: string, srcPort: number, dstIP: string, dstPort: number, cb: (err: Error | undefined, channel: Duplex) => void): unknown;
}

/** A direct-tcpip channel through an SSH connection: the check runs "from" that host's network. */
export function sshTunnelConnector(client: ForwardingClient, portal: PortalInput): Connector {
  return (signal) =>
    new Promise<Duplex>((resolve, reject) => {
      let aborted = false;
      const onAbort = () => {
        aborted = true;
        reject(new IscsiError('cancelled', 'tunnel aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      client.forwardOut('127.0.0.1', 0, portal.address, portal.port ?? DEFAULT_PORT, (err, ch) => {
        signal.removeEventListener('abort', onAbort);
        if (aborted) {
          ch?.destroy();
          return;
        }
        if (err) reject(err);
        else resolve(ch);
      });
    });
}

// ---- sessions --------------------------------------------------------------------------------

interface Resolved {
  label: string;
  timeoutMs: number;
  initiatorName: string;
  connect: Connector;
}

function resolve(o: CommonOptions): Resolved {
  const portal = { address: o.portal.address.replace(/^\[(.*)\]$/, '$1'), port: o.portal.port ?? DEFAULT_PORT };
  return {
    label: formatPortal(portal),
    timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    initiatorName: o.initiatorName ?? consoleInitiatorName(),
    connect: o.connect ?? tcpConnector(portal),
  };
}

async function openSession(o: CommonOptions, r: Resolved, kind: 'Discovery' | 'Normal', targetName?: string): Promise<Session> {
  const stream = await connectWithin(r.connect, r.timeoutMs, r.label, o.signal);
  const s = new Session(stream, {
    initiatorName: r.initiatorName,
    sessionType: kind,
    targetName,
    chap: o.chap,
    timeoutMs: r.timeoutMs,
    signal: o.signal,
    label: r.label,
  });
  try {
    await s.doLogin();
  } catch (e) {
    s.close();
    throw e;
  }
  return s;
}

/** SendTargets=All on a portal: every target this initiator may see, with its portals. */
export async function discover(o: DiscoverOptions): Promise<DiscoverResult> {
  const d = await discoverThenLogout(o);
  await d.loggedOut;
  return d.result;
}

/**
 * Discovery whose result is ready one round trip before the session has logged out, so a caller
 * can start the next sessions while the logout is still on the wire. `loggedOut` settles when the
 * session is gone (it never rejects: a failed logout only means the target closes it for us).
 */
export async function discoverThenLogout(o: DiscoverOptions): Promise<{ result: DiscoverResult; loggedOut: Promise<void> }> {
  const r = resolve(o);
  const s = await openSession(o, r, 'Discovery');
  try {
    const targets = await s.sendTargets('All');
    const tpgt = s.login?.targetPortalGroupTag ?? 1;
    const asked: PortalAddress = { address: o.portal.address.replace(/^\[(.*)\]$/, '$1'), port: o.portal.port ?? DEFAULT_PORT, tpgt };
    // A TargetName without TargetAddress means "the portal you asked".
    for (const t of targets) if (t.portals.length === 0) t.portals.push({ ...asked });
    const loggedOut = s.logout().then(
      () => undefined,
      () => undefined,
    );
    return { result: { portal: r.label, initiatorName: r.initiatorName, authentication: s.login!.authentication, targets }, loggedOut };
  } catch (e) {
    s.close();
    throw e;
  }
}

const UA_RETRIES = 5;
/** Device types that have a capacity (disk, CD/DVD, optical, simplified direct access). */
const BLOCK_TYPES = new Set([0x00, 0x05, 0x07, 0x0e]);

/** Runs a command, retrying on UNIT ATTENTION (reported once per LUN per new session). */
async function withUaRetry(run: () => Promise<ScsiResult>): Promise<ScsiResult> {
  let r = await run();
  for (let i = 0; i < UA_RETRIES && r.status === ScsiStatus.CheckCondition && r.sense?.key === SenseKey.UnitAttention; i++) r = await run();
  return r;
}

function scsiFailure(what: string, label: string, r: ScsiResult): IscsiError {
  return new IscsiError('scsi', `${what} failed on ${label}: ${describeStatus(r)}.`, {
    status: r.status,
    senseKey: r.sense?.key,
    asc: r.sense?.asc,
    ascq: r.sense?.ascq,
  });
}

const ASSOC = ['logical-unit', 'target-port', 'target-device', 'reserved'] as const;
const CODESET: Record<number, DesignatorInfo['codeSet']> = { 1: 'binary', 2: 'ascii', 3: 'utf8' };

function designatorInfo(d: Designator): DesignatorInfo {
  return {
    type: d.typeName,
    association: ASSOC[d.association],
    codeSet: CODESET[d.codeSet] ?? 'other',
    ...(d.naaType !== undefined ? { naaType: d.naaType } : {}),
    value: d.text,
  };
}

async function readVpd(s: Session, lun: Buffer, page: number, first: Promise<ScsiResult>): Promise<Buffer | undefined> {
  let r = await first;
  if (r.status !== ScsiStatus.Good) return undefined;
  const needed = parseVpdHeader(r.data, page).needed;
  if (needed > r.data.length && r.data.length >= 255) {
    r = await s.command(lun, cdbInquiryVpd(page, Math.min(needed, 0xffff)), Math.min(needed, 0xffff), `INQUIRY VPD 0x${page.toString(16)}`);
    if (r.status !== ScsiStatus.Good) return undefined;
  }
  return r.data;
}

async function inspectLun(s: Session, entry: LunEntry, label: string): Promise<LunInfo> {
  const info: LunInfo = {
    lun: entry.lun ?? null,
    lunRaw: entry.raw,
    present: false,
    deviceType: 0x1f,
    deviceTypeName: 'unknown',
    vendor: '',
    product: '',
    revision: '',
    designators: [],
    guidAlsoKnownAs: [],
    problems: [],
  };
  const lun = Buffer.from(entry.raw, 'hex');
  // Everything for this LUN goes out in one write; the target runs them in CmdSN order. The first
  // TEST UNIT READY takes the UNIT ATTENTION a new I_T nexus reports once (INQUIRY never does),
  // so the second one and READ CAPACITY answer for real without another round trip.
  const [, inq, vpd00, vpd80, vpd83, tur, rc16] = s.batch(() => [
    s.command(lun, cdbTestUnitReady(), 0, 'TEST UNIT READY').catch(() => undefined),
    s.command(lun, cdbInquiry(96), 96, 'INQUIRY'),
    s.command(lun, cdbInquiryVpd(0x00, 255), 255, 'INQUIRY VPD 0x00'),
    s.command(lun, cdbInquiryVpd(0x80, 255), 255, 'INQUIRY VPD 0x80'),
    s.command(lun, cdbInquiryVpd(0x83, 255), 255, 'INQUIRY VPD 0x83'),
    s.command(lun, cdbTestUnitReady(), 0, 'TEST UNIT READY'),
    s.command(lun, cdbReadCapacity16(32), 32, 'READ CAPACITY(16)'),
  ]);
  // Observe every promise now so none is left unhandled if we bail out early.
  for (const p of [vpd00, vpd80, vpd83, tur, rc16]) p.catch(() => undefined);

  const ir = await inq;
  if (ir.status !== ScsiStatus.Good) throw scsiFailure(`INQUIRY of LUN ${entry.lun ?? entry.raw}`, label, ir);
  const std = parseStandardInquiry(ir.data);
  Object.assign(info, {
    present: std.present,
    deviceType: std.deviceType,
    deviceTypeName: std.deviceTypeName,
    vendor: std.vendor,
    product: std.product,
    revision: std.revision,
  });
  if (!std.present) {
    await Promise.allSettled([vpd00, vpd80, vpd83, tur, rc16]);
    return info;
  }

  const page00 = await readVpd(s, lun, 0x00, vpd00).catch(() => undefined);
  if (page00) info.supportedVpdPages = parseVpdSupportedPages(page00);
  const page80 = await readVpd(s, lun, 0x80, vpd80).catch(() => undefined);
  if (page80) info.serial = parseVpdSerial(page80);
  const page83 = await readVpd(s, lun, 0x83, vpd83).catch(() => undefined);
  let designators: Designator[] = [];
  if (page83) {
    designators = parseVpd83(page83);
    info.designators = designators.map(designatorInfo);
  }
  const g = deriveGuid({ designators, vendorRaw: std.vendorRaw, productRaw: std.productRaw, serial: info.serial, rawPage: page83 });
  info.guid = g.guid;
  info.guidAlsoKnownAs = g.alsoKnownAs;

  let t = await tur;
  if (t.status === ScsiStatus.CheckCondition && t.sense?.key === SenseKey.UnitAttention) {
    t = await withUaRetry(() => s.command(lun, cdbTestUnitReady(), 0, 'TEST UNIT READY'));
  }
  info.ready = t.status === ScsiStatus.Good;
  if (!info.ready) info.readyDetail = describeStatus(t);

  let cap: Capacity | undefined;
  let r16 = await rc16;
  if (r16.status === ScsiStatus.CheckCondition && r16.sense?.key === SenseKey.UnitAttention) {
    r16 = await withUaRetry(() => s.command(lun, cdbReadCapacity16(32), 32, 'READ CAPACITY(16)'));
  }
  if (r16.status === ScsiStatus.Good && r16.data.length >= 12) {
    cap = parseReadCapacity16(r16.data);
  } else if (BLOCK_TYPES.has(std.deviceType) && (r16.sense?.key === SenseKey.IllegalRequest || r16.status === ScsiStatus.Good)) {
    // Devices without READ CAPACITY(16): fall back to (10).
    const r10 = await withUaRetry(() => s.command(lun, cdbReadCapacity10(), 8, 'READ CAPACITY(10)'));
    if (r10.status === ScsiStatus.Good && r10.data.length >= 8) {
      const c = parseReadCapacity10(r10.data);
      if (c.lastLbaSaturated) info.problems.push('Capacity exceeds READ CAPACITY(10) range and READ CAPACITY(16) is not supported.');
      else cap = c;
    } else if (std.deviceType === 0) {
      info.problems.push(`READ CAPACITY failed: ${describeStatus(r10)}.`);
    }
  } else if (std.deviceType === 0) {
    info.problems.push(`READ CAPACITY(16) failed: ${describeStatus(r16)}.`);
  }
  if (cap) {
    info.sizeBytes = Number(cap.sizeBytes);
    info.blocks = Number(cap.blocks);
    info.blockSize = cap.blockSize;
    info.physicalBlockSize = cap.physicalBlockSize;
    if (cap.thinProvisioned !== undefined) info.thinProvisioned = cap.thinProvisioned;
  }
  return info;
}

/** Logs in to one target and reports every LUN: identity, serial, designators, GUID, size. */
export async function inspect(o: InspectOptions): Promise<InspectResult> {
  const r = resolve(o);
  let s: Session;
  try {
    s = await openSession(o, r, 'Normal', o.target);
  } catch (e) {
    throw await refineNotFound(e, o, r);
  }
  try {
    const LUN0 = encodeLun(0);
    let rl = await withUaRetry(() => s.command(LUN0, cdbReportLuns(4096), 4096, 'REPORT LUNS'));
    if (rl.status !== ScsiStatus.Good) throw scsiFailure('REPORT LUNS', r.label, rl);
    let list = parseReportLuns(rl.data);
    if (list.needed > 4096) {
      const alloc = Math.min(list.needed, 0xffffff);
      rl = await withUaRetry(() => s.command(LUN0, cdbReportLuns(alloc), alloc, 'REPORT LUNS'));
      if (rl.status !== ScsiStatus.Good) throw scsiFailure('REPORT LUNS', r.label, rl);
      list = parseReportLuns(rl.data);
    }
    // Every LUN's commands leave in one write.
    const luns = await s.batch(() => Promise.all(list.luns.map((e) => inspectLun(s, e, r.label))));
    await s.logout();
    return {
      portal: r.label,
      targetName: o.target,
      initiatorName: r.initiatorName,
      isid: s.isid.toString('hex'),
      authentication: s.login!.authentication,
      targetPortalGroupTag: s.login!.targetPortalGroupTag,
      targetAlias: s.login!.targetAlias,
      luns,
    };
  } finally {
    s.close();
  }
}

/**
 * tgtd hides ACL denial behind "target not found". If the console's own initiator can see the
 * target in discovery, the target exists and the tested initiator is simply not admitted.
 */
async function refineNotFound(e: unknown, o: InspectOptions, r: Resolved): Promise<unknown> {
  if (!isIscsiError(e, 'target-not-found') || o.probeOnNotFound === false || o.signal?.aborted) return e;
  const own = consoleInitiatorName();
  if (r.initiatorName === own) return e;
  try {
    const d = await discover({ portal: o.portal, connect: o.connect, timeoutMs: r.timeoutMs, signal: o.signal, initiatorName: own });
    if (d.targets.some((t) => t.targetName === o.target)) {
      return new IscsiError(
        'not-authorised',
        `Target ${o.target} exists on ${r.label}, but its access list does not admit initiator ${r.initiatorName}.`,
        { ...e.details, probedAs: own },
      );
    }
  } catch {
    // The probe is best effort; keep the original answer.
  }
  return e;
}

/** Duplicate-GUID warnings over any number of inspect results (optionally tagged with a server id). */
export function guidWarnings(results: Array<InspectResult & { server?: string }>): GuidWarning[] {
  return duplicateGuidWarnings(
    results.flatMap((res) =>
      res.luns
        // Only block devices get multipathed; tgt's LUN 0 controllers share GUIDs harmlessly.
        .filter((l) => l.present && BLOCK_TYPES.has(l.deviceType))
        .map((l) => ({ guid: l.guid, targetName: res.targetName, lun: l.lun ?? l.lunRaw, portal: res.portal, server: res.server })),
    ),
  );
}

export type { GuidWarning } from './guid';
