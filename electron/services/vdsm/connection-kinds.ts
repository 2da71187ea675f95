// Storage-server connections: connectStorageServer (statuses checked, a tolerated pre-connected
// path allowed) and its inverse disconnectStorageServer.
import { z } from 'zod';
import type { OperationKind, VerifyOutcome } from '../jobs/operation';
import { describeCode } from './errors';
import type { BlockDeviceInfo, ConnectStatus, IscsiConnection, NfsConnection, VdsmApi, VolumeGroupInfo } from './api';
import { FMT, orRef, Uuid, type VdsmApis } from './kind-common';

const IscsiConnSchema = z.object({
  id: Uuid, connection: z.string().min(1).max(255), port: z.string().max(5), iqn: z.string().min(1).max(223), tpgt: z.string().max(5),
  user: z.string().max(255), password: z.string().max(255), ifaceName: z.string().max(64).optional(), netIfaceName: z.string().max(64).optional(),
}).strict();
const NfsConnSchema = z.object({ id: Uuid, connection: z.string().min(1).max(4096), version: z.string().max(4).optional() }).strict();
const ConnSchema = z.union([IscsiConnSchema, NfsConnSchema]);
const PathSchema = z.object({ connection: z.string(), port: z.string(), iqn: z.string() }).strict();

export const ConnectParams = z.object({
  storagepoolID: Uuid,
  domainType: z.number().int(),
  connectionParams: z.array(ConnSchema).min(1),
  /** Indexes of connections whose session the host already had when the plan was built: their undo leaves them. */
  preConnected: z.array(z.number().int().min(0)),
  /** Active paths of the chosen LUN: a failure on one of these portals is tolerated, with a warning (older VDSM reports "session exists" as 465). */
  activePaths: orRef(z.array(PathSchema)),
  /** After a connection that made a new session, re-read this VG (LVM UUID) and warn when its state is not OK. */
  rereadVg: orRef(z.string()).nullable(),
}).strict();
export type ConnectP = z.infer<typeof ConnectParams>;

export const DisconnectParams = z.object({ storagepoolID: Uuid, domainType: z.number().int(), connectionParams: z.array(ConnSchema).min(1) }).strict();
type DisconnectP = z.infer<typeof DisconnectParams>;

export interface ConnectOutput {
  statuses: ConnectStatus[];
  newSessions: boolean;
  warnings: string[];
}

const samePath = (a: { connection: string; port: string | number; iqn: string }, b: { connection: string; port: string | number; iqn: string }) =>
  a.connection === b.connection && String(a.port) === String(b.port) && a.iqn === b.iqn;

/** The host's iSCSI paths as VDSM shows them (Host.getDeviceList path info); VDSM has no session list. */
async function iscsiPaths(api: VdsmApi): Promise<{ connection: string; port: string; iqn: string; portal: string }[]> {
  const devs = await api.getDeviceList({ storageType: 3, checkStatus: false });
  return devs.flatMap((d: BlockDeviceInfo) => (d.pathlist ?? []).map((p) => ({ connection: p.connection, port: String(p.port), iqn: p.iqn, portal: String(p.portal) })));
}

/** Which of these iSCSI connections the host has a path through (undefined: not iSCSI, VDSM cannot tell). */
async function connectedIndexes(api: VdsmApi, domainType: number, conns: readonly (IscsiConnection | NfsConnection)[]): Promise<boolean[] | undefined> {
  if (domainType !== 3) return undefined;
  const paths = await iscsiPaths(api);
  return conns.map((c) => {
    const i = c as IscsiConnection;
    return paths.some((p) => samePath(p, i) && (!i.tpgt || p.portal === String(i.tpgt)));
  });
}

function checkStatuses(statuses: ConnectStatus[], conns: ConnectP['connectionParams'], tolerated: (i: number) => boolean, log: (l: string) => void): ConnectOutput {
  let newSessions = false;
  let okOrTolerated = 0;
  const warnings: string[] = [];
  const failures: string[] = [];
  statuses.forEach((s, i) => {
    const c = conns[i] as { connection: string; port?: string } | undefined;
    const where = c ? `${c.connection}${c.port ? `:${c.port}` : ''}` : `connection ${s.id}`;
    if (s.status === 0) {
      newSessions = true;
      okOrTolerated++;
      return;
    }
    const info = describeCode(s.status);
    if (tolerated(i)) {
      // Older VDSM reports an existing session (iscsiadm rc 15) as 465; the path is active.
      const w = `${where}: VDSM reported ${s.status} (${info.name}) but the host already has an active path through this portal; continuing.`;
      warnings.push(w);
      log(w);
      okOrTolerated++;
      return;
    }
    failures.push(`${where}: ${info.message} Next step: ${info.nextStep} (VDSM code ${s.status})`);
  });
  if (okOrTolerated === 0 || statuses.length === 0) throw new Error(`StoragePool.connectStorageServer failed: ${failures.join(' | ') || 'no status returned'}`);
  // A subset of failed paths is tolerated, as the engine does; the admin sees which.
  for (const f of failures) {
    const w = `Path failed, continuing with the others: ${f}`;
    warnings.push(w);
    log(w);
  }
  return { statuses, newSessions, warnings };
}

const poolParamsOf = (p: ConnectP | DisconnectP) => ({ storagepoolID: p.storagepoolID, domainType: p.domainType, connectionParams: p.connectionParams });

/** The connection kinds over the per-host APIs. */
export function connectionKinds(apis: VdsmApis) {
  const connect: OperationKind<ConnectP> = {
    kind: 'vdsm.connectStorageServer',
    schema: ConnectParams,
    describe: (p) => FMT('StoragePool.connectStorageServer', poolParamsOf(p)) + (p.rereadVg ? `\nthen, if a connection was new: ${FMT('LVMVolumeGroup.getInfo', { lvmvolumegroupID: p.rereadVg })}` : ''),
    async apply(p, host, ctx): Promise<ConnectOutput> {
      const api = await apis(host);
      const st = await api.connectStorageServer(p.storagepoolID, p.domainType, p.connectionParams);
      const active = Array.isArray(p.activePaths) ? p.activePaths : [];
      const out = checkStatuses(st, p.connectionParams, (i) => active.some((a) => samePath(a, p.connectionParams[i] as IscsiConnection)), ctx.log);
      // Nothing new was logged in when every session already existed: the VG view is current.
      if (p.rereadVg && out.newSessions) {
        const vg: VolumeGroupInfo = await api.getVGInfo(p.rereadVg);
        if (vg.state && vg.state !== 'OK') {
          const w = `Volume group state is ${vg.state} (not OK): a path to the LUN may be missing.`;
          out.warnings.push(w);
          ctx.log(w);
        }
      }
      return out;
    },
    inverse(p, host) {
      const fresh = p.connectionParams.filter((_, i) => !p.preConnected.includes(i));
      // Sessions the host had before the plan stay: they belong to someone else (or an earlier wizard step).
      if (!fresh.length) return [];
      return [{ kind: 'vdsm.disconnectStorageServer', host, params: { storagepoolID: p.storagepoolID, domainType: p.domainType, connectionParams: fresh } }];
    },
    async verify(p, host): Promise<VerifyOutcome> {
      const on = await connectedIndexes(await apis(host), p.domainType, p.connectionParams);
      if (!on) return { applied: 'unknown', reason: 'VDSM offers no read of its NFS/POSIX mounts' };
      const fresh = p.connectionParams.map((_, i) => i).filter((i) => !p.preConnected.includes(i));
      if (!fresh.length) return { applied: on.some(Boolean) ? true : false };
      return fresh.some((i) => on[i]) ? { applied: true } : { applied: false };
    },
  };

  const disconnect: OperationKind<DisconnectP> = {
    kind: 'vdsm.disconnectStorageServer',
    schema: DisconnectParams,
    describe: (p) => FMT('StoragePool.disconnectStorageServer', poolParamsOf(p)),
    async apply(p, host) {
      const st = await (await apis(host)).disconnectStorageServer(p.storagepoolID, p.domainType, p.connectionParams);
      const bad = st.filter((s) => s.status !== 0);
      if (bad.length) throw new Error(`StoragePool.disconnectStorageServer: ${bad.map((s) => `connection ${s.id}: ${describeCode(s.status).message} (VDSM code ${s.status})`).join(' | ')}`);
      return { statuses: st };
    },
    // As a forward operation (bonds), undone by connecting again.
    inverse: (p, host) => [{ kind: 'vdsm.connectStorageServer', host, params: { ...poolParamsOf(p), preConnected: [], activePaths: [], rereadVg: null } }],
    async verify(p, host): Promise<VerifyOutcome> {
      const on = await connectedIndexes(await apis(host), p.domainType, p.connectionParams);
      if (!on) return { applied: 'unknown', reason: 'VDSM offers no read of its NFS/POSIX mounts' };
      return on.some(Boolean) ? { applied: false } : { applied: true };
    },
  };

  return { connect, disconnect };
}
