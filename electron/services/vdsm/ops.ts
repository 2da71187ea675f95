// VDSM verbs as operation kinds (jobs/operation.ts): each describes its exact JSON-RPC call
// (passwords as ******), applies it, names its real inverse and verifies through VDSM's own reads.
// Generic storage verbs, shared by the hosted-engine plan and, next, iSCSI bonds. Inverses are
// idempotent: "no such domain / pool / VG", "not connected", "not SPM" on an undo whose effect is
// already there count as success. Reads (discovery, stats, VG info) are readOnly kinds so the plan
// keeps the exact call order of the seed transcript.
import { z } from 'zod';
import type { OpContext, Operation, OperationKind, VerifyOutcome } from '../jobs/operation';
import { maskParams } from './client';
import { describeCode, timeoutMessage, VdsmError, VdsmTransportError } from './errors';
import { parseSendTargets, ZERO_UUID, type BlockDeviceInfo, type ConnectStatus, type IscsiConnection, type NfsConnection, type VdsmApi, type VolumeGroupInfo } from './api';

/** Resolves a Portico host id to its VDSM API (one client per host, opened on first use). */
export type VdsmApis = (hostId: string) => Promise<VdsmApi>;

export const FMT = (method: string, params: Record<string, unknown>) => `${method} ${JSON.stringify(maskParams(params))}`;

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const isCode = (e: unknown, ...codes: number[]) => e instanceof VdsmError && codes.includes(e.code);

/** A value that comes from an earlier operation's output: the review shows it as "<name.path>". */
const orRef = <T extends z.ZodTypeAny>(t: T) => z.union([t, z.string().regex(/^<[^>]+>$/)]);

const Uuid = z.string().min(1).max(80);
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

/** The verbs' kinds over the per-host APIs. */
export function vdsmKinds(apis: VdsmApis, o: { taskPollMs?: number; taskTimeoutMs?: number } = {}) {
  const readOnly = { readOnly: true as const, inverse: () => [] as Operation[], verify: async (): Promise<VerifyOutcome> => ({ applied: true }) };

  // ---------------------------------------------------------------- reads
  const DiscoverParams = z.object({
    host: z.string().min(1).max(255), port: z.number().int().min(1).max(65535), user: z.string().max(255), password: z.string().max(255),
    /** The target the plan logs in to: refused when the portal does not offer it. */
    expect: z.object({ iqn: z.string(), tpgt: z.string() }).strict().nullable(),
    timeoutMs: z.number().int().positive(),
  }).strict();
  const discover: OperationKind<z.infer<typeof DiscoverParams>> = {
    kind: 'vdsm.discoverSendTargets',
    schema: DiscoverParams,
    ...readOnly,
    describe: (p) => FMT('ISCSIConnection.discoverSendTargets', { host: p.host, port: p.port, user: p.user, password: p.password }),
    async apply(p, host, ctx) {
      const api = await apis(host);
      let lines: string[];
      try {
        lines = await api.discoverSendTargets({ host: p.host, port: p.port, user: p.user, password: p.password }, { timeoutMs: p.timeoutMs, signal: ctx.signal });
      } catch (err) {
        if (err instanceof VdsmTransportError && err.kind === 'timeout') throw new Error(timeoutMessage('Discovery', Math.round(p.timeoutMs / 1000), `${p.host}:${p.port}`));
        throw err;
      }
      if (!p.expect) return { targets: lines.length };
      const found = parseSendTargets(lines).filter((x) => x.iqn === p.expect!.iqn && x.tpgt === p.expect!.tpgt);
      ctx.log(`portal ${p.host}:${p.port} offers ${lines.length} target portal(s); ${found.length} for ${p.expect.iqn} TPGT ${p.expect.tpgt}`);
      if (found.length === 0) throw new Error(`Target ${p.expect.iqn} with TPGT ${p.expect.tpgt} is not offered by portal ${p.host}:${p.port}. Next step: discover again and pick a listed target.`);
      return { targets: lines.length, matching: found.length };
    },
  };

  const RepoStatsParams = z.object({}).strict();
  const repoStats: OperationKind<z.infer<typeof RepoStatsParams>> = {
    kind: 'vdsm.getStorageRepoStats',
    schema: RepoStatsParams,
    ...readOnly,
    describe: () => FMT('Host.getStorageRepoStats', {}),
    async apply(_p, host, ctx) {
      const st = await (await apis(host)).getStorageRepoStats({});
      ctx.log(`monitored domains: ${Object.keys(st ?? {}).length}`);
      return { domains: Object.keys(st ?? {}).length };
    },
  };

  const SdStatsParams = z.object({ storagedomainID: Uuid }).strict();
  const sdStats: OperationKind<z.infer<typeof SdStatsParams>> = {
    kind: 'vdsm.getStorageDomainStats',
    schema: SdStatsParams,
    ...readOnly,
    describe: (p) => FMT('StorageDomain.getStats', p),
    async apply(p, host, ctx) {
      const s = await (await apis(host)).getStorageDomainStats(p.storagedomainID);
      ctx.log(`domain ${p.storagedomainID}: total ${s.disktotal} bytes, free ${s.diskfree} bytes`);
      return { disktotal: String(s.disktotal), diskfree: String(s.diskfree) };
    },
  };

  const VgInfoParams = z.object({ lvmvolumegroupID: orRef(z.string().min(1)) }).strict();
  const vgInfo: OperationKind<z.infer<typeof VgInfoParams>> = {
    kind: 'vdsm.getVGInfo',
    schema: VgInfoParams,
    ...readOnly,
    describe: (p) => FMT('LVMVolumeGroup.getInfo', p),
    async apply(p, host) {
      const v = await (await apis(host)).getVGInfo(p.lvmvolumegroupID);
      return { vgUUID: v.vgUUID, name: v.name, state: v.state };
    },
  };

  // ---------------------------------------------------------------- storage connections
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

  // ---------------------------------------------------------------- volume group
  const CreateVgParams = z.object({ name: Uuid, devlist: z.array(z.string().min(1)).min(1), force: z.boolean() }).strict();
  const findVg = async (api: VdsmApi, name: string) => (await api.getLVMVolumeGroups()).find((v) => v.name === name) ?? null;
  const createVG: OperationKind<z.infer<typeof CreateVgParams>> = {
    kind: 'vdsm.createVG',
    schema: CreateVgParams,
    describe: (p) => FMT('LVMVolumeGroup.create', p),
    // Forcing a used LUN wipes what was on it: nothing brings that back.
    irreversible: (p) => p.force,
    async apply(p, host, ctx) {
      const uuid = await (await apis(host)).createVG(p.name, p.devlist, p.force);
      ctx.log(`volume group ${p.name} created, LVM uuid ${uuid}`);
      return uuid;
    },
    inverse: (p, host, output) => [{ kind: 'vdsm.removeVG', host, params: { name: p.name, lvmvolumegroupID: typeof output === 'string' ? output : null } }],
    async verify(p, host) {
      const vg = await findVg(await apis(host), p.name);
      return vg ? { applied: true, output: vg.vgUUID } : { applied: false };
    },
  };

  const RemoveVgParams = z.object({ name: Uuid, lvmvolumegroupID: z.string().nullable() }).strict();
  const removeVG: OperationKind<z.infer<typeof RemoveVgParams>> = {
    kind: 'vdsm.removeVG',
    schema: RemoveVgParams,
    describe: (p) => FMT('LVMVolumeGroup.remove', { lvmvolumegroupID: p.lvmvolumegroupID ?? `<LVM uuid of VG ${p.name}>` }),
    irreversible: true,
    async apply(p, host) {
      const api = await apis(host);
      const id = p.lvmvolumegroupID ?? (await findVg(api, p.name))?.vgUUID;
      if (!id) return { removed: false };
      try {
        await api.removeVG(id);
      } catch (err) {
        // 506: no such VG (formatting the domain already removed it).
        if (!isCode(err, 506)) throw err;
      }
      return { removed: true };
    },
    inverse: () => null,
    async verify(p, host) {
      return (await findVg(await apis(host), p.name)) ? { applied: false } : { applied: true };
    },
  };

  // ---------------------------------------------------------------- storage domain
  const CreateSdParams = z.object({ storagedomainID: Uuid, domainType: z.number().int(), typeArgs: orRef(z.string().min(1)), name: z.string().min(1).max(50), domainClass: z.number().int(), version: z.number().int() }).strict();
  const sdExists = async (api: VdsmApi, id: string): Promise<Record<string, unknown> | null> => {
    try {
      return await api.getStorageDomainInfo(id);
    } catch (err) {
      if (isCode(err, 358)) return null;
      throw err;
    }
  };
  const createSD: OperationKind<z.infer<typeof CreateSdParams>> = {
    kind: 'vdsm.createStorageDomain',
    schema: CreateSdParams,
    describe: (p) => FMT('StorageDomain.create', p),
    async apply(p, host) {
      await (await apis(host)).createStorageDomain(p);
      return true;
    },
    // autoDetach: a pool created (and disconnected) since lives only in this master domain's metadata; formatting erases it with the domain.
    inverse: (p, host) => [{ kind: 'vdsm.formatStorageDomain', host, params: { storagedomainID: p.storagedomainID, autoDetach: true } }],
    async verify(p, host) {
      return (await sdExists(await apis(host), p.storagedomainID)) ? { applied: true } : { applied: false };
    },
  };

  const FormatSdParams = z.object({ storagedomainID: Uuid, autoDetach: z.boolean() }).strict();
  const formatSD: OperationKind<z.infer<typeof FormatSdParams>> = {
    kind: 'vdsm.formatStorageDomain',
    schema: FormatSdParams,
    describe: (p) => FMT('StorageDomain.format', p),
    irreversible: true,
    async apply(p, host) {
      try {
        await (await apis(host)).formatStorageDomain(p.storagedomainID, p.autoDetach);
      } catch (err) {
        if (!isCode(err, 358)) throw err; // no such domain: already formatted
      }
      return true;
    },
    inverse: () => null,
    async verify(p, host) {
      return (await sdExists(await apis(host), p.storagedomainID)) ? { applied: false } : { applied: true };
    },
  };

  const ActivateParams = z.object({ storagedomainID: Uuid, storagepoolID: Uuid, masterVersion: z.number().int() }).strict();
  const domainStatus = async (api: VdsmApi, sp: string, sd: string): Promise<string | null> => {
    try {
      const info = (await api.getStoragePoolInfo(sp)) as { dominfo?: Record<string, { status?: string }> };
      return info.dominfo?.[sd]?.status ?? null;
    } catch (err) {
      if (isCode(err, 309, 358)) return null; // pool not connected here / domain unknown
      throw err;
    }
  };
  const activate: OperationKind<z.infer<typeof ActivateParams>> = {
    kind: 'vdsm.activateStorageDomain',
    schema: ActivateParams,
    describe: (p) => FMT('StorageDomain.activate', { storagedomainID: p.storagedomainID, storagepoolID: p.storagepoolID }),
    async apply(p, host) {
      await (await apis(host)).activateStorageDomain(p.storagedomainID, p.storagepoolID);
      return true;
    },
    // The blank new master: VDSM then keeps the pool's only master as it is (hsm "silently ignoring"
    // the request); the pool's undo erases it. A non-master domain goes back to Attached.
    inverse: (p, host) => [{ kind: 'vdsm.deactivateStorageDomain', host, params: { storagedomainID: p.storagedomainID, storagepoolID: p.storagepoolID, masterSdUUID: ZERO_UUID, masterVersion: p.masterVersion } }],
    async verify(p, host) {
      return (await domainStatus(await apis(host), p.storagepoolID, p.storagedomainID))?.toLowerCase() === 'active' ? { applied: true } : { applied: false };
    },
  };

  const DeactivateParams = z.object({ storagedomainID: Uuid, storagepoolID: Uuid, masterSdUUID: Uuid, masterVersion: z.number().int() }).strict();
  const deactivate: OperationKind<z.infer<typeof DeactivateParams>> = {
    kind: 'vdsm.deactivateStorageDomain',
    schema: DeactivateParams,
    describe: (p) => FMT('StorageDomain.deactivate', p),
    async apply(p, host) {
      try {
        await (await apis(host)).deactivateStorageDomain(p);
      } catch (err) {
        if (!isCode(err, 309, 358)) throw err; // pool not connected / domain gone: nothing active to deactivate
      }
      return true;
    },
    inverse: (p, host) => [{ kind: 'vdsm.activateStorageDomain', host, params: { storagedomainID: p.storagedomainID, storagepoolID: p.storagepoolID, masterVersion: p.masterVersion } }],
    async verify(p, host, ctx) {
      const api = await apis(host);
      const st = await domainStatus(api, p.storagepoolID, p.storagedomainID);
      if (st?.toLowerCase() !== 'active') return { applied: true };
      // VDSM keeps the pool's only master domain active on a deactivate with a blank new master.
      const info = (await sdExists(api, p.storagedomainID)) as { role?: string } | null;
      if (p.masterSdUUID === ZERO_UUID && info?.role === 'Master') {
        ctx.log(`${p.storagedomainID} is the pool's master: VDSM keeps it active until the pool goes`);
        return { applied: true };
      }
      return { applied: false };
    },
  };

  // ---------------------------------------------------------------- pool
  const CreatePoolParams = z.object({
    storagepoolID: Uuid, name: z.string().min(1).max(50), masterSdUUID: Uuid, domainList: z.array(Uuid).min(1), masterVersion: z.number().int(),
    lockRenewalIntervalSec: z.number().int(), leaseTimeSec: z.number().int(), ioOpTimeoutSec: z.number().int(), leaseRetries: z.number().int(),
    /** For the undo (StoragePool.destroy); not sent with create. */
    hostID: z.number().int().min(1).max(250),
  }).strict();
  const poolInMaster = async (api: VdsmApi, sd: string, sp: string) => {
    const info = (await sdExists(api, sd)) as { pool?: string[] } | null;
    return !!info && (info.pool ?? []).includes(sp);
  };
  const createPool: OperationKind<z.infer<typeof CreatePoolParams>> = {
    kind: 'vdsm.createStoragePool',
    schema: CreatePoolParams,
    describe: ({ hostID: _h, ...p }) => FMT('StoragePool.create', p),
    async apply({ hostID: _h, ...p }, host) {
      await (await apis(host)).createStoragePool(p);
      return true;
    },
    inverse: (p, host) => [{ kind: 'vdsm.destroyStoragePool', host, params: { storagepoolID: p.storagepoolID, hostID: p.hostID, scsiKey: p.storagepoolID, masterSdUUID: p.masterSdUUID } }],
    async verify(p, host) {
      return (await poolInMaster(await apis(host), p.masterSdUUID, p.storagepoolID)) ? { applied: true } : { applied: false };
    },
  };

  const DestroyPoolParams = z.object({ storagepoolID: Uuid, hostID: z.number().int(), scsiKey: z.string(), masterSdUUID: Uuid }).strict();
  const destroyPool: OperationKind<z.infer<typeof DestroyPoolParams>> = {
    kind: 'vdsm.destroyStoragePool',
    schema: DestroyPoolParams,
    describe: ({ masterSdUUID: _m, ...p }) => `${FMT('StoragePool.destroy', p)}   # 309 (pool not connected here): the pool then lives only in its master domain's metadata, erased by formatting that domain`,
    async apply({ masterSdUUID: _m, ...p }, host, ctx) {
      try {
        await (await apis(host)).destroyStoragePool(p.storagepoolID, p.hostID, p.scsiKey);
      } catch (err) {
        if (!isCode(err, 309)) throw err;
        ctx.log(`pool ${p.storagepoolID} is not connected on this host: nothing for StoragePool.destroy; formatting its master domain erases it`);
      }
      return true;
    },
    inverse: () => null,
    irreversible: true,
    async verify(p, host) {
      const api = await apis(host);
      return (await api.getConnectedStoragePools()).includes(p.storagepoolID) ? { applied: false } : { applied: true };
    },
  };

  const ConnectPoolParams = z.object({
    storagepoolID: Uuid, hostID: z.number().int().min(1).max(250), scsiKey: z.string(), masterSdUUID: Uuid, masterVersion: z.number().int(),
    /** A reconnect of a pool this plan already connected: its undo is the first connect's. */
    again: z.boolean(),
  }).strict();
  const connectedTo = async (api: VdsmApi, sp: string) => (await api.getConnectedStoragePools()).includes(sp);
  const connectPool: OperationKind<z.infer<typeof ConnectPoolParams>> = {
    kind: 'vdsm.connectStoragePool',
    schema: ConnectPoolParams,
    describe: ({ again: _a, ...p }) => FMT('StoragePool.connect', p),
    async apply({ again: _a, ...p }, host) {
      await (await apis(host)).connectStoragePool(p);
      return true;
    },
    // A reconnect adds nothing to undo; disconnecting here would run while the host is still SPM (VDSM refuses that).
    inverse: (p, host) => (p.again ? [] : [{ kind: 'vdsm.disconnectStoragePool', host, params: { storagepoolID: p.storagepoolID, hostID: p.hostID, scsiKey: p.scsiKey, remove: false } }]),
    async verify(p, host) {
      return (await connectedTo(await apis(host), p.storagepoolID)) ? { applied: true } : { applied: false };
    },
  };

  const DisconnectPoolParams = z.object({ storagepoolID: Uuid, hostID: z.number().int(), scsiKey: z.string(), remove: z.boolean() }).strict();
  const disconnectPool: OperationKind<z.infer<typeof DisconnectPoolParams>> = {
    kind: 'vdsm.disconnectStoragePool',
    schema: DisconnectPoolParams,
    describe: (p) => FMT('StoragePool.disconnect', p),
    async apply(p, host) {
      try {
        await (await apis(host)).disconnectStoragePool(p.storagepoolID, p.hostID, p.scsiKey, p.remove);
      } catch (err) {
        if (!isCode(err, 309)) throw err; // not connected: done
      }
      return true;
    },
    inverse: () => null,
    async verify(p, host) {
      return (await connectedTo(await apis(host), p.storagepoolID)) ? { applied: false } : { applied: true };
    },
  };

  // ---------------------------------------------------------------- SPM and tasks
  const SpmStartParams = z.object({ storagepoolID: Uuid, prevID: z.number().int(), prevLver: z.string(), enableScsiFencing: z.string(), maxHostID: z.number().int(), domVersion: z.string() }).strict();
  const spmTasks = async (api: VdsmApi) => Object.values(await api.getAllTasksInfo()).filter((t) => t.verb === 'spmStart').map((t) => t.id);
  const spmStatus = async (api: VdsmApi, sp: string): Promise<string | null> => {
    try {
      return (await api.getSpmStatus(sp)).spmStatus;
    } catch (err) {
      if (isCode(err, 309)) return null;
      throw err;
    }
  };
  const spmStart: OperationKind<z.infer<typeof SpmStartParams>> = {
    kind: 'vdsm.spmStart',
    schema: SpmStartParams,
    describe: (p) => `${FMT('StoragePool.spmStart', p)}\nthen poll: Task.getStatus {"taskID":"<task>"} until finished`,
    async apply(p, host, ctx) {
      const api = await apis(host);
      const taskID = await api.spmStart(p);
      ctx.log(`spmStart task ${taskID}`);
      await api.waitTask(taskID, { timeoutMs: o.taskTimeoutMs ?? 180_000, intervalMs: o.taskPollMs ?? 500, signal: ctx.signal });
      return { taskID };
    },
    inverse: (p, host) => [{ kind: 'vdsm.spmStop', host, params: { storagepoolID: p.storagepoolID } }],
    async verify(p, host) {
      const api = await apis(host);
      const tasks = await spmTasks(api);
      if ((await spmStatus(api, p.storagepoolID)) === 'SPM' || tasks.length) return { applied: true, output: { taskID: tasks[0] ?? null } };
      return { applied: false };
    },
  };

  /** Clears a task; a task still running (402) is waited for first; unknown (401) = already cleared. */
  const clearTask = async (api: VdsmApi, taskID: string, ctx: OpContext) => {
    try {
      await api.clearTask(taskID);
    } catch (err) {
      if (isCode(err, 401)) return;
      if (!isCode(err, 402, 403)) throw err;
      await api.waitTask(taskID, { timeoutMs: o.taskTimeoutMs ?? 180_000, intervalMs: o.taskPollMs ?? 500, signal: ctx.signal }).catch(() => undefined);
      try {
        await api.clearTask(taskID);
      } catch (e2) {
        if (!isCode(e2, 401)) throw e2;
      }
    }
  };

  const SpmStopParams = z.object({ storagepoolID: Uuid }).strict();
  const spmStop: OperationKind<z.infer<typeof SpmStopParams>> = {
    kind: 'vdsm.spmStop',
    schema: SpmStopParams,
    describe: (p) => `Host.getAllTasksInfo {} and Task.clear of a left spmStart task (once finished)\n${FMT('StoragePool.spmStop', p)}`,
    async apply(p, host, ctx) {
      const api = await apis(host);
      for (const id of await spmTasks(api)) await clearTask(api, id, ctx);
      try {
        await api.spmStop(p.storagepoolID);
      } catch (err) {
        if (!isCode(err, 654, 309)) throw err; // not SPM / pool not connected: nothing to stop
      }
      return true;
    },
    inverse: () => null,
    async verify(p, host) {
      const api = await apis(host);
      return (await spmStatus(api, p.storagepoolID)) !== 'SPM' && !(await spmTasks(api)).length ? { applied: true } : { applied: false };
    },
  };

  const TaskClearParams = z.object({ taskID: orRef(z.string().min(1)) }).strict();
  const taskClear: OperationKind<z.infer<typeof TaskClearParams>> = {
    kind: 'vdsm.taskClear',
    schema: TaskClearParams,
    describe: (p) => FMT('Task.clear', p),
    async apply(p, host, ctx) {
      await clearTask(await apis(host), p.taskID, ctx);
      return true;
    },
    // A finished task's record: clearing it changes nothing to undo.
    inverse: () => [],
    async verify(p, host) {
      try {
        await (await apis(host)).getTaskStatus(p.taskID);
        return { applied: false };
      } catch (err) {
        if (isCode(err, 401)) return { applied: true };
        return { applied: 'unknown', reason: errText(err) };
      }
    },
  };

  return { discover, repoStats, sdStats, vgInfo, connect, disconnect, createVG, removeVG, createSD, formatSD, activate, deactivate, createPool, destroyPool, connectPool, disconnectPool, spmStart, spmStop, taskClear };
}

export type VdsmKinds = ReturnType<typeof vdsmKinds>;

/** Every VDSM kind, as the registry takes them. */
export function allVdsmKinds(k: VdsmKinds): OperationKind<never>[] {
  return Object.values(k) as unknown as OperationKind<never>[];
}
