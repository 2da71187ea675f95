// What every VDSM kind group shares: the per-host API lookup, how a call is shown for review, the
// error tests, the id schema, the shape of a read-only kind and the storage-domain lookup.
import { z } from 'zod';
import type { Operation, VerifyOutcome } from '../jobs/operation';
import { maskParams } from './client';
import { VdsmError } from './errors';
import type { VdsmApi } from './api';

/** Resolves a Portico host id to its VDSM API (one client per host, opened on first use). */
export type VdsmApis = (hostId: string) => Promise<VdsmApi>;

export const FMT = (method: string, params: Record<string, unknown>) => `${method} ${JSON.stringify(maskParams(params))}`;

export const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));
export const isCode = (e: unknown, ...codes: number[]) => e instanceof VdsmError && codes.includes(e.code);

/** A value that comes from an earlier operation's output: the review shows it as "<name.path>". */
export const orRef = <T extends z.ZodTypeAny>(t: T) => z.union([t, z.string().regex(/^<[^>]+>$/)]);

export const Uuid = z.string().min(1).max(80);

/** Options of the task-polling kinds (SPM start and stop). */
export interface VdsmKindOptions { taskPollMs?: number; taskTimeoutMs?: number }

/** The shape of a read-only kind: no inverse, nothing to verify. */
export const readOnly = { readOnly: true as const, inverse: () => [] as Operation[], verify: async (): Promise<VerifyOutcome> => ({ applied: true }) };

/** The domain's info, null when VDSM has no such domain (358). */
export const sdExists = async (api: VdsmApi, id: string): Promise<Record<string, unknown> | null> => {
  try {
    return await api.getStorageDomainInfo(id);
  } catch (err) {
    if (isCode(err, 358)) return null;
    throw err;
  }
};
