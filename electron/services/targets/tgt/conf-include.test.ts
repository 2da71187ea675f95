// targets.conf must include the conf.d files Portico writes: the include rules as tgt-admin reads
// them, and the create plan (recording fake, real JobRunner) adding the line only when missing.
import { afterEach, describe, expect, it } from 'vitest';
import { TargetInputSchema } from '../../../../shared/domain/target';
import { FakeTgtDriver, fakeTgtKinds } from '../../../test-support/fake-tgt';
import { disposeEngines, testEngine } from '../../../test-support/engine';
import { includesConfDir, withConfDirInclude } from './conf-include';
import { planTargetCreate, type TgtServerContext } from './planner';
import { readTargetsView } from './view';

afterEach(disposeEngines);

describe('includesConfDir', () => {
  it('follows include lines and globs, skipping comments', () => {
    expect(includesConfDir('include /etc/tgt/conf.d/*.conf\n', '/etc/tgt/conf.d')).toBe(true);
    expect(includesConfDir('  INCLUDE /etc/tgt/conf.d/*\n', '/etc/tgt/conf.d/')).toBe(true);
    expect(includesConfDir('<<include /etc/tgt/conf.d/*.conf>>\n', '/etc/tgt/conf.d')).toBe(true);
    expect(includesConfDir('#include /etc/tgt/conf.d/*.conf\ndefault-driver iscsi\n', '/etc/tgt/conf.d')).toBe(false);
    expect(includesConfDir('include /etc/tgt/temp/*.conf\n', '/etc/tgt/conf.d')).toBe(false);
    expect(includesConfDir('include /etc/tgt/conf.d/local.conf\n', '/etc/tgt/conf.d')).toBe(false);
  });
  it('appends the line, keeping what the file had', () => {
    expect(withConfDirInclude('default-driver iscsi', '/etc/tgt/conf.d')).toBe('default-driver iscsi\n# Added by Portico: tgt-admin reads the targets in /etc/tgt/conf.d only through this line.\ninclude /etc/tgt/conf.d/*.conf\n');
    expect(includesConfDir(withConfDirInclude(null, '/etc/tgt/conf.d'), '/etc/tgt/conf.d')).toBe(true);
  });
});

describe('create plan and targets.conf', () => {
  const input = TargetInputSchema.parse({
    serverId: 'stor1', name: 'inc', iqn: 'iqn.2026-12.com.example:stor1:inc',
    luns: [{ size: '64MB', backing: { kind: 'sparse' } }], access: { initiators: ['iqn.1994-05.com.redhat:hv1'], networks: [] },
  });
  function setup(targetsConf: string | null) {
    const fake = new FakeTgtDriver();
    if (targetsConf === null) fake.files.delete(fake.targetsConf);
    else fake.files.set(fake.targetsConf, { content: targetsConf, mode: '600' });
    const { plans, runner } = testEngine(fakeTgtKinds(fake, { dirs: true }));
    const ctx: TgtServerContext = { serverId: 'stor1', driver: fake };
    return { fake, plans, runner, ctx };
  }

  it('Debian\'s file: no extra step', async () => {
    const t = setup('include /etc/tgt/conf.d/*.conf\n');
    const plan = await planTargetCreate(t.ctx, input);
    expect(plan.steps.map((s) => s.title).join(' | ')).not.toMatch(/include/);
  });

  it('a file without the include: the plan adds it (mode kept), warns, and a rollback takes it out again', async () => {
    const t = setup('default-driver iscsi\n');
    const plan = await planTargetCreate(t.ctx, input);
    expect(plan.steps.at(-1)!.title).toBe('Make /etc/tgt/targets.conf include /etc/tgt/conf.d/*.conf (tgt reads the targets Portico writes at start only through it)');
    expect(plan.warnings!.join(' ')).toContain('without an include line tgt forgets these targets at its next start');
    const view = await readTargetsView(t.fake);
    expect(view.fileErrors).toEqual([]); // no conf.d file yet: nothing to forget

    const ok = await t.runner.apply(t.plans.register(plan).id).then((r) => r.done);
    expect(ok.state).toBe('succeeded');
    expect(t.fake.files.get('/etc/tgt/targets.conf')).toMatchObject({ content: expect.stringContaining('include /etc/tgt/conf.d/*.conf'), mode: '600' });

    // The admin trims the include again: the Targets page says what a restart would lose.
    t.fake.files.set('/etc/tgt/targets.conf', { content: 'default-driver iscsi\n', mode: '600' });
    expect((await readTargetsView(t.fake)).fileErrors[0]).toMatchObject({ file: '/etc/tgt/targets.conf', error: expect.stringMatching(/^does not include \/etc\/tgt\/conf\.d\/\*\.conf, so tgt forgets the 1 target file/) });
  });

  it('no targets.conf at all: created with the include', async () => {
    const t = setup(null);
    const plan = await planTargetCreate(t.ctx, input);
    expect((await t.runner.apply(t.plans.register(plan).id).then((r) => r.done)).state).toBe('succeeded');
    expect(includesConfDir(t.fake.files.get('/etc/tgt/targets.conf')!.content, '/etc/tgt/conf.d')).toBe(true);
  });
});
