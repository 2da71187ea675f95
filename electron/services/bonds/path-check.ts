// One path of a bond's matrix checked by Portico's own initiator: a TCP stream opened by the host
// itself (the SSH pool's direct-tcpip tunnel), an iSCSI login as the host's initiator name (CHAP
// when the connection has it), the LUN inventory with GUIDs, logout. And the fan-out: every cell
// at once under a concurrency bound, each under its own time limit, so a refresh with dead paths
// waits for one timeout, not one per dead path.
//
// Source binding: ssh2's forwardOut passes an originator address, but OpenSSH's sshd treats it as
// information only (channel open "direct-tcpip": originator address and port are not used to bind),
// so the kernel's routing table picks the egress NIC. Portico relies on subnet routing: a bonded
// network is its own subnet, so a portal on network B is reached through the host's B NIC (the lab
// routes A and B on separate subnets, with no default route). Single-subnet multi-NIC setups need
// VDSM's/iscsiadm's iface binding for the real sessions; the matrix says which NIC the path means.
import type { Duplex } from 'node:stream';
import { inspect, type Connector } from '../iscsi/initiator';
import { IscsiError } from '../iscsi/errors';
import type { CellState, MatrixCell } from '../../../shared/domain/bond';

export interface CellSpec {
  hostId: string;
  hostName: string;
  networkId: string | null;
  networkName: string;
  connectionId: string;
  iqn: string;
  address: string;
  port: number;
  tpgt: number;
  nic: string | null;
  chap: { user: string; secret: string } | null;
  /** Bridged network: the bridge (named after the network) the NIC is enslaved to; routes name it, not the NIC. */
  bridge?: string | null;
  /** Log in as the host (its ACL entry); null: the console's own name. */
  initiatorName: string | null;
}

export type CellResult = Omit<MatrixCell, 'hostId' | 'networkId' | 'connectionId' | 'iqn' | 'portal' | 'nic'>;

export type CellChecker = (spec: CellSpec, o: { timeoutMs: number; signal: AbortSignal }) => Promise<CellResult>;

/** Opens the TCP stream for a check: from a host (SSH tunnel), or from here in tests and the bench. */
export type StreamOpener = (spec: CellSpec) => Promise<Duplex>;

const portalOf = (s: Pick<CellSpec, 'address' | 'port'>) => (s.address.includes(':') ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`);

/** The iSCSI check of one path over whatever opener gives the stream. */
export function iscsiCellChecker(open: StreamOpener): CellChecker {
  return async (spec, o) => {
    const started = performance.now();
    let tcp = false;
    const connect: Connector = async () => {
      const s = await open(spec);
      tcp = true;
      return s;
    };
    const via = `${spec.hostName}${spec.nic ? ` (${spec.nic})` : ''}`;
    try {
      const r = await inspect({ portal: { address: spec.address, port: spec.port }, target: spec.iqn, connect, chap: spec.chap ?? undefined, initiatorName: spec.initiatorName ?? undefined, timeoutMs: o.timeoutMs, signal: o.signal, probeOnNotFound: false });
      const luns = r.luns.filter((l) => l.present && l.deviceType === 0).map((l) => ({ lun: l.lun, guid: l.guid ?? null, sizeBytes: l.sizeBytes ?? null }));
      const auth = spec.chap ? ' with CHAP' : '';
      let state: CellState = 'ok';
      let message = `logged in${auth}; ${luns.length} LUN(s) seen`;
      if (r.targetPortalGroupTag !== undefined && r.targetPortalGroupTag !== spec.tpgt) {
        state = 'degraded';
        message = `logged in${auth}, but the portal answers with TPGT ${r.targetPortalGroupTag}, not ${spec.tpgt}: fix the connection's TPGT (hosts logging in with the wrong TPGT fail)`;
      } else if (!luns.length) {
        state = 'degraded';
        message = `logged in${auth}, but no LUN is visible: the target's LUN mapping or ACL does not give ${spec.initiatorName ?? 'this initiator'} any LUN`;
      }
      return { state, tcp: true, login: true, luns, message, elapsedMs: Math.round(performance.now() - started) };
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const code = e instanceof IscsiError ? e.code : 'connection';
      let message: string;
      if (!tcp && code === 'timeout') message = `${via} gets no TCP answer from ${portalOf(spec)} within ${o.timeoutMs} ms (link down, filtered or unroutable)`;
      // sshd answers a failed direct-tcpip connect with "open failed"/"Connect failed" and no errno.
      else if (!tcp && /Channel open failure/i.test(msg)) message = `${via} cannot open a TCP connection to ${portalOf(spec)}: the host has no working route to it on ${spec.networkName} (link down, address missing) or nothing listens there`;
      else if (!tcp) message = `${via} cannot open a TCP connection to ${portalOf(spec)}: ${msg.replace(/^.*could not open a TCP connection to [^:]+:\d+: /, '')}`;
      else if (code === 'auth-failed') message = `TCP OK, login refused: CHAP ${spec.chap ? `user ${spec.chap.user} or its secret is wrong` : 'is required by the target, and the connection has none'}`;
      else if (code === 'target-not-found' || code === 'not-authorised') message = `TCP OK, login refused: ${spec.iqn} is not offered to ${spec.initiatorName ?? 'this initiator'} (unknown target, or the target's ACL does not admit it)`;
      else message = `TCP OK, ${msg}`;
      return { state: 'failed', tcp, login: false, luns: [], message, elapsedMs: Math.round(performance.now() - started) };
    }
  };
}

/**
 * Checks every cell, at most `concurrency` at a time, each with its own limit: a cell that is not
 * done within `timeoutMs` (plus a small grace for logout) is failed with the reason, and its
 * sockets are torn down by the abort.
 */
export async function checkCells(specs: CellSpec[], check: CellChecker, o: { concurrency: number; timeoutMs: number; signal?: AbortSignal }): Promise<CellResult[]> {
  const results: CellResult[] = new Array(specs.length);
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const i = next++;
      const spec = specs[i];
      const ac = new AbortController();
      const onOuter = () => ac.abort();
      o.signal?.addEventListener('abort', onOuter, { once: true });
      let timer: NodeJS.Timeout | undefined;
      const started = performance.now();
      const deadline = new Promise<CellResult>((resolve) => {
        // A whole check (connect, login, a few SCSI commands) gets 2x the per-wait limit.
        timer = setTimeout(() => {
          // The verdict first, then the abort (whose teardown must not win the race with a vaguer message).
          resolve({ state: 'failed', tcp: false, login: false, luns: [], message: `${spec.hostName}${spec.nic ? ` (${spec.nic})` : ''}: no answer from ${portalOf(spec)} within ${o.timeoutMs} ms`, elapsedMs: Math.round(performance.now() - started) });
          ac.abort();
        }, o.timeoutMs * 2);
      });
      try {
        results[i] = await Promise.race([check(spec, { timeoutMs: o.timeoutMs, signal: ac.signal }), deadline]);
      } finally {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onOuter);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, specs.length)) }, worker));
  return results;
}
