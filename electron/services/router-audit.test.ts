import { afterEach, describe, expect, it } from 'vitest';
import { testServices } from '../test-support/services';
import { auditInput } from './router';

let svc: ReturnType<typeof testServices>;
afterEach(async () => svc?.dispose());

describe('Router audit', () => {
  it('audits every mutating call with actor, masked input and outcome, failures included', async () => {
    svc = testServices();
    const bad = await svc.router.handle('hosts.remove', { hostId: 'no-such-host' }, { transport: 'test' });
    expect(bad.ok).toBe(false);
    const invalid = await svc.router.handle('hosts.remove', { hostId: 'a b' }, { transport: 'test' });
    expect(invalid.ok).toBe(false);
    const added = await svc.router.handle(
      'hosts.add',
      { name: 'nowhere', address: '127.0.0.1', port: 1, user: 'root', auth: { kind: 'password', password: 'hunter2-Secret-pw' }, roles: ['storage'] },
      { transport: 'test' },
    );
    expect(added.ok).toBe(true);
    const entries = svc.audit.list(50).filter((e) => e.action.startsWith('call.'));
    expect(entries.map((e) => e.action).sort()).toEqual(['call.hosts.add', 'call.hosts.remove', 'call.hosts.remove']);
    const remove = entries.filter((e) => e.action === 'call.hosts.remove');
    expect(remove.every((e) => /failed \((not-found|invalid-input)\)/.test(e.detail))).toBe(true);
    expect(remove[0].actor).toBe('admin via test');
    const add = entries.find((e) => e.action === 'call.hosts.add')!;
    expect(add.detail).toContain('"password":"******"');
    expect(JSON.stringify(svc.audit.list(200))).not.toContain('hunter2-Secret-pw');
  });

  it('does not audit plain reads', async () => {
    svc = testServices();
    await svc.router.handle('hosts.list', {}, { transport: 'test' });
    expect(svc.audit.list(50).filter((e) => e.action.startsWith('call.'))).toEqual([]);
  });

  it('masks secret keys at any depth and clips long values', () => {
    const s = auditInput({ access: { chap: { user: 'u', secret: 'S3cret-value-123', mutual: { secret: 'x' } } }, name: 'y'.repeat(5000) });
    expect(s).not.toContain('S3cret');
    expect(s.length).toBeLessThanOrEqual(1001);
  });

  it('masks an OpenNebula session string (datastores front-end input)', () => {
    const s = auditInput({ hostId: 'fe1', endpoint: 'http://fe1:2633/RPC2', via: 'direct', session: 'oneadmin:0ne-Pass-e2e-77' });
    expect(s).not.toContain('0ne-Pass');
    expect(s).toContain('"session":"******"');
  });
});
