import { afterEach, describe, expect, it } from 'vitest';
import { testServices } from '../test-support/services';

let svc: ReturnType<typeof testServices>;
afterEach(async () => svc?.dispose());

describe('Router', () => {
  it('answers a valid call with ok', async () => {
    svc = testServices();
    const r = await svc.router.handle('app.info', {}, { transport: 'test' });
    expect(r).toMatchObject({ ok: true, result: { mode: 'browser', secretBackend: { kind: 'passphrase' } } });
  });
  it('refuses an unknown call', async () => {
    svc = testServices();
    const r = await svc.router.handle('hosts.format', {}, { transport: 'test' });
    expect(r).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    const r2 = await svc.router.handle({ toString: 1 }, {}, { transport: 'test' });
    expect(r2).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
  });
  it('refuses bad input naming the field', async () => {
    svc = testServices();
    const r = await svc.router.handle('jobs.get', { jobId: 'a b;rm -rf' }, { transport: 'test' });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'jobId' } });
    const r2 = await svc.router.handle('jobs.list', { limit: 100000 }, { transport: 'test' });
    expect(r2).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'limit' } });
    const r3 = await svc.router.handle('jobs.get', { jobId: 'x', extra: 1 }, { transport: 'test' });
    expect(r3).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'extra' } });
  });
  it('turns service errors into envelopes', async () => {
    svc = testServices();
    const r = await svc.router.handle('jobs.get', { jobId: 'nope' }, { transport: 'test' });
    expect(r).toMatchObject({ ok: false, error: { code: 'not-found', field: 'jobId' } });
  });
});
