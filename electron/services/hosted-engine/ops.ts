// The hosted-engine plan's own kinds, beside the generic VDSM verbs (../vdsm/ops.ts) and the shared
// file writer (file.put): the LUN read that refuses a LUN that is not usable, the freshness check
// run right before apply, and the read-back whose result is the wizard's Result page.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CheckKind, CheckOutcome, Operation, OperationKind, VerifyOutcome } from '../jobs/operation';
import { MASK } from '../../../shared/plan';
import type { HeApplyResult } from '../../../shared/domain/hosted-engine-views';
import { DomainType } from '../vdsm/api';
import { VdsmError } from '../vdsm/errors';
import { FMT, type VdsmApis } from '../vdsm/ops';
import { noLunsMessage } from '../vdsm/errors';
import { checkLunChoice, devicesForTarget, lunRow, parseBytes } from './luns';
import { buildAnswerFile, buildHostedEngineConf, type HeStorageFacts } from './outputs';

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const isCode = (e: unknown, ...codes: number[]) => e instanceof VdsmError && codes.includes(e.code);
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export interface LunCheckOutput {
  guid: string;
  capacity: string;
  status: string;
  discard: boolean;
  /** Paths with an active state, without the CHAP credentials VDSM echoes in path info. */
  activePaths: { connection: string; port: string; iqn: string }[];
}

const LunCheckParams = z.object({
  iqn: z.string().min(1),
  lunGuid: z.string().min(1),
  diskSizeGiB: z.number(),
  force: z.boolean(),
  initiatorName: z.string().nullable(),
}).strict();

const FactsSchema = z.object({
  storageType: z.enum(['iscsi', 'nfs3', 'nfs4']),
  domainName: z.string(),
  sdUUID: z.string(),
  spUUID: z.string(),
  vgUUID: z.string().optional(),
  connectionUUID: z.string(),
  portals: z.array(z.object({ address: z.string(), port: z.number() }).strict()).optional(),
  iqn: z.string().optional(),
  tpgt: z.string().optional(),
  lunGuid: z.string().optional(),
  loginUser: z.string().optional(),
  /** Always the mask: the read-back shows hosted-engine.conf without the password. */
  loginPassword: z.literal(MASK).optional(),
  discoveryUser: z.string().optional(),
  discardSupport: z.union([z.boolean(), z.string()]).optional(),
  server: z.string().optional(),
  exportPath: z.string().optional(),
}).strict();

const ResultParams = z.object({
  facts: FactsSchema,
  poolName: z.string(),
  /** The LVM UUID createVG returned (iSCSI), or null (NFS). */
  vgUUID: z.string().nullable(),
  /** Warnings the connects reported (their outputs). */
  warnings: z.array(z.union([z.array(z.string()), z.string()])),
  /** The hosted-engine.conf the plan wrote: path and sha256 of the bytes. */
  conf: z.object({ path: z.string(), sha256: z.string() }).strict().nullable(),
}).strict();
export type HeResultParams = z.infer<typeof ResultParams>;

const FreshParams = z.object({
  sdUUID: z.string(),
  spUUID: z.string(),
  /** hosted-engine.conf as it was at plan time (sha256, null = absent); null = the plan does not write it. */
  conf: z.object({ path: z.string(), sha256: z.string().nullable() }).strict().nullable(),
}).strict();
export type HeFreshParams = z.infer<typeof FreshParams>;

/** Reads a file's bytes on a host (null = absent): file.put's reader over SSH in the app, a map in tests. */
export type ReadRemoteFile = (hostId: string, path: string) => Promise<string | null>;

export function hostedEngineKinds(apis: VdsmApis, readFile: ReadRemoteFile) {
  const checkLun: OperationKind<z.infer<typeof LunCheckParams>> = {
    kind: 'he.checkLun',
    schema: LunCheckParams,
    readOnly: true,
    describe: () => FMT('Host.getDeviceList', { storageType: DomainType.ISCSI }),
    async apply(p, host, ctx): Promise<LunCheckOutput> {
      const devs = await (await apis(host)).getDeviceList({ storageType: DomainType.ISCSI });
      const forTarget = devicesForTarget(devs, p.iqn);
      if (forTarget.length === 0) {
        const m = noLunsMessage(p.iqn, p.initiatorName);
        throw new Error(`${m.message} Next step: ${m.nextStep}`);
      }
      const d = forTarget.find((x) => x.GUID === p.lunGuid);
      if (!d) throw new Error(`LUN ${p.lunGuid} is not visible through ${p.iqn}. Next step: check the LUN mapping on the target and list LUNs again.`);
      const why = checkLunChoice(lunRow(d, p.diskSizeGiB), p.force);
      if (why) throw new Error(why);
      ctx.log(`LUN ${d.GUID}: ${d.capacity} bytes, status ${d.status}, ${(d.pathstatus ?? []).filter((x) => x.state === 'active').length} active path(s)`);
      const anyActive = (d.pathstatus ?? []).some((x) => x.state === 'active');
      return {
        guid: d.GUID,
        capacity: String(d.capacity),
        status: String(d.status),
        discard: (d.discard_max_bytes ?? 0) > 0,
        activePaths: anyActive ? (d.pathlist ?? []).map((x) => ({ connection: x.connection, port: String(x.port), iqn: x.iqn })) : [],
      };
    },
    inverse: () => [] as Operation[],
    verify: async (): Promise<VerifyOutcome> => ({ applied: true }),
  };

  const fresh: CheckKind<HeFreshParams> = {
    kind: 'he.fresh',
    schema: FreshParams,
    describe: (p) => `StorageDomain.getInfo {"storagedomainID":"${p.sdUUID}"} answers 358; Host.getConnectedStoragePools {} is empty${p.conf ? `; ${p.conf.path} is as read at plan time` : ''}`,
    async check(p, host): Promise<CheckOutcome> {
      const api = await apis(host);
      try {
        await api.getStorageDomainInfo(p.sdUUID);
        return { ok: false, reason: `storage domain ${p.sdUUID} already exists on the host`, found: p.sdUUID };
      } catch (err) {
        if (!isCode(err, 358)) throw err;
      }
      const pools = await api.getConnectedStoragePools();
      // VDSM connects a host to one pool only (323): another pool means the host is taken.
      if (pools.length) return { ok: false, reason: `the host is already connected to storage pool ${pools.join(', ')}`, found: pools };
      if (p.conf) {
        const now = await readFile(host, p.conf.path);
        const digest = now === null ? null : sha(now);
        if (digest !== p.conf.sha256) return { ok: false, reason: `${p.conf.path} changed since the plan was built`, found: digest ? 'changed' : 'absent' };
      }
      return { ok: true };
    },
  };

  const result: CheckKind<HeResultParams> = {
    kind: 'he.result',
    schema: ResultParams,
    describe: (p) =>
      [
        FMT('StorageDomain.getInfo', { storagedomainID: p.facts.sdUUID }),
        FMT('StorageDomain.getStats', { storagedomainID: p.facts.sdUUID }),
        ...(p.vgUUID ? [FMT('LVMVolumeGroup.getInfo', { lvmvolumegroupID: p.vgUUID })] : []),
        FMT('Host.getConnectedStoragePools', {}),
        FMT('StoragePool.getSpmStatus', { storagepoolID: p.facts.spUUID }),
        FMT('StoragePool.getInfo', { storagepoolID: p.facts.spUUID }),
        ...(p.conf ? [`sha256 of ${p.conf.path}`] : []),
      ].join('\n'),
    async check(p, host): Promise<CheckOutcome> {
      const api = await apis(host);
      const { sdUUID, spUUID } = p.facts;
      const found: Record<string, unknown> = {};
      let sdInfo: { pool?: string[]; role?: string } | null = null;
      try {
        sdInfo = (await api.getStorageDomainInfo(sdUUID)) as { pool?: string[]; role?: string };
      } catch (err) {
        if (!isCode(err, 358)) throw err;
      }
      found.domain = sdInfo;
      if (!sdInfo) return { ok: false, reason: `storage domain ${sdUUID} is not there`, found };
      if (!(sdInfo.pool ?? []).includes(spUUID)) return { ok: false, reason: `storage domain ${sdUUID} is not in pool ${spUUID}`, found };
      const stats = await api.getStorageDomainStats(sdUUID);
      const vg = p.vgUUID ? await api.getVGInfo(p.vgUUID).catch((e: unknown) => ({ error: errText(e) })) : null;
      if (vg && 'error' in vg) return { ok: false, reason: `volume group ${p.vgUUID} cannot be read: ${vg.error}`, found };
      const pools = await api.getConnectedStoragePools();
      found.connectedPools = pools;
      if (!pools.includes(spUUID)) return { ok: false, reason: `the host is not connected to pool ${spUUID}`, found };
      const spm = await api.getSpmStatus(spUUID);
      found.spm = spm;
      if (spm.spmStatus !== 'SPM') return { ok: false, reason: `the host is not the SPM of pool ${spUUID} (${spm.spmStatus})`, found };
      const info = (await api.getStoragePoolInfo(spUUID)) as { dominfo?: Record<string, { status?: string }> };
      const st = info.dominfo?.[sdUUID]?.status ?? null;
      found.domainStatus = st;
      if (st?.toLowerCase() !== 'active') return { ok: false, reason: `storage domain ${sdUUID} is ${st ?? 'not listed'} in pool ${spUUID}, not Active`, found };
      if (p.conf) {
        const now = await readFile(host, p.conf.path);
        if (now === null || sha(now) !== p.conf.sha256) return { ok: false, reason: `${p.conf.path} does not hold what the plan wrote`, found: { ...found, conf: now === null ? 'absent' : 'different bytes' } };
      }
      const facts: HeStorageFacts = {
        ...p.facts,
        discardSupport: typeof p.facts.discardSupport === 'boolean' ? p.facts.discardSupport : undefined,
        vgUUID: p.vgUUID ?? undefined,
      };
      const v = vg as Awaited<ReturnType<typeof api.getVGInfo>> | null;
      const res: HeApplyResult = {
        pool: { spUUID, name: p.poolName },
        domain: { sdUUID, name: p.facts.domainName, totalBytes: parseBytes(stats.disktotal).toString(), freeBytes: parseBytes(stats.diskfree).toString() },
        vg: v
          ? { vgUUID: v.vgUUID, name: v.name, sizeBytes: parseBytes(v.vgsize).toString(), freeBytes: parseBytes(v.vgfree).toString(), state: v.state, pvs: (v.pvlist ?? []).map((x) => String(x.GUID ?? '')) }
          : undefined,
        warnings: p.warnings.flat(),
        answerFile: buildAnswerFile(facts),
        hostedEngineConf: buildHostedEngineConf(facts, { includePassword: false, mask: MASK }),
        // The previous bytes, mode and owner are kept in the job's journal (its undo restores them), not in a backup file.
        confWritten: p.conf ? { path: p.conf.path, backup: null } : undefined,
      };
      return { ok: true, result: res };
    },
  };

  return { checkLun, fresh, result };
}
