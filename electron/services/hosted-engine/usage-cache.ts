// A short-lived per-key memo for the live hosted-engine.conf reads: a bulk plan over many targets
// asks the same hosts again and again within a second or two; one SSH read per host serves them
// all. Calls that arrive while a read runs share it. Failures are kept just as long as answers,
// so an unreachable host costs one timeout per window, not one per target.
export class TtlCache<V> {
  /** `at` null: the read is still running (always shared). */
  private readonly entries = new Map<string, { at: number | null; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The value for `key` if read within the last ttlMs (or being read now), else `load()`'s. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && (hit.at === null || this.now() - hit.at < this.ttlMs)) return hit.value;
    // A load that throws at once fails like one that rejects.
    const value = (async () => load())();
    const entry: { at: number | null; value: Promise<V> } = { at: null, value };
    this.entries.set(key, entry);
    // Kept until it settles even with ttl 0, so concurrent callers still share one read.
    void value.then(
      () => this.settled(key, entry),
      () => this.settled(key, entry),
    );
    return value;
  }

  private settled(key: string, entry: { at: number | null }): void {
    // The window starts when the answer is known, so a slow read does not expire on arrival.
    if (this.entries.get(key) !== entry) return;
    entry.at = this.now();
    if (this.ttlMs <= 0) this.entries.delete(key);
  }

  /** Forgets one key (after Portico itself changed the file) or everything. */
  invalidate(key?: string): void {
    if (key === undefined) this.entries.clear();
    else this.entries.delete(key);
  }
}
