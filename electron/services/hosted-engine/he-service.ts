// Hosted-engine storage (issue 7): the wizard's interactive reads (discover, log in, list LUNs)
// and its plan, over one VDSM connection per oVirt host. The VDSM protocol (client, STOMP,
// JSON-RPC, transport, verbs) lives in ../vdsm; the wizard's reads, LUN rules, planner and outputs
// sit beside this file, which picks the identity, keeps the per-host state the planner needs and
// turns failures into PorticoErrors naming the field at fault.
import type { Duplex } from 'node:stream';
import { PorticoError } from '../../../shared/contract-kit';
import type { PlanView } from '../../../shared/plan';
import type { DiscoverRequest, HostedEngineStorageInput, TargetChoice, Chap, VdsmIdentityChoice } from '../../../shared/domain/hosted-engine';
import type { HeConnectResult, HeDiscoverResult, HeLunsResult, HeManagedTarget } from '../../../shared/domain/hosted-engine-views';
import type { HostRecord, HostRepo } from '../hosts/host-repo';
import type { PlanRegistry } from '../jobs/registry';
import type { SshPool } from '../ssh/pool';
import { VdsmClient, type VdsmClientOptions } from '../vdsm/client';
import { DomainType, VdsmApi, type BlockDeviceInfo } from '../vdsm/api';
import { directTlsConnector, loadClientIdentity, readHostIdentity, sshTunnelConnector, VDSM_PORT, type ForwardingClient, type SecretGetter } from '../vdsm/transport';
import { connectTarget, discoverViaSshTunnel, discoverViaVdsm, listLuns, readInitiatorName, type DiscoverOutcome, type PortalProblem } from './wizard';
import { checkLunChoice, lunRow } from './luns';
import { HE_CONF_DIR, HE_CONF_PATH, planHostedEngineStorage } from './planner';
import { readFileStates, type FileState } from '../remote/files';
import { runScript } from '../remote/script';

export interface HostedEngineServiceOptions {
  /** How the console authenticates to VDSM on a host; default: zero-config SSH host identity. */
  identity?: (hostId: string) => VdsmIdentityChoice;
  /** Where VDSM listens as seen from the host itself (zero-config tunnel destination). */
  vdsmAddress?: string;
  vdsmPort?: number;
  discoverTimeoutMs?: number;
  loginTimeoutMs?: number;
  client?: Partial<VdsmClientOptions>;
}

interface Link {
  client: VdsmClient;
  api: VdsmApi;
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class HostedEngineService {
  private readonly links = new Map<string, Promise<Link>>();
  /**
   * Per host: the device list read at the last Discover, i.e. before the wizard's own login. A
   * LUN missing from it is new to the host, so the plan carries discovery and login (seed branch
   * "device not known"); a LUN already in it skips them (seed branch "device known").
   */
  private readonly knownDevices = new Map<string, BlockDeviceInfo[] | null>();
  /** Per host: the device list read for the LUN table (pre-checks the admin's LUN choice). */
  private readonly lastListing = new Map<string, BlockDeviceInfo[]>();

  constructor(
    private readonly hosts: HostRepo,
    private readonly pool: SshPool,
    private readonly plans: PlanRegistry,
    private readonly secrets: SecretGetter,
    private readonly o: HostedEngineServiceOptions = {},
  ) {}

  private ovirtHost(hostId: string): HostRecord {
    const h = this.hosts.get(hostId);
    if (!h.roles.includes('ovirt-host')) throw new PorticoError('wrong-role', `${h.name} is not marked as an oVirt host: edit the host on the Hosts page and add the role "oVirt host".`, 'hostId');
    return h;
  }

  private label(h: HostRecord): string {
    return `${h.name} (${h.address})`;
  }

  /** ssh2-shaped forwarder over the pool, so the VDSM and iSCSI tunnels share the host's connection. */
  private forwarder(hostId: string): ForwardingClient {
    return {
      forwardOut: (_srcIP, _srcPort, dstIP, dstPort, cb) => {
        this.pool.forwardOut(hostId, dstIP, dstPort).then(
          (ch) => cb(undefined, ch),
          (e: unknown) => cb(e instanceof Error ? e : new Error(String(e)), undefined as unknown as Duplex),
        );
      },
    };
  }

  private async open(h: HostRecord): Promise<Link> {
    const choice = this.o.identity?.(h.id) ?? { kind: 'ssh-host-cert' };
    const port = this.o.vdsmPort ?? VDSM_PORT;
    let connect: () => Promise<Duplex>;
    if (choice.kind === 'client-cert') {
      connect = directTlsConnector(h.address, loadClientIdentity(this.secrets, choice.secretKey), port);
    } else {
      // Zero-config: the host's own vdsm cert, read into memory, authenticates us and pins VDSM.
      const identity = await readHostIdentity(this.pool.runner(h.id));
      connect = sshTunnelConnector(async () => this.forwarder(h.id), identity, { servername: this.o.vdsmAddress ?? '127.0.0.1', vdsmAddress: this.o.vdsmAddress, port });
    }
    const client = new VdsmClient({ connect, label: this.label(h), reconnect: { attempts: 2, delayMs: 1_000 }, ...this.o.client });
    try {
      await client.open();
    } catch (e) {
      await client.close();
      throw e;
    }
    return { client, api: new VdsmApi(client) };
  }

  /** One client per host, opened on first use; a failed open is forgotten so the next call retries. */
  private async tryApi(h: HostRecord): Promise<VdsmApi> {
    let l = this.links.get(h.id);
    if (!l) {
      l = this.open(h);
      this.links.set(h.id, l);
      l.catch(() => this.links.delete(h.id));
    }
    return (await l).api;
  }

  private async api(h: HostRecord): Promise<VdsmApi> {
    try {
      return await this.tryApi(h);
    } catch (e) {
      throw new PorticoError(
        'vdsm-unreachable',
        `Cannot talk to VDSM on ${this.label(h)}: ${errText(e)}. Next step: check that vdsmd runs on the host (systemctl status vdsmd) and that the SSH user may read /etc/pki/vdsm (root or sudo).`,
        'hostId',
      );
    }
  }

  /** The VDSM API of an oVirt host, for the operation kinds (one client per host). */
  async apiFor(hostId: string): Promise<VdsmApi> {
    return this.api(this.ovirtHost(hostId));
  }

  /** What the last probe says about VDSM on the host. */
  private probedVdsm(h: HostRecord): boolean {
    const c = h.capabilities;
    return !!c && (c.services.vdsmd === 'running' || !!c.tools['vdsm-client']);
  }

  private async initiatorName(h: HostRecord): Promise<string | null> {
    return h.capabilities?.initiatorName ?? (await readInitiatorName(this.pool.runner(h.id)).catch(() => null));
  }

  /** A storage server in the inventory that serves one of these portal addresses. */
  private managedBy(addresses: string[]): HeManagedTarget | null {
    for (const s of this.hosts.list()) {
      if (!s.roles.includes('storage')) continue;
      const own = new Set([s.address, ...(s.capabilities?.interfaces ?? []).flatMap((i) => i.addresses.map((a) => a.address))]);
      if (addresses.some((a) => own.has(a))) return { serverId: s.id, serverName: s.name };
    }
    return null;
  }

  async discover(req: DiscoverRequest): Promise<HeDiscoverResult> {
    const h = this.ovirtHost(req.hostId);
    const initiatorName = await this.initiatorName(h);
    const timeoutMs = this.o.discoverTimeoutMs ?? 30_000;
    let api: VdsmApi | null = null;
    try {
      api = await this.tryApi(h);
    } catch (e) {
      // Only a host without VDSM falls back; a VDSM that is there but unreachable is an error.
      if (this.probedVdsm(h)) throw new PorticoError('vdsm-unreachable', `Cannot talk to VDSM on ${this.label(h)}: ${errText(e)}. Next step: check vdsmd on the host (systemctl status vdsmd).`, 'hostId');
    }
    let out: DiscoverOutcome;
    try {
      if (api) {
        out = await discoverViaVdsm(api, req, { timeoutMs, initiatorName });
        this.knownDevices.set(h.id, await api.getDeviceList({ storageType: DomainType.ISCSI }).catch(() => null));
      } else {
        if (!initiatorName) throw new PorticoError('no-initiator', `${h.name} has neither VDSM nor an iSCSI initiator name (/etc/iscsi/initiatorname.iscsi). Next step: install vdsm (or at least iscsi-initiator-utils) on the host.`, 'hostId');
        out = await discoverViaSshTunnel(this.forwarder(h.id), req, { initiatorName, timeoutMs });
        this.knownDevices.set(h.id, null);
      }
    } catch (e) {
      throw this.discoveryError(e, req);
    }
    return { ...out, initiatorName, managedBy: this.managedBy(req.portals.map((p) => p.address)) };
  }

  /** Puts a discovery failure on the field at fault: the discovery CHAP, or the first failing portal. */
  private discoveryError(e: unknown, req: DiscoverRequest): Error {
    if (e instanceof PorticoError) return e;
    const problems = (e as { problems?: PortalProblem[] }).problems ?? [];
    const msg = errText(e);
    if (problems.some((p) => p.code === 475) || /CHAP/.test(msg)) return new PorticoError('discovery-failed', msg, req.discoveryChap.user ? 'discoveryChap.password' : 'discoveryChap.user');
    const first = problems[0]?.portal;
    const i = Math.max(0, req.portals.findIndex((p) => `${p.address}:${p.port}` === first));
    return new PorticoError('discovery-failed', msg, `portals.${i}.address`);
  }

  async connect(i: { hostId: string; target: TargetChoice; loginChap: Chap }): Promise<HeConnectResult> {
    const h = this.ovirtHost(i.hostId);
    const api = await this.api(h);
    const r = await connectTarget(api, i.target, i.loginChap, { timeoutMs: this.o.loginTimeoutMs ?? 60_000 });
    if (r.connected === 0 && r.problems.length && r.problems.every((p) => p.code === 476)) {
      const p = r.problems[0];
      throw new PorticoError('login-chap-rejected', `${p.message} Next step: ${p.nextStep} (VDSM code 476)`, i.loginChap.user ? 'loginChap.password' : 'loginChap.user');
    }
    return r;
  }

  async luns(i: { hostId: string; iqn: string; diskSizeGiB: number; portals: { address: string; port: number }[] }): Promise<HeLunsResult> {
    const h = this.ovirtHost(i.hostId);
    const api = await this.api(h);
    const initiatorName = await this.initiatorName(h);
    const l = await listLuns(api, i.iqn, i.diskSizeGiB, initiatorName);
    this.lastListing.set(h.id, l.devices);
    const managedBy = this.managedBy(i.portals.map((p) => p.address));
    let noLuns = l.noLuns;
    if (noLuns && managedBy) {
      noLuns = { ...noLuns, nextStep: `${noLuns.nextStep} Portico manages this target on ${managedBy.serverName}: open Targets, choose ${managedBy.serverName}, and use Access on ${i.iqn}.` };
    }
    return { rows: l.rows, noLuns, initiatorName, managedBy };
  }

  async plan(i: { storage: HostedEngineStorageInput; writeConf: boolean }): Promise<PlanView> {
    const s = i.storage;
    const h = this.ovirtHost(s.hostId);
    if (s.storageType === 'iscsi') {
      // The LUN table the admin chose from: refuse early with the reason on the field.
      const d = this.lastListing.get(h.id)?.find((x) => x.GUID === s.lunGuid);
      if (d) {
        const why = checkLunChoice(lunRow(d, s.diskSizeGiB), s.forceUsedLun);
        if (why) throw new PorticoError('lun-not-usable', why, 'lunGuid');
      }
    }
    const api = await this.api(h);
    try {
      // The pre-state the undo needs: the sessions the host has now, hosted-engine.conf and its folder.
      const liveDevices = s.storageType === 'iscsi' ? await api.getDeviceList({ storageType: DomainType.ISCSI, checkStatus: false }) : null;
      let conf: { pre: FileState; dirExists: boolean } | undefined;
      if (i.writeConf) {
        const runner = this.pool.runner(h.id);
        const pre = (await readFileStates({ runner: () => runner }, h.id, [HE_CONF_PATH])).get(HE_CONF_PATH)!;
        const dir = await runScript(runner, '[ -d "$1" ]', [HE_CONF_DIR], { sudo: true, timeoutMs: 30_000 });
        conf = { pre, dirExists: dir.code === 0 };
      }
      const plan = await planHostedEngineStorage(
        s,
        { host: { id: h.id, label: this.label(h) }, knownDevices: this.knownDevices.get(h.id) ?? null, liveDevices, initiatorName: await this.initiatorName(h), conf },
        { writeConf: i.writeConf },
      );
      return this.plans.register(plan);
    } catch (e) {
      if (e instanceof PorticoError) throw e;
      throw new PorticoError('plan-refused', errText(e), s.storageType === 'iscsi' ? 'lunGuid' : undefined);
    }
  }

  async close(): Promise<void> {
    const links = [...this.links.values()];
    this.links.clear();
    await Promise.all(links.map((l) => l.then((x) => x.client.close()).catch(() => undefined)));
  }
}
