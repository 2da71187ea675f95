// The wizard's interactive reads before Review (issue 7, 2): Discover -> target list -> log in to
// all portals of the chosen TPGT -> LUN table. Errors come back in words with a next step; a
// dead portal becomes a timeout message within the caller's limit.
import type { DiscoverRequest, LunRow, Chap, TargetChoice } from '../../../shared/domain/hosted-engine';
import { DomainType, groupTargets, parseSendTargets, ZERO_UUID, type BlockDeviceInfo, type IscsiConnection, type TargetGroup, type VdsmApi } from '../vdsm/api';
import { describeCode, noLunsMessage, timeoutMessage, VdsmError, VdsmTransportError } from '../vdsm/errors';
import { devicesForTarget, lunTable } from './luns';
import { discover as nativeDiscover, sshTunnelConnector as iscsiTunnel, type ForwardingClient } from '../iscsi/initiator';
import { isIscsiError } from '../iscsi/errors';
import type { RemoteRunner } from '../remote/runner';

export interface PortalProblem {
  portal: string;
  message: string;
  nextStep: string;
  code: number | null;
}

export interface DiscoverOutcome {
  targets: TargetGroup[];
  /** Pre-selected target: the only one, else the first. */
  selected: number | null;
  problems: PortalProblem[];
  /** Shown when the portals answered but offered nothing. */
  empty: { message: string; nextStep: string } | null;
  via: 'vdsm' | 'native';
}

function problemOf(err: unknown, portal: string, timeoutMs: number): PortalProblem {
  if (err instanceof VdsmTransportError && err.kind === 'timeout') return { portal, message: timeoutMessage('Discovery', Math.round(timeoutMs / 1000), portal), nextStep: 'Check the portal address and port and the storage network.', code: null };
  if (err instanceof VdsmError) return { portal, message: err.info.message, nextStep: err.info.nextStep, code: err.code };
  if (isIscsiError(err, 'auth-failed')) {
    const i = describeCode(475);
    return { portal, message: `${i.message} (discovery CHAP rejected)`, nextStep: i.nextStep, code: 475 };
  }
  if (isIscsiError(err, 'timeout')) return { portal, message: timeoutMessage('Discovery', Math.round(timeoutMs / 1000), portal), nextStep: 'Check the portal address and port.', code: null };
  return { portal, message: (err as Error).message, nextStep: 'Check the portal address and port and the storage network.', code: null };
}

function outcome(lines: string[], problems: PortalProblem[], initiatorName: string | null, via: DiscoverOutcome['via']): DiscoverOutcome {
  const targets = groupTargets(parseSendTargets(lines));
  const answered = problems.length === 0 || lines.length > 0;
  return {
    targets,
    selected: targets.length ? 0 : null,
    problems,
    empty:
      targets.length === 0 && answered
        ? {
            message: `The portal answered but offers no targets to this host${initiatorName ? ` (initiator ${initiatorName})` : ''}. The target's ACL probably does not include this host's initiator name.`,
            nextStep: `Add ${initiatorName ?? "the host's initiator name"} to the target's allowed initiators, then discover again.`,
          }
        : null,
    via,
  };
}

/** Discovery through VDSM on the host (ISCSIConnection.discoverSendTargets per typed portal). */
export async function discoverViaVdsm(api: VdsmApi, req: DiscoverRequest, o: { timeoutMs?: number; initiatorName?: string | null; signal?: AbortSignal } = {}): Promise<DiscoverOutcome> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const lines: string[] = [];
  const problems: PortalProblem[] = [];
  await Promise.all(
    req.portals.map(async (p) => {
      try {
        lines.push(...(await api.discoverSendTargets({ host: p.address, port: p.port, user: req.discoveryChap.user, password: req.discoveryChap.password }, { timeoutMs, signal: o.signal })));
      } catch (err) {
        problems.push(problemOf(err, `${p.address}:${p.port}`, timeoutMs));
      }
    }),
  );
  if (lines.length === 0 && problems.length === req.portals.length) {
    const e = new Error(problems.map((x) => `${x.portal}: ${x.message} Next step: ${x.nextStep}`).join(' | '));
    (e as Error & { problems?: PortalProblem[] }).problems = problems;
    throw e;
  }
  return outcome(lines, problems, o.initiatorName ?? null, 'vdsm');
}

/**
 * Discovery where the host has no VDSM: Portico's own initiator through the host's SSH tunnel,
 * presenting the host's initiator name so the target's ACL answers as it would for the host.
 */
export async function discoverViaSshTunnel(ssh: ForwardingClient, req: DiscoverRequest, o: { initiatorName: string; timeoutMs?: number; signal?: AbortSignal }): Promise<DiscoverOutcome> {
  const timeoutMs = o.timeoutMs ?? 15_000;
  const lines: string[] = [];
  const problems: PortalProblem[] = [];
  for (const p of req.portals) {
    try {
      const r = await nativeDiscover({
        portal: p,
        connect: iscsiTunnel(ssh, p),
        initiatorName: o.initiatorName,
        chap: req.discoveryChap.user ? { user: req.discoveryChap.user, secret: req.discoveryChap.password } : undefined,
        timeoutMs,
        signal: o.signal,
      });
      for (const t of r.targets) for (const tp of t.portals.length ? t.portals : [{ ...p, tpgt: 1 }]) lines.push(`${tp.address.includes(':') ? `[${tp.address}]` : tp.address}:${tp.port},${tp.tpgt} ${t.targetName}`);
    } catch (err) {
      problems.push(problemOf(err, `${p.address}:${p.port}`, timeoutMs));
    }
  }
  if (lines.length === 0 && problems.length === req.portals.length) throw new Error(problems.map((x) => `${x.portal}: ${x.message} Next step: ${x.nextStep}`).join(' | '));
  return outcome(lines, problems, o.initiatorName, 'native');
}

export interface ConnectOutcome {
  connected: number;
  problems: PortalProblem[];
}

/** Logs in to every portal of the chosen TPGT (all-zero ids: a lookup connect, as the seed does). */
export async function connectTarget(api: VdsmApi, target: TargetChoice, loginChap: Chap, o: { timeoutMs?: number } = {}): Promise<ConnectOutcome> {
  const conns: IscsiConnection[] = target.portals.map((p) => ({ connection: p.address, iqn: target.iqn, tpgt: target.tpgt, user: loginChap.user, password: loginChap.password, id: ZERO_UUID, port: String(p.port) }));
  let st;
  try {
    st = await api.connectStorageServer(ZERO_UUID, DomainType.ISCSI, conns, { timeoutMs: o.timeoutMs });
  } catch (err) {
    if (err instanceof VdsmTransportError && err.kind === 'timeout') {
      const s = Math.round((o.timeoutMs ?? 180_000) / 1000);
      return { connected: 0, problems: target.portals.map((p) => ({ portal: `${p.address}:${p.port}`, message: timeoutMessage('Login', s, `${p.address}:${p.port}`), nextStep: 'Check the portal is reachable from the host.', code: null })) };
    }
    throw err;
  }
  const problems: PortalProblem[] = [];
  let connected = 0;
  st.forEach((s, i) => {
    const p = target.portals[i];
    if (s.status === 0) connected++;
    else {
      const info = describeCode(s.status);
      problems.push({ portal: p ? `${p.address}:${p.port}` : s.id, message: info.message, nextStep: info.nextStep, code: s.status });
    }
  });
  return { connected, problems };
}

export interface LunListing {
  rows: LunRow[];
  /** The raw devices for the target (the planner's knownDevices). */
  devices: BlockDeviceInfo[];
  noLuns: { message: string; nextStep: string; initiatorName: string | null } | null;
}

/** Host.getDeviceList filtered to the target, with eligibility per LUN. */
export async function listLuns(api: VdsmApi, iqn: string, diskSizeGiB: number, initiatorName: string | null): Promise<LunListing> {
  const devices = await api.getDeviceList({ storageType: DomainType.ISCSI });
  const rows = lunTable(devices, iqn, diskSizeGiB);
  return {
    rows,
    devices,
    noLuns: devicesForTarget(devices, iqn).length === 0 ? { ...noLunsMessage(iqn, initiatorName), initiatorName } : null,
  };
}

/** The host's initiator IQN from /etc/iscsi/initiatorname.iscsi (for the ACL hint). */
export async function readInitiatorName(runner: RemoteRunner, signal?: AbortSignal): Promise<string | null> {
  const r = await runner.run(['cat', '/etc/iscsi/initiatorname.iscsi'], { sudo: true, signal, timeoutMs: 10_000 });
  if (r.code !== 0) return null;
  const m = /^\s*InitiatorName\s*=\s*(\S+)/m.exec(r.stdout);
  return m ? m[1] : null;
}
