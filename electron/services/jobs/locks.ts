// Serialises work by key: two plans touching the same server never interleave.
export class KeyedLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async acquire(keys: readonly string[]): Promise<() => void> {
    const sorted = [...new Set(keys)].sort();
    const waits = sorted.map((k) => this.tails.get(k) ?? Promise.resolve());
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    for (const k of sorted) {
      const tail = (this.tails.get(k) ?? Promise.resolve()).then(() => done);
      this.tails.set(k, tail);
      void tail.then(() => {
        if (this.tails.get(k) === tail) this.tails.delete(k);
      });
    }
    await Promise.all(waits);
    return release;
  }
}
