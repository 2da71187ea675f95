// The Datastores page: the front-end's datastores, each iSCSI datastore's images with the LUN each
// maps to and that LUN's live state, and orphans both ways with the plan call that fixes each: an
// image without its LUN (fix: remove the image; the LUN is not there to lose) and a LUN of a target
// the datastore's images use that has no image (fix: register it).
import type { DatastoresView, DatastoreView, FrontendView, ImageView, OrphanLunView } from '../../../shared/domain/opennebula-views';
import type { OneDatastore, OneImage } from '../opennebula/info';
import { driversFor } from '../opennebula/drivers';
import { lookupLun, lunBytes, type TargetsIndex } from './luns';
import { ISCSI_DS_MADS, imageTarget } from './plan-image';

const shortName = (iqn: string) => (iqn.split(':').pop() || 'lun').replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60);

export function buildDatastoresView(frontend: FrontendView, version: string, datastores: OneDatastore[], images: OneImage[], idx: TargetsIndex): DatastoresView {
  const fid = frontend.hostId;
  const orphanLuns: OrphanLunView[] = [];
  const views: DatastoreView[] = datastores.map((d) => {
    const iscsi = ISCSI_DS_MADS.includes(d.dsMad) && (d.diskType === 'ISCSI' || d.dsMad === 'iscsi_libvirt');
    const mine = images.filter((im) => im.datastoreId === d.id);
    const used = new Map<string, Set<number>>();
    const imgs: ImageView[] = mine.map((im) => {
      const t = imageTarget(im);
      const live = iscsi ? lookupLun(idx, t.iqn, t.lun) : null;
      if (iscsi) used.set(t.iqn, (used.get(t.iqn) ?? new Set()).add(t.lun));
      let orphanReason: string | null = null;
      if (iscsi && !t.suffix) orphanReason = `PATH has no /LUN suffix: libvirt uses LUN 0, which on tgt is the controller, not a disk`;
      else if (iscsi && !live) orphanReason = `no storage server Portico manages has target ${t.iqn}`;
      else if (iscsi && live && !live.exists) orphanReason = `target ${t.iqn} on ${live.serverName} has no LUN ${t.lun}`;
      return {
        id: im.id,
        name: im.name,
        path: im.path || im.source,
        iqn: t.iqn,
        lun: t.lun,
        missingLunSuffix: !t.suffix,
        persistent: im.persistent,
        type: im.type,
        state: im.state,
        oneSizeMb: im.sizeMb,
        iscsiHost: im.template.ISCSI_HOST || d.template.ISCSI_HOST || null,
        lun_: live ? { serverId: live.serverId, serverName: live.serverName, exists: live.exists, sizeBytes: live.exists ? live.sizeBytes : null, sessions: live.sessions, initiators: live.initiators } : null,
        orphan: orphanReason !== null,
        orphanReason,
        fix: orphanReason ? { call: 'datastores.planImageDelete', input: { frontendId: fid, imageId: im.id }, label: `Remove image "${im.name}" (nothing on the storage server changes)` } : null,
      };
    });
    for (const [iqn, luns] of used) {
      const hit = idx.byIqn.get(iqn);
      if (!hit) continue;
      for (const l of hit.target.luns) {
        if (l.lun === 0 || luns.has(l.lun)) continue;
        const taken = images.some((im) => { const t = imageTarget(im); return t.iqn === iqn && t.lun === l.lun; });
        if (taken) continue;
        orphanLuns.push({
          serverId: hit.serverId,
          serverName: hit.serverName,
          iqn,
          lun: l.lun,
          sizeBytes: lunBytes(l),
          sessions: hit.target.sessions.length,
          datastoreId: d.id,
          fix: { call: 'datastores.planImage', input: { frontendId: fid, datastoreId: d.id, images: [{ name: `${shortName(iqn)}-lun${l.lun}`, iqn, lun: l.lun, serverId: hit.serverId, type: 'DATABLOCK' }] }, label: `Register LUN ${l.lun} as an image in "${d.name}"` },
        });
      }
    }
    return {
      id: d.id,
      name: d.name,
      dsMad: d.dsMad,
      tmMad: d.tmMad,
      diskType: d.diskType,
      type: d.type,
      clusterIds: d.clusterIds,
      iscsiHost: d.template.ISCSI_HOST ?? null,
      iscsiUser: d.template.ISCSI_USER ?? null,
      iscsiUsage: d.template.ISCSI_USAGE ?? null,
      iscsi,
      images: imgs,
    };
  });
  return { frontend, drivers: driversFor(version), datastores: views, orphanLuns, problems: idx.problems };
}
