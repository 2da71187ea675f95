// planHostedEngineStorage: turns validated wizard input plus the live state read at plan time into
// a Plan (data: steps of typed VDSM operations, see ../vdsm/ops.ts and ./ops.ts), in the order of
// the seed's transcript (../shared/seeds/000, both branches):
//  - device not yet known on the host: discover -> connect (all-zero ids) -> getDeviceList ->
//    repoStats -> createVG -> ...
//  - device already known: getDeviceList -> createVG -> ...
// then createStorageDomain, stats, VG info, pool connect/create/connect, StoragePool.connect,
// spmStart (async task, polled), Task.clear, activate, connect again, and on request the
// hosted-engine.conf write (file.put, pre-state captured at plan time). Runtime values (the VG's
// LVM UUID, the SPM task id, the LUN's paths) flow through operation outputs and { $out } refs;
// the job result is the he.result read-back. Commands shown for review have passwords as ******.
import { randomUUID } from 'node:crypto';
import type { HeApplyResult } from '../../../shared/domain/hosted-engine-views';
import { MASK } from '../../../shared/plan';
import type { HostedEngineStorageInput, IscsiStorageInput, NfsStorageInput } from '../../../shared/domain/hosted-engine';
import type { Operation, Plan, PlanStep } from '../jobs/operation';
import { filePut, type FileState } from '../remote/files';
import { DomainClass, DomainType, ZERO_UUID, type BlockDeviceInfo, type IscsiConnection, type NfsConnection } from '../vdsm/api';
import { devicesForTarget, checkLunChoice, lunRow } from './luns';
import { buildAnswerFile, buildHostedEngineConf, buildHostedEngineConfKeys, CLEAR_TEXT_PASSWORD_NOTE, mergeHostedEngineConf, type HeStorageFacts } from './outputs';
import { createHash } from 'node:crypto';

export const HE_CONF_PATH = '/etc/ovirt-hosted-engine/hosted-engine.conf';
export const HE_CONF_DIR = '/etc/ovirt-hosted-engine';
/**
 * A new hosted-engine.conf: 0640, owner root, group kvm (gid 36, fixed on oVirt hosts). It holds
 * the CHAP password in clear, so nobody else may read it; ovirt-ha-agent runs as vdsm:kvm and must
 * (0600 root would lock the HA agent out). An existing file keeps its own mode and owner.
 */
export const HE_CONF_NEW_MODE = '640';
export const HE_CONF_NEW_OWNER = '0:36';

export const PLAN_KIND = 'hosted-engine-storage';

export interface HostedEnginePlanDeps {
  /** Portico host id and label ("hv1 (10.0.0.5)"). */
  host: { id: string; label: string };
  /**
   * The device list the wizard last read from this host before its own login (Host.getDeviceList),
   * or null when none was read (e.g. input imported from an answer file). Decides the seed branch.
   */
  knownDevices: BlockDeviceInfo[] | null;
  /**
   * The device list read when the plan is built (the pre-state): connections whose session the
   * host already has are left alone by the undo. Defaults to knownDevices.
   */
  liveDevices?: BlockDeviceInfo[] | null;
  /** The host's initiator IQN, for the "no LUNs" diagnosis. */
  initiatorName?: string | null;
  /** hosted-engine.conf and its folder as they are now (needed with writeConf). */
  conf?: { pre: FileState; dirExists: boolean; /** Tests write elsewhere. */ path?: string };
  newUuid?: () => string;
  discoverTimeoutMs?: number;
}

export interface HostedEnginePlanOptions {
  /** Also write the storage keys into hosted-engine.conf on the host (atomic; the undo restores the old bytes, mode and owner). */
  writeConf?: boolean;
}

/** The job result (the he.result read-back); the renderer reads the same type. */
export type HostedEngineResult = HeApplyResult;

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** Whether a LUN is visible with an active path through the chosen target. */
export function deviceKnown(devs: readonly BlockDeviceInfo[] | null, iqn: string, guid: string): boolean {
  if (!devs) return false;
  const d = devicesForTarget(devs, iqn).find((x) => x.GUID === guid);
  return !!d && (d.pathstatus ?? []).some((p) => p.state === 'active');
}

/** Indexes of the iSCSI connections the host already has a path through. */
function preConnected(devs: readonly BlockDeviceInfo[] | null | undefined, conns: readonly IscsiConnection[]): number[] {
  const paths = (devs ?? []).flatMap((d) => d.pathlist ?? []);
  return conns.map((c, i) => (paths.some((p) => p.connection === c.connection && String(p.port) === String(c.port) && p.iqn === c.iqn && String(p.portal) === String(c.tpgt)) ? i : -1)).filter((i) => i >= 0);
}

export async function planHostedEngineStorage(input: HostedEngineStorageInput, deps: HostedEnginePlanDeps, opts: HostedEnginePlanOptions = {}): Promise<Plan> {
  const uuid = deps.newUuid ?? randomUUID;
  const sdUUID = input.ids?.sdUUID ?? uuid();
  const spUUID = input.ids?.spUUID ?? uuid();
  const connectionId = input.ids?.connectionId ?? uuid();
  const host = deps.host.id;
  const steps: PlanStep[] = [];
  const warnings: string[] = [];
  // Forcing a used LUN destroys its data: a warning of its own that the admin must confirm.
  const dangers: string[] = [];
  const secrets: string[] = [];
  const op = (kind: string, params: Record<string, unknown>, out?: string): Operation => ({ kind, host, params, ...(out ? { out } : {}) });
  const step = (title: string, ...ops: Operation[]) => steps.push({ title, ops });
  const live = deps.liveDevices === undefined ? deps.knownDevices : deps.liveDevices;

  let facts: HeStorageFacts;
  let domainType: number;
  let poolConns: Array<IscsiConnection | NfsConnection>;
  let poolPre: number[] = [];
  let typeArgs: unknown;
  const isIscsi = input.storageType === 'iscsi';

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
    poolPre = preConnected(live, poolConns as IscsiConnection[]);
    typeArgs = { $out: 'vg' };
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
      if (row.usedBy && inp.forceUsedLun) dangers.push(`LUN ${inp.lunGuid} is in use (${row.reason}). Forcing will destroy its data.`);
      facts.discardSupport = (knownRow.discard_max_bytes ?? 0) > 0;
    }
    if (inp.forceUsedLun) {
      dangers.push(`Creating the volume group with force wipes whatever LUN ${inp.lunGuid} holds: that step cannot be undone (a rollback removes the new volume group, not the old data). It runs only after the login and the LUN checks.`);
    }

    if (!known) {
      // Seed branch 1: the device is not known on this host yet.
      for (const p of inp.portals) {
        step(
          `Discover targets on portal ${p.address}:${p.port}${inp.discoveryChap.user ? ' (discovery CHAP)' : ''}`,
          op('vdsm.discoverSendTargets', { host: p.address, port: p.port, user: inp.discoveryChap.user, password: inp.discoveryChap.password, expect: { iqn: inp.target.iqn, tpgt: inp.target.tpgt }, timeoutMs: deps.discoverTimeoutMs ?? 60_000 }),
        );
      }
      const lookup = inp.target.portals.map((p) => conn(p, ZERO_UUID));
      step(
        `Log in to ${inp.target.iqn} (TPGT ${inp.target.tpgt}) through ${inp.target.portals.length} portal(s)`,
        op('vdsm.connectStorageServer', { storagepoolID: ZERO_UUID, domainType, connectionParams: lookup, preConnected: preConnected(live, lookup), activePaths: [], rereadVg: null }, 'login'),
      );
    }
    step(
      `Read the host's LUNs and check ${inp.lunGuid} is visible, large enough and ${inp.forceUsedLun ? 'may be wiped (forced)' : 'free'}`,
      op('he.checkLun', { iqn: inp.target.iqn, lunGuid: inp.lunGuid, diskSizeGiB: inp.diskSizeGiB, force: inp.forceUsedLun, initiatorName: deps.initiatorName ?? null }, 'lun'),
    );
    if (!known) step('Read storage domain monitoring (domains that became visible after the login)', op('vdsm.getStorageRepoStats', {}));
    step(
      `Create volume group ${sdUUID} on LUN ${inp.lunGuid}${inp.forceUsedLun ? ' (FORCED: existing data is destroyed)' : ''}`,
      op('vdsm.createVG', { name: sdUUID, devlist: [inp.lunGuid], force: inp.forceUsedLun }, 'vg'),
    );
  } else {
    const inp: NfsStorageInput = input;
    domainType = DomainType.NFS;
    const remote = `${inp.server}:${inp.exportPath}`;
    const version = inp.storageType === 'nfs4' ? '4' : '3';
    poolConns = [{ id: connectionId, connection: remote, version }];
    typeArgs = remote;
    facts = { storageType: inp.storageType, domainName: inp.domainName, sdUUID, spUUID, connectionUUID: connectionId, server: inp.server, exportPath: inp.exportPath };
    step(`Mount ${remote} (NFSv${version}) on the host`, op('vdsm.connectStorageServer', { storagepoolID: ZERO_UUID, domainType, connectionParams: [{ id: ZERO_UUID, connection: remote, version }], preConnected: [], activePaths: [], rereadVg: null }, 'login'));
  }

  step(
    `Create storage domain "${input.domainName}" (${sdUUID}), format V${input.domainVersion}`,
    op('vdsm.createStorageDomain', { storagedomainID: sdUUID, domainType, typeArgs, name: input.domainName, domainClass: DomainClass.Data, version: input.domainVersion }),
  );
  step('Read the new domain\'s size and free space', op('vdsm.getStorageDomainStats', { storagedomainID: sdUUID }, 'stats'));
  if (isIscsi) step('Read the volume group', op('vdsm.getVGInfo', { lvmvolumegroupID: { $out: 'vg' } }));

  // Pool phase: connect with the pool id and real connection ids, as the engine would.
  const connectForPool = (n: number) =>
    step(
      `Connect the storage for pool ${spUUID}${n > 1 ? ' again (after pool creation)' : ''}${isIscsi ? ', then re-read the volume group when new sessions were made' : ''}`,
      op('vdsm.connectStorageServer', {
        storagepoolID: spUUID,
        domainType,
        connectionParams: poolConns,
        preConnected: poolPre,
        activePaths: isIscsi ? { $out: 'lun', path: 'activePaths' } : [],
        rereadVg: isIscsi ? { $out: 'vg' } : null,
      }, `pool-connect-${n}`),
    );
  connectForPool(1);
  step(
    `Create storage pool "${input.poolName}" (${spUUID}) with master domain ${sdUUID}`,
    op('vdsm.createStoragePool', {
      storagepoolID: spUUID, name: input.poolName, masterSdUUID: sdUUID, domainList: [sdUUID], masterVersion: 1,
      lockRenewalIntervalSec: 5, leaseTimeSec: 60, ioOpTimeoutSec: 10, leaseRetries: 3, hostID: input.hostIdNumber,
    }),
  );
  connectForPool(2);
  const connectPool = (again: boolean) => op('vdsm.connectStoragePool', { storagepoolID: spUUID, hostID: input.hostIdNumber, scsiKey: spUUID, masterSdUUID: sdUUID, masterVersion: 1, again });
  step(`Connect host id ${input.hostIdNumber} to pool ${spUUID}`, connectPool(false));
  step(
    'Become SPM (asynchronous task, polled until finished)',
    op('vdsm.spmStart', { storagepoolID: spUUID, prevID: -1, prevLver: '-1', enableScsiFencing: 'false', maxHostID: 250, domVersion: String(input.domainVersion) }, 'spm'),
  );
  step('Clear the finished SPM task', op('vdsm.taskClear', { taskID: { $out: 'spm', path: 'taskID' } }));
  step(`Activate storage domain ${sdUUID} in pool ${spUUID}`, op('vdsm.activateStorageDomain', { storagedomainID: sdUUID, storagepoolID: spUUID, masterVersion: 1 }));
  step('Reconnect the pool so the host sees the active master domain', connectPool(true));

  const confMasked = buildHostedEngineConf(facts, { includePassword: false, mask: MASK });
  let confWritten: { path: string; sha256: string } | null = null;
  let confFresh: { path: string; sha256: string | null } | null = null;
  if (opts.writeConf) {
    if (!deps.conf) throw new Error('Writing hosted-engine.conf needs its current state from the host (read over SSH).');
    const pre = deps.conf.pre;
    const path = deps.conf.path ?? HE_CONF_PATH;
    const dir = path.slice(0, path.lastIndexOf('/')) || '/';
    const content = mergeHostedEngineConf(pre.content ?? '', buildHostedEngineConfKeys(facts, { includePassword: true, mask: MASK }));
    const fresh = pre.content === null;
    const ops: Operation[] = [];
    if (!deps.conf.dirExists) ops.push({ kind: 'dir.create', host, params: { path: dir, mode: '755', owner: null } });
    ops.push(filePut(host, path, content, pre, fresh ? { mode: HE_CONF_NEW_MODE, owner: HE_CONF_NEW_OWNER } : {}));
    step(
      `Write the storage keys into ${path} on ${deps.host.label} (atomic; ${fresh ? `new file, mode 0${HE_CONF_NEW_MODE} root:kvm` : 'keeps its mode and owner; the undo puts the previous bytes back'})`,
      ...ops,
    );
    confWritten = { path, sha256: sha(content) };
    confFresh = { path, sha256: pre.content === null ? null : sha(pre.content) };
  }
  if (isIscsi && (input as IscsiStorageInput).loginChap.password) warnings.push(CLEAR_TEXT_PASSWORD_NOTE);

  // The result's facts: everything but the password (the read-back shows hosted-engine.conf masked).
  const { loginPassword: pw, ...rest } = facts;
  const publicFacts = { ...rest, ...(pw ? { loginPassword: MASK } : {}) };
  return {
    kind: PLAN_KIND,
    title: `Hosted-engine storage on ${deps.host.label}: ${input.storageType === 'iscsi' ? `${input.target.iqn} LUN ${input.lunGuid}` : `${input.server}:${input.exportPath}`}`,
    hostIds: [host],
    lockKeys: [`host:${host}`, `vdsm-pool:${host}`],
    steps,
    warnings,
    dangers,
    secrets,
    artifacts: [
      { name: 'he-storage-answers.conf', content: buildAnswerFile(facts) },
      { name: 'hosted-engine.conf (storage keys)', content: confMasked },
    ],
    fresh: [{ kind: 'he.fresh', host, params: { sdUUID, spUUID, conf: confFresh } }],
    verify: [
      {
        kind: 'he.result',
        host,
        params: {
          facts: { ...publicFacts, ...(isIscsi ? { discardSupport: { $out: 'lun', path: 'discard' } } : {}) },
          poolName: input.poolName,
          vgUUID: isIscsi ? { $out: 'vg' } : null,
          warnings: [{ $out: 'pool-connect-1', path: 'warnings' }, { $out: 'pool-connect-2', path: 'warnings' }],
          conf: confWritten,
        },
      },
    ],
  };
}
