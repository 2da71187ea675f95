// Backing stores: NetManager file naming, storage-folder confinement, free-space and overcommit checks.
import { formatSize, type LunSpec, lunBytes } from '../../../../shared/domain/target';
import type { FileStat, SpaceInfo } from './driver';

/** NetManager: first LUN uses `file=` or the target name; extra LUNs get _1, _2, ... */
export function netManagerFileName(base: string, index: number): string {
  return index === 0 ? base : `${base}_${index}`;
}

export type PathResult = { ok: true; path: string } | { ok: false; error: string };

/** A file name (or absolute path) confined to the storage folder. */
export function resolveInStorage(storageDir: string, file: string, field = 'Backing file'): PathResult {
  const dir = storageDir.replace(/\/+$/, '');
  if (file.split('/').some((seg) => seg === '..' || seg === '.')) return { ok: false, error: `${field}: "${file}" contains "." or ".." segments; give a name inside ${dir}` };
  const path = file.startsWith('/') ? file : `${dir}/${file}`;
  if (!path.startsWith(dir + '/') || path.slice(dir.length + 1).includes('/') || path.length === dir.length + 1) {
    return { ok: false, error: `${field}: "${file}" is outside the storage folder ${dir}; backing files must be directly inside it` };
  }
  return { ok: true, path };
}

export interface PlannedBacking {
  lun: number;
  kind: LunSpec['backing']['kind'];
  path: string;
  /** Size to create (null for an existing device: its own size counts). */
  bytes: number | null;
  vg?: string;
  lv?: string;
}

export interface BackingPlanResult {
  backings: PlannedBacking[];
  errors: string[];
}

/**
 * Assigns paths: file LUNs use NetManager naming from `base`, skipping names that are taken
 * (existing files or LUN paths) only for added LUNs; a new target with taken names is an error.
 */
export function planBackings(opts: {
  storageDir: string;
  base: string;
  luns: LunSpec[];
  firstLun: number;
  /** Index to start NetManager suffixes at (0 for a new target). */
  firstIndex: number;
  taken: Set<string>;
  /** For added LUNs: skip taken names instead of refusing. */
  skipTaken: boolean;
}): BackingPlanResult {
  const errors: string[] = [];
  const backings: PlannedBacking[] = [];
  let idx = opts.firstIndex;
  const used = new Set(opts.taken);
  opts.luns.forEach((l, i) => {
    const lun = opts.firstLun + i;
    const field = `LUN ${lun} backing file`;
    const b = l.backing;
    if (b.kind === 'device') {
      backings.push({ lun, kind: 'device', path: b.path, bytes: null });
      return;
    }
    if (b.kind === 'lvm') {
      backings.push({ lun, kind: 'lvm', path: `/dev/${b.vg}/${b.lv}`, bytes: lunBytes(l), vg: b.vg, lv: b.lv });
      return;
    }
    let name: string;
    if (b.file) name = b.file;
    else {
      name = netManagerFileName(opts.base, idx++);
      if (opts.skipTaken) while (used.has(`${opts.storageDir.replace(/\/+$/, '')}/${name}`)) name = netManagerFileName(opts.base, idx++);
    }
    const r = resolveInStorage(opts.storageDir, name, field);
    if (!r.ok) {
      errors.push(r.error);
      return;
    }
    if (used.has(r.path)) {
      errors.push(`${field}: ${r.path} already exists on the server or is used by another LUN; choose another file name`);
      return;
    }
    used.add(r.path);
    backings.push({ lun, kind: b.kind, path: r.path, bytes: lunBytes(l) });
  });
  return { backings, errors };
}

export interface SpaceVerdict {
  error: string | null;
  warning: string | null;
  /** Numbers for the UI. */
  needFullBytes: number;
  newSparseBytes: number;
  existingApparentBytes: number;
  fsSizeBytes: number;
  availBytes: number;
}

/**
 * Full files must fit now; sparse files only warn when all files in the storage folder could,
 * once written, need more than the filesystem holds.
 */
export function checkSpace(backings: PlannedBacking[], space: SpaceInfo, storage: FileStat[]): SpaceVerdict {
  const needFull = backings.filter((b) => b.kind === 'full').reduce((n, b) => n + (b.bytes ?? 0), 0);
  const newSparse = backings.filter((b) => b.kind === 'sparse').reduce((n, b) => n + (b.bytes ?? 0), 0);
  const existingApparent = storage.filter((f) => f.kind === 'file').reduce((n, f) => n + f.size, 0);
  const existingAllocated = storage.filter((f) => f.kind === 'file').reduce((n, f) => n + f.allocated, 0);
  let error: string | null = null;
  let warning: string | null = null;
  // Keep 1 MiB per new file for metadata so a "fits exactly" plan does not fail half-way.
  const margin = backings.filter((b) => b.kind === 'full' || b.kind === 'sparse').length * 1048576;
  if (needFull + margin > space.availBytes) {
    error = `Not enough free space in ${space.path}: fully allocated LUNs need ${formatSize(needFull)}, ${formatSize(space.availBytes)} is free. Use sparse files or free space first.`;
  }
  const total = existingApparent + newSparse + needFull;
  if (newSparse > 0 && total > space.sizeBytes) {
    warning = `Sparse overcommit: files in ${space.path} would claim ${formatSize(total)} (${formatSize(existingApparent)} existing, ${formatSize(existingAllocated)} of it allocated, + ${formatSize(newSparse + needFull)} new) on a filesystem of ${formatSize(space.sizeBytes)} with ${formatSize(space.availBytes)} free: initiators get write errors once the free space is used up.`;
  }
  return { error, warning, needFullBytes: needFull, newSparseBytes: newSparse, existingApparentBytes: existingApparent, fsSizeBytes: space.sizeBytes, availBytes: space.availBytes };
}

/** OpenNebula 3.4's way to make a LUN's volume, shown in the plan. */
export function lvcreateArgv(vg: string, lv: string, bytes: number): string[] {
  return ['lvcreate', '-L', `${bytes}b`, '-n', lv, vg];
}
