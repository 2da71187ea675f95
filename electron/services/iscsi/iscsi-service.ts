// iscsi.discover / iscsi.inspect: the native initiator from the workstation, or "from a host"
// through an SSH direct-tcpip tunnel of the pool.
import type { IscsiDiscoverParsed, IscsiInspectParsed, IscsiSurveyParsed } from '../../../shared/domain/iscsi';
import { PorticoError } from '../../../shared/contract-kit';
import { discover, inspect, type Connector } from './initiator';
import { IscsiError } from './errors';
import { surveyPortals } from './survey';
import type { SshPool } from '../ssh/pool';
import type { HostRepo } from '../hosts/host-repo';

export class IscsiService {
  constructor(
    private readonly pool: SshPool,
    private readonly hosts: HostRepo,
  ) {}

  private connector(via: string | undefined, portal: { address: string; port: number }): Connector | undefined {
    if (!via) return undefined;
    this.hosts.get(via); // refuse unknown hosts with a clear message
    return () => this.pool.forwardOut(via, portal.address, portal.port);
  }

  private wrap(e: unknown): never {
    if (e instanceof IscsiError) throw new PorticoError(`iscsi-${e.code}`, e.message);
    throw e;
  }

  discover(i: IscsiDiscoverParsed) {
    return discover({ portal: i.portal, connect: this.connector(i.via, i.portal), chap: i.chap, initiatorName: i.initiatorName, timeoutMs: i.timeoutMs }).catch((e) => this.wrap(e));
  }

  inspect(i: IscsiInspectParsed) {
    return inspect({ portal: i.portal, target: i.target, connect: this.connector(i.via, i.portal), chap: i.chap, initiatorName: i.initiatorName, timeoutMs: i.timeoutMs }).catch((e) => this.wrap(e));
  }

  /** Many portals at once (per-portal failures are part of the result, not an error). */
  survey(i: IscsiSurveyParsed) {
    if (i.via) this.hosts.get(i.via);
    return surveyPortals({
      portals: i.portals,
      connect: i.via ? (p) => this.connector(i.via, { address: p.address, port: p.port ?? 3260 })! : undefined,
      chap: i.chap,
      initiatorName: i.initiatorName,
      timeoutMs: i.timeoutMs,
    });
  }
}
