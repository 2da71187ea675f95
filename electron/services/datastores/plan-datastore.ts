// Plans for OpenNebula datastores. Existing-LUNs flavour (iscsi_libvirt): with CHAP, the libvirt
// secret (usage iscsi = ISCSI_USAGE, private, not ephemeral, one UUID) is defined and its value set
// on every KVM host of the chosen cluster, one step per host, before the datastore is allocated:
// a host that fails rolls back the hosts done and no datastore is created. tgt + LVM flavour (3.4
// driver): the datastore only (its server is checked separately), where the version ships it.
import { PorticoError } from '../../../shared/contract-kit';
import type { DatastoreInput, DatastoreLibvirtInput } from '../../../shared/domain/opennebula';
import type { Check, Operation, Plan, PlanStep } from '../jobs/operation';
import { driversFor } from '../opennebula/drivers';
import { DS_ALLOCATE } from '../opennebula/ops';
import { DATASTORE_WARNINGS, datastoreAttrs, flavourDrivers, renderTemplateText } from '../opennebula/template';
import { SECRET_DEFINE, SECRET_LISTED, SECRET_SET } from '../libvirt/ops';
import type { PlanDeps } from './plan-deps';

const bad = (field: string, message: string) => new PorticoError('invalid-input', message, field);

/** The KVM hosts of a cluster (-1 = default cluster 0), each with the Portico host it is. */
export async function clusterKvmHosts(deps: PlanDeps, frontendId: string, clusterId: number) {
  const one = deps.one(frontendId);
  const cid = clusterId === -1 ? 0 : clusterId;
  const clusters = await one.clusters();
  const c = clusters.find((x) => x.id === cid);
  if (!c) throw bad('clusterId', `clusterId: OpenNebula has no cluster ${clusterId}; choose one of ${clusters.map((x) => `${x.id} (${x.name})`).join(', ') || 'none'}`);
  const hosts = (await one.hosts()).filter((h) => h.clusterId === cid && (h.vmMad === 'kvm' || h.imMad === 'kvm'));
  return { cluster: c, hosts: hosts.map((h) => ({ one: h, porticoId: deps.porticoHostFor(h.name) })) };
}

interface SecretPlan {
  steps: PlanStep[];
  verify: Check[];
  warnings: string[];
  secrets: string[];
  hostIds: string[];
}

/** define + set per KVM host, one UUID everywhere (the one a host already has for this usage, else new). */
export async function planSecretSteps(deps: PlanDeps, frontendId: string, clusterId: number, chap: NonNullable<DatastoreLibvirtInput['chap']>, what: string): Promise<SecretPlan> {
  const { cluster, hosts } = await clusterKvmHosts(deps, frontendId, clusterId);
  if (!hosts.length) throw bad('clusterId', `clusterId: cluster ${cluster.id} (${cluster.name}) has no KVM host, so no host would get the CHAP secret; add the hypervisors to the cluster in OpenNebula first`);
  const unknown = hosts.filter((h) => !h.porticoId).map((h) => h.one.name);
  if (unknown.length) throw bad('clusterId', `clusterId: the KVM host(s) ${unknown.join(', ')} of cluster ${cluster.name} are not Portico hosts, so the CHAP secret cannot be set on them; add them on the Hosts page (name or address as OpenNebula knows them)`);
  const read = await Promise.all(hosts.map(async (h) => ({ h, s: await deps.readSecrets(h.porticoId!, chap.usage) })));
  const uuids = [...new Set(read.map((r) => r.s.match?.uuid).filter((u): u is string => !!u))];
  const warnings: string[] = [];
  const secrets = [chap.secret];
  if (uuids.length > 1) warnings.push(`The hosts hold different secrets for usage ${chap.usage} (${uuids.join(', ')}): each keeps its own UUID; the value is set on each.`);
  const fresh = uuids[0] ?? deps.newUuid();
  const steps: PlanStep[] = [];
  const verify: Check[] = [];
  for (const { h, s } of read) {
    const host = h.porticoId!;
    const label = deps.hostLabel(host);
    const m = s.match;
    const uuid = m?.uuid ?? fresh;
    const ops: Operation[] = [];
    if (!m) ops.push({ kind: SECRET_DEFINE, host, params: { uuid, usage: chap.usage, description: `CHAP for ${what} (Portico)`.slice(0, 200) } });
    let pre: { kind: 'none' } | { kind: 'value'; value: string } | { kind: 'unknown' } = { kind: 'none' };
    if (m) {
      const known = typeof m.value === 'string' ? m.value : deps.memory.get(host, chap.usage);
      pre = known !== null && known !== undefined ? { kind: 'value', value: known } : { kind: 'unknown' };
      if (pre.kind === 'value') secrets.push(pre.value);
      if (pre.kind === 'unknown') warnings.push(`${label} already has secret ${m.uuid} for usage ${chap.usage}; it is private and Portico did not set it, so its previous value cannot be read back: a rollback cannot restore it.`);
      if (m.ephemeral) warnings.push(`${label}'s secret ${m.uuid} is ephemeral: its value is lost when libvirtd restarts; undefine it and apply again to get a persistent one.`);
      if (m.private === false) warnings.push(`${label}'s secret ${m.uuid} is not private: its value can be read back with virsh secret-get-value.`);
    }
    if (pre.kind === 'value' && pre.value === chap.secret) warnings.push(`${label} already holds secret ${uuid} for ${chap.usage} with this value: nothing to change there.`);
    else ops.push({ kind: SECRET_SET, host, params: { uuid, usage: chap.usage, value: chap.secret, pre } });
    if (ops.length) steps.push({ title: `${m ? 'Update' : 'Define'} the libvirt secret ${chap.usage} (${uuid}) on ${label}`, ops });
    verify.push({ kind: SECRET_LISTED, host, params: { uuid, usage: chap.usage } });
  }
  return { steps, verify, warnings, secrets, hostIds: read.map((r) => r.h.porticoId!) };
}

export async function planDatastore(deps: PlanDeps, i: DatastoreInput): Promise<Plan> {
  const one = deps.one(i.frontendId);
  const drivers = driversFor(await one.version());
  const { names, exportOnlyReason } = flavourDrivers(i, drivers);
  if (exportOnlyReason) throw new PorticoError('export-only', `flavour: ${exportOnlyReason}`, 'flavour');
  const existing = (await one.datastores()).find((d) => d.name === i.name);
  if (existing) throw bad('name', `name: OpenNebula already has a datastore named "${i.name}" (id ${existing.id}); choose another name`);
  const attrs = datastoreAttrs(i, names);
  const fe = deps.hostLabel(i.frontendId);
  const warnings: string[] = [...(i.flavour === 'iscsi_libvirt' ? DATASTORE_WARNINGS.libvirt : DATASTORE_WARNINGS.tgtLvm), ...drivers.notes.filter((n) => !/does not ship the 3.4|has no existing-LUNs/.test(n) || i.flavour === 'tgt_lvm')];
  const plan: Plan = {
    kind: 'datastores.create',
    title: `Create OpenNebula datastore "${i.name}" (${i.flavour === 'iscsi_libvirt' ? 'existing iSCSI LUNs' : 'tgt + LVM'}) on ${fe}`,
    hostIds: [i.frontendId],
    lockKeys: [`one:${i.frontendId}`],
    steps: [],
    warnings,
    artifacts: [{ name: `${i.name}.ds`, content: renderTemplateText(attrs) }],
    secrets: [],
    verify: [],
  };
  if (i.flavour === 'iscsi_libvirt' && i.chap) {
    const s = await planSecretSteps(deps, i.frontendId, i.clusterId, i.chap, `datastore ${i.name}`);
    plan.steps.push(...s.steps);
    plan.verify!.push(...s.verify);
    plan.warnings!.push(...s.warnings);
    plan.secrets!.push(...s.secrets);
    plan.hostIds.push(...s.hostIds);
    plan.lockKeys.push(...s.hostIds.map((h) => `host:${h}`));
  } else if (i.flavour === 'iscsi_libvirt') {
    await clusterKvmHosts(deps, i.frontendId, i.clusterId);
  }
  plan.steps.push({ title: `Register datastore "${i.name}" in OpenNebula (cluster ${i.clusterId === -1 ? 'default' : i.clusterId})`, ops: [{ kind: DS_ALLOCATE, host: i.frontendId, params: { name: i.name, clusterId: i.clusterId, template: attrs } }] });
  return plan;
}
