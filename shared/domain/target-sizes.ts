// Sizes: binary units, parsing and formatting, the LUN size limits and the size field.
import { z } from 'zod';
import { boundedText } from './target-fields';

/**
 * Portico counts sizes in binary units, as NetManager's `size=750GB` and `ls -h` do:
 * 1 MB = 1 MiB = 1024² bytes, 1 GB = 1 GiB = 1024³ bytes, 1 TB = 1 TiB = 1024⁴ bytes.
 */
export const SIZE_UNIT_NOTE = 'Sizes use binary units: 1 GB = 1 GiB = 1024 MB (as NetManager and ls -h count). Accepted units: MB, GB, TB, MiB, GiB, TiB.';

const MiB = 1024 ** 2;
const UNITS: Record<string, number> = { mb: MiB, mib: MiB, gb: 1024 * MiB, gib: 1024 * MiB, tb: 1024 ** 2 * MiB, tib: 1024 ** 2 * MiB };
/** Smallest LUN we create: below this no hypervisor can use it and it is almost certainly a typo. */
export const MIN_LUN_BYTES = MiB;
/** Largest LUN we accept (256 TiB): far beyond this is a typo, not a disk. */
export const MAX_LUN_BYTES = 256 * 1024 ** 4;
export const LOGICAL_BLOCK = 512;

export type SizeResult = { ok: true; bytes: number } | { ok: false; error: string };

/** Parses "750GB", "500 MB", "1.5TiB". Never guesses a unit. */
export function parseSize(text: string, field = 'size'): SizeResult {
  const s = text.trim();
  if (s === '') return { ok: false, error: `${field}: enter a size such as 500MB or 750GB` };
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(s);
  if (!m) return { ok: false, error: `${field}: "${text}" is not a size; write a number and a unit, e.g. 500MB or 1.5TB` };
  const [, num, unitRaw] = m;
  if (unitRaw === '') return { ok: false, error: `${field}: "${text}" has no unit; add MB, GB or TB (binary: 1 GB = 1024 MB)` };
  const mult = UNITS[unitRaw.toLowerCase()];
  if (!mult) return { ok: false, error: `${field}: unknown unit "${unitRaw}"; use MB, GB, TB, MiB, GiB or TiB` };
  const value = Number(num);
  if (!Number.isFinite(value) || value === 0) return { ok: false, error: `${field}: the size must be greater than 0` };
  const bytes = value * mult;
  if (!Number.isSafeInteger(bytes) || bytes % LOGICAL_BLOCK !== 0) {
    return { ok: false, error: `${field}: ${text} is not a whole number of 512-byte blocks; round it, e.g. to ${formatSize(Math.round(bytes / MiB) * MiB)}` };
  }
  if (bytes < MIN_LUN_BYTES) return { ok: false, error: `${field}: ${text} is too small; the minimum is 1 MB` };
  if (bytes > MAX_LUN_BYTES) return { ok: false, error: `${field}: ${text} is larger than the 256 TB limit; check the unit` };
  return { ok: true, bytes };
}

/** Formats bytes with binary (IEC) labels in the largest unit: 805306368000 -> "750 GiB". */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return String(bytes);
  const steps: [string, number][] = [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', MiB], ['KiB', 1024]];
  for (const [label, f] of steps) {
    if (bytes >= f) {
      const v = bytes / f;
      return `${Number.isInteger(v) ? v : v.toFixed(2)} ${label}`;
    }
  }
  return `${bytes} B`;
}
export const sizeSchema = boundedText('Size', 32).transform((v, ctx) => {
  const r = parseSize(v, 'Size');
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.bytes;
});
