// Process-level last resort for browser mode: an error that escaped every layer is logged and the
// console keeps serving, because exiting would strand a running job half-applied (its rollback
// runs in this process). Each layer of browser-host.ts catches its own errors first; these
// handlers only catch what a bug let through. A burst of uncaught exceptions (the process is then
// probably wedged) still ends it, with the reason printed.
export interface GuardOptions {
  log?: (line: string) => void;
  /** Uncaught exceptions tolerated within `windowMs` before exiting (default 20 per minute). */
  maxExceptions?: number;
  windowMs?: number;
  exit?: (code: number) => void;
}

function describe(e: unknown): string {
  const text = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  return text.length > 2000 ? text.slice(0, 2000) + '…' : text;
}

export function processGuardHandlers(opts: GuardOptions = {}) {
  const log = opts.log ?? ((l: string) => console.error(l));
  const max = opts.maxExceptions ?? 20;
  const windowMs = opts.windowMs ?? 60_000;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let recent: number[] = [];
  return {
    onRejection(reason: unknown) {
      log(`Portico: caught an unhandled promise rejection; the console keeps serving.\n${describe(reason)}`);
    },
    onException(err: unknown) {
      const now = Date.now();
      recent = recent.filter((t) => now - t < windowMs);
      recent.push(now);
      if (recent.length > max) {
        log(`Portico: ${recent.length} unexpected errors within ${windowMs / 1000} s; stopping. Last one:\n${describe(err)}`);
        exit(70);
        return;
      }
      log(`Portico: caught an unexpected error; the console keeps serving.\n${describe(err)}`);
    },
  };
}

/** Installs the handlers on `process`; returns a function that removes them. */
export function installProcessGuards(opts: GuardOptions = {}): () => void {
  const h = processGuardHandlers(opts);
  process.on('unhandledRejection', h.onRejection);
  process.on('uncaughtException', h.onException);
  return () => {
    process.off('unhandledRejection', h.onRejection);
    process.off('uncaughtException', h.onException);
  };
}
