// The dashboard's warnings as pure rules over what main read from each storage server: each rule
// takes the facts and answers the warnings it finds, in words, with the page that explains them.
import { CHAP_SECRET_MIN } from '../../../shared/domain/iscsi';
import { formatSize } from '../../../shared/domain/target';
import type { DashboardThresholds, DashboardWarning, ServerCapacity } from '../../../shared/features/dashboard';
import { duplicateGuidWarnings } from '../iscsi/guid';

export interface LunFacts {
  lun: number;
  path: string | null;
  /** Apparent and allocated bytes of the backing file; null when it is not a readable file. */
  apparentBytes: number | null;
  allocatedBytes: number | null;
  /** The SCSI ID tgt reports for the LUN: the device identifier initiators derive the GUID from. */
  scsiId: string;
  /**
   * The device GUID a Linux host derives from what tgt serves (tgt/lun-guid.ts); null when it
   * cannot be derived. Two different SCSI IDs can give one GUID (tgt reads them as hex digits).
   */
  guid: string | null;
}

export interface TargetFacts {
  iqn: string;
  openToAll: boolean;
  chapUsers: string[];
  persisted: 'in-sync' | 'drift' | 'not-running' | 'not-persisted' | 'file-error';
  driftMessages: string[];
  luns: LunFacts[];
  /**
   * Lengths of the CHAP secrets of the target's incoming accounts, read from the conf file Portico
   * manages for it; null when no conf file defines the target (adopted or hand-made: unknown).
   */
  chapSecretLengths: { user: string; length: number }[] | null;
}

export interface ServerFacts {
  serverId: string;
  name: string;
  storageDir: string;
  targets: TargetFacts[];
  fileErrors: { file: string; error: string }[];
  filesystem: { mount: string; type: string; sizeBytes: number; availBytes: number } | null;
  filesystemError: string | null;
  thresholds: DashboardThresholds;
}

const targetsLink = (serverId: string, iqn?: string) => ({ page: 'targets', params: iqn ? [serverId, iqn] : [serverId] });

/** A LUN file in the storage folder (the filesystem the capacity figures are about). */
function inStorage(dir: string, path: string | null): boolean {
  const d = dir.replace(/\/+$/, '');
  return !!path && path.startsWith(`${d}/`);
}

function isSparse(l: LunFacts): boolean {
  return l.apparentBytes !== null && l.allocatedBytes !== null && l.allocatedBytes < l.apparentBytes;
}

/** Capacity of a server's storage folder: apparent vs allocated of its LUN files, overcommit, free space. */
export function capacityOf(s: ServerFacts): ServerCapacity {
  const seen = new Set<string>();
  const files: LunFacts[] = [];
  // A file exported by two targets is counted once.
  for (const t of s.targets)
    for (const l of t.luns)
      if (inStorage(s.storageDir, l.path) && l.apparentBytes !== null && !seen.has(l.path!)) {
        seen.add(l.path!);
        files.push(l);
      }
  const sum = (xs: LunFacts[], f: (l: LunFacts) => number) => xs.reduce((a, l) => a + f(l), 0);
  const sparse = files.filter(isSparse);
  const fs = s.filesystem;
  const apparentBytes = sum(files, (l) => l.apparentBytes!);
  return {
    apparentBytes,
    allocatedBytes: sum(files, (l) => l.allocatedBytes ?? 0),
    sparseApparentBytes: sum(sparse, (l) => l.apparentBytes!),
    sparseAllocatedBytes: sum(sparse, (l) => l.allocatedBytes!),
    sparseLuns: sparse.length,
    overcommitPct: fs && fs.sizeBytes > 0 ? Math.round((apparentBytes / fs.sizeBytes) * 1000) / 10 : null,
    filesystem: fs ? { ...fs, freePct: fs.sizeBytes > 0 ? Math.round((fs.availBytes / fs.sizeBytes) * 1000) / 10 : 0 } : null,
    filesystemError: s.filesystemError,
  };
}

export function overcommitRule(s: ServerFacts): DashboardWarning[] {
  const c = capacityOf(s);
  if (c.overcommitPct === null || c.overcommitPct <= s.thresholds.overcommitPct) return [];
  return [{
    code: 'overcommit', severity: c.overcommitPct > 100 ? 'error' : 'warning', serverId: s.serverId, iqn: null,
    message: `${s.name}: the LUN files in ${s.storageDir} claim ${formatSize(c.apparentBytes)}, ${c.overcommitPct}% of their filesystem ${c.filesystem!.mount} (${formatSize(c.filesystem!.sizeBytes)}), above this server's threshold of ${s.thresholds.overcommitPct}%. Once the sparse files are written, initiators get write errors; add space or move LUNs.`,
    link: targetsLink(s.serverId),
  }];
}

export function lowFreeSpaceRule(s: ServerFacts): DashboardWarning[] {
  const c = capacityOf(s);
  if (!c.filesystem || c.sparseLuns === 0 || c.filesystem.freePct >= s.thresholds.minFreePct) return [];
  return [{
    code: 'low-free-space', severity: 'error', serverId: s.serverId, iqn: null,
    message: `${s.name}: ${c.filesystem.mount} has ${formatSize(c.filesystem.availBytes)} free (${c.filesystem.freePct}%, under ${s.thresholds.minFreePct}%) and holds ${c.sparseLuns} sparse LUN file(s) still able to grow by ${formatSize(c.sparseApparentBytes - c.sparseAllocatedBytes)}.`,
    link: targetsLink(s.serverId),
  }];
}

/** The same device identifier on two LUNs (of two targets, or two servers): multipath would merge them. */
export function duplicateGuidRule(servers: ServerFacts[]): DashboardWarning[] {
  const ids = new Map<string, Set<string>>();
  const sightings = servers.flatMap((s) => s.targets.flatMap((t) => t.luns.filter((l) => l.guid ?? l.scsiId.trim()).map((l) => {
    const guid = l.guid ?? l.scsiId.trim();
    ids.set(guid, (ids.get(guid) ?? new Set()).add(l.scsiId.trim()));
    return { guid, targetName: t.iqn, lun: l.lun, portal: s.name, server: s.serverId };
  })));
  return duplicateGuidWarnings(sightings).map((w) => {
    const first = w.sightings[0];
    const where = [...new Set(w.sightings.map((x) => `${x.targetName} LUN ${x.lun} on ${x.portal}`))];
    const scsiIds = [...(ids.get(w.guid) ?? [])];
    const from = scsiIds.length > 1
      ? ` (from the different SCSI IDs ${scsiIds.map((x) => `"${x}"`).join(', ')}: tgt reads only their hex digits)`
      : scsiIds[0] && scsiIds[0] !== w.guid ? ` (from SCSI ID "${scsiIds[0]}")` : '';
    return {
      code: 'duplicate-guid' as const, severity: 'error' as const, serverId: first.server ?? null, iqn: first.targetName,
      message: `Device GUID ${w.guid}${from}, the identifier hosts see, is on ${where.length} LUNs: ${where.join('; ')}. Multipath would merge them into one device; give each LUN its own scsi_id (hex digits) and scsi_sn.`,
      link: targetsLink(first.server!, first.targetName),
    };
  });
}

export function openToAllRule(s: ServerFacts): DashboardWarning[] {
  return s.targets.filter((t) => t.openToAll).map((t) => ({
    code: 'open-to-all' as const, severity: t.chapUsers.length ? ('warning' as const) : ('error' as const), serverId: s.serverId, iqn: t.iqn,
    message: `${t.iqn} on ${s.name} admits ALL initiators${t.chapUsers.length ? ', guarded only by its CHAP secret' : ' without CHAP: any host that reaches a portal can read and write its LUNs'}. Limit its access list to the hypervisors' initiator names.`,
    link: targetsLink(s.serverId, t.iqn),
  }));
}

export function chapSecretRule(s: ServerFacts): DashboardWarning[] {
  const out: DashboardWarning[] = [];
  for (const t of s.targets) {
    if (!t.chapUsers.length) continue;
    if (t.chapSecretLengths === null) {
      out.push({
        code: 'chap-secret-unknown', severity: 'info', serverId: s.serverId, iqn: t.iqn,
        message: `${t.iqn} on ${s.name} uses CHAP (${t.chapUsers.join(', ')}) but no conf file Portico can read defines it, so the secret's length is unknown. Set a new secret of at least ${CHAP_SECRET_MIN} characters with Edit access to be sure.`,
        link: targetsLink(s.serverId, t.iqn),
      });
      continue;
    }
    const short = t.chapSecretLengths.filter((a) => a.length < CHAP_SECRET_MIN);
    if (short.length)
      out.push({
        code: 'short-chap-secret', severity: 'error', serverId: s.serverId, iqn: t.iqn,
        message: `${t.iqn} on ${s.name}: the CHAP secret of ${short.map((a) => `${a.user} (${a.length} characters)`).join(', ')} is shorter than ${CHAP_SECRET_MIN} characters; many initiators refuse it and it is easy to guess offline. Set a longer one with Edit access.`,
        link: targetsLink(s.serverId, t.iqn),
      });
  }
  return out;
}

const DRIFT_WORDS: Record<string, string> = {
  drift: 'runs differently from its conf file',
  'not-persisted': 'has no conf file: it would be gone after a tgtd restart',
  'not-running': 'is defined in a conf file but not running',
  'file-error': 'has a conf file that cannot be read',
};

export function confDriftRule(s: ServerFacts): DashboardWarning[] {
  const out: DashboardWarning[] = s.targets
    .filter((t) => t.persisted !== 'in-sync')
    .map((t) => ({
      code: 'conf-drift' as const, severity: 'warning' as const, serverId: s.serverId, iqn: t.iqn,
      message: `${t.iqn} on ${s.name} ${DRIFT_WORDS[t.persisted]}${t.driftMessages.length ? `: ${t.driftMessages.join('; ')}` : ''}. Review the reconcile plan on the Targets page.`,
      link: targetsLink(s.serverId, t.iqn),
    }));
  for (const f of s.fileErrors)
    out.push({ code: 'conf-drift', severity: 'warning', serverId: s.serverId, iqn: null, message: `${s.name}: ${f.file}: ${f.error}`, link: targetsLink(s.serverId) });
  return out;
}

const RANK = { error: 0, warning: 1, info: 2 } as const;

/** Every rule over every server, errors first. */
export function allWarnings(servers: ServerFacts[]): DashboardWarning[] {
  const per = servers.flatMap((s) => [...overcommitRule(s), ...lowFreeSpaceRule(s), ...openToAllRule(s), ...chapSecretRule(s), ...confDriftRule(s)]);
  return [...per, ...duplicateGuidRule(servers)].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}
