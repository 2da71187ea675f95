// tgtd's portals: what it listens on now, what its service starts it with, and which connections
// come in on each. targets.conf has no portal directive (tgt-admin never sets portals), so a
// portal added with tgtadm is lost at the next start unless the service's start line names it:
// on Debian and Ubuntu the tgt unit runs `/usr/sbin/tgtd -f`, on RHEL and Fedora tgtd.service runs
// `/usr/sbin/tgtd -f $TGTD_OPTS` (no portal: tgtd then listens on the wildcard 0.0.0.0:3260 and
// [::]:3260); Portico persists portals in a drop-in for whichever unit systemd has, replacing
// ExecStart with the same command plus `--iscsi portal=A,portal=B` (man tgtd).
import type { PortalsView } from '../../../../shared/features/targets';
import type { TargetDriver, TargetState } from './driver';
import { portalText } from './target-op';

export const DROP_IN_MARK = '# Managed by Portico: the portals tgtd listens on (targets.conf has no portal directive).';
/** What tgtd listens on when started without --iscsi portal=. */
export const DEFAULT_PORTALS = ['0.0.0.0:3260', '[::]:3260'];
const DEFAULT_EXEC = '/usr/sbin/tgtd -f';
// A start line Portico repeats in its drop-in: a path, then plain words or environment references
// ($TGTD_OPTS on RHEL and Fedora, which systemd expands from the unit's EnvironmentFile).
const SAFE_EXEC = /^\/[A-Za-z0-9_./-]+(?: (?:[A-Za-z0-9_.=/:,-]+|\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\}))*$/;

/** The portals a start line names (--iscsi portal=A,portal=B,...), or the default when none. */
export function portalsOfExec(exec: string): string[] {
  const out: string[] = [];
  const words = exec.trim().split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== '--iscsi' && words[i] !== '-i') continue;
    for (const kv of (words[i + 1] ?? '').split(',')) if (kv.startsWith('portal=')) out.push(kv.slice(7).replace(/^:/, '0.0.0.0:'));
  }
  return out.length ? out : DEFAULT_PORTALS;
}

/** The last non-empty ExecStart= of a unit or drop-in (an empty one only resets the list). */
function lastExec(text: string | null): string | undefined {
  return (text ?? '').split('\n').map((l) => /^\s*ExecStart=(.*)$/.exec(l)?.[1]?.trim()).filter((x): x is string => !!x).at(-1);
}

/** The unit's own start line without any --iscsi option (Portico puts its own). */
export function baseExec(unitText: string | null): string {
  const last = lastExec(unitText) ?? DEFAULT_EXEC;
  const words = last.split(/\s+/);
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '--iscsi' || words[i] === '-i') { i++; continue; }
    kept.push(words[i]);
  }
  const exec = kept.join(' ');
  return SAFE_EXEC.test(exec) ? exec : DEFAULT_EXEC;
}

export function renderDropIn(exec: string, portals: readonly string[]): string {
  return [DROP_IN_MARK, '# Changes made here are used at the next start of tgt (after systemctl daemon-reload).', '[Service]', 'ExecStart=', `ExecStart=${exec} --iscsi ${portals.map((p) => `portal=${p}`).join(',')}`, ''].join('\n');
}

export interface PortalPersistence {
  /** systemd's unit for tgtd and Portico's drop-in for it; null when systemd does not start tgtd here. */
  service: { unit: string; unitFile: string } | null;
  dropIn: { path: string; content: string | null } | null;
  unit: string | null;
  /** The portals the next start of tgt listens on. */
  persisted: string[];
}

export async function readPortalPersistence(d: TargetDriver): Promise<PortalPersistence> {
  const svc = await d.tgtService();
  // Without a unit, tgtd starts as its init script says: on the distributions' scripts, without a portal (the default ones).
  if (!svc) return { service: null, dropIn: null, unit: null, persisted: DEFAULT_PORTALS };
  const files = await d.readFileStates([svc.dropIn, svc.unitFile]);
  const dropIn = files.get(svc.dropIn)?.content ?? null;
  const unit = files.get(svc.unitFile)?.content ?? null;
  const exec = lastExec(dropIn) ?? lastExec(unit) ?? DEFAULT_EXEC;
  return { service: { unit: svc.unit, unitFile: svc.unitFile }, dropIn: { path: svc.dropIn, content: dropIn }, unit, persisted: portalsOfExec(exec) };
}

export interface PortalUse {
  portal: string;
  sessions: { iqn: string; initiator: string; address: string }[];
}

/**
 * The sessions whose connections came in on each portal: ss on the server says which local
 * address each initiator address is connected to (tgt shows only the initiator's). A wildcard
 * portal takes the connections no specific portal of the same port has. null when ss is missing.
 */
export async function portalUse(d: TargetDriver, state: TargetState): Promise<PortalUse[] | null> {
  const ports = [...new Set(state.portals.map((p) => p.port))];
  const conns = await d.iscsiConnections(ports);
  if (!conns) return null;
  const specific = new Set(state.portals.map(portalText));
  return state.portals.map((p) => {
    const portal = portalText(p);
    const wildcard = p.address === '0.0.0.0' || p.address === '[::]';
    const peers = new Set(conns.filter((c) => c.localPort === p.port && (c.local === p.address || (wildcard && !specific.has(`${c.local}:${c.localPort}`)))).map((c) => c.peer));
    const sessions = state.targets.flatMap((t) => t.sessions.flatMap((s) => s.connections.filter((c) => peers.has(c.address)).map((c) => ({ iqn: t.iqn, initiator: s.initiator, address: c.address }))));
    return { portal, sessions };
  });
}

export async function readPortalsView(d: TargetDriver): Promise<PortalsView> {
  const state = await d.readState();
  const [persist, use] = await Promise.all([readPortalPersistence(d), portalUse(d, state)]);
  const live = state.portals.map(portalText);
  return {
    server: d.label,
    portals: state.portals.map((p) => {
      const portal = portalText(p);
      return { portal, address: p.address, port: p.port, tpgt: p.tpgt, persisted: persist.persisted.includes(portal), sessions: use?.find((u) => u.portal === portal)?.sessions ?? [] };
    }),
    persistFile: persist.dropIn?.path ?? null,
    persistFileExists: persist.dropIn?.content != null,
    service: persist.service?.unit ?? null,
    notListening: persist.persisted.filter((p) => !live.includes(p)),
  };
}
