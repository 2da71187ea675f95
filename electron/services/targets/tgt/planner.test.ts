// The tgt planners against a recording fake driver (no lab, no root): the operation lists they
// build, that every operation has an inverse or is flagged irreversible, and, through the real
// JobRunner, that a failure at any operation leaves the fake server exactly as before.
import { afterEach, describe, expect, it } from 'vitest';
import { AccessEditInputSchema, LunAddInputSchema, TargetDeleteInputSchema, TargetInputSchema, type TargetInput } from '../../../../shared/domain/target';
import type { Failpoint } from '../../jobs/failpoints';
import { OperationRegistry } from '../../jobs/kinds';
import type { Operation, Plan } from '../../jobs/operation';
import { FakeTgtDriver, fakeTgtKinds } from '../../../test-support/fake-tgt';
import { disposeEngines, testEngine } from '../../../test-support/engine';
import { tgtCheckKinds } from './checks';
import { renderTargetConf, type DesiredTarget } from './conf';
import { accessDangers } from './plan-common';
import { planAccessEdit, planLunAdd, planReconcile, planTargetCreate, planTargetDelete, type TgtServerContext } from './planner';

const SECRET = 'Secret123456ab';
const MUTUAL = 'Other123456abc';
const BASE = 'iqn.2002-08.info.netmanager';
afterEach(disposeEngines);

function setup(fake = new FakeTgtDriver(), failpoints: Failpoint[] = []) {
  const { kinds, plans, runner } = testEngine(fakeTgtKinds(fake), { failpoints });
  const ctx: TgtServerContext = { serverId: 'stor1', driver: fake };
  return { fake, kinds, plans, runner, ctx };
}

/** NetManager's example (seed 004): xenserver, 750GB + 500MB sparse, two initiators, one network; with CHAP and mutual CHAP. */
function netManager(name = 'xenserver'): TargetInput {
  return {
    serverId: 'stor1', name, iqn: `${BASE}:${name}`, comment: 'XenServer pool storage',
    luns: [{ size: '750GB', backing: { kind: 'sparse' } }, { size: '500MB', backing: { kind: 'sparse' } }],
    access: {
      initiators: ['iqn.2011-07.com.example:89abcdef', 'iqn.2011-07.com.example:01234567'],
      networks: ['192.168.100.0/24'],
      chap: { user: 'xen-chap', secret: SECRET, mutual: { user: 'xen-mutual', secret: MUTUAL } },
    },
  };
}

/** One line per operation: kind and the op's gist. */
function opLines(plan: Plan): string[][] {
  return plan.steps.map((s) => s.ops.map((o) => {
    const p = o.params as Record<string, unknown>;
    if (o.kind === 'tgt.tgtadm') return `tgtadm ${p.op} ${[p.lun, p.path, p.address, p.name, p.user].filter((x) => x !== undefined).join(' ')}`.trim();
    if (o.kind === 'file.put') return `file.put ${p.path} ${p.content === null ? 'remove' : `mode ${p.mode ?? 'kept'}`}`;
    if (o.kind === 'tgt.session.close') return `${o.kind} ${p.initiator} ${p.sid}/${p.cid}`;
    if (o.kind === 'tgt.sessions.gone') return `${o.kind} tid ${p.tid}`;
    return `${o.kind} ${p.path ?? `${p.vg}/${p.lv}`}${p.data ? ' (data)' : ''}`;
  }));
}

/** Every operation has an inverse or is flagged irreversible (the registry refuses the plan otherwise, and each is checked here too). */
function expectReversible(kinds: OperationRegistry, plan: Plan): void {
  expect(() => kinds.validate(plan)).not.toThrow();
  for (const o of plan.steps.flatMap((s) => s.ops)) {
    const k = kinds.op(o.kind);
    const inv = k.inverse(k.schema.parse(o.params), o.host, undefined);
    expect(kinds.irreversible(o) || !!k.readOnly || (Array.isArray(inv) && (inv.length > 0 || (o.params as { op?: string }).op === 'lun-params')), `${o.kind} ${JSON.stringify(o.params)}`).toBe(true);
    if (inv) for (const x of inv) expect(() => kinds.op(x.kind).schema.parse(x.params)).not.toThrow();
  }
}

async function created(t: ReturnType<typeof setup>, input = netManager()) {
  const view = t.plans.register(await planTargetCreate(t.ctx, TargetInputSchema.parse(input)));
  const job = await (await t.runner.apply(view.id)).done;
  expect(job.error).toBeNull();
  return job;
}

const flatOps = (plan: Plan): Operation[] => plan.steps.flatMap((s) => s.ops);

describe('tgt planners build plans of operations', () => {
  it('create, NetManager example with CHAP and mutual CHAP: files, tgtadm batch, conf 0600; fresh and verify checks; no secret in the view', async () => {
    const t = setup();
    const plan = await planTargetCreate(t.ctx, TargetInputSchema.parse(netManager()));
    expect(plan.kind).toBe('tgt.target.create');
    expect(plan.lockKeys).toEqual(['host:stor1']);
    expect(opLines(plan)).toEqual([
      ['tgt.backing.sparse /srv/portico/xenserver', 'tgt.backing.sparse /srv/portico/xenserver_1'],
      [
        'tgtadm target-new', 'tgtadm lun-new 1 /srv/portico/xenserver', 'tgtadm lun-params 1', 'tgtadm lun-new 2 /srv/portico/xenserver_1', 'tgtadm lun-params 2',
        'tgtadm bind-address 192.168.100.0/24', 'tgtadm bind-name iqn.2011-07.com.example:89abcdef', 'tgtadm bind-name iqn.2011-07.com.example:01234567',
        'tgtadm account-new xen-chap', 'tgtadm account-bind xen-chap', 'tgtadm account-new xen-mutual', 'tgtadm account-bind xen-mutual',
      ],
      ['file.put /etc/tgt/conf.d/xenserver.conf mode 600'],
    ]);
    expect(flatOps(plan)[0].params).toEqual({ path: '/srv/portico/xenserver', bytes: 750 * 1024 ** 3 });
    expect(plan.steps[1].title).toBe(`Create target ${BASE}:xenserver (tid 1) with 2 LUN(s), access rules and CHAP`);
    expect(plan.fresh!.map((c) => c.kind)).toEqual(['tgt.target.state', 'tgt.files.unchanged', 'tgt.paths.absent', 'tgt.accounts.absent']);
    expect(plan.verify!.map((c) => c.kind)).toEqual(['tgt.target.verify']);
    expect(plan.warnings!.join('\n')).toMatch(/Sizes use binary units/);
    expect(plan.secrets).toEqual([SECRET, MUTUAL]);
    expectReversible(t.kinds, plan);
    const view = t.plans.register(plan);
    expect(JSON.stringify(view)).not.toContain(SECRET);
    expect(JSON.stringify(view)).not.toContain(MUTUAL);
    expect(view.steps[1].ops[8].command).toBe('tgtadm --lld iscsi --mode account --op new --user xen-chap --password ******');
    expect(view.steps[1].ops[0].undo).toBe('tgtadm --lld iscsi --mode target --op delete --force --tid 1');
    expect(view.steps[0].ops[0].undo).toBe('rm -f /srv/portico/xenserver');
    expect(view.steps[2].ops[0].undo).toBe('rm -f /etc/tgt/conf.d/xenserver.conf');
  });

  it('create applies through the JobRunner: verified, conf file 0600 holding the secrets', async () => {
    const t = setup();
    const job = await created(t);
    expect(job.state).toBe('succeeded');
    expect(job.result).toMatchObject({ tid: 1, iqn: `${BASE}:xenserver`, luns: [{ lun: 1, sizeBytes: 750 * 1024 ** 3 }, { lun: 2, sizeBytes: 500 * 1024 ** 2 }] });
    expect(t.fake.files.get('/etc/tgt/conf.d/xenserver.conf')).toMatchObject({ mode: '600' });
    expect(t.fake.files.get('/etc/tgt/conf.d/xenserver.conf')!.content).toContain(`incominguser xen-chap ${SECRET}`);
    expect(t.fake.calls.filter((c) => c.startsWith('batch'))).toHaveLength(1); // 12 tgtadm ops, one round trip
    expect(t.fake.calls.filter((c) => c.startsWith('sparse'))).toEqual(['sparse /srv/portico/xenserver,/srv/portico/xenserver_1']);
  });

  it('create: a failure at any operation k rolls back to exactly the state before', async () => {
    const n = flatOps(await planTargetCreate(setup().ctx, TargetInputSchema.parse(netManager()))).length;
    expect(n).toBe(15);
    for (let k = 1; k <= n; k++) {
      const fake = new FakeTgtDriver();
      const t = setup(fake, [{ planKind: 'tgt.target.create', op: k, mode: 'fail' }]);
      const before = fake.snapshot();
      const job = await (await t.runner.apply(t.plans.register(await planTargetCreate(t.ctx, TargetInputSchema.parse(netManager()))).id)).done;
      expect(job.state, `op ${k}`).toBe('failed');
      expect(fake.snapshot(), `op ${k}`).toEqual(before);
    }
  }, 60_000);

  it('create: a refusal by tgtd in the middle of the batch is reported per operation and rolled back', async () => {
    const t = setup();
    t.fake.refuse.add('account-bind');
    const view = t.plans.register(await planTargetCreate(t.ctx, TargetInputSchema.parse(netManager())));
    const before = t.fake.snapshot();
    const job = await (await t.runner.apply(view.id)).done;
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/account --op bind .*tgtd on stor1 refused/);
    expect(t.fake.snapshot()).toEqual(before);
  });

  it('create keeps the validations: taken IQN, taken conf name, taken CHAP user, no space for full files', async () => {
    const t = setup();
    await created(t);
    await expect(planTargetCreate(t.ctx, TargetInputSchema.parse(netManager()))).rejects.toThrow(/IQN: .* already exists on stor1 \(tid 1\)/);
    await expect(planTargetCreate(t.ctx, TargetInputSchema.parse({ ...netManager(), iqn: `${BASE}:other` }))).rejects.toThrow(/Name: \/etc\/tgt\/conf.d\/xenserver.conf already exists/);
    await expect(planTargetCreate(t.ctx, TargetInputSchema.parse(netManager('two')))).rejects.toThrow(/CHAP user: xen-chap already exists/);
    await expect(planTargetCreate(t.ctx, TargetInputSchema.parse({ ...netManager('big'), access: { networks: ['10.0.0.0/8'] }, luns: [{ size: '1TB', backing: { kind: 'full' } }] }))).rejects.toThrow(/LUN size: Not enough free space/);
  });

  it('a stale plan is refused before anything runs', async () => {
    const t = setup();
    const p1 = t.plans.register(await planTargetCreate(t.ctx, TargetInputSchema.parse(netManager())));
    const p2 = t.plans.register(await planTargetCreate(t.ctx, TargetInputSchema.parse(netManager())));
    await (await t.runner.apply(p1.id)).done;
    await expect(t.runner.apply(p2.id)).rejects.toThrow(/now exists/);
  });

  it('add LUN: file, tgtadm lun-new + params, .prev 0600 then the conf; rolls back at every operation', async () => {
    const t = setup();
    await created(t);
    const input = LunAddInputSchema.parse({ serverId: 'stor1', iqn: `${BASE}:xenserver`, luns: [{ size: '4MB', backing: { kind: 'sparse' } }] });
    const plan = await planLunAdd(t.ctx, input);
    expect(plan.kind).toBe('tgt.lun.add');
    expect(opLines(plan)).toEqual([
      ['tgt.backing.sparse /srv/portico/xenserver_2'],
      ['tgtadm lun-new 3 /srv/portico/xenserver_2', 'tgtadm lun-params 3'],
      ['file.put /etc/tgt/conf.d/xenserver.conf.prev mode 600', 'file.put /etc/tgt/conf.d/xenserver.conf mode 600'],
    ]);
    expect(plan.fresh!.map((c) => c.kind)).toEqual(['tgt.target.state', 'tgt.files.unchanged', 'tgt.paths.absent']);
    expectReversible(t.kinds, plan);
    for (let k = 1; k <= 5; k++) {
      const t2 = setup(t.fake, [{ planKind: 'tgt.lun.add', op: k, mode: 'fail' }]);
      const before = t.fake.snapshot();
      const job = await (await t2.runner.apply(t2.plans.register(await planLunAdd(t2.ctx, input)).id)).done;
      expect(job.state, `op ${k}`).toBe('failed');
      expect(t.fake.snapshot(), `op ${k}`).toEqual(before);
    }
    const job = await (await t.runner.apply(t.plans.register(await planLunAdd(t.ctx, input)).id)).done;
    expect(job.state).toBe('succeeded');
    expect(t.fake.files.get('/etc/tgt/conf.d/xenserver.conf.prev')).toMatchObject({ mode: '600' });
  }, 30_000);

  it('access edit: removes first, then adds; a changed secret deletes the account carrying its old secret, so the undo re-creates it', async () => {
    const t = setup();
    await created(t);
    const NEW = 'NewSecret12345';
    const plan = await planAccessEdit(t.ctx, AccessEditInputSchema.parse({
      serverId: 'stor1', iqn: `${BASE}:xenserver`,
      access: { networks: ['192.168.200.0/24'], initiators: ['iqn.2011-07.com.example:89abcdef'], chap: { mode: 'set', chap: { user: 'xen-chap', secret: NEW } } },
    }));
    expect(plan.kind).toBe('tgt.access.edit');
    // The new CHAP has no mutual account: dropping it is a danger of its own.
    expect(plan.dangers).toEqual([`Mutual CHAP is removed from ${BASE}:xenserver (account xen-mutual): initiators can no longer check that they talk to this target.`]);
    expect(opLines(plan)).toEqual([
      [
        'tgtadm unbind-address 192.168.100.0/24', 'tgtadm unbind-name iqn.2011-07.com.example:01234567',
        'tgtadm account-unbind xen-chap', 'tgtadm account-delete xen-chap', 'tgtadm account-unbind xen-mutual', 'tgtadm account-delete xen-mutual',
        'tgtadm account-new xen-chap', 'tgtadm account-bind xen-chap', 'tgtadm bind-address 192.168.200.0/24',
      ],
      ['file.put /etc/tgt/conf.d/xenserver.conf.prev mode 600', 'file.put /etc/tgt/conf.d/xenserver.conf mode 600'],
    ]);
    expect(flatOps(plan)[3].params).toEqual({ op: 'account-delete', user: 'xen-chap', password: SECRET });
    expect(plan.secrets).toEqual(expect.arrayContaining([NEW, SECRET, MUTUAL]));
    expectReversible(t.kinds, plan);
    const view = t.plans.register(plan);
    expect(view.steps[0].ops[3].undo).toBe('tgtadm --lld iscsi --mode account --op new --user xen-chap --password ******');
    for (const s of [NEW, SECRET, MUTUAL]) expect(JSON.stringify(view)).not.toContain(s);
    const before = t.fake.snapshot();
    const t2 = setup(t.fake, [{ planKind: 'tgt.access.edit', op: 10, mode: 'fail' }]);
    const failed = await (await t2.runner.apply(t2.plans.register(plan).id, { confirmDangers: true })).done;
    expect(failed.state).toBe('failed');
    expect(t.fake.snapshot()).toEqual(before);
  });

  it('access edit, CHAP keep (the default when the edit says nothing, and said explicitly): adding an initiator leaves every account bound with its secret', async () => {
    const iqn = `${BASE}:xenserver`;
    const hv = 'iqn.1994-05.com.redhat:hv1';
    const rules = { networks: ['192.168.100.0/24'], initiators: ['iqn.2011-07.com.example:89abcdef', 'iqn.2011-07.com.example:01234567', hv] };
    for (const access of [rules, { ...rules, chap: { mode: 'keep' as const } }]) {
      const t = setup();
      await created(t);
      const conf = t.fake.files.get('/etc/tgt/conf.d/xenserver.conf')!.content;
      const plan = await planAccessEdit(t.ctx, AccessEditInputSchema.parse({ serverId: 'stor1', iqn, access }));
      expect(opLines(plan)).toEqual([
        [`tgtadm bind-name ${hv}`],
        ['file.put /etc/tgt/conf.d/xenserver.conf.prev mode 600', 'file.put /etc/tgt/conf.d/xenserver.conf mode 600'],
      ]);
      expect(plan.dangers).toEqual([]);
      const job = await (await t.runner.apply(t.plans.register(plan).id)).done;
      expect(job.state).toBe('succeeded');
      expect(t.fake.targets[0].accounts).toEqual([{ user: 'xen-chap', outgoing: false }, { user: 'xen-mutual', outgoing: true }]);
      expect(t.fake.accounts.sort()).toEqual(['xen-chap', 'xen-mutual']);
      const after = t.fake.files.get('/etc/tgt/conf.d/xenserver.conf')!;
      expect(after.mode).toBe('600');
      for (const line of conf.split('\n').filter((l) => /incominguser|outgoinguser/.test(l))) expect(after.content).toContain(line.trim());
    }
  });

  it('access edit, CHAP set: new accounts replace the old ones (no danger); set without mutual drops mutual CHAP (a danger)', async () => {
    const t = setup();
    await created(t);
    const iqn = `${BASE}:xenserver`;
    const rules = { networks: ['192.168.100.0/24'], initiators: ['iqn.2011-07.com.example:89abcdef', 'iqn.2011-07.com.example:01234567'] };
    const NEW = 'NewSecret12345', NEWM = 'NewMutual12345';
    const plan = await planAccessEdit(t.ctx, AccessEditInputSchema.parse({ serverId: 'stor1', iqn, access: { ...rules, chap: { mode: 'set', chap: { user: 'xen-chap2', secret: NEW, mutual: { user: 'xen-mutual2', secret: NEWM } } } } }));
    expect(opLines(plan)[0]).toEqual([
      'tgtadm account-unbind xen-chap', 'tgtadm account-delete xen-chap', 'tgtadm account-unbind xen-mutual', 'tgtadm account-delete xen-mutual',
      'tgtadm account-new xen-chap2', 'tgtadm account-bind xen-chap2', 'tgtadm account-new xen-mutual2', 'tgtadm account-bind xen-mutual2',
    ]);
    expect(plan.dangers).toEqual([]);
    expect(plan.secrets).toEqual(expect.arrayContaining([NEW, NEWM, SECRET, MUTUAL]));
    expectReversible(t.kinds, plan);
    const job = await (await t.runner.apply(t.plans.register(plan).id)).done;
    expect(job.state).toBe('succeeded');
    expect(t.fake.targets[0].accounts).toEqual([{ user: 'xen-chap2', outgoing: false }, { user: 'xen-mutual2', outgoing: true }]);
    const oneWay = await planAccessEdit(t.ctx, AccessEditInputSchema.parse({ serverId: 'stor1', iqn, access: { ...rules, chap: { mode: 'set', chap: { user: 'xen-chap3', secret: NEW } } } }));
    expect(oneWay.dangers).toEqual([expect.stringMatching(/^Mutual CHAP is removed from .*xenserver \(account xen-mutual2\)/)]);
  });

  it('access edit, CHAP remove: unbinds and deletes both accounts; a danger each for CHAP and mutual CHAP; refused without the confirmation', async () => {
    const t = setup();
    await created(t);
    const iqn = `${BASE}:xenserver`;
    const plan = await planAccessEdit(t.ctx, AccessEditInputSchema.parse({
      serverId: 'stor1', iqn, access: { networks: ['192.168.100.0/24'], initiators: ['iqn.2011-07.com.example:89abcdef', 'iqn.2011-07.com.example:01234567'], chap: { mode: 'remove' } },
    }));
    expect(opLines(plan)).toEqual([
      ['tgtadm account-unbind xen-chap', 'tgtadm account-delete xen-chap', 'tgtadm account-unbind xen-mutual', 'tgtadm account-delete xen-mutual'],
      ['file.put /etc/tgt/conf.d/xenserver.conf.prev mode 600', 'file.put /etc/tgt/conf.d/xenserver.conf mode kept'],
    ]);
    expect(plan.dangers).toEqual([
      `CHAP is removed from ${iqn} (account xen-chap): every initiator its rules admit logs in without a secret.`,
      `Mutual CHAP is removed from ${iqn} (account xen-mutual): initiators can no longer check that they talk to this target.`,
    ]);
    expect(plan.warnings).not.toEqual(expect.arrayContaining([expect.stringMatching(/CHAP is removed/)]));
    const view = t.plans.register(plan);
    expect(view.dangers).toHaveLength(2);
    await expect(t.runner.apply(view.id)).rejects.toMatchObject({ code: 'confirmation-required', field: 'confirmDangers' });
    expect(t.fake.targets[0].accounts).toHaveLength(2);
    const job = await (await t.runner.apply(view.id, { confirmDangers: true })).done;
    expect(job.state).toBe('succeeded');
    expect(t.fake.targets[0].accounts).toEqual([]);
    expect(t.fake.accounts).toEqual([]);
    expect(t.fake.files.get('/etc/tgt/conf.d/xenserver.conf')!.content).not.toMatch(/incominguser|outgoinguser/);
  });

  it('access edit: widening is a danger (a network replaced by a larger one, a new network containing a current one, IPv6 too, a names-only target opened to a network); narrowing or disjoint rules are not', async () => {
    const edit = async (t: ReturnType<typeof setup>, iqn: string, networks: string[], initiators: string[]) =>
      planAccessEdit(t.ctx, AccessEditInputSchema.parse({ serverId: 'stor1', iqn, access: { networks, initiators } }));
    const t = setup();
    await created(t);
    const iqn = `${BASE}:xenserver`;
    const names = ['iqn.2011-07.com.example:89abcdef', 'iqn.2011-07.com.example:01234567'];
    const replaced = await edit(t, iqn, ['192.168.0.0/16'], names);
    expect(opLines(replaced)[0]).toEqual(['tgtadm unbind-address 192.168.100.0/24', 'tgtadm bind-address 192.168.0.0/16']);
    expect(replaced.dangers).toEqual([`Access to ${iqn} widens: the address rule 192.168.100.0/24 is replaced by 192.168.0.0/16, a larger network that contains it.`]);
    expect((await edit(t, iqn, ['192.168.100.0/24', '192.0.0.0/8'], names)).dangers).toEqual([
      `Access to ${iqn} widens: the new address rule 192.0.0.0/8 contains the current rule 192.168.100.0/24, so more initiators may log in (with the CHAP secret).`,
    ]);
    for (const networks of [['192.168.100.0/25'], ['192.168.100.7'], ['10.0.0.0/8'], ['192.168.100.0/24', '[fd00::]/8'], []]) {
      expect((await edit(t, iqn, networks, names)).dangers, networks.join(',')).toEqual([]);
    }

    const t6 = setup();
    await created(t6, { ...netManager('v6'), access: { initiators: [], networks: ['fd00:1::/64'] } });
    const v6 = `${BASE}:v6`;
    expect((await edit(t6, v6, ['fd00:1::/32'], [])).dangers).toEqual([`Access to ${v6} widens: the address rule [fd00:1::]/64 is replaced by [fd00:1::]/32, a larger network that contains it.`]);
    expect((await edit(t6, v6, ['fd00:1::/96'], [])).dangers).toEqual([]);
    expect((await edit(t6, v6, ['fd00:2::/64'], [])).dangers).toEqual([]);

    const tn = setup();
    await created(tn, { ...netManager('names'), access: { initiators: names, networks: [], chap: undefined } });
    const ni = `${BASE}:names`;
    const opened = await edit(tn, ni, ['10.1.0.0/16'], names);
    expect(opLines(opened)[0]).toEqual(['tgtadm unbind-address 255.255.255.255', 'tgtadm bind-address 10.1.0.0/16']);
    expect(opened.dangers).toEqual([`${ni} admitted only the listed initiator names; now any initiator from 10.1.0.0/16 may log in without authentication.`]);
    expect((await edit(tn, ni, [], [names[0]])).dangers).toEqual([]);
  });

  it('accessDangers: ALL, and nothing for an unchanged or narrowed state', () => {
    const before = { addresses: ['10.0.0.0/24'], names: [], incoming: ['u'], outgoing: null };
    expect(accessDangers('iqn.x:t', before, { ...before, addresses: ['ALL'] })).toEqual([
      'Access to iqn.x:t widens to ALL: an initiator from any address may log in (with the CHAP secret).',
    ]);
    expect(accessDangers('iqn.x:t', { ...before, addresses: ['ALL'] }, { ...before, addresses: ['ALL', '10.0.0.0/8'] })).toEqual([]);
    expect(accessDangers('iqn.x:t', before, before)).toEqual([]);
    expect(accessDangers('iqn.x:t', before, { ...before, addresses: ['10.0.0.5'], names: ['iqn.y:z'] })).toEqual([]);
  });

  it('delete: refused while connected; forced only with the list; rebuild data, account secrets, conf and .prev removed; backing files only on request, irreversible, last', async () => {
    const t = setup();
    await created(t);
    await (await t.runner.apply(t.plans.register(await planLunAdd(t.ctx, LunAddInputSchema.parse({ serverId: 'stor1', iqn: `${BASE}:xenserver`, luns: [{ size: '4MB', backing: { kind: 'sparse' } }] }))).id)).done;
    const iqn = `${BASE}:xenserver`;
    t.fake.targets[0].sessions = [{ nexus: 1, initiator: 'iqn.2011-07.com.example:89abcdef', alias: null, connections: [{ cid: 0, address: '192.168.100.7' }] }];
    await expect(planTargetDelete(t.ctx, TargetDeleteInputSchema.parse({ serverId: 'stor1', iqn }))).rejects.toMatchObject({ code: 'target-in-use', message: expect.stringContaining('iqn.2011-07.com.example:89abcdef from 192.168.100.7') });
    await expect(planTargetDelete(t.ctx, TargetDeleteInputSchema.parse({ serverId: 'stor1', iqn, force: true, confirmedSessions: ['iqn.x:other'] }))).rejects.toThrow(/confirm the forced delete again/);
    const forced = await planTargetDelete(t.ctx, TargetDeleteInputSchema.parse({ serverId: 'stor1', iqn, force: true, confirmedSessions: ['iqn.2011-07.com.example:89abcdef'], deleteBackingFiles: true }));
    expect(forced.kind).toBe('tgt.target.delete');
    expect(opLines(forced)).toEqual([
      // Forced: refuse new logins, close each connection, wait until tgtd lists none; then a plain delete.
      ['tgtadm target-state', 'tgt.session.close iqn.2011-07.com.example:89abcdef 1/0', 'tgt.sessions.gone tid 1'],
      ['tgtadm target-delete', 'tgtadm account-delete xen-chap', 'tgtadm account-delete xen-mutual'],
      ['file.put /etc/tgt/conf.d/xenserver.conf remove', 'file.put /etc/tgt/conf.d/xenserver.conf.prev remove'],
      ['tgt.backing.remove /srv/portico/xenserver (data)', 'tgt.backing.remove /srv/portico/xenserver_1 (data)', 'tgt.backing.remove /srv/portico/xenserver_2 (data)'],
    ]);
    const del = flatOps(forced)[3].params as { force: boolean; rebuild: { luns: unknown[]; addresses: string[]; names: string[]; accounts: unknown[] } };
    expect(del.force).toBe(false);
    expect(del.rebuild.luns).toHaveLength(3);
    expect(del.rebuild.addresses).toEqual(['192.168.100.0/24']);
    expect(del.rebuild.accounts).toEqual([{ user: 'xen-chap', outgoing: false }, { user: 'xen-mutual', outgoing: true }]);
    expect(flatOps(forced)[4].params).toMatchObject({ password: SECRET });
    // Forcing is a danger (confirmed by the admin), not a note.
    expect(forced.dangers).toEqual([expect.stringMatching(/^Forced delete: the sessions of iqn.2011-07.com.example:89abcdef \(192.168.100.7\) are torn down/)]);
    expect(forced.warnings!.join('\n')).not.toMatch(/torn down/);
    expect(forced.warnings!.join('\n')).toMatch(/deleted for good: .*allocated/);
    expectReversible(t.kinds, forced);
    const view = t.plans.register(forced);
    expect(view.steps[3].ops.every((o) => o.irreversible && o.undo === null)).toBe(true);
    expect(view.steps[0].ops[1]).toMatchObject({ irreversible: true, undo: null, command: expect.stringContaining('--mode conn --op delete --tid 1 --sid 1 --cid 0') });
    expect(view.steps[0].ops[0].undo).toContain('--mode target --op update --tid 1 --name state --value ready');
    expect(view.steps[1].ops[0].undo).toContain('--mode target --op new --tid 1');
    t.fake.targets[0].sessions = [];
    const plain = await planTargetDelete(t.ctx, TargetDeleteInputSchema.parse({ serverId: 'stor1', iqn }));
    expect(opLines(plain).map((s) => s.length)).toEqual([3, 2]);
    expect((flatOps(plain)[0].params as { force: boolean }).force).toBe(false);
    expect(plain.dangers).toEqual([]);
    // Deleting and then failing at the conf removal rebuilds the target exactly (LUN ids, rules, accounts).
    const before = t.fake.snapshot();
    const t2 = setup(t.fake, [{ planKind: 'tgt.target.delete', op: 5, mode: 'fail' }]);
    const failed = await (await t2.runner.apply(t2.plans.register(plain).id)).done;
    expect(failed.state).toBe('failed');
    expect(t.fake.snapshot()).toEqual(before);
    const job = await (await t.runner.apply(t.plans.register(await planTargetDelete(t.ctx, TargetDeleteInputSchema.parse({ serverId: 'stor1', iqn }))).id)).done;
    expect(job.state).toBe('succeeded');
    expect(job.result).toEqual({ deleted: iqn, backingFilesDeleted: [] });
    // Only targets.conf (the package's, untouched) is left.
    expect([...t.fake.files.keys()]).toEqual([t.fake.targetsConf]);
    expect(t.fake.accounts).toEqual([]);
  });

  it('reconcile: drift fixes as tgtadm ops carrying the pre-state; rolled back exactly', async () => {
    const t = setup();
    await created(t);
    const tgt = t.fake.targets[0];
    tgt.aclAddresses.push('ALL');
    tgt.luns = tgt.luns.filter((l) => l.lun !== 2);
    tgt.luns.find((l) => l.lun === 1)!.readonly = true;
    const plan = await planReconcile(t.ctx, { serverId: 'stor1', iqn: `${BASE}:xenserver` });
    expect(plan.kind).toBe('tgt.reconcile');
    expect(opLines(plan)).toEqual([['tgtadm lun-params 1', 'tgtadm lun-new 2 /srv/portico/xenserver_1', 'tgtadm lun-params 2', 'tgtadm unbind-address ALL']]);
    expect(flatOps(plan)[0].params).toMatchObject({ params: { readonly: 0 }, pre: { readonly: 1 } });
    expect(plan.fresh!.map((c) => c.kind)).toEqual(['tgt.reconcile.base']);
    expect(plan.dangers).toEqual([]); // unbinding ALL narrows
    expectReversible(t.kinds, plan);
    const before = t.fake.snapshot();
    const t2 = setup(t.fake, [{ planKind: 'tgt.reconcile', op: 4, mode: 'fail' }]);
    expect((await (await t2.runner.apply(t2.plans.register(plan).id)).done).state).toBe('failed');
    expect(t.fake.snapshot()).toEqual(before);
    const job = await (await t.runner.apply(t.plans.register(await planReconcile(t.ctx, { serverId: 'stor1' })).id)).done;
    expect(job.state).toBe('succeeded');
    expect(job.result).toEqual({ remaining: [] });
  });

  it('reconcile: what lowers protection is a danger (an account bound by hand that the file lacks, a rule narrowed by hand that the file has wider)', async () => {
    const t = setup();
    const iqn = `${BASE}:plain`;
    await created(t, { ...netManager('plain'), access: { initiators: [], networks: ['192.168.100.0/24'] } });
    const tgt = t.fake.targets[0];
    t.fake.accounts.push('by-hand');
    tgt.accounts.push({ user: 'by-hand', outgoing: false });
    tgt.aclAddresses.splice(0, 1, '192.168.100.0/25');
    const plan = await planReconcile(t.ctx, { serverId: 'stor1', iqn });
    expect(opLines(plan)).toEqual([['tgtadm bind-address 192.168.100.0/24', 'tgtadm unbind-address 192.168.100.0/25', 'tgtadm account-unbind by-hand']]);
    expect(plan.dangers).toEqual([
      `CHAP is removed from ${iqn} (account by-hand): every initiator its rules admit logs in without a secret.`,
      `Access to ${iqn} widens: the address rule 192.168.100.0/25 is replaced by 192.168.100.0/24, a larger network that contains it.`,
    ]);
    const view = t.plans.register(plan);
    await expect(t.runner.apply(view.id)).rejects.toMatchObject({ code: 'confirmation-required' });
    expect((await (await t.runner.apply(view.id, { confirmDangers: true })).done).state).toBe('succeeded');
  });

  it('the verify check says so when the conf file holding secrets is not 0600', async () => {
    const t = setup();
    const plan = await planTargetCreate(t.ctx, TargetInputSchema.parse(netManager()));
    await (await t.runner.apply(t.plans.register(plan).id)).done;
    const desired = plan.verify![0].params.desired as DesiredTarget;
    t.fake.files.set('/etc/tgt/conf.d/xenserver.conf', { content: renderTargetConf(desired), mode: '644' });
    const r = await tgtCheckKinds({ driver: () => t.fake }).targetVerify.check(plan.verify![0].params as never, 'stor1', { signal: new AbortController().signal, log: () => undefined });
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/holds CHAP secrets but has mode 644/) });
  });
});

describe('existing block devices: the in-use check (lsblk) in create and add-LUN', () => {
  const GiB = 1024 ** 3;
  const deviceTarget = (name: string, backing: Record<string, unknown>): TargetInput => ({
    serverId: 'stor1', name, iqn: `${BASE}:${name}`, luns: [{ backing: backing as never }], access: { initiators: [], networks: ['192.168.100.0/24'] },
  });
  const refusal = async (p: Promise<unknown>) => {
    const e = (await p.then(() => { throw new Error('the plan was not refused'); }, (x: unknown) => x)) as { code: string; field?: string; message: string; details: { messages: string[]; fields?: Record<string, string> } };
    return e;
  };

  it('create with a free device: lsblk asked, no danger, the LUN exported and applied', async () => {
    const t = setup();
    t.fake.blockDevice('/dev/sdb', 2 * GiB);
    const plan = await planTargetCreate(t.ctx, TargetInputSchema.parse(deviceTarget('free', { kind: 'device', path: '/dev/sdb' })));
    expect(t.fake.calls).toContain('lsblk /dev/sdb');
    expect(plan.dangers).toEqual([]);
    expect(opLines(plan)[0]).toContain('tgtadm lun-new 1 /dev/sdb');
    const job = await (await t.runner.apply(t.plans.register(plan).id)).done;
    expect(job.error).toBeNull();
    expect(t.fake.targets[0].luns.map((l) => l.path)).toEqual([null, '/dev/sdb']);
  });

  it('create with a mounted device: refused, the findings under the confirmInUse field; a wrong path typed is refused too', async () => {
    const t = setup();
    t.fake.blockDevice('/dev/sdc', 2 * GiB, { fstype: 'ext4', mountpoints: ['/srv/data'] });
    const e = await refusal(planTargetCreate(t.ctx, TargetInputSchema.parse(deviceTarget('busy', { kind: 'device', path: '/dev/sdc' }))));
    const msg = 'LUN 1 backing: sdc is mounted on /srv/data; sdc holds a ext4 filesystem on stor1; exporting it read-write would corrupt it under its user. Type /dev/sdc in "Confirm the device in use" (confirmInUse) to export it anyway.';
    expect(e).toMatchObject({ code: 'invalid-input', field: 'luns.0.backing.confirmInUse', message: msg });
    expect(e.details).toEqual({ messages: [msg], fields: { 'luns.0.backing.confirmInUse': msg } });
    const wrong = await refusal(planTargetCreate(t.ctx, TargetInputSchema.parse(deviceTarget('busy', { kind: 'device', path: '/dev/sdc', confirmInUse: '/dev/sdb' }))));
    expect(wrong.field).toBe('luns.0.backing.confirmInUse');
    // Partitions, holders and a device lsblk could not read are refused the same way.
    t.fake.blockDevice('/dev/sdd', GiB, { children: [{ name: 'sdd1', path: '/dev/sdd1', type: 'part', fstype: 'LVM2_member', mountpoints: [], children: [] }] });
    t.fake.blockDevice('/dev/sde', GiB);
    t.fake.devices.set('/dev/sde', { unchecked: 'lsblk: command not found' });
    const two = await refusal(planTargetCreate(t.ctx, TargetInputSchema.parse({
      ...deviceTarget('two', { kind: 'device', path: '/dev/sdd' }),
      luns: [{ size: '4MB', backing: { kind: 'sparse' } }, { backing: { kind: 'device', path: '/dev/sdd' } }, { backing: { kind: 'device', path: '/dev/sde' } }],
    })));
    expect(Object.keys(two.details.fields!)).toEqual(['luns.1.backing.confirmInUse', 'luns.2.backing.confirmInUse']);
    expect(two.details.fields!['luns.1.backing.confirmInUse']).toMatch(/^LUN 2 backing: sdd has partitions \(sdd1\); sdd1 holds an LVM physical volume/);
    expect(two.details.fields!['luns.2.backing.confirmInUse']).toMatch(/^LUN 3 backing: it could not be checked \(lsblk: command not found\) on stor1/);
    expect(t.fake.targets).toEqual([]);
  });

  it('create with the in-use device confirmed by its path: a danger the apply must confirm', async () => {
    const t = setup();
    t.fake.blockDevice('/dev/sdc', 2 * GiB, { fstype: 'ext4', mountpoints: ['/srv/data'] });
    const plan = await planTargetCreate(t.ctx, TargetInputSchema.parse(deviceTarget('busy', { kind: 'device', path: '/dev/sdc', confirmInUse: '/dev/sdc' })));
    expect(plan.dangers).toEqual(['/dev/sdc on stor1 is in use (sdc is mounted on /srv/data; sdc holds a ext4 filesystem) and is exported anyway, as you confirmed: initiators writing to it corrupt what uses it now.']);
    const view = t.plans.register(plan);
    expect(view.dangers).toHaveLength(1);
    await expect(t.runner.apply(view.id)).rejects.toMatchObject({ code: 'confirmation-required' });
    expect((await (await t.runner.apply(view.id, { confirmDangers: true })).done).state).toBe('succeeded');
  });

  it('add LUN: a free device has no danger; an in-use one is refused under its row (luns.N); confirmed, a danger', async () => {
    const t = setup();
    await created(t);
    const iqn = `${BASE}:xenserver`;
    t.fake.blockDevice('/dev/sdb', GiB);
    t.fake.blockDevice('/dev/md0', GiB, { fstype: 'swap', mountpoints: ['[SWAP]'] });
    const add = (luns: unknown[]) => planLunAdd(t.ctx, LunAddInputSchema.parse({ serverId: 'stor1', iqn, luns }));
    const free = await add([{ backing: { kind: 'device', path: '/dev/sdb' } }]);
    expect(free.dangers).toEqual([]);
    expect(opLines(free)[0]).toEqual(['tgtadm lun-new 3 /dev/sdb', 'tgtadm lun-params 3']);
    const e = await refusal(add([{ size: '4MB', backing: { kind: 'sparse' } }, { backing: { kind: 'device', path: '/dev/md0' } }]));
    expect(e.field).toBe('luns.1.backing.confirmInUse');
    expect(e.message).toBe('LUN 4 backing: md0 is in use as swap on stor1; exporting it read-write would corrupt it under its user. Type /dev/md0 in "Confirm the device in use" (confirmInUse) to export it anyway.');
    const yes = await add([{ size: '4MB', backing: { kind: 'sparse' } }, { backing: { kind: 'device', path: '/dev/md0', confirmInUse: '/dev/md0' } }]);
    expect(yes.dangers).toEqual([expect.stringMatching(/^\/dev\/md0 on stor1 is in use \(md0 is in use as swap\) and is exported anyway/)]);
    expectReversible(t.kinds, yes);
    const view = t.plans.register(yes);
    await expect(t.runner.apply(view.id)).rejects.toMatchObject({ code: 'confirmation-required' });
    expect((await (await t.runner.apply(view.id, { confirmDangers: true })).done).state).toBe('succeeded');
    expect(t.fake.targets[0].luns.map((l) => l.path)).toContain('/dev/md0');
    // A device already exported is refused as such, without asking lsblk.
    t.fake.calls.length = 0;
    const again = await refusal(add([{ backing: { kind: 'device', path: '/dev/md0', confirmInUse: '/dev/md0' } }]));
    expect(again.message).toBe(`LUN 5 backing: /dev/md0 is already exported as ${iqn} LUN 4`);
    expect(again.field).toBeUndefined();
    expect(t.fake.calls.filter((c) => c.startsWith('lsblk'))).toEqual([]);
  });
});
