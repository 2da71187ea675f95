// Test support for the bonds feature: the real job engine and BondStore on a temp folder, one
// recording VDSM (the VDSM test double's state machine, calls recorded) per oVirt host, the bond
// kinds over a LocalRunner, and host records as the inventory would hold them after a probe.
import { OperationRegistry } from '../services/jobs/kinds';
import type { OperationKind } from '../services/jobs/operation';
import type { HostRecord } from '../services/hosts/host-repo';
import type { Capabilities } from '../../shared/domain/host';
import { allVdsmKinds, vdsmKinds } from '../services/vdsm/ops';
import { allBondKinds, bondKinds } from '../services/bonds/ops';
import { BondStore } from '../services/bonds/store';
import { BondService } from '../services/bonds/bond-service';
import { PathHealthStore } from '../services/path-health';
import { testEngine, type TestEngine } from './engine';
import { LocalRunner } from './local-runner';
import { RecordingVdsm } from './vdsm-recording';

export function caps(interfaces: Record<string, string | null>, o: { iscsiadm?: boolean; initiatorName?: string } = {}): Capabilities {
  return {
    os: { id: 'debian', name: 'Debian', version: '12', prettyName: 'Debian 12', kernel: '6.1' },
    user: { name: 'root', uid: 0 },
    sudo: 'root',
    tools: { tgtadm: null, 'tgt-admin': null, targetcli: null, iscsiadm: o.iscsiadm ? '/usr/sbin/iscsiadm' : null, 'iscsi-ls': '/usr/bin/iscsi-ls', virsh: null, 'vdsm-client': null, onedatastore: null, multipath: null },
    services: { tgtd: 'stopped', libvirtd: 'running', vdsmd: 'stopped' },
    initiatorName: o.initiatorName ?? null,
    interfaces: Object.entries(interfaces).map(([name, addr]) => ({ name, up: true, addresses: addr ? [{ family: 'inet' as const, address: addr, prefix: 24 }] : [] })),
  };
}

export function hostRecord(id: string, roles: HostRecord['roles'], c: Capabilities | null): HostRecord {
  return { id, name: id, address: `198.51.100.${id.length}`, port: 22, user: 'root', authKind: 'key', keyPath: '/k', sudo: false, roles, group: null, hostKey: null, capabilities: c, createdAt: '2026-01-01T00:00:00Z' };
}

export class FakeHostRepo {
  readonly hosts = new Map<string, HostRecord>();
  add(...hs: HostRecord[]): this {
    for (const h of hs) this.hosts.set(h.id, h);
    return this;
  }
  find(id: string): HostRecord | null {
    return this.hosts.get(id) ?? null;
  }
  list(): HostRecord[] {
    return [...this.hosts.values()];
  }
}

export interface BondFixture {
  engine: TestEngine;
  store: BondStore;
  hosts: FakeHostRepo;
  vdsm: Map<string, RecordingVdsm>;
  service: BondService;
  paths: PathHealthStore;
}

/** `vdsmHosts`: host ids answered by their own recording VDSM. */
export function bondFixture(vdsmHosts: string[]): BondFixture {
  const kinds = new OperationRegistry();
  const vdsm = new Map(vdsmHosts.map((h) => [h, new RecordingVdsm()] as const));
  const apis = async (h: string) => {
    const v = vdsm.get(h);
    if (!v) throw new Error(`no VDSM on ${h}`);
    return v.api;
  };
  kinds.add(...allVdsmKinds(vdsmKinds(apis, { taskPollMs: 2 })));
  const engine = testEngine(kinds);
  const store = new BondStore(engine.db, engine.vault);
  const runner = new LocalRunner();
  kinds.add(...(allBondKinds(bondKinds({ runner: () => runner }, store)) as OperationKind<never>[]));
  const hosts = new FakeHostRepo();
  const service = new BondService(store, hosts, engine.plans, {
    probe: async (h: string) => {
      const c = hosts.find(h)?.capabilities;
      if (!c) throw new Error(`no probe for ${h}`);
      return c;
    },
    forwardOut: async () => {
      throw new Error('no tunnels in unit tests');
    },
  });
  return { engine, store, hosts, vdsm, service, paths: new PathHealthStore(engine.db) };
}
