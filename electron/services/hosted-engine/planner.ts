// planHostedEngineStorage: turns validated wizard input plus the device list the wizard last saw
// into an ExecPlan of VDSM calls, in the order of the seed's transcript
// (../shared/seeds/000, both branches):
//  - device not yet known on the host: discover -> connect (all-zero ids) -> getDeviceList ->
//    repoStats -> createVG -> ...
//  - device already known: getDeviceList -> createVG -> ...
// then createStorageDomain, stats, VG info, pool create/connect, spmStart (async task, polled),
// Task.clear, activate, connect again. Commands shown for review have passwords as ******.
import type { HeApplyResult } from '../../../shared/domain/hosted-engine-views';
import { randomUUID } from 'node:crypto';
import type { ExecPlan, ExecStep, StepContext } from '../jobs/plan';
import { MASK } from '../../../shared/plan';
import type { HostedEngineStorageInput, IscsiStorageInput, NfsStorageInput } from '../../../shared/domain/hosted-engine';
import {
  DomainClass,
  DomainType,
  parseSendTargets,
  ZERO_UUID,
  type BlockDeviceInfo,
  type ConnectStatus,
  type IscsiConnection,
  type NfsConnection,
  type StorageDomainStats,
  type VdsmApi,
  type VolumeGroupInfo,
} from '../vdsm/api';
import { maskParams } from '../vdsm/client';
import { describeCode, noLunsMessage, timeoutMessage, VdsmError, VdsmTransportError } from '../vdsm/errors';
import { checkLunChoice, devicesForTarget, lunRow, parseBytes } from './luns';
import { buildAnswerFile, buildHostedEngineConf, buildHostedEngineConfKeys, CLEAR_TEXT_PASSWORD_NOTE, type HeStorageFacts } from './outputs';
import { writeHostedEngineConf, HE_CONF_PATH } from './confwriter';
import type { RemoteRunner } from '../remote/runner';

export interface HostedEnginePlanDeps {
  api: VdsmApi;
  /** Portico host id and label ("hv1 (10.0.0.5)"). */
  host: { id: string; label: string };
  /**
   * The device list the wizard last read from this host (Host.getDeviceList), or null when none
   * was read (e.g. input imported from an answer file). Decides the seed branch.
   */
  knownDevices: BlockDeviceInfo[] | null;
  /** The host's initiator IQN, for the "no LUNs" diagnosis. */
  initiatorName?: string | null;
  /** Needed only to write hosted-engine.conf on the host. */
  runner?: RemoteRunner;
  newUuid?: () => string;
  /** Task polling interval (tests use small values). */
  taskPollMs?: number;
  discoverTimeoutMs?: number;
}

export interface HostedEnginePlanOptions {
  /** Also write the storage keys into hosted-engine.conf on the host (atomic, with backup). */
  writeConf?: boolean;
}

/** The job result (verify()); the renderer reads the same type. */
export type HostedEngineResult = HeApplyResult;

const FMT = (method: string, params: Record<string, unknown>) => `${method} ${JSON.stringify(maskParams(params))}`;

/** Whether a LUN is visible with an active path through the chosen target. */
export function deviceKnown(devs: readonly BlockDeviceInfo[] | null, iqn: string, guid: string): boolean {
  if (!devs) return false;
  const d = devicesForTarget(devs, iqn).find((x) => x.GUID === guid);
  return !!d && (d.pathstatus ?? []).some((p) => p.state === 'active');
}

interface Runtime {
  vgUUID: string | null;
  taskID: string | null;
  stats: StorageDomainStats | null;
  vgInfo: VolumeGroupInfo | null;
  devices: BlockDeviceInfo[] | null;
  warnings: string[];
  confWritten?: { path: string; backup: string | null };
}

function ensureOk(method: string, statuses: ConnectStatus[], conns: { connection: string; port?: string }[], tolerated: (i: number) => boolean, rt: Runtime, ctx: StepContext): { newSessions: boolean } {
  let newSessions = false;
  let okOrTolerated = 0;
  const failures: string[] = [];
  statuses.forEach((s, i) => {
    const c = conns[i];
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
      rt.warnings.push(w);
      ctx.log(w);
      okOrTolerated++;
      return;
    }
    failures.push(`${where}: ${info.message} Next step: ${info.nextStep} (VDSM code ${s.status})`);
  });
  if (okOrTolerated === 0 || statuses.length === 0) throw new Error(`${method} failed: ${failures.join(' | ') || 'no status returned'}`);
  // A subset of failed paths is tolerated, as the engine does; the admin sees which.
  for (const f of failures) {
    const w = `Path failed, continuing with the others: ${f}`;
    rt.warnings.push(w);
    ctx.log(w);
  }
  return { newSessions };
}

function describeError(err: unknown, what: string, timeoutS: number, portal?: string): Error {
  if (err instanceof VdsmTransportError && err.kind === 'timeout') return new Error(timeoutMessage(what, timeoutS, portal));
  if (err instanceof VdsmError) return err;
  return err instanceof Error ? err : new Error(String(err));
}


/** The seed's lookup connect (all-zero ids) of the chosen connections, undone by disconnecting them. */
function lookupConnectStep(api: VdsmApi, domainType: number, lookup: Array<IscsiConnection | NfsConnection>, title: string, rt: Runtime): ExecStep {
  const lookupParams = { storagepoolID: ZERO_UUID, domainType, connectionParams: lookup };
  return {
    title,
    command: FMT('StoragePool.connectStorageServer', lookupParams),
    undoCommand: FMT('StoragePool.disconnectStorageServer', lookupParams),
    async run(ctx) {
      const st = await api.connectStorageServer(ZERO_UUID, domainType, lookup);
      ensureOk('StoragePool.connectStorageServer', st, lookup, () => false, rt, ctx);
    },
    async undo() {
      await api.disconnectStorageServer(ZERO_UUID, domainType, lookup);
    },
  };
}
export async function planHostedEngineStorage(input: HostedEngineStorageInput, deps: HostedEnginePlanDeps, opts: HostedEnginePlanOptions = {}): Promise<ExecPlan> {
  const uuid = deps.newUuid ?? randomUUID;
  const sdUUID = input.ids?.sdUUID ?? uuid();
  const spUUID = input.ids?.spUUID ?? uuid();
  const connectionId = input.ids?.connectionId ?? uuid();
  const api = deps.api;
  const rt: Runtime = { vgUUID: null, taskID: null, stats: null, vgInfo: null, devices: null, warnings: [] };
  const steps: ExecStep[] = [];
  const warnings: string[] = [];
  const secrets: string[] = [];

  let facts: HeStorageFacts;
  let domainType: number;
  let poolConns: Array<IscsiConnection | NfsConnection>;
  let typeArgs: () => string;

  if (input.storageType === 'iscsi') {
    const inp: IscsiStorageInput = input;
    for (const s of [inp.discoveryChap.password, inp.loginChap.password]) if (s) secrets.push(s);
    domainType = DomainType.ISCSI;
    const known = deviceKnown(deps.knownDevices, inp.target.iqn, inp.lunGuid);
    const conn = (p: { address: string; port: number }, id: string): IscsiConnection => ({
      connection: p.address,
      iqn: inp.target.iqn,
      tpgt: inp.target.tpgt,
      user: inp.loginChap.user,
      password: inp.loginChap.password,
      id,
      port: String(p.port),
    });
    // The first portal keeps the stable connection id (hosted-engine.conf connectionUUID).
    poolConns = inp.target.portals.map((p, i) => conn(p, i === 0 ? connectionId : uuid()));
    typeArgs = () => {
      if (!rt.vgUUID) throw new Error('volume group was not created');
      return rt.vgUUID;
    };
    facts = {
      storageType: 'iscsi',
      domainName: inp.domainName,
      sdUUID,
      spUUID,
      connectionUUID: connectionId,
      portals: inp.target.portals,
      iqn: inp.target.iqn,
      tpgt: inp.target.tpgt,
      lunGuid: inp.lunGuid,
      loginUser: inp.loginChap.user,
      loginPassword: inp.loginChap.password,
      discoveryUser: inp.discoveryChap.user,
    };
    const knownRow = deps.knownDevices?.find((d) => d.GUID === inp.lunGuid);
    if (knownRow) {
      const row = lunRow(knownRow, inp.diskSizeGiB);
      const why = checkLunChoice(row, inp.forceUsedLun);
      if (why) throw new Error(why);
      if (row.usedBy && inp.forceUsedLun) warnings.push(`LUN ${inp.lunGuid} is in use (${row.reason}). Forcing will destroy its data.`);
      facts.discardSupport = (knownRow.discard_max_bytes ?? 0) > 0;
    }

    if (!known) {
      // Seed branch 1: the device is not known on this host yet.
      for (const p of inp.portals) {
        const params = { host: p.address, port: p.port, user: inp.discoveryChap.user, password: inp.discoveryChap.password };
        const t = deps.discoverTimeoutMs ?? 60_000;
        steps.push({
          title: `Discover targets on portal ${p.address}:${p.port}${inp.discoveryChap.user ? ' (discovery CHAP)' : ''}`,
          command: FMT('ISCSIConnection.discoverSendTargets', params),
          undoCommand: null,
          async run(ctx) {
            let lines: string[];
            try {
              lines = await api.discoverSendTargets(params, { timeoutMs: t, signal: ctx.signal });
            } catch (err) {
              throw describeError(err, 'Discovery', Math.round(t / 1000), `${p.address}:${p.port}`);
            }
            const found = parseSendTargets(lines).filter((x) => x.iqn === inp.target.iqn && x.tpgt === inp.target.tpgt);
            ctx.log(`portal ${p.address}:${p.port} offers ${lines.length} target portal(s); ${found.length} for ${inp.target.iqn} TPGT ${inp.target.tpgt}`);
            if (found.length === 0) throw new Error(`Target ${inp.target.iqn} with TPGT ${inp.target.tpgt} is not offered by portal ${p.address}:${p.port}. Next step: discover again and pick a listed target.`);
          },
        });
      }
      steps.push(lookupConnectStep(api, domainType, inp.target.portals.map((p) => conn(p, ZERO_UUID)), `Log in to ${inp.target.iqn} (TPGT ${inp.target.tpgt}) through ${inp.target.portals.length} portal(s)`, rt));
    }

    const devParams = { storageType: DomainType.ISCSI };
    steps.push({
      title: `Read the host's LUNs and check ${inp.lunGuid} is visible, large enough and ${inp.forceUsedLun ? 'may be wiped (forced)' : 'free'}`,
      command: FMT('Host.getDeviceList', devParams),
      undoCommand: null,
      async run(ctx) {
        const devs = await api.getDeviceList(devParams);
        rt.devices = devs;
        const forTarget = devicesForTarget(devs, inp.target.iqn);
        if (forTarget.length === 0) {
          const m = noLunsMessage(inp.target.iqn, deps.initiatorName ?? null);
          throw new Error(`${m.message} Next step: ${m.nextStep}`);
        }
        const d = forTarget.find((x) => x.GUID === inp.lunGuid);
        if (!d) throw new Error(`LUN ${inp.lunGuid} is not visible through ${inp.target.iqn}. Next step: check the LUN mapping on the target and list LUNs again.`);
        const why = checkLunChoice(lunRow(d, inp.diskSizeGiB), inp.forceUsedLun);
        if (why) throw new Error(why);
        facts.discardSupport = (d.discard_max_bytes ?? 0) > 0;
        ctx.log(`LUN ${d.GUID}: ${d.capacity} bytes, status ${d.status}, ${(d.pathstatus ?? []).filter((p) => p.state === 'active').length} active path(s)`);
      },
    });
    if (!known) {
      steps.push({
        title: 'Read storage domain monitoring (domains that became visible after the login)',
        command: FMT('Host.getStorageRepoStats', {}),
        undoCommand: null,
        async run(ctx) {
          const st = await api.getStorageRepoStats({});
          ctx.log(`monitored domains: ${Object.keys(st ?? {}).length}`);
        },
      });
    }
    const vgParams = () => ({ name: sdUUID, devlist: [inp.lunGuid], force: inp.forceUsedLun });
    steps.push({
      title: `Create volume group ${sdUUID} on LUN ${inp.lunGuid}${inp.forceUsedLun ? ' (FORCED: existing data is destroyed)' : ''}`,
      command: FMT('LVMVolumeGroup.create', vgParams()),
      undoCommand: FMT('LVMVolumeGroup.remove', { lvmvolumegroupID: '<vgUUID from create>' }),
      async run(ctx) {
        rt.vgUUID = await api.createVG(sdUUID, [inp.lunGuid], inp.forceUsedLun);
        ctx.log(`volume group ${sdUUID} created, LVM uuid ${rt.vgUUID}`);
      },
      async undo() {
        if (!rt.vgUUID) return;
        try {
          await api.removeVG(rt.vgUUID);
        } catch (err) {
          // Formatting the domain already removed the VG.
          if (!(err instanceof VdsmError && err.code === 506)) throw err;
        }
      },
    });
  } else {
    const inp: NfsStorageInput = input;
    domainType = DomainType.NFS;
    const remote = `${inp.server}:${inp.exportPath}`;
    const version = inp.storageType === 'nfs4' ? '4' : '3';
    poolConns = [{ id: connectionId, connection: remote, version }];
    typeArgs = () => remote;
    facts = { storageType: inp.storageType, domainName: inp.domainName, sdUUID, spUUID, connectionUUID: connectionId, server: inp.server, exportPath: inp.exportPath };
    steps.push(lookupConnectStep(api, domainType, [{ id: ZERO_UUID, connection: remote, version }], `Mount ${remote} (NFSv${version}) on the host`, rt));
  }

  const sdParams = () => ({ storagedomainID: sdUUID, domainType, typeArgs: rt.vgUUID ?? (input.storageType === 'iscsi' ? '<vgUUID>' : typeArgs()), name: input.domainName, domainClass: DomainClass.Data, version: input.domainVersion });
  steps.push({
    title: `Create storage domain "${input.domainName}" (${sdUUID}), format V${input.domainVersion}`,
    command: FMT('StorageDomain.create', sdParams()),
    undoCommand: FMT('StorageDomain.format', { storagedomainID: sdUUID, autoDetach: false }),
    async run() {
      await api.createStorageDomain({ ...sdParams(), typeArgs: typeArgs() });
    },
    async undo() {
      await api.formatStorageDomain(sdUUID, false);
    },
  });
  steps.push({
    title: 'Read the new domain\'s size and free space',
    command: FMT('StorageDomain.getStats', { storagedomainID: sdUUID }),
    undoCommand: null,
    async run(ctx) {
      rt.stats = await api.getStorageDomainStats(sdUUID);
      ctx.log(`domain ${sdUUID}: total ${rt.stats.disktotal} bytes, free ${rt.stats.diskfree} bytes`);
    },
  });
  const isIscsi = input.storageType === 'iscsi';
  if (isIscsi) {
    steps.push({
      title: 'Read the volume group',
      command: FMT('LVMVolumeGroup.getInfo', { lvmvolumegroupID: '<vgUUID>' }),
      undoCommand: null,
      async run() {
        rt.vgInfo = await api.getVGInfo(typeArgs());
      },
    });
  }

  // Pool phase: connect with the pool id and real connection ids, as the engine would.
  const poolConnParams = { storagepoolID: spUUID, domainType, connectionParams: poolConns };
  const activePathTo = (i: number): boolean => {
    const c = poolConns[i] as IscsiConnection;
    if (!isIscsi || !rt.devices) return false;
    const d = rt.devices.find((x) => x.GUID === (input as IscsiStorageInput).lunGuid);
    return !!d && (d.pathlist ?? []).some((p) => p.connection === c.connection && p.iqn === c.iqn && String(p.port) === String(c.port)) && (d.pathstatus ?? []).some((p) => p.state === 'active');
  };
  const connectForPool = (n: number): ExecStep => ({
    title: `Connect the storage for pool ${spUUID}${n > 1 ? ' again (after pool creation)' : ''}${isIscsi ? ', then re-read the volume group when new sessions were made' : ''}`,
    command: FMT('StoragePool.connectStorageServer', poolConnParams) + (isIscsi ? `\nthen, if a connection was new: ${FMT('LVMVolumeGroup.getInfo', { lvmvolumegroupID: '<vgUUID>' })}` : ''),
    undoCommand: n === 1 ? FMT('StoragePool.disconnectStorageServer', poolConnParams) : null,
    async run(ctx) {
      const st = await api.connectStorageServer(spUUID, domainType, poolConns);
      const { newSessions } = ensureOk('StoragePool.connectStorageServer', st, poolConns, activePathTo, rt, ctx);
      // Nothing new was logged in when every session already existed: the VG view is current.
      if (isIscsi && newSessions) {
        rt.vgInfo = await api.getVGInfo(typeArgs());
        if (rt.vgInfo.state && rt.vgInfo.state !== 'OK') {
          const w = `Volume group state is ${rt.vgInfo.state} (not OK): a path to the LUN may be missing.`;
          rt.warnings.push(w);
          ctx.log(w);
        }
      }
    },
    undo:
      n === 1
        ? async () => {
            await api.disconnectStorageServer(spUUID, domainType, poolConns);
          }
        : undefined,
  });
  steps.push(connectForPool(1));
  const poolParams = {
    storagepoolID: spUUID,
    name: input.poolName,
    masterSdUUID: sdUUID,
    domainList: [sdUUID],
    masterVersion: 1,
    lockRenewalIntervalSec: 5,
    leaseTimeSec: 60,
    ioOpTimeoutSec: 10,
    leaseRetries: 3,
  };
  steps.push({
    title: `Create storage pool "${input.poolName}" (${spUUID}) with master domain ${sdUUID}`,
    command: FMT('StoragePool.create', poolParams),
    undoCommand: FMT('StoragePool.destroy', { storagepoolID: spUUID, hostID: input.hostIdNumber, scsiKey: spUUID }),
    async run() {
      await api.createStoragePool(poolParams);
    },
    async undo() {
      await api.destroyStoragePool(spUUID, input.hostIdNumber, spUUID);
    },
  });
  steps.push(connectForPool(2));
  const connectPoolParams = { storagepoolID: spUUID, hostID: input.hostIdNumber, scsiKey: spUUID, masterSdUUID: sdUUID, masterVersion: 1 };
  steps.push({
    title: `Connect host id ${input.hostIdNumber} to pool ${spUUID}`,
    command: FMT('StoragePool.connect', connectPoolParams),
    undoCommand: FMT('StoragePool.disconnect', { storagepoolID: spUUID, hostID: input.hostIdNumber, scsiKey: spUUID, remove: false }),
    async run() {
      await api.connectStoragePool(connectPoolParams);
    },
    async undo() {
      await api.disconnectStoragePool(spUUID, input.hostIdNumber, spUUID, false);
    },
  });
  const spmParams = { storagepoolID: spUUID, prevID: -1, prevLver: '-1', enableScsiFencing: 'false', maxHostID: 250, domVersion: String(input.domainVersion) };
  steps.push({
    title: 'Become SPM (asynchronous task, polled until finished)',
    command: `${FMT('StoragePool.spmStart', spmParams)}\nthen poll: Task.getStatus {"taskID":"<task>"} until finished`,
    undoCommand: FMT('StoragePool.spmStop', { storagepoolID: spUUID }),
    async run(ctx) {
      rt.taskID = await api.spmStart(spmParams);
      ctx.log(`spmStart task ${rt.taskID}`);
      await api.waitTask(rt.taskID, { timeoutMs: 180_000, intervalMs: deps.taskPollMs ?? 500, signal: ctx.signal });
    },
    async undo() {
      await api.spmStop(spUUID);
    },
  });
  steps.push({
    title: 'Clear the finished SPM task',
    command: FMT('Task.clear', { taskID: '<task>' }),
    undoCommand: null,
    async run() {
      if (rt.taskID) await api.clearTask(rt.taskID);
    },
  });
  steps.push({
    title: `Activate storage domain ${sdUUID} in pool ${spUUID}`,
    command: FMT('StorageDomain.activate', { storagedomainID: sdUUID, storagepoolID: spUUID }),
    undoCommand: null,
    async run() {
      await api.activateStorageDomain(sdUUID, spUUID);
    },
  });
  steps.push({
    title: 'Reconnect the pool so the host sees the active master domain',
    command: FMT('StoragePool.connect', connectPoolParams),
    undoCommand: null,
    async run() {
      await api.connectStoragePool(connectPoolParams);
    },
  });

  const confMasked = buildHostedEngineConf(facts, { includePassword: false, mask: MASK });
  if (opts.writeConf) {
    if (!deps.runner) throw new Error('Writing hosted-engine.conf needs an SSH connection to the host.');
    const runner = deps.runner;
    steps.push({
      title: `Write the storage keys into ${HE_CONF_PATH} on ${deps.host.label} (atomic, keeps a backup)`,
      command: `write ${HE_CONF_PATH}: ${buildHostedEngineConfKeys(facts, { includePassword: false, mask: MASK })
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
      undoCommand: `restore ${HE_CONF_PATH} from its backup`,
      async run(ctx) {
        rt.confWritten = await writeHostedEngineConf(runner, buildHostedEngineConfKeys(facts, { includePassword: true, mask: MASK }), ctx.signal);
        ctx.log(`wrote ${rt.confWritten.path}${rt.confWritten.backup ? `, backup ${rt.confWritten.backup}` : ''}`);
      },
    });
  }
  if (isIscsi && (input as IscsiStorageInput).loginChap.password) warnings.push(CLEAR_TEXT_PASSWORD_NOTE);

  return {
    kind: 'hosted-engine-storage',
    title: `Hosted-engine storage on ${deps.host.label}: ${input.storageType === 'iscsi' ? `${input.target.iqn} LUN ${input.lunGuid}` : `${input.server}:${input.exportPath}`}`,
    hostIds: [deps.host.id],
    lockKeys: [`host:${deps.host.id}`, `vdsm-pool:${deps.host.id}`],
    steps,
    warnings,
    secrets,
    artifacts: [
      { name: 'he-storage-answers.conf', content: buildAnswerFile(facts) },
      { name: 'hosted-engine.conf (storage keys)', content: confMasked },
    ],
    async verify(): Promise<HostedEngineResult> {
      const final: HeStorageFacts = { ...facts, vgUUID: rt.vgUUID ?? undefined };
      return {
        pool: { spUUID, name: input.poolName },
        domain: { sdUUID, name: input.domainName, totalBytes: parseBytes(rt.stats?.disktotal).toString(), freeBytes: parseBytes(rt.stats?.diskfree).toString() },
        vg: rt.vgInfo
          ? {
              vgUUID: rt.vgInfo.vgUUID,
              name: rt.vgInfo.name,
              sizeBytes: parseBytes(rt.vgInfo.vgsize).toString(),
              freeBytes: parseBytes(rt.vgInfo.vgfree).toString(),
              state: rt.vgInfo.state,
              pvs: (rt.vgInfo.pvlist ?? []).map((p) => String(p.GUID ?? '')),
            }
          : undefined,
        warnings: rt.warnings,
        answerFile: buildAnswerFile(final),
        hostedEngineConf: buildHostedEngineConf(final, { includePassword: false, mask: MASK }),
        confWritten: rt.confWritten,
      };
    },
  };
}
