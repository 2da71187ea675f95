// The storage folder and fully allocated LUNs, without a lab: the folder a fresh server lacks is
// the plan's first, undoable step (planned against the recording fake, applied and rolled back by
// the real JobRunner); full allocation's limits, watchdog, progress lines and partial-file handling
// against a scripted runner and the fake; and the allocation script itself run on this machine.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LunAddInputSchema, TargetInputSchema, type TargetInput } from '../../../../shared/domain/target';
import type { Failpoint } from '../../jobs/failpoints';
import type { RemoteRunner, RunOptions, RunResult } from '../../remote/runner';
import { FakeTgtDriver, fakeTgtKinds } from '../../../test-support/fake-tgt';
import { disposeEngines, testEngine } from '../../../test-support/engine';
import { LocalRunner } from '../../../test-support/local-runner';
import { fullAllocationLimits, parseFullAllocationEnv, partialPathOf, TgtDriver } from './driver';
import { tgtOperationKinds } from './ops';
import { planTargetCreate, STORAGE_DIR_MODE } from './plan-create';
import { planLunAdd } from './plan-existing';

const dirs: string[] = [];
afterEach(() => {
  disposeEngines();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function engine(fake: FakeTgtDriver, failpoints: Failpoint[] = []) {
  const { kinds, plans, runner } = testEngine(fakeTgtKinds(fake, { dirs: true }), { failpoints });
  return { kinds, plans, runner, ctx: { serverId: 'stor1', driver: fake } };
}

const input = (luns: TargetInput['luns'], name = 'fresh'): TargetInput => ({ serverId: 'stor1', name, iqn: `iqn.2024-01.test:${name}`, luns, access: { initiators: [], networks: ['192.0.2.0/24'] } });
const spec = (t: TargetInput) => TargetInputSchema.parse(t);
const opCount = (p: { steps: { ops: unknown[] }[] }) => p.steps.reduce((n, s) => n + s.ops.length, 0);

/** A fake whose storage folder (and one parent) does not exist: only /srv does. */
function freshServer(): FakeTgtDriver {
  const fake = new FakeTgtDriver('stor2', '/srv/portico-new/luns');
  fake.folders.delete('/srv/portico-new/luns');
  fake.folders.delete('/srv/portico-new');
  return fake;
}

describe('the storage folder on a fresh server', () => {
  it('is created first, one dir.create per missing level, 0750 root:root; free space read on the nearest parent', async () => {
    const fake = freshServer();
    const e = engine(fake);
    const plan = await planTargetCreate(e.ctx, spec(input([{ size: '64MB', backing: { kind: 'sparse' } }])));
    expect(plan.steps[0].title).toBe('Create the storage folder /srv/portico-new/luns on stor2 (mode 0750, owner root:root)');
    expect(plan.steps[0].ops.map((o) => [o.kind, o.params])).toEqual([
      ['dir.create', { path: '/srv/portico-new', mode: STORAGE_DIR_MODE, owner: '0:0' }],
      ['dir.create', { path: '/srv/portico-new/luns', mode: '750', owner: '0:0' }],
    ]);
    expect(plan.warnings!.join('\n')).toMatch(/does not exist on stor2 yet: the plan creates it first .* It will be on \/dev\/fake \(ext4, mounted at \/\), where \/srv has 10 GiB free/);
    expect(plan.fresh).toContainEqual({ kind: 'tgt.paths.absent', host: 'stor1', params: { paths: ['/srv/portico-new'] } });
    // Every dir.create is undone by a dir.remove (only if empty).
    for (const o of plan.steps[0].ops) expect(e.kinds.op(o.kind).inverse(o.params as never, o.host, undefined)).toEqual([{ kind: 'dir.remove', host: 'stor1', params: { path: o.params.path } }]);

    const job = await (await e.runner.apply(e.plans.register(plan).id)).done;
    expect(job.error).toBeNull();
    expect(job.state).toBe('succeeded');
    expect(fake.calls.filter((c) => c.startsWith('mkdir'))).toEqual(['mkdir /srv/portico-new 750 0:0', 'mkdir /srv/portico-new/luns 750 0:0']);
    expect(fake.calls.findIndex((c) => c.startsWith('mkdir'))).toBeLessThan(fake.calls.findIndex((c) => c.startsWith('sparse') || c.startsWith('truncate') || c.includes('/srv/portico-new/luns/fresh')));
    expect(fake.storage.has('/srv/portico-new/luns/fresh')).toBe(true);
    expect(fake.targets.map((t) => t.iqn)).toEqual(['iqn.2024-01.test:fresh']);
  });

  it('a failure later in the plan removes the folders again', async () => {
    const fake = freshServer();
    const probe = await planTargetCreate(engine(freshServer()).ctx, spec(input([{ size: '8MB', backing: { kind: 'full' } }])));
    const e = engine(fake, [{ planKind: 'tgt.target.create', op: opCount(probe), mode: 'fail' }]);
    const job = await (await e.runner.apply(e.plans.register(await planTargetCreate(e.ctx, spec(input([{ size: '8MB', backing: { kind: 'full' } }])))).id)).done;
    expect(job.state).toBe('failed');
    expect(fake.calls).toContain('rmdir /srv/portico-new/luns');
    expect(fake.calls.indexOf('rmdir /srv/portico-new/luns')).toBeLessThan(fake.calls.indexOf('rmdir /srv/portico-new'));
    expect([...fake.folders].sort()).toEqual(['/', '/srv']);
    expect([...fake.storage.keys()]).toEqual([]);
    expect(fake.targets).toEqual([]);
  });

  it('is not planned when it exists, or when no LUN is a file', async () => {
    const existing = await planTargetCreate(engine(new FakeTgtDriver()).ctx, spec(input([{ size: '8MB', backing: { kind: 'sparse' } }])));
    expect(existing.steps.flatMap((s) => s.ops).some((o) => o.kind === 'dir.create')).toBe(false);
    const lvOnly = await planTargetCreate(engine(freshServer()).ctx, spec(input([{ size: '8MB', backing: { kind: 'lvm', vg: 'vg0', lv: 'lv0' } }])));
    expect(lvOnly.steps.flatMap((s) => s.ops).some((o) => o.kind === 'dir.create')).toBe(false);
  });

  it('add LUN: a storage folder that is missing is planned first there too (and removed again by a rollback)', async () => {
    const fake = freshServer();
    fake.blockDevice('/dev/sdb', 64 * 1024 ** 2);
    const e = engine(fake);
    // A target on a device only: nothing needed the folder so far.
    const first = await planTargetCreate(e.ctx, spec(input([{ backing: { kind: 'device', path: '/dev/sdb' } }], 'dev')));
    const made = await (await e.runner.apply(e.plans.register(first).id)).done;
    expect(made.state).toBe('succeeded');
    expect(fake.folders.has('/srv/portico-new')).toBe(false);
    const add = LunAddInputSchema.parse({ serverId: 'stor1', iqn: 'iqn.2024-01.test:dev', luns: [{ size: '8MB', backing: { kind: 'sparse' } }] });
    const plan = await planLunAdd(e.ctx, add);
    expect(plan.steps[0].title).toBe('Create the storage folder /srv/portico-new/luns on stor2 (mode 0750, owner root:root)');
    expect(plan.steps[0].ops.map((o) => [o.kind, o.params.path])).toEqual([['dir.create', '/srv/portico-new'], ['dir.create', '/srv/portico-new/luns']]);
    expect(plan.steps[1].ops.map((o) => [o.kind, o.params.path])).toEqual([['tgt.backing.sparse', '/srv/portico-new/luns/dev_1']]);
    expect(plan.fresh).toContainEqual({ kind: 'tgt.paths.absent', host: 'stor1', params: { paths: ['/srv/portico-new'] } });
    expect(plan.warnings!.join('\n')).toMatch(/\/srv\/portico-new\/luns does not exist on stor2 yet: the plan creates it first/);

    const before = fake.snapshot();
    const failing = engine(fake, [{ planKind: 'tgt.lun.add', op: opCount(plan), mode: 'fail' }]);
    expect((await (await failing.runner.apply(failing.plans.register(await planLunAdd(failing.ctx, add)).id)).done).state).toBe('failed');
    expect(fake.snapshot()).toEqual(before);
    expect([...fake.folders].sort()).toEqual(['/', '/srv']);

    const job = await (await e.runner.apply(e.plans.register(await planLunAdd(e.ctx, add)).id)).done;
    expect(job.error).toBeNull();
    expect(fake.calls.filter((c) => c.startsWith('mkdir')).slice(-2)).toEqual(['mkdir /srv/portico-new 750 0:0', 'mkdir /srv/portico-new/luns 750 0:0']);
    expect(fake.storage.has('/srv/portico-new/luns/dev_1')).toBe(true);
    // Once it exists, the next add-LUN plans no folder.
    const next = await planLunAdd(e.ctx, LunAddInputSchema.parse({ ...add, luns: [{ size: '8MB', backing: { kind: 'sparse' } }] }));
    expect(next.steps.flatMap((s) => s.ops).some((o) => o.kind === 'dir.create')).toBe(false);
  });
});

// ---------------------------------------------------------------- full allocation

/** A runner that answers the allocation script with the lines a test scripts, then waits for its signal (like a hung dd). */
class ScriptedRunner implements RemoteRunner {
  readonly label = 'stor1';
  readonly calls: { args: string[]; opts: RunOptions }[] = [];
  constructor(private readonly lines: string[], private readonly finish: 'exit' | 'hang') {}
  async run(_argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const fields = Buffer.from(opts.stdin ?? '').toString('utf8').split('\0');
    this.calls.push({ args: fields.slice(2, 2 + Number(fields[1])), opts });
    for (const l of this.lines) {
      await new Promise((r) => setTimeout(r, 5));
      opts.onLine?.('stdout', l);
    }
    if (this.finish === 'exit') return { code: 0, stdout: this.lines.join('\n') + '\n', stderr: '' };
    return new Promise((_, reject) => {
      const stop = () => reject(Object.assign(new Error('dd on stor1 was cancelled and stopped'), { code: 'cancelled' }));
      if (opts.signal?.aborted) stop();
      opts.signal?.addEventListener('abort', stop, { once: true });
    });
  }
}

describe('fully allocated LUNs', () => {
  it('get a timeout proportional to their size and a stall watchdog, not the fixed 120 s', () => {
    const gib750 = 750 * 1024 ** 3;
    const l = fullAllocationLimits(gib750);
    // 750 GiB at the slowest disk allowed for (10 MiB/s) fits, with 10 minutes to spare.
    expect(l.timeoutMs).toBe(600_000 + (gib750 / (10 * 1048576)) * 1000);
    expect(l.timeoutMs).toBeGreaterThan(20 * 3600_000);
    expect(l.stallMs).toBe(120_000);
    expect(fullAllocationLimits(8 * 1048576).timeoutMs).toBe(601_000);
    expect(fullAllocationLimits(1, { stallMs: 5000 }).stallMs).toBe(5000);
    expect(parseFullAllocationEnv('dd,chunk=16,pause=0.2,stall=5000')).toEqual({ how: 'dd', chunkMiB: 16, pauseS: 0.2, stallMs: 5000 });
    expect(() => parseFullAllocationEnv('fast')).toThrow(/not dd, auto/);
  });

  it('sends the size-proportional timeout, the partial path and the method, and logs progress: the first line, then every 10 %', async () => {
    const bytes = 1000 * 1048576;
    const lines = ['method dd', ...Array.from({ length: 20 }, (_, i) => `progress ${((i + 1) * bytes) / 20}`), 'done dd'];
    const r = new ScriptedRunner(lines, 'exit');
    const d = new TgtDriver({ runner: r, storageDir: '/srv/portico', fullAllocation: { how: 'dd', chunkMiB: 50 } });
    const log: string[] = [];
    const progress: number[] = [];
    expect(await d.createFull('/srv/portico/big', bytes, { log: (l) => log.push(l), onProgress: (n) => progress.push(n) })).toEqual({ method: 'dd' });
    expect(r.calls[0].args).toEqual(['/srv/portico/big', '/srv/portico/.portico-alloc.big', String(bytes), 'dd', '50', '0']);
    expect(r.calls[0].opts.timeoutMs).toBe(fullAllocationLimits(bytes).timeoutMs);
    expect(progress).toHaveLength(20);
    expect(log).toEqual([
      `/srv/portico/big: writing ${bytes} bytes of zeros with dd`,
      `/srv/portico/big: 5 % allocated (${bytes / 20} of ${bytes} bytes)`,
      ...[10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((p) => `/srv/portico/big: ${p} % allocated (${(p * bytes) / 100} of ${bytes} bytes)`),
      '/srv/portico/big: allocated in full with dd',
    ]);
  });

  it('stops an allocation that makes no progress for the watchdog time, and says so', async () => {
    const r = new ScriptedRunner(['method dd', 'progress 1048576'], 'hang');
    const d = new TgtDriver({ runner: r, storageDir: '/srv/portico', fullAllocation: { stallMs: 200 } });
    const t0 = Date.now();
    await expect(d.createFull('/srv/portico/slow', 64 * 1048576)).rejects.toThrow(/stalled: no progress for 0 s at 1048576 of 67108864 bytes; it was stopped/);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.calls[0].opts.signal!.aborted).toBe(true);
  });

  it('a partial file left by a lost connection is "took effect in part": the rollback removes it', async () => {
    const fake = new FakeTgtDriver();
    const e = engine(fake);
    const full = tgtOperationKinds({ driver: () => fake }).full;
    const p = { path: '/srv/portico/fat', bytes: 64 * 1048576 };
    fake.storage.set(partialPathOf(p.path), { size: 1048576, allocated: 1048576, kind: 'file' });
    expect(await full.verify(p, 'stor1', { signal: new AbortController().signal, log: () => undefined })).toEqual({ applied: 'unknown', reason: 'took effect in part: /srv/portico/.portico-alloc.fat holds 1048576 of 67108864 bytes' });
    expect(full.inverse(p, 'stor1', undefined)).toEqual([
      { kind: 'tgt.backing.remove', host: 'stor1', params: { path: '/srv/portico/.portico-alloc.fat', data: false } },
      { kind: 'tgt.backing.remove', host: 'stor1', params: { path: '/srv/portico/fat', data: false } },
    ]);
    fake.storage.clear();
    fake.fullCutAfter = 3 * 1048576;
    const job = await (await e.runner.apply(e.plans.register(await planTargetCreate(e.ctx, spec(input([{ size: '64MB', backing: { kind: 'full' } }], 'fat')))).id)).done;
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/connection to stor1 was lost/);
    expect([...fake.storage.keys()]).toEqual([]);
  });
});

describe('the allocation script, run on this machine', () => {
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'portico-alloc-'));
    dirs.push(d);
    return d;
  };

  it('allocates in full with fallocate, under the partial name until complete', async () => {
    const d = dir();
    const drv = new TgtDriver({ runner: new LocalRunner(), storageDir: d });
    const r = await drv.createFull(`${d}/lun`, 8 * 1048576 + 512);
    expect(['fallocate', 'dd']).toContain(r.method);
    const st = statSync(`${d}/lun`);
    expect(st.size).toBe(8 * 1048576 + 512);
    expect(st.blocks * 512).toBeGreaterThanOrEqual(8 * 1048576);
    expect(readdirSync(d)).toEqual(['lun']);
  });

  it('the dd fallback writes zeros with progress; cancelled, it leaves no file behind', async () => {
    const d = dir();
    const drv = new TgtDriver({ runner: new LocalRunner(), storageDir: d, fullAllocation: { how: 'dd', chunkMiB: 1, pauseS: 0.05 } });
    expect(await drv.createFull(`${d}/small`, 3 * 1048576 + 4096)).toEqual({ method: 'dd' });
    expect(statSync(`${d}/small`).size).toBe(3 * 1048576 + 4096);
    const ctl = new AbortController();
    const seen: number[] = [];
    const run = drv.createFull(`${d}/big`, 64 * 1048576, { signal: ctl.signal, onProgress: (n) => { seen.push(n); if (seen.length === 2) ctl.abort(); } });
    await expect(run).rejects.toThrow();
    expect(seen.length).toBeGreaterThanOrEqual(2);
    // The script's TERM trap removed the partial file; the final name never existed.
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(`${d}/big`)).toBe(false);
    expect(existsSync(partialPathOf(`${d}/big`))).toBe(false);
    expect(readdirSync(d)).toEqual(['small']);
  });

  it('refuses a path that exists, and a partial file an earlier job left', async () => {
    const d = dir();
    const drv = new TgtDriver({ runner: new LocalRunner(), storageDir: d });
    await drv.createFull(`${d}/a`, 4096);
    await expect(drv.createFull(`${d}/a`, 4096)).rejects.toThrow(/already exists/);
    await drv.createFull(`${d}/b`, 4096);
    const { renameSync } = await import('node:fs');
    renameSync(`${d}/b`, partialPathOf(`${d}/c`));
    await expect(drv.createFull(`${d}/c`, 4096)).rejects.toThrow(/a partial allocation is left at .*\.portico-alloc\.c .*roll that job back/);
  });
});
