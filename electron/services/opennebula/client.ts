// OnedClient: OpenNebula's XML-RPC API (api.rst) for what Portico uses. Every call sends the
// session string first and decodes oned's [ok, value, errcode, errobject]; *.info answers are XML
// documents parsed by ./info. The session is read when a call is made and never kept here.
import type { XmlRpcValue } from '@foxglove/xmlrpc';
import { decodeOneResponse, OnedError } from './errors';
import { parseClusterPool, parseDatastore, parseDatastorePool, parseHostPool, parseImage, parseImagePool, parseUser } from './info';
import { xmlRpcCall, type OpenTunnel } from './transport';

export interface OnedClientOptions {
  endpoint: string;
  session: () => string | Promise<string>;
  tunnel?: OpenTunnel;
  timeoutMs?: number;
}

export class OnedClient {
  constructor(private readonly o: OnedClientOptions) {}

  get endpoint(): string {
    return this.o.endpoint;
  }

  async call(method: string, params: XmlRpcValue[] = [], signal?: AbortSignal): Promise<unknown> {
    const session = await this.o.session();
    const res = await xmlRpcCall({ endpoint: this.o.endpoint, tunnel: this.o.tunnel, timeoutMs: this.o.timeoutMs }, method, [session, ...params], signal);
    return decodeOneResponse(method, res);
  }

  private async text(method: string, params: XmlRpcValue[] = [], signal?: AbortSignal): Promise<string> {
    const v = await this.call(method, params, signal);
    if (typeof v !== 'string') throw new OnedError('protocol', `oned answered ${method} with ${typeof v}, not the XML document`, null, null, String(v));
    return v;
  }

  private async id(method: string, params: XmlRpcValue[], signal?: AbortSignal): Promise<number> {
    const v = await this.call(method, params, signal);
    if (typeof v !== 'number') throw new OnedError('protocol', `oned answered ${method} with ${typeof v}, not an id`, null, null, String(v));
    return v;
  }

  version(signal?: AbortSignal) {
    return this.text('one.system.version', [], signal);
  }
  /** The user the session belongs to (id -1 = the connected user). */
  async whoami(signal?: AbortSignal) {
    return parseUser(await this.text('one.user.info', [-1], signal));
  }
  async datastores(signal?: AbortSignal) {
    return parseDatastorePool(await this.text('one.datastorepool.info', [], signal));
  }
  async datastore(id: number, signal?: AbortSignal) {
    return parseDatastore(await this.text('one.datastore.info', [id], signal));
  }
  allocateDatastore(templateXml: string, clusterId: number, signal?: AbortSignal) {
    return this.id('one.datastore.allocate', [templateXml, clusterId], signal);
  }
  deleteDatastore(id: number, signal?: AbortSignal) {
    return this.id('one.datastore.delete', [id], signal);
  }
  /** Every image the user may see (filter -2 = all, whole id range). */
  async images(signal?: AbortSignal) {
    return parseImagePool(await this.text('one.imagepool.info', [-2, -1, -1], signal));
  }
  async image(id: number, signal?: AbortSignal) {
    return parseImage(await this.text('one.image.info', [id], signal));
  }
  allocateImage(templateXml: string, datastoreId: number, signal?: AbortSignal) {
    return this.id('one.image.allocate', [templateXml, datastoreId], signal);
  }
  deleteImage(id: number, signal?: AbortSignal) {
    return this.id('one.image.delete', [id], signal);
  }
  async hosts(signal?: AbortSignal) {
    return parseHostPool(await this.text('one.hostpool.info', [], signal));
  }
  async clusters(signal?: AbortSignal) {
    return parseClusterPool(await this.text('one.clusterpool.info', [], signal));
  }
}
