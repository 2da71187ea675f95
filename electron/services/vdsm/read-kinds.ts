// Read-only VDSM kinds: discovery, repository and domain stats, VG info (readOnly so the plan keeps
// the seed transcript's call order).
import { z } from 'zod';
import type { OperationKind } from '../jobs/operation';
import { timeoutMessage, VdsmTransportError } from './errors';
import { parseSendTargets } from './api';
import { FMT, orRef, readOnly, Uuid, type VdsmApis } from './kind-common';

/** The read kinds over the per-host APIs. */
export function readKinds(apis: VdsmApis) {
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

  return { discover, repoStats, sdStats, vgInfo };
}
