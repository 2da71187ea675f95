// Counting semaphore with a FIFO queue; a waiter whose AbortSignal fires leaves the queue.
// Used to keep exec channels per connection under the server's MaxSessions.

export class Semaphore {
  private active = 0;
  private readonly waiters: Array<{ grant: () => void; fail: (e: unknown) => void }> = [];

  constructor(private limit: number) {
    if (!(limit >= 1)) throw new Error('semaphore limit must be at least 1');
  }

  get inUse(): number {
    return this.active;
  }
  get queued(): number {
    return this.waiters.length;
  }
  get capacity(): number {
    return this.limit;
  }

  /** Lower (or raise) the limit, e.g. after the server refused a channel below our guess. */
  setLimit(n: number): void {
    this.limit = Math.max(1, n);
    this.pump();
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.active--;
        this.pump();
      };
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active++;
          resolve(release);
        },
        fail: reject,
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /** Rejects everyone still waiting (connection gone). */
  failAll(err: unknown): void {
    for (const w of this.waiters.splice(0)) w.fail(err);
  }

  private pump(): void {
    while (this.active < this.limit && this.waiters.length > 0) this.waiters.shift()!.grant();
  }
}
