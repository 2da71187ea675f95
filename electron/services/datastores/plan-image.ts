// Plans for images of existing LUNs (one.image.allocate with PATH = IQN/LUN, persistent), their
// removal (the image only: the LUN stays), and a datastore's removal (optionally with its libvirt
// secret on the cluster's KVM hosts, which destroys the stored value: a danger).
import { PorticoError } from '../../../shared/contract-kit';
import { formatSize } from '../../../shared/domain/target';
import { parseImagePath, type ImagesInput } from '../../../shared/domain/opennebula';
import type { Operation, Plan, PlanStep } from '../jobs/operation';
import type { OneImage } from '../opennebula/info';
import { DS_DELETE, IMAGE_ALLOCATE, IMAGE_DELETE } from '../opennebula/ops';
import { imageAttrs, renderTemplateText, type TemplateAttrs } from '../opennebula/template';
import { SECRET_UNDEFINE } from '../libvirt/ops';
import { clusterKvmHosts } from './plan-datastore';
import type { PlanDeps } from './plan-deps';

const bad = (field: string, message: string) => new PorticoError('invalid-input', message, field);
export const ISCSI_DS_MADS = ['iscsi_libvirt', 'iscsi'];

/** The IQN/LUN an image maps to: ISCSI_IQN when set (it replaces PATH as the libvirt name), else PATH. */
export function imageTarget(im: Pick<OneImage, 'path' | 'source' | 'template'>) {
  return parseImagePath(im.template.ISCSI_IQN || im.path || im.source);
}

export async function planImages(deps: PlanDeps, i: ImagesInput): Promise<Plan> {
  const one = deps.one(i.frontendId);
  const ds = (await one.datastores()).find((d) => d.id === i.datastoreId);
  if (!ds) throw bad('datastoreId', `datastoreId: OpenNebula has no datastore ${i.datastoreId}; reload the Datastores page`);
  if (!ISCSI_DS_MADS.includes(ds.dsMad)) throw bad('datastoreId', `datastoreId: datastore ${ds.id} "${ds.name}" uses the ${ds.dsMad} driver, not an iSCSI one: choose an iSCSI datastore`);
  const images = await one.images();
  const steps: PlanStep[] = [];
  const warnings = ['OpenNebula shows these images with size 0: Portico shows the LUN sizes beside them.', 'Images are registered persistent: this datastore only accepts persistent images.'];
  const artifacts: { name: string; content: string }[] = [];
  for (const [n, spec] of i.images.entries()) {
    const taken = images.find((x) => x.name === spec.name);
    if (taken) throw bad(`images.${n}.name`, `images.${n}.name: OpenNebula already has an image named "${spec.name}" (id ${taken.id}); choose another name`);
    const same = images.find((x) => { const t = imageTarget(x); return t.iqn === spec.iqn && t.lun === spec.lun; });
    if (same) throw bad(`images.${n}.lun`, `images.${n}.lun: ${spec.iqn}/${spec.lun} is already image ${same.id} "${same.name}"; two images on one LUN would let two VMs write it`);
    let size = '';
    if (spec.serverId) {
      const l = await deps.lun(spec.iqn, spec.lun, spec.serverId);
      if (!l || !l.targetLuns) throw bad(`images.${n}.iqn`, `images.${n}.iqn: ${deps.hostLabel(spec.serverId)} has no target ${spec.iqn}; pick a target from the live list`);
      if (!l.exists) throw bad(`images.${n}.lun`, `images.${n}.lun: target ${spec.iqn} on ${l.serverName} has no LUN ${spec.lun} (it has ${l.targetLuns.map((x) => x.lun).join(', ') || 'none'})`);
      size = l.sizeBytes !== null ? `, ${formatSize(l.sizeBytes)}` : '';
    } else warnings.push(`${spec.iqn}/${spec.lun} is not on a storage server Portico manages: its size and sessions are not shown, and nothing stops that LUN from being deleted while this image maps to it.`);
    const attrs = imageAttrs(spec);
    artifacts.push({ name: `${spec.name}.img`, content: renderTemplateText(attrs) });
    steps.push({ title: `Register image "${spec.name}" for ${spec.iqn}/${spec.lun}${size} in datastore ${ds.id} "${ds.name}"`, ops: [{ kind: IMAGE_ALLOCATE, host: i.frontendId, params: { name: spec.name, datastoreId: ds.id, template: attrs } }] });
  }
  return {
    kind: 'datastores.images',
    title: i.images.length === 1 ? `Register image "${i.images[0].name}" in datastore "${ds.name}"` : `Register ${i.images.length} images in datastore "${ds.name}"`,
    hostIds: [i.frontendId],
    lockKeys: [`one:${i.frontendId}`],
    steps,
    warnings,
    artifacts,
  };
}

/** The attributes that register the image again (the undo of a delete). */
export function reRegisterAttrs(im: OneImage): TemplateAttrs {
  const a: TemplateAttrs = [['NAME', im.name], ['PATH', im.path || im.source], ['PERSISTENT', im.persistent ? 'YES' : 'NO'], ['TYPE', im.type]];
  for (const k of ['ISCSI_HOST', 'ISCSI_USER', 'ISCSI_USAGE', 'ISCSI_IQN', 'DESCRIPTION']) if (im.template[k]) a.push([k, im.template[k]]);
  return a;
}

export async function planImageDelete(deps: PlanDeps, i: { frontendId: string; imageId: number }): Promise<Plan> {
  const one = deps.one(i.frontendId);
  const im = (await one.images()).find((x) => x.id === i.imageId);
  if (!im) throw bad('imageId', `imageId: OpenNebula has no image ${i.imageId}; reload the Datastores page`);
  const t = imageTarget(im);
  return {
    kind: 'datastores.imageDelete',
    title: `Remove image ${im.id} "${im.name}" from OpenNebula (the LUN ${t.iqn}/${t.lun} stays)`,
    hostIds: [i.frontendId],
    lockKeys: [`one:${i.frontendId}`],
    steps: [{ title: `Delete image ${im.id} "${im.name}" (OpenNebula only)`, ops: [{ kind: IMAGE_DELETE, host: i.frontendId, params: { id: im.id, name: im.name, datastoreId: im.datastoreId, template: reRegisterAttrs(im) } }] }],
    warnings: [`Only the OpenNebula image goes: LUN ${t.iqn}/${t.lun} and its data stay on the storage server.`, ...(im.state.startsWith('used') ? [`The image is ${im.state}: OpenNebula refuses to delete it while a VM uses it.`] : [])],
  };
}

export async function planDatastoreDelete(deps: PlanDeps, i: { frontendId: string; datastoreId: number; removeSecrets: boolean }): Promise<Plan> {
  const one = deps.one(i.frontendId);
  const ds = (await one.datastores()).find((d) => d.id === i.datastoreId);
  if (!ds) throw bad('datastoreId', `datastoreId: OpenNebula has no datastore ${i.datastoreId}; reload the Datastores page`);
  const imgs = (await one.images()).filter((x) => x.datastoreId === ds.id);
  if (imgs.length) throw bad('datastoreId', `datastoreId: datastore ${ds.id} "${ds.name}" still has image(s) ${imgs.map((x) => `${x.id} "${x.name}"`).join(', ')}; remove them first (their LUNs stay)`);
  const template: TemplateAttrs = Object.entries(ds.template).filter(([k]) => /^[A-Z0-9_]+$/.test(k));
  if (!template.some(([k]) => k === 'NAME')) template.unshift(['NAME', ds.name]);
  const steps: PlanStep[] = [{ title: `Delete datastore ${ds.id} "${ds.name}" from OpenNebula`, ops: [{ kind: DS_DELETE, host: i.frontendId, params: { id: ds.id, name: ds.name, clusterId: ds.clusterIds[0] ?? -1, template } }] }];
  const dangers: string[] = [];
  const hostIds = [i.frontendId];
  const usage = ds.template.ISCSI_USAGE;
  if (i.removeSecrets) {
    if (!usage) throw bad('removeSecrets', `removeSecrets: datastore "${ds.name}" has no ISCSI_USAGE, so there is no libvirt secret to remove`);
    for (const cid of ds.clusterIds.length ? ds.clusterIds : [0]) {
      const { hosts } = await clusterKvmHosts(deps, i.frontendId, cid);
      for (const h of hosts) {
        if (!h.porticoId) continue;
        const s = await deps.readSecrets(h.porticoId, usage);
        if (!s.match) continue;
        const ops: Operation[] = [{ kind: SECRET_UNDEFINE, host: h.porticoId, params: { uuid: s.match.uuid, usage, data: true } }];
        steps.push({ title: `Undefine the libvirt secret ${usage} (${s.match.uuid}) on ${deps.hostLabel(h.porticoId)}`, ops });
        hostIds.push(h.porticoId);
      }
    }
    if (steps.length > 1) dangers.push(`The libvirt secret ${usage} is removed from ${steps.length - 1} host(s): VMs whose disks use that usage name (other datastores or images may share it) can no longer log in to their targets, and the value cannot be restored from the hosts (it is private).`);
  }
  return {
    kind: 'datastores.datastoreDelete',
    title: `Remove datastore ${ds.id} "${ds.name}" from OpenNebula`,
    hostIds,
    lockKeys: [`one:${i.frontendId}`, ...hostIds.slice(1).map((h) => `host:${h}`)],
    steps,
    warnings: ['Only the OpenNebula datastore goes: the targets and LUNs stay on the storage servers.'],
    dangers,
  };
}
