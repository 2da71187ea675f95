import { MASK } from '../../shared/plan';

/** Replaces every occurrence of each secret (longest first, so overlaps mask fully) with ******. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join(MASK);
  }
  return out;
}
