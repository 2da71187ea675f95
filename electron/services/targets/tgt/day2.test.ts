// The day-2 planners (LUN resize / remove / read-only, CHAP, sessions, rename, adopt, portals,
// bulk) against the recording fake driver, applied through the real JobRunner: operation lists,
// inverses, dangers, refusals naming their field, the usage refusal, and a rollback that leaves
// the fake server as it was.
import { afterEach, describe, expect, it } from 'vitest';
import { TargetInputSchema, type TargetInput } from '../../../../shared/domain/target';
import {
  AdoptInputSchema, BulkInputSchema, ChapActionInputSchema, LunReadonlyInputSchema, LunRemoveInputSchema, LunResizeInputSchema, PortalActionInputSchema,
  RenameInputSchema, SessionCloseInputSchema, type ChapActionInput,
} from '../../../../shared/domain/target-actions';
import type { Plan } from '../../jobs/operation';
import { FakeTgtDriver, fakeTgtKinds } from '../../../test-support/fake-tgt';
import { disposeEngines, testEngine } from '../../../test-support/engine';
import { parseTargetConf, renderTargetConf } from './conf';
import { tgtLunGuid } from './lun-guid';
import { tgtShownMB } from './target-op';
import { planAdopt, planBulk, planChap, planLunReadonly, planLunRemove, planLunResize, planPortal, planRename, planSessionClose, planTargetCreate, type TgtServerContext } from './planner';
import { portalsOfExec, renderDropIn } from './portals';
import type { LunUser } from '../../usage';
import type { Failpoint } from '../../jobs/failpoints';

const IQN = 'iqn.2026-12.com.example:stor1:day2';
const SECRET = 'Secret123456ab';
const GiB = 1024 ** 3;
afterEach(disposeEngines);

function setup(o: { users?: LunUser[]; failpoints?: Failpoint[] } = {}) {
  const fake = new FakeTgtDriver();
  fake.folders.add('/etc/systemd/system');
  const usage = o.users ? async () => o.users! : undefined;
  const { kinds, plans, runner } = testEngine(fakeTgtKinds(fake, { dirs: true, ...(usage ? { usage } : {}) }), { failpoints: o.failpoints });
  const ctx: TgtServerContext = { serverId: 'stor1', driver: fake, ...(usage ? { usage } : {}) };
  return { fake, kinds, plans, runner, ctx };
}
type T = ReturnType<typeof setup>;

function input(chap = true): TargetInput {
  return {
    serverId: 'stor1', name: 'day2', iqn: IQN,
    luns: [{ size: '1GB', backing: { kind: 'sparse' } }, { size: '1GB', backing: { kind: 'full' } }],
    access: { initiators: ['iqn.1994-05.com.redhat:hv1'], networks: ['203.0.113.0/24'], ...(chap ? { chap: { user: 'day2-chap', secret: SECRET } } : {}) },
  };
}

async function run(t: T, plan: Plan, confirmDangers = false) {
  const view = t.plans.register(plan);
  return (await t.runner.apply(view.id, { confirmDangers })).done;
}

async function created(t: T, chap = true) {
  const job = await run(t, await planTargetCreate(t.ctx, TargetInputSchema.parse(input(chap))));
  expect(job.state).toBe('succeeded');
}

const PortalActionSpecOf = (action: 'add' | 'remove', portal: string) => PortalActionInputSchema.parse({ serverId: 'stor1', action, portal });
const ops = (p: Plan) => p.steps.flatMap((s) => s.ops.map((o) => `${o.kind} ${(o.params as { op?: string }).op ?? ''}`.trim()));
const conf = (t: T) => parseTargetConf(t.fake.files.get('/etc/tgt/conf.d/day2.conf')!.content)[0];

describe('LUN resize', () => {
  it('grows the sparse file, makes tgtd re-read the size, persists it and says initiators must rescan', async () => {
    const t = setup();
    await created(t);
    const plan = await planLunResize(t.ctx, LunResizeInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 1, size: '2GB' }));
    expect(ops(plan)).toEqual(['tgt.backing.size', 'tgt.tgtadm lun-reread', 'file.put', 'file.put']);
    expect(t.kinds.describe(plan.steps[0].ops[1])).toContain('--params online=0,path=/srv/portico/day2');
    expect(plan.warnings!.join(' ')).toMatch(/rescan/);
    expect(t.kinds.describeInverse(plan.steps[0].ops[0])).toContain('truncate -s 1073741824');
    const job = await run(t, plan);
    expect(job.state).toBe('succeeded');
    expect(t.fake.storage.get('/srv/portico/day2')!.size).toBe(2 * GiB);
    expect(t.fake.targets[0].luns.find((l) => l.lun === 1)!.sizeBytes).toBe(tgtShownMB(2 * GiB) * 1e6);
    expect(conf(t).luns.find((l) => l.lun === 1)!.sizeBytes).toBe(2 * GiB);
  });

  it('grows an allocated file with its new part allocated', async () => {
    const t = setup();
    await created(t);
    const plan = await planLunResize(t.ctx, LunResizeInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 2, size: '3GB' }));
    expect((plan.steps[0].ops[0].params as { allocate: boolean }).allocate).toBe(true);
    expect((await run(t, plan)).state).toBe('succeeded');
    expect(t.fake.storage.get('/srv/portico/day2_1')).toMatchObject({ size: 3 * GiB, allocated: 3 * GiB });
  });

  it('refuses to shrink or to keep the size, naming the size field', async () => {
    const t = setup();
    await created(t);
    await expect(planLunResize(t.ctx, LunResizeInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 1, size: '512MB' }))).rejects.toMatchObject({ field: 'size', message: expect.stringMatching(/^Size: .*never shrunk/) });
    await expect(planLunResize(t.ctx, LunResizeInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 1, size: '1GB' }))).rejects.toMatchObject({ field: 'size', message: expect.stringMatching(/already/) });
    await expect(planLunResize(t.ctx, LunResizeInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 7, size: '2GB' }))).rejects.toMatchObject({ field: 'lun' });
  });

  it('a failure after the growth and the re-read rolls both back: the file and the size tgtd serves are as before', async () => {
    // Operation 4 (the conf file write) fails: the file shrinks back and tgtd re-reads the old size.
    const t = setup({ failpoints: [{ planKind: 'tgt.lun.resize', op: 4, mode: 'fail' }] });
    await created(t);
    const before = t.fake.snapshot();
    const plan = await planLunResize(t.ctx, LunResizeInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 1, size: '2GB' }));
    const job = await run(t, plan);
    expect(job.state).toBe('failed');
    expect(t.fake.calls).toContain('resize /srv/portico/day2 2147483648->1073741824');
    expect(t.fake.snapshot()).toEqual(before);
  });
});

describe('LUN remove', () => {
  it('removes the LUN, keeps the backing file unless asked, persists the file', async () => {
    const t = setup();
    await created(t);
    const plan = await planLunRemove(t.ctx, LunRemoveInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 2 }));
    expect(ops(plan)).toEqual(['tgt.tgtadm lun-delete', 'file.put', 'file.put']);
    expect(plan.dangers).toEqual([]);
    expect((await run(t, plan)).state).toBe('succeeded');
    expect(t.fake.targets[0].luns.map((l) => l.lun)).toEqual([0, 1]);
    expect(t.fake.storage.has('/srv/portico/day2_1')).toBe(true);
  });

  it('deletes the backing file only on request: irreversible, last, and a danger', async () => {
    const t = setup();
    await created(t);
    const plan = await planLunRemove(t.ctx, LunRemoveInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 2, deleteBacking: true }));
    expect(ops(plan).at(-1)).toBe('tgt.backing.remove');
    expect(t.kinds.irreversible(plan.steps.at(-1)!.ops[0])).toBe(true);
    expect(plan.dangers!.join(' ')).toMatch(/day2_1 .*deleted for good/);
    await expect(t.runner.apply(t.plans.register(plan).id)).rejects.toMatchObject({ field: 'confirmDangers' });
    expect((await run(t, await planLunRemove(t.ctx, LunRemoveInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 2, deleteBacking: true })), true)).state).toBe('succeeded');
    expect(t.fake.storage.has('/srv/portico/day2_1')).toBe(false);
  });

  it('is refused while sessions exist unless forced with the initiators seen; forced, the danger names them', async () => {
    const t = setup();
    await created(t);
    t.fake.connect(1, 'iqn.1994-05.com.redhat:hv1', ['203.0.113.21']);
    await expect(planLunRemove(t.ctx, LunRemoveInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 1 }))).rejects.toMatchObject({ field: 'force', message: expect.stringContaining('hv1 from 203.0.113.21') });
    await expect(planLunRemove(t.ctx, LunRemoveInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 1, force: true, confirmedSessions: ['iqn.x:other'] }))).rejects.toMatchObject({ field: 'confirmedSessions' });
    const plan = await planLunRemove(t.ctx, LunRemoveInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 1, force: true, confirmedSessions: ['iqn.1994-05.com.redhat:hv1'] }));
    expect(plan.dangers!.join(' ')).toContain('iqn.1994-05.com.redhat:hv1');
  });

  it('is refused when another feature reports the LUN in use, naming each user and its fix; target delete too', async () => {
    const users = [{ owner: 'datastores', description: "OpenNebula image 12 'db-disk' on fe1", fix: 'remove the image on the Datastores page first' }];
    const t = setup({ users });
    await created(t);
    await expect(planLunRemove(t.ctx, LunRemoveInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 1 }))).rejects.toMatchObject({ code: 'in-use', field: 'lun', message: expect.stringContaining("OpenNebula image 12 'db-disk' on fe1 (datastores): remove the image on the Datastores page first") });
    const { planTargetDelete } = await import('./planner');
    await expect(planTargetDelete(t.ctx, { serverId: 'stor1', iqn: IQN, force: false, deleteBackingFiles: false })).rejects.toMatchObject({ code: 'in-use', field: 'iqn' });
  });

  it('a user that came after the review stops the delete before anything runs (asked again at apply)', async () => {
    const users: LunUser[] = [];
    const t = setup({ users });
    await created(t);
    const { planTargetDelete } = await import('./planner');
    const del = t.plans.register(await planTargetDelete(t.ctx, { serverId: 'stor1', iqn: IQN, force: false, deleteBackingFiles: false }));
    const rm = t.plans.register(await planLunRemove(t.ctx, LunRemoveInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 1 })));
    users.push({ owner: 'hosted-engine', description: 'the hosted-engine storage domain 3f1c of hv1 is on this target', fix: 'move the hosted engine first' });
    const before = t.fake.snapshot();
    await expect(t.runner.apply(del.id)).rejects.toThrow(/came into use after the plan was made: the hosted-engine storage domain 3f1c of hv1/);
    await expect(t.runner.apply(rm.id)).rejects.toThrow(/LUN 1 of .* came into use after the plan was made/);
    expect(t.fake.snapshot()).toEqual(before);
  });
});

describe('LUN read-only', () => {
  it('sets readonly with the previous value as its undo, persists; refuses when already so', async () => {
    const t = setup();
    await created(t);
    const plan = await planLunReadonly(t.ctx, LunReadonlyInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 1, readonly: true }));
    expect(t.kinds.describeInverse(plan.steps[0].ops[0])).toContain('readonly=0');
    expect((await run(t, plan)).state).toBe('succeeded');
    expect(t.fake.targets[0].luns.find((l) => l.lun === 1)!.readonly).toBe(true);
    expect(conf(t).luns.find((l) => l.lun === 1)!.readonly).toBe(true);
    await expect(planLunReadonly(t.ctx, LunReadonlyInputSchema.parse({ serverId: 'stor1', iqn: IQN, lun: 1, readonly: true }))).rejects.toMatchObject({ field: 'readonly' });
  });
});

describe('CHAP', () => {
  const chap = (i: Omit<ChapActionInput, 'serverId' | 'iqn'>) => ChapActionInputSchema.parse({ serverId: 'stor1', iqn: IQN, ...i });

  it('rotate: a new strong secret generated in main, masked in the plan, the old one carried for the undo', async () => {
    const t = setup();
    await created(t);
    const { plan, generated } = await planChap(t.ctx, chap({ action: 'rotate', user: 'day2-chap' }));
    expect(generated!.secret).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(generated!.secret).not.toBe(SECRET);
    expect(ops(plan)).toEqual(['tgt.tgtadm account-unbind', 'tgt.tgtadm account-delete', 'tgt.tgtadm account-new', 'tgt.tgtadm account-bind', 'file.put', 'file.put']);
    const view = t.plans.register(plan);
    expect(JSON.stringify(view)).not.toContain(generated!.secret);
    expect(JSON.stringify(view)).not.toContain(SECRET);
    expect((await (await t.runner.apply(view.id)).done).state).toBe('succeeded');
    expect(conf(t).incoming).toEqual([{ user: 'day2-chap', password: generated!.secret }]);
    expect(t.fake.files.get('/etc/tgt/conf.d/day2.conf')!.mode).toBe('600');
  });

  it('add: refuses a user name tgtd already has; without a secret one is generated', async () => {
    const t = setup();
    await created(t);
    await expect(planChap(t.ctx, chap({ action: 'add', user: 'day2-chap' }))).rejects.toMatchObject({ field: 'user', message: expect.stringMatching(/^CHAP user: day2-chap already exists/) });
    const { plan, generated } = await planChap(t.ctx, chap({ action: 'add', user: 'day2-mutual', mutual: true }));
    expect(generated!.mutual).toBe(true);
    expect((await run(t, plan)).state).toBe('succeeded');
    expect(t.fake.targets[0].accounts).toEqual([{ user: 'day2-chap', outgoing: false }, { user: 'day2-mutual', outgoing: true }]);
  });

  it('remove lowers protection: a danger; its undo re-creates the account with the old secret', async () => {
    const t = setup();
    await created(t);
    const before = t.fake.snapshot();
    const { plan } = await planChap(t.ctx, chap({ action: 'remove', user: 'day2-chap' }));
    expect(plan.dangers!.join(' ')).toMatch(/CHAP is removed/);
    // tgtd refuses the delete after the unbind ran: the rollback binds the account again.
    t.fake.refuse.add('account-delete');
    const job = await run(t, plan, true);
    expect(job.state).toBe('failed');
    t.fake.refuse.clear();
    expect(t.fake.snapshot()).toEqual(before);
    expect((await run(t, (await planChap(t.ctx, chap({ action: 'remove', user: 'day2-chap' }))).plan, true)).state).toBe('succeeded');
    expect(t.fake.accounts).toEqual([]);
  });

  it('refuses to rotate an account another target shares, and an unknown user', async () => {
    const t = setup();
    await created(t);
    await expect(planChap(t.ctx, chap({ action: 'rotate', user: 'nobody' }))).rejects.toMatchObject({ field: 'user' });
    t.fake.targets.push({ ...structuredClone(t.fake.targets[0]), tid: 9, iqn: 'iqn.2026-12.com.example:other' });
    await expect(planChap(t.ctx, chap({ action: 'rotate', user: 'day2-chap' }))).rejects.toMatchObject({ field: 'user', message: expect.stringContaining('also used by iqn.2026-12.com.example:other') });
  });
});

describe('sessions, rename', () => {
  it('closes the chosen session, the step naming the initiator; refuses an unknown session id', async () => {
    const t = setup();
    await created(t);
    t.fake.connect(1, 'iqn.1994-05.com.redhat:hv1', ['203.0.113.21']);
    t.fake.connect(1, 'iqn.1994-05.com.redhat:hv2', ['203.0.113.22']);
    const nexus = t.fake.targets[0].sessions[0].nexus;
    await expect(planSessionClose(t.ctx, SessionCloseInputSchema.parse({ serverId: 'stor1', iqn: IQN, sessions: [99] }))).rejects.toMatchObject({ field: 'sessions' });
    const plan = await planSessionClose(t.ctx, SessionCloseInputSchema.parse({ serverId: 'stor1', iqn: IQN, sessions: [nexus] }));
    expect(plan.steps.map((s) => s.title)).toEqual([`Close session ${nexus} of iqn.1994-05.com.redhat:hv1 (from 203.0.113.21) on ${IQN}`]);
    const job = await run(t, plan);
    expect(job.state).toBe('succeeded');
    expect(t.fake.targets[0].sessions.map((s) => s.initiator)).toEqual(['iqn.1994-05.com.redhat:hv2']);
  });

  it('alias and comment go to the conf file only (tgt has neither)', async () => {
    const t = setup();
    await created(t);
    const plan = await planRename(t.ctx, RenameInputSchema.parse({ serverId: 'stor1', iqn: IQN, alias: 'Xen pool', comment: 'rack 4' }));
    expect(ops(plan)).toEqual(['file.put', 'file.put']);
    expect((await run(t, plan)).state).toBe('succeeded');
    expect(conf(t)).toMatchObject({ alias: 'Xen pool', comment: 'rack 4' });
    expect(() => RenameInputSchema.parse({ serverId: 'stor1', iqn: IQN })).toThrow(/Alias: give a new alias or comment/);
  });
});

describe('adopt', () => {
  function handMade(t: T, accounts = true) {
    t.fake.storage.set('/srv/hand/disk', { size: GiB, allocated: 4096, kind: 'file' });
    t.fake.targets.push({
      tid: 5, iqn: 'iqn.2026-12.com.example:hand', driver: 'iscsi', state: 'ready', sessions: [],
      luns: [
        { lun: 0, type: 'controller', scsiId: 'IET     00050000', scsiSn: 'beaf50', sizeBytes: 0, blockSize: 512, online: true, removable: false, preventRemoval: false, readonly: false, swp: false, thinProvisioning: false, bsType: 'null', path: null, bsFlags: '' },
        { lun: 1, type: 'disk', scsiId: 'IET     00050001', scsiSn: 'beaf51', sizeBytes: 1073, blockSize: 512, online: true, removable: false, preventRemoval: false, readonly: false, swp: false, thinProvisioning: false, bsType: 'rdwr', path: '/srv/hand/disk', bsFlags: '' },
      ],
      accounts: accounts ? [{ user: 'handuser', outgoing: false }] : [], aclAddresses: ['ALL'], aclNames: [],
    });
    if (accounts) t.fake.accounts.push('handuser');
  }

  it('asks for the secrets tgt cannot show, then writes the conf file from the live state (0600, default SCSI ids kept exactly)', async () => {
    const t = setup();
    handMade(t);
    await expect(planAdopt(t.ctx, AdoptInputSchema.parse({ serverId: 'stor1', iqns: ['iqn.2026-12.com.example:hand'] }))).rejects.toMatchObject({ code: 'secrets-needed', field: 'secrets', details: { needSecretsFor: ['handuser'] } });
    const plan = await planAdopt(t.ctx, AdoptInputSchema.parse({ serverId: 'stor1', iqns: ['iqn.2026-12.com.example:hand'], secrets: [{ user: 'handuser', secret: SECRET }] }));
    expect(ops(plan)).toEqual(['file.put']);
    expect(plan.warnings!.join(' ')).toMatch(/open to ALL/);
    expect((await run(t, plan)).state).toBe('succeeded');
    const f = t.fake.files.get('/etc/tgt/conf.d/hand.conf')!;
    expect(f.mode).toBe('600');
    const d = parseTargetConf(f.content)[0];
    expect(d.luns[0]).toMatchObject({ lun: 1, path: '/srv/hand/disk', scsiId: 'IET     00050001', scsiSn: 'beaf51', kind: 'sparse' });
    expect(d.incoming).toEqual([{ user: 'handuser', password: SECRET }]);
    await expect(planAdopt(t.ctx, AdoptInputSchema.parse({ serverId: 'stor1', iqns: ['iqn.2026-12.com.example:hand'], secrets: [{ user: 'handuser', secret: SECRET }] }))).rejects.toMatchObject({ field: 'iqns', message: expect.stringMatching(/already managed/) });
  });

  it('refuses a target another file defines, naming the file', async () => {
    const t = setup();
    handMade(t, false);
    t.fake.files.set('/etc/tgt/conf.d/old.conf', { content: '<target iqn.2026-12.com.example:hand>\n    backing-store /srv/hand/disk\n</target>\n', mode: '644' });
    await expect(planAdopt(t.ctx, AdoptInputSchema.parse({ serverId: 'stor1', iqns: ['iqn.2026-12.com.example:hand'] }))).rejects.toMatchObject({ field: 'iqns', message: expect.stringContaining('/etc/tgt/conf.d/old.conf') });
  });
});

describe('portals', () => {
  it('add: tgtadm portal new, the drop-in with the full list, daemon-reload; remove: the sessions on it are a danger', async () => {
    const t = setup();
    t.fake.files.set('/lib/systemd/system/tgt.service', { content: '[Service]\nExecStart=/usr/sbin/tgtd -f\n', mode: '644' });
    const plan = await planPortal(t.ctx, PortalActionInputSchema.parse({ serverId: 'stor1', action: 'add', portal: '203.0.113.11:3260' }));
    expect(ops(plan)).toEqual(['tgt.tgtadm portal-new', 'tgt.systemd.reload', 'dir.create', 'file.put', 'tgt.systemd.reload']);
    expect((await run(t, plan)).state).toBe('succeeded');
    const dropIn = t.fake.files.get('/etc/systemd/system/tgt.service.d/portico-portals.conf')!.content;
    expect(dropIn).toContain('ExecStart=\nExecStart=/usr/sbin/tgtd -f --iscsi portal=0.0.0.0:3260,portal=203.0.113.11:3260');
    expect(portalsOfExec('/usr/sbin/tgtd -f --iscsi portal=0.0.0.0:3260,portal=203.0.113.11:3260')).toEqual(['0.0.0.0:3260', '203.0.113.11:3260']);
    await created(t, false);
    t.fake.connect(1, 'iqn.1994-05.com.redhat:hv1', ['203.0.113.21']);
    t.fake.connectionsVia!.set('203.0.113.21', '203.0.113.11');
    const rm = await planPortal(t.ctx, PortalActionInputSchema.parse({ serverId: 'stor1', action: 'remove', portal: '203.0.113.11:3260' }));
    expect(rm.dangers!.join(' ')).toContain(`iqn.1994-05.com.redhat:hv1 on ${IQN} from 203.0.113.21`);
    const gone = await planPortal(t.ctx, PortalActionInputSchema.parse({ serverId: 'stor1', action: 'remove', portal: '0.0.0.0:3260' }));
    expect(gone.dangers).toEqual([]);
    await expect(planPortal(t.ctx, PortalActionInputSchema.parse({ serverId: 'stor1', action: 'add', portal: '203.0.113.11:3260' }))).rejects.toMatchObject({ field: 'portal' });
    expect(() => PortalActionInputSchema.parse({ serverId: 'stor1', action: 'add', portal: 'stor1:3260' })).toThrow(/is not ADDRESS:PORT/);
    expect(renderDropIn('/usr/sbin/tgtd -f', ['[::]:3260'])).toContain('portal=[::]:3260');
  });

  it('a failure after the drop-in was written: the rollback puts the old drop-in back, then reloads systemd, then stops listening', async () => {
    // Operation 5 is the reload after the drop-in was written.
    const t = setup({ failpoints: [{ planKind: 'tgt.portal.add', op: 5, mode: 'fail' }] });
    t.fake.files.set('/lib/systemd/system/tgt.service', { content: '[Service]\nExecStart=/usr/sbin/tgtd -f\n', mode: '644' });
    const plan = await planPortal(t.ctx, PortalActionInputSchema.parse({ serverId: 'stor1', action: 'add', portal: '203.0.113.11:3260' }));
    t.fake.calls.length = 0;
    const job = await run(t, plan);
    expect(job.state).toBe('failed');
    expect(t.fake.files.has('/etc/systemd/system/tgt.service.d/portico-portals.conf')).toBe(false);
    const tail = t.fake.calls.filter((c) => /^put |daemon-reload|portal/.test(c));
    const put = tail.indexOf('put /etc/systemd/system/tgt.service.d/portico-portals.conf (remove)');
    expect(put, tail.join(' | ')).toBeGreaterThan(0);
    // The reload comes after the old drop-in is back (systemd then holds the unit as it is on disk).
    expect(tail.slice(put + 1)).toContain('systemctl daemon-reload');
  });

  it('RHEL and Fedora: the drop-in is for tgtd.service and keeps its $TGTD_OPTS', async () => {
    const t = setup();
    t.fake.service = { unit: 'tgtd.service', unitFile: '/usr/lib/systemd/system/tgtd.service', dropIn: '/etc/systemd/system/tgtd.service.d/portico-portals.conf' };
    t.fake.files.set('/usr/lib/systemd/system/tgtd.service', { content: '[Service]\nEnvironmentFile=-/etc/sysconfig/tgtd\nExecStart=/usr/sbin/tgtd -f $TGTD_OPTS\n', mode: '644' });
    const plan = await planPortal(t.ctx, PortalActionSpecOf('add', '203.0.113.11:3260'));
    expect(plan.steps[1].title).toContain('read at the next start of tgtd.service');
    expect((await run(t, plan)).state).toBe('succeeded');
    expect(t.fake.files.get('/etc/systemd/system/tgtd.service.d/portico-portals.conf')!.content).toContain('ExecStart=/usr/sbin/tgtd -f $TGTD_OPTS --iscsi portal=0.0.0.0:3260,portal=203.0.113.11:3260');
    expect(t.fake.files.has('/etc/systemd/system/tgt.service.d/portico-portals.conf')).toBe(false);
  });

  it('no systemd unit for tgtd: the portal changes live only, and the plan says it does not last', async () => {
    const t = setup();
    t.fake.service = null;
    const plan = await planPortal(t.ctx, PortalActionSpecOf('add', '203.0.113.11:3260'));
    expect(ops(plan)).toEqual(['tgt.tgtadm portal-new']);
    expect(plan.warnings!.join(' ')).toContain('this change is not persisted');
    expect((await run(t, plan)).state).toBe('succeeded');
    expect(t.fake.portals.map((p) => `${p.address}:${p.port}`)).toContain('203.0.113.11:3260');
    expect([...t.fake.files.keys()].filter((k) => k.includes('portico-portals'))).toEqual([]);
  });

  it('refuses removing the last portal', async () => {
    const t = setup();
    await expect(planPortal(t.ctx, PortalActionInputSchema.parse({ serverId: 'stor1', action: 'remove', portal: '0.0.0.0:3260' }))).rejects.toMatchObject({ field: 'portal', message: expect.stringMatching(/last portal/) });
  });
});

describe('bulk', () => {
  it('one plan deletes several targets; one plan grants an initiator to several', async () => {
    const t = setup();
    await created(t, false);
    const second = { ...input(false), name: 'day2b', iqn: `${IQN}b` };
    expect((await run(t, await planTargetCreate(t.ctx, TargetInputSchema.parse(second)))).state).toBe('succeeded');
    const acl = await planBulk(t.ctx, BulkInputSchema.parse({ serverId: 'stor1', action: 'aclAdd', iqns: [IQN, `${IQN}b`], initiators: ['iqn.1994-05.com.redhat:hv9'] }));
    expect(acl.steps.filter((s) => s.ops.some((o) => (o.params as { op?: string }).op === 'bind-name')).length).toBe(2);
    expect((await run(t, acl)).state).toBe('succeeded');
    expect(t.fake.targets.every((x) => x.aclNames.includes('iqn.1994-05.com.redhat:hv9'))).toBe(true);
    const del = await planBulk(t.ctx, BulkInputSchema.parse({ serverId: 'stor1', action: 'delete', iqns: [IQN, `${IQN}b`] }));
    expect(del.kind).toBe('tgt.bulk.delete');
    expect((await run(t, del)).state).toBe('succeeded');
    expect(t.fake.targets).toEqual([]);
    await expect(planBulk(t.ctx, BulkInputSchema.parse({ serverId: 'stor1', action: 'delete', iqns: ['iqn.2026-12.com.example:nope'] }))).rejects.toMatchObject({ field: 'iqns', message: expect.stringContaining('iqn.2026-12.com.example:nope') });
  });
});

describe('GUID and conf ids', () => {
  it('tgt prints sizes in its own MB (print_disksize), as seen on the lab: 16 MiB = 17 MB, 32 MiB = 34 MB', () => {
    expect([16, 32].map((m) => tgtShownMB(m * 1024 ** 2))).toEqual([17, 34]);
  });

  it('derives the GUID a host sees for tgt\'s default scsi_id (as the lab\'s hosts report it) and for a Portico one', () => {
    // The iSCSI lab test sees 360000000000000000e000000<tid hex><lun 4 hex> for tgtd's defaults.
    expect(tgtLunGuid({ scsiId: 'IET     00050001', tid: 5, lun: 1 })).toBe('360000000000000000e00000000050001');
    expect(tgtLunGuid({ scsiId: 'portico-0123456789abcdef', tid: 1, lun: 1 })).toBe('36000000000000c000123456789abcdef');
  });

  it('a scsi_id with tgt\'s inner spaces round-trips through the conf file', () => {
    const d = { iqn: IQN, name: 'x', luns: [{ lun: 1, path: '/srv/x', scsiId: 'IET     00010001', scsiSn: 'beaf11', readonly: false }], addresses: ['ALL'], names: [], incoming: [] };
    expect(parseTargetConf(renderTargetConf(d))[0].luns[0].scsiId).toBe('IET     00010001');
  });
});
