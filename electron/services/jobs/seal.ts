// Secrets never reach the journal as values. Before an operation is written, every string that
// contains a known secret becomes { $sealed: "text with \0ref\0 holes" } and the secret itself goes
// to the SecretStore under that ref; values under a kind's sensitive keys are sealed whole. Reading
// the journal back (recovery after a crash) opens them again from the SecretStore.

export interface SecretVault {
  set(name: string, value: string): void;
  get(name: string): string | null;
}

interface Sealed {
  $sealed: string;
}

const HOLE = '\u0000';

function isSealed(v: unknown): v is Sealed {
  return typeof v === 'object' && v !== null && typeof (v as Sealed).$sealed === 'string' && Object.keys(v).length === 1;
}

export class Sealer {
  private readonly refs = new Map<string, string>();
  private n = 0;

  /** @param prefix SecretStore name prefix, e.g. `job:<id>:` (deleted when the job no longer needs them). */
  constructor(
    private readonly vault: SecretVault,
    readonly prefix: string,
    secrets: readonly string[],
  ) {
    for (const s of [...new Set(secrets)].filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) this.ref(s);
  }

  private ref(secret: string): string {
    let r = this.refs.get(secret);
    if (!r) {
      r = `${this.prefix}s${this.n++}`;
      this.refs.set(secret, r);
      this.vault.set(r, secret);
    }
    return r;
  }

  private sealString(s: string, whole: boolean): unknown {
    if (whole) return s.length ? { $sealed: `${HOLE}${this.ref(s)}${HOLE}` } : s;
    let parts: string[] = [s];
    let hit = false;
    for (const [secret] of this.refs) {
      const next: string[] = [];
      parts.forEach((p, i) => {
        // Odd indexes are refs already.
        if (i % 2 === 1) return next.push(p);
        const pieces = p.split(secret);
        if (pieces.length > 1) hit = true;
        pieces.forEach((piece, j) => {
          if (j > 0) next.push(this.refs.get(secret)!);
          next.push(piece);
        });
      });
      // Keep the even/odd layout: merge consecutive plain parts.
      parts = next;
    }
    if (!hit) return s;
    return { $sealed: parts.map((p, i) => (i % 2 === 1 ? `${HOLE}${p}${HOLE}` : p)).join('') };
  }

  /** Seals a JSON value; keys in `sensitive` (top level) are sealed whole. */
  seal(value: unknown, sensitive: readonly string[] = []): unknown {
    const walk = (v: unknown, whole: boolean): unknown => {
      if (typeof v === 'string') return this.sealString(v, whole);
      if (Array.isArray(v)) return v.map((x) => walk(x, whole));
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, whole)]));
      return v;
    };
    if (value && typeof value === 'object' && !Array.isArray(value) && sensitive.length) {
      return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, walk(x, sensitive.includes(k))]));
    }
    return walk(value, false);
  }
}

/** Opens sealed values; a ref the vault no longer holds is an error naming it. `seen` collects the secrets opened (for masking). */
export function unseal(value: unknown, vault: SecretVault, seen?: Set<string>): unknown {
  if (isSealed(value)) {
    const parts = value.$sealed.split(HOLE);
    return parts
      .map((p, i) => {
        if (i % 2 === 0) return p;
        const s = vault.get(p);
        if (s === null) throw new Error(`secret ${p} is no longer in the secret store`);
        seen?.add(s);
        return s;
      })
      .join('');
  }
  if (Array.isArray(value)) return value.map((v) => unseal(v, vault, seen));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unseal(v, vault, seen)]));
  return value;
}
