// Volume groups and storage domains: create/remove VG, create/format domain, activate/deactivate.
import { z } from 'zod';
import type { OperationKind } from '../jobs/operation';
import { ZERO_UUID, type VdsmApi } from './api';
import { FMT, isCode, orRef, sdExists, Uuid, type VdsmApis } from './kind-common';

/** The volume-group and storage-domain kinds over the per-host APIs. */
export function storageKinds(apis: VdsmApis) {
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

  return { createVG, removeVG, createSD, formatSD, activate, deactivate };
}
