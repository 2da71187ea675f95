// The Datastores feature's service: front-ends, the page's view, the plans, the tgt server check,
// and the usage check the targets planners ask before deleting a LUN or a target. Wires the
// planners' PlanDeps to oned (OnedClient), SSH (libvirt secrets) and the targets view.
import { randomUUID } from 'node:crypto';
import type { DatastoreDeleteInputSchema, DatastoreInput, ImageDeleteInputSchema, ImagesInput, RenderTemplateInputSchema } from '../../../shared/domain/opennebula';
import type { ClusterView, DatastoresView, PortalOption, RenderedTemplate } from '../../../shared/domain/opennebula-views';
import type { PlanView } from '../../../shared/plan';
import type { z } from 'zod';
import type { Db } from '../db';
import type { HostRepo } from '../hosts/host-repo';
import type { PlanRegistry } from '../jobs/registry';
import type { Plan } from '../jobs/operation';
import type { SecretStore } from '../secrets';
import type { SshPool } from '../ssh/pool';
import type { RemoteHosts } from '../remote/script';
import type { LunRef, LunUser } from '../usage';
import type { SecretMemory } from '../libvirt/ops';
import { readHostSecrets } from '../libvirt/virsh';
import { driversFor } from '../opennebula/drivers';
import { DATASTORE_WARNINGS, datastoreAttrs, flavourDrivers, imageAttrs, renderTemplateText, renderTemplateXml } from '../opennebula/template';
import { FrontendStore } from './frontends';
import { lookupLun, readTargetsIndex, type StorageServers } from './luns';
import { planDatastore } from './plan-datastore';
import type { PlanDeps } from './plan-deps';
import { imageTarget, planDatastoreDelete, planImageDelete, planImages } from './plan-image';
import { buildDatastoresView } from './view';

export function secretMemory(secrets: SecretStore): SecretMemory {
  const name = (h: string, u: string) => `datastores:libvirt:${h}:${u}`;
  return { get: (h, u) => secrets.get(name(h, u)), set: (h, u, v) => secrets.set(name(h, u), v) };
}

export class DatastoresService {
  readonly frontends: FrontendStore;

  constructor(
    db: Db,
    private readonly hosts: HostRepo,
    secrets: SecretStore,
    private readonly remote: RemoteHosts & Pick<SshPool, 'forwardOut'>,
    private readonly plans: PlanRegistry,
    private readonly storage: StorageServers,
    private readonly memory: SecretMemory = secretMemory(secrets),
  ) {
    this.frontends = new FrontendStore(db, hosts, secrets, remote);
  }

  /** The Portico host an OpenNebula host name is: same name, same address, or same first label. */
  porticoHostFor(oneName: string): string | null {
    const n = oneName.toLowerCase();
    const all = this.hosts.list();
    const hit = all.find((h) => h.name.toLowerCase() === n) ?? all.find((h) => h.address.toLowerCase() === n) ?? all.find((h) => h.name.toLowerCase() === n.split('.')[0]);
    return hit?.id ?? null;
  }

  deps(): PlanDeps {
    let idx: ReturnType<typeof readTargetsIndex> | null = null;
    return {
      one: (id) => this.frontends.client(id),
      porticoHostFor: (n) => this.porticoHostFor(n),
      hostLabel: (id) => this.hosts.find(id)?.name ?? id,
      readSecrets: (h, usage) => readHostSecrets(this.remote, h, usage),
      memory: this.memory,
      newUuid: () => randomUUID(),
      lun: async (iqn, lun, serverId) => lookupLun(await (idx ??= readTargetsIndex(this.storage, serverId)), iqn, lun),
    };
  }

  private register = async (p: Promise<Plan>): Promise<PlanView> => this.plans.register(await p);

  async clusters(frontendId: string): Promise<ClusterView[]> {
    const one = this.frontends.client(frontendId);
    const [clusters, hosts] = await Promise.all([one.clusters(), one.hosts()]);
    return clusters.map((c) => ({
      id: c.id,
      name: c.name,
      hosts: hosts.filter((h) => h.clusterId === c.id).map((h) => ({ id: h.id, name: h.name, imMad: h.imMad, vmMad: h.vmMad, state: h.state, porticoHostId: this.porticoHostFor(h.name) })),
    }));
  }

  async portals(): Promise<PortalOption[]> {
    const out: PortalOption[] = [];
    await Promise.all(
      this.storage.list().map(async (s) => {
        const v = await this.storage.view(s.id).catch(() => null);
        const host = this.hosts.find(s.id);
        for (const p of v?.portals ?? []) {
          const m = /^(.*):(\d+)$/.exec(p);
          const addr = m ? m[1] : p;
          // tgtd listening on every address: offer the server's own address.
          const shown = addr === '0.0.0.0' || addr === '[::]' || addr === '::' ? host?.address ?? addr : addr;
          out.push({ serverId: s.id, serverName: s.name, portal: `${shown}:${m ? m[2] : '3260'}` });
        }
      }),
    );
    return out.sort((a, b) => a.serverName.localeCompare(b.serverName) || a.portal.localeCompare(b.portal));
  }

  async list(frontendId: string): Promise<DatastoresView> {
    const fe = this.frontends.get(frontendId);
    const one = this.frontends.client(frontendId);
    const [version, datastores, images, idx] = await Promise.all([one.version(), one.datastores(), one.images(), readTargetsIndex(this.storage)]);
    return buildDatastoresView(fe, version, datastores, images, idx);
  }

  async renderTemplate(i: z.output<typeof RenderTemplateInputSchema>): Promise<RenderedTemplate> {
    const frontendId = i.what === 'datastore' ? i.datastore.frontendId : i.frontendId;
    let version: string;
    const notes: string[] = [];
    try {
      version = await this.frontends.client(frontendId).version();
    } catch (e) {
      version = '6.10.0';
      notes.push(`The front-end could not be asked for its version (${e instanceof Error ? e.message : String(e)}): the current driver names are used.`);
    }
    if (i.what === 'image') {
      const a = imageAttrs(i.image);
      return { text: renderTemplateText(a), xml: renderTemplateXml(a), exportOnly: false, exportOnlyReason: null, warnings: [...notes, 'Persistent image: PATH is IQN/LUN with the LUN number always written (without it libvirt uses LUN 0).'] };
    }
    const d = driversFor(version);
    const { names, exportOnlyReason } = flavourDrivers(i.datastore, d);
    const a = datastoreAttrs(i.datastore, names);
    return {
      text: renderTemplateText(a),
      xml: renderTemplateXml(a),
      exportOnly: exportOnlyReason !== null,
      exportOnlyReason,
      warnings: [...notes, ...(i.datastore.flavour === 'iscsi_libvirt' ? DATASTORE_WARNINGS.libvirt : DATASTORE_WARNINGS.tgtLvm)],
    };
  }

  planDatastore = (i: DatastoreInput) => this.register(planDatastore(this.deps(), i));
  planImages = (i: ImagesInput) => this.register(planImages(this.deps(), i));
  planImageDelete = (i: z.output<typeof ImageDeleteInputSchema>) => this.register(planImageDelete(this.deps(), i));
  planDatastoreDelete = (i: z.output<typeof DatastoreDeleteInputSchema>) => this.register(planDatastoreDelete(this.deps(), i));

  /** Images on every configured front-end mapped to the LUN (or any LUN of the target); a front-end that cannot be asked is a user too (refuse rather than guess). */
  async lunUsers(ref: LunRef): Promise<LunUser[]> {
    const out: LunUser[] = [];
    for (const fid of this.frontends.ids()) {
      const fe = this.hosts.find(fid)?.name ?? fid;
      try {
        for (const im of await this.frontends.client(fid).images()) {
          const t = imageTarget(im);
          if (t.iqn !== ref.iqn || (ref.lun !== undefined && t.lun !== ref.lun)) continue;
          out.push({ owner: 'datastores', description: `OpenNebula image ${im.id} "${im.name}" on ${fe} (datastore ${im.datastoreId}) maps to ${t.iqn}/${t.lun}`, fix: `remove image ${im.id} on the Datastores page first (the LUN stays)` });
        }
      } catch (e) {
        out.push({ owner: 'datastores', description: `OpenNebula front-end ${fe} could not be asked whether an image maps to ${ref.iqn}${ref.lun !== undefined ? `/${ref.lun}` : ''} (${e instanceof Error ? e.message : String(e)})`, fix: `make ${fe} reachable, or remove it from the Datastores page if it is gone` });
      }
    }
    return out;
  }
}
