// The path check's result in words, per hypervisor: which portals it logged in to the target
// through, and why the others failed. Pure, so the sentences are unit tested.
import type { IscsiSurveyResult } from '../../../../../shared/domain/iscsi';

export interface HostPaths {
  host: string;
  ok: string[];
  failed: { portal: string; why: string }[];
}

export function pathsOf(host: string, iqn: string, r: IscsiSurveyResult): HostPaths {
  const out: HostPaths = { host, ok: [], failed: [] };
  for (const p of r.portals) {
    if (!p.ok) { out.failed.push({ portal: p.portal, why: p.error.message }); continue; }
    const t = p.targets.find((x) => x.targetName === iqn);
    if (!t) out.failed.push({ portal: p.portal, why: 'discovery does not offer this target to the host (is its initiator name on the access list?)' });
    else if (!t.ok) out.failed.push({ portal: p.portal, why: t.error.message });
    else out.ok.push(p.portal);
  }
  return out;
}

export function pathsSentence(h: HostPaths): string {
  const n = h.ok.length + h.failed.length;
  const head = h.ok.length === n ? `${h.host} logs in through all ${n} portal(s) (${h.ok.join(', ')})` : h.ok.length ? `${h.host} logs in through ${h.ok.length} of ${n} portals (${h.ok.join(', ')})` : `${h.host} cannot log in through any of the ${n} portal(s)`;
  return `${head}${h.failed.length ? `; ${h.failed.map((f) => `${f.portal}: ${f.why}`).join('; ')}` : ''}.`;
}
