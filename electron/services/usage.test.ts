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
});
