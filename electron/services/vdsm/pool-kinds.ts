// Storage pools, SPM and tasks: create/destroy/connect/disconnect pool, spmStart/spmStop (task
// polling) and Task.clear.
import { z } from 'zod';
import type { OpContext, OperationKind } from '../jobs/operation';
import type { VdsmApi } from './api';
import { errText, FMT, isCode, orRef, sdExists, Uuid, type VdsmApis, type VdsmKindOptions } from './kind-common';

/** The pool, SPM and task kinds over the per-host APIs. */
export function poolKinds(apis: VdsmApis, o: VdsmKindOptions = {}) {
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

  return { createPool, destroyPool, connectPool, disconnectPool, spmStart, spmStop, taskClear };
}
