// Operation kinds for OpenNebula objects, on a front-end (op.host = its Portico host id): allocate
// a datastore or an image from the XML form of the template (inverse: delete), delete one
// (inverse: allocate it again from its template; the id changes). An allocate whose id was lost
// (a crash between oned's answer and the journal) is found again by its name.
import { z } from 'zod';
import type { Operation, OperationKind, VerifyOutcome } from '../jobs/operation';
import type { OnedClient } from './client';
import { OnedError } from './errors';
import { renderTemplateText, renderTemplateXml, type TemplateAttrs } from './template';

export const DS_ALLOCATE = 'one.datastore.allocate';
export const DS_DELETE = 'one.datastore.delete';
export const IMAGE_ALLOCATE = 'one.image.allocate';
export const IMAGE_DELETE = 'one.image.delete';

/** A front-end's client, by Portico host id. */
export type OnedClients = (hostId: string) => OnedClient;

const Attrs = z.array(z.tuple([z.string().regex(/^[A-Z0-9_]+$/), z.string()])).min(1);
const Name = z.string().min(1).max(128);

export const DsAllocateSchema = z.object({ name: Name, clusterId: z.number().int().min(-1), template: Attrs }).strict();
/** id null: the datastore of that name this plan created (its id came back only at apply time). */
export const DsDeleteSchema = z.object({ id: z.number().int().min(0).nullable(), name: Name, clusterId: z.number().int().min(-1), template: Attrs }).strict();
export const ImageAllocateSchema = z.object({ name: Name, datastoreId: z.number().int().min(0), template: Attrs }).strict();
export const ImageDeleteSchema = z.object({ id: z.number().int().min(0).nullable(), name: Name, datastoreId: z.number().int().min(0), template: Attrs }).strict();

type DsAllocate = z.infer<typeof DsAllocateSchema>;
type DsDelete = z.infer<typeof DsDeleteSchema>;
type ImageAllocate = z.infer<typeof ImageAllocateSchema>;
type ImageDelete = z.infer<typeof ImageDeleteSchema>;

const indent = (attrs: TemplateAttrs) => renderTemplateText(attrs).trimEnd().split('\n').map((l) => `    ${l}`).join('\n');
const idOf = (out: unknown): number | null => (typeof out === 'object' && out !== null && typeof (out as { id?: unknown }).id === 'number' ? (out as { id: number }).id : null);
const gone = (e: unknown) => e instanceof OnedError && e.kind === 'no-such-object';

export function oneKinds(clients: OnedClients) {
  const dsByName = async (host: string, name: string, signal?: AbortSignal) => (await clients(host).datastores(signal)).filter((d) => d.name === name);
  const imageByName = async (host: string, name: string, dsId: number, signal?: AbortSignal) => (await clients(host).images(signal)).filter((i) => i.name === name && i.datastoreId === dsId);

  const dsAllocate: OperationKind<DsAllocate> = {
    kind: DS_ALLOCATE,
    schema: DsAllocateSchema,
    describe: (p) => `one.datastore.allocate(<TEMPLATE> XML, cluster ${p.clusterId}) with:\n${indent(p.template)}`,
    async apply(p, host, ctx) {
      const id = await clients(host).allocateDatastore(renderTemplateXml(p.template), p.clusterId, ctx.signal);
      ctx.log(`datastore ${id} "${p.name}" created`);
      return { id };
    },
    inverse: (p, host, out): Operation[] => [{ kind: DS_DELETE, host, params: { id: idOf(out), name: p.name, clusterId: p.clusterId, template: p.template } }],
    async verify(p, host, ctx): Promise<VerifyOutcome> {
      const found = await dsByName(host, p.name, ctx.signal);
      return found.length === 1 ? { applied: true, output: { id: found[0].id } } : found.length ? { applied: 'unknown', reason: `${found.length} datastores are named "${p.name}"` } : { applied: false };
    },
  };

  const dsDelete: OperationKind<DsDelete> = {
    kind: DS_DELETE,
    schema: DsDeleteSchema,
    describe: (p) => `one.datastore.delete(${p.id ?? `<the new id of "${p.name}">`})   # datastore "${p.name}"`,
    async apply(p, host, ctx) {
      let id = p.id;
      if (id === null) {
        const found = await dsByName(host, p.name, ctx.signal);
        if (found.length > 1) throw new Error(`${found.length} datastores are named "${p.name}": delete the right one by hand`);
        if (!found.length) return;
        id = found[0].id;
      }
      try {
        await clients(host).deleteDatastore(id, ctx.signal);
      } catch (e) {
        if (!gone(e)) throw e;
      }
      ctx.log(`datastore ${id} "${p.name}" deleted`);
    },
    inverse: (p, host): Operation[] => [{ kind: DS_ALLOCATE, host, params: { name: p.name, clusterId: p.clusterId, template: p.template } }],
    async verify(p, host, ctx): Promise<VerifyOutcome> {
      const found = await dsByName(host, p.name, ctx.signal);
      return found.some((d) => p.id === null || d.id === p.id) ? { applied: false } : { applied: true };
    },
  };

  const imageAllocate: OperationKind<ImageAllocate> = {
    kind: IMAGE_ALLOCATE,
    schema: ImageAllocateSchema,
    describe: (p) => `one.image.allocate(<TEMPLATE> XML, datastore ${p.datastoreId}) with:\n${indent(p.template)}`,
    async apply(p, host, ctx) {
      const id = await clients(host).allocateImage(renderTemplateXml(p.template), p.datastoreId, ctx.signal);
      ctx.log(`image ${id} "${p.name}" registered`);
      return { id };
    },
    inverse: (p, host, out): Operation[] => [{ kind: IMAGE_DELETE, host, params: { id: idOf(out), name: p.name, datastoreId: p.datastoreId, template: p.template } }],
    async verify(p, host, ctx): Promise<VerifyOutcome> {
      const found = await imageByName(host, p.name, p.datastoreId, ctx.signal);
      return found.length === 1 ? { applied: true, output: { id: found[0].id } } : found.length ? { applied: 'unknown', reason: `${found.length} images are named "${p.name}"` } : { applied: false };
    },
  };

  const imageDelete: OperationKind<ImageDelete> = {
    kind: IMAGE_DELETE,
    schema: ImageDeleteSchema,
    describe: (p) => `one.image.delete(${p.id ?? `<the new id of "${p.name}">`})   # image "${p.name}" only: the LUN stays`,
    async apply(p, host, ctx) {
      let id = p.id;
      if (id === null) {
        const found = await imageByName(host, p.name, p.datastoreId, ctx.signal);
        if (found.length > 1) throw new Error(`${found.length} images are named "${p.name}": delete the right one by hand`);
        if (!found.length) return;
        id = found[0].id;
      }
      try {
        await clients(host).deleteImage(id, ctx.signal);
      } catch (e) {
        if (!gone(e)) throw e;
      }
      ctx.log(`image ${id} "${p.name}" deleted (the LUN is untouched)`);
    },
    inverse: (p, host): Operation[] => [{ kind: IMAGE_ALLOCATE, host, params: { name: p.name, datastoreId: p.datastoreId, template: p.template } }],
    async verify(p, host, ctx): Promise<VerifyOutcome> {
      const found = await imageByName(host, p.name, p.datastoreId, ctx.signal);
      return found.some((i) => p.id === null || i.id === p.id) ? { applied: false } : { applied: true };
    },
  };

  return { dsAllocate, dsDelete, imageAllocate, imageDelete };
}
