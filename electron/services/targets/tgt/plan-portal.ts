// Plan: add or remove a tgtd portal (global to the daemon: every target listens on every portal),
// live with tgtadm --mode portal and persisted in the drop-in for the systemd unit that starts tgtd
// (portals.ts; not persisted, and said so, where no unit does). tgtd closes only the listening socket of a removed portal: connected sessions
// stay up until they drop, then cannot come back through it; the plan names them as a danger.
import type { PortalActionSpec } from '../../../../shared/domain/target-actions';
import type { Check, Operation, Plan } from '../../jobs/operation';
import { FILES_UNCHANGED, PORTALS_VERIFY, sha256 } from './checks';
import { SYSTEMD_RELOAD, tgtadmOp } from './ops';
import { lockKeys, refuse, type TgtServerContext } from './plan-common';
import { baseExec, portalUse, readPortalPersistence, renderDropIn } from './portals';
import { filePut } from '../../remote/files';
import { portalText } from './target-op';

export async function planPortal(ctx: TgtServerContext, a: PortalActionSpec): Promise<Plan> {
  const d = ctx.driver;
  const host = ctx.serverId;
  const state = await d.readState();
  const live = state.portals.map(portalText);
  const persist = await readPortalPersistence(d);
  const warnings: string[] = [];
  const dangers: string[] = [];
  if (a.action === 'add' && live.includes(a.portal)) refuse([`Portal: tgtd on ${d.label} already listens on ${a.portal}`], 'portal');
  if (a.action === 'remove' && !live.includes(a.portal)) refuse([`Portal: tgtd on ${d.label} does not listen on ${a.portal} (it listens on ${live.join(', ') || 'nothing'})`], 'portal');
  const after = a.action === 'add' ? [...live, a.portal] : live.filter((p) => p !== a.portal);
  if (!after.length) refuse([`Portal: ${a.portal} is the last portal of ${d.label}; without one no initiator can log in. Add the new portal first, then remove this one.`], 'portal');
  if (a.action === 'remove') {
    const use = await portalUse(d, state);
    const cut = use ? use.find((u) => u.portal === a.portal)?.sessions ?? [] : state.targets.flatMap((t) => t.sessions.flatMap((s) => s.connections.map((c) => ({ iqn: t.iqn, initiator: s.initiator, address: c.address }))));
    if (cut.length) {
      const seen = [...new Set(cut.map((c) => c.initiator))].sort();
      if (a.confirmedSessions && JSON.stringify([...new Set(a.confirmedSessions)].sort()) !== JSON.stringify(seen)) {
        refuse([`Confirmed sessions: the initiators connected through ${a.portal} are now ${seen.join(', ')}; confirm the removal again with this list.`], 'confirmedSessions');
      }
      dangers.push(`${use ? `Connected through ${a.portal}` : `${d.label} cannot tell which portal each session uses (no ss), so any of these may use ${a.portal}`}: ${cut.map((c) => `${c.initiator} on ${c.iqn} from ${c.address}`).join('; ')}. Their sessions stay up until they drop; then they cannot log in again through ${a.portal} and lose that path (or the target, without another one).`);
    }
  }
  if (a.action === 'add' && /^0\.0\.0\.0:|^\[::\]:/.test(a.portal)) warnings.push(`${a.portal} is a wildcard: tgtd then listens on every address of ${d.label} on that port, every network included.`);
  warnings.push(`Portals are global to tgtd: every target on ${d.label} is reachable on each one (access rules still apply).`);
  const live1 = { title: `${a.action === 'add' ? 'Listen on' : 'Stop listening on'} ${a.portal}`, ops: [tgtadmOp(host, { op: a.action === 'add' ? 'portal-new' : 'portal-delete', portal: a.portal })] };
  const base = { kind: `tgt.portal.${a.action}`, title: `${a.action === 'add' ? 'Add' : 'Remove'} portal ${a.portal} on ${d.label}`, hostIds: [host], lockKeys: lockKeys(ctx), dangers, secrets: [] };
  if (!persist.service || !persist.dropIn) {
    // No systemd unit starts tgtd here (an init script, a container): nothing Portico can write makes the change last.
    warnings.push(`${d.label} has no systemd unit for tgtd (neither tgt.service nor tgtd.service), so this change is not persisted: the next start of tgtd listens on its default portals again (${persist.persisted.join(', ')}) unless its start script names --iscsi portal=.`);
    return { ...base, steps: [live1], warnings, fresh: [], verify: [{ kind: PORTALS_VERIFY, host, params: { portals: after, file: null, content: null } }] };
  }
  const dropIn = persist.dropIn.path;
  const content = renderDropIn(baseExec(persist.unit), after);
  const dir = dropIn.slice(0, dropIn.lastIndexOf('/'));
  const [dirStat] = await d.stat([dir]);
  const files = await d.readFileStates([dropIn]);
  // First the marker whose undo reloads systemd: a rollback undoes in reverse, so that reload comes after the old drop-in is back.
  const ops: Operation[] = [{ kind: SYSTEMD_RELOAD, host, params: { unit: 'tgt', on: 'undo' } }];
  if (!dirStat?.exists) ops.push({ kind: 'dir.create', host, params: { path: dir, mode: '755', owner: null } });
  ops.push(filePut(host, dropIn, content, files.get(dropIn) ?? { content: null, mode: null, owner: null }, { mode: '644' }));
  ops.push({ kind: SYSTEMD_RELOAD, host, params: { unit: 'tgt' } });
  const pre = files.get(dropIn)?.content ?? null;
  const fresh: Check[] = [{ kind: FILES_UNCHANGED, host, params: { files: [{ path: dropIn, sha256: pre === null ? null : sha256(pre) }] } }];
  return {
    ...base,
    steps: [live1, { title: `Persist the portals ${after.join(', ')} in ${dropIn} (read at the next start of ${persist.service.unit})`, ops }],
    warnings,
    artifacts: [{ name: dropIn, content }],
    fresh,
    verify: [{ kind: PORTALS_VERIFY, host, params: { portals: after, file: dropIn, content } }],
  };
}
