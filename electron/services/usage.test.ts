import { describe, expect, it } from 'vitest';
import { UsageRegistry } from './usage';

describe('UsageRegistry', () => {
  it('collects the users every registered check reports for a LUN', async () => {
    const u = new UsageRegistry();
    u.register((r) => (r.lun === 1 ? [{ owner: 'datastores', description: 'image 7', fix: 'remove it' }] : []));
    u.register(async () => [{ owner: 'other', description: 'x', fix: 'y' }]);
    expect((await u.lunUsers({ serverId: 's', iqn: 'iqn.x', lun: 1 })).map((x) => x.description)).toEqual(['image 7', 'x']);
    expect((await u.lunUsers({ serverId: 's', iqn: 'iqn.x', lun: 2 })).map((x) => x.description)).toEqual(['x']);
  });

  it('keeps path checks apart from LUN checks and passes each its ref', async () => {
    const u = new UsageRegistry();
    const seen: unknown[] = [];
    u.register(() => [{ owner: 'datastores', description: 'image 7', fix: 'remove it' }]);
    u.registerPath((r) => {
      seen.push(r);
      return r.address === '192.0.2.11' && r.port === 3260 ? [{ owner: 'hosted-engine', description: 'the HE domain', fix: 'move it' }] : [];
    });
    u.registerPath(async () => []);
    const ref = { hostId: 'hv1', iqn: 'iqn.x', address: '192.0.2.11', port: 3260 };
    expect(await u.pathUsers(ref)).toEqual([{ owner: 'hosted-engine', description: 'the HE domain', fix: 'move it' }]);
    expect(await u.pathUsers({ ...ref, port: 3261 })).toEqual([]);
    expect(seen).toEqual([ref, { ...ref, port: 3261 }]);
    // No path check registered a LUN answer, and no LUN check answered a path.
    expect((await u.lunUsers({ serverId: 's', iqn: 'iqn.x' })).map((x) => x.owner)).toEqual(['datastores']);
    expect(await new UsageRegistry().pathUsers(ref)).toEqual([]);
  });
});
