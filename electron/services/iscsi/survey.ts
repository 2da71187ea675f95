// Fan-out check of many portals at once: discovery on each, then every target it offers inspected,
// all concurrently (up to a socket limit), one portal's failure never stopping the others, and
// duplicate GUIDs flagged across everything seen. Returns only when every session has logged out.
import { IscsiError } from './errors';
import { discoverThenLogout, guidWarnings, inspect, type CommonOptions, type Connector, type PortalInput } from './initiator';
import { formatPortal } from './targets';
import type { IscsiFailure, IscsiSurveyPortal, IscsiSurveyResult, IscsiSurveyTarget } from '../../../shared/domain/iscsi';

export interface SurveyPortal extends PortalInput {
  server?: string;
}

export interface SurveyOptions extends Omit<CommonOptions, 'portal' | 'connect'> {
  portals: SurveyPortal[];
  /** Transport per portal (e.g. a tunnel from a host); default TCP from here. */
  connect?: (portal: PortalInput) => Connector;
  /** Most sessions open at once. Default 64: well under any fd limit, above typical fleet sizes. */
  concurrency?: number;
}

export const DEFAULT_SURVEY_CONCURRENCY = 64;

function failure(e: unknown): IscsiFailure {
  if (e instanceof IscsiError) return { code: e.code, message: e.message };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

/** A counting semaphore: the survey holds at most `n` sessions (sockets) open at a time. */
function semaphore(n: number) {
  let free = n;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    async acquire(): Promise<() => void> {
      if (free > 0) free--;
      else await new Promise<void>((r) => waiting.push(r));
      let done = false;
      return () => {
        if (done) return;
        done = true;
        release();
      };
    },
  };
}

export async function surveyPortals(o: SurveyOptions): Promise<IscsiSurveyResult> {
  const started = performance.now();
  const sessions = semaphore(Math.max(1, o.concurrency ?? DEFAULT_SURVEY_CONCURRENCY));
  const limit = async <T>(fn: () => Promise<T>): Promise<T> => {
    const release = await sessions.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  };
  // One check per distinct portal, whatever the caller listed twice.
  const seen = new Map<string, SurveyPortal>();
  for (const p of o.portals) seen.set(formatPortal({ address: p.address.replace(/^\[(.*)\]$/, '$1'), port: p.port ?? 3260 }), p);

  const one = async (label: string, p: SurveyPortal): Promise<IscsiSurveyPortal> => {
    const common = { portal: p, connect: o.connect?.(p), initiatorName: o.initiatorName, chap: o.chap, timeoutMs: o.timeoutMs, signal: o.signal };
    let d;
    const release = await sessions.acquire();
    try {
      d = await discoverThenLogout(common);
    } catch (e) {
      release();
      return { ok: false, portal: label, server: p.server, error: failure(e) };
    }
    // The discovery session keeps its slot until it has logged out.
    void d.loggedOut.then(release);
    // The discovery session logs out while the targets are being inspected.
    const targets = await Promise.all(
      d.result.targets.map((t) =>
        limit(() => inspect({ ...common, target: t.targetName })).then(
          (r): IscsiSurveyTarget => ({ ok: true, ...r }),
          (e): IscsiSurveyTarget => ({ ok: false, targetName: t.targetName, error: failure(e) }),
        ),
      ),
    );
    await d.loggedOut;
    return { ok: true, portal: label, server: p.server, authentication: d.result.authentication, targets };
  };

  const portals = await Promise.all([...seen].map(([label, p]) => one(label, p)));
  const inspected = portals.flatMap((p) => (p.ok ? p.targets.filter((t) => t.ok).map((t) => ({ ...t, server: p.server })) : []));
  return { portals, guidWarnings: guidWarnings(inspected), elapsedMs: Math.round(performance.now() - started) };
}
