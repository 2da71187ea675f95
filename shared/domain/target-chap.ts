// CHAP: user and secret rules (RFC 3720 lengths tgt and initiators accept), generated secrets.
import { z } from 'zod';

export const CHAP_SECRET_MIN = 12;
export const CHAP_SECRET_MAX = 16;
const CHAP_CHARS = /^[A-Za-z0-9._@+=-]+$/;

export const chapUserSchema = (field: string) =>
  z.string().superRefine((v, ctx) => {
    if (v.length < 1 || v.length > 64 || !CHAP_CHARS.test(v)) {
      ctx.addIssue({ code: 'custom', message: `${field}: use 1-64 characters from A-Z a-z 0-9 . _ @ + = - (no spaces, commas or #)` });
    }
  });

export const chapSecretSchema = (field: string) =>
  z.string().superRefine((v, ctx) => {
    // Never echo the secret in the message.
    if (v.length < CHAP_SECRET_MIN || v.length > CHAP_SECRET_MAX) {
      ctx.addIssue({ code: 'custom', message: `${field}: must be ${CHAP_SECRET_MIN}-${CHAP_SECRET_MAX} characters long (it has ${v.length}); most initiators, Windows included, require this` });
    } else if (!CHAP_CHARS.test(v)) {
      ctx.addIssue({ code: 'custom', message: `${field}: use only A-Z a-z 0-9 . _ @ + = - (spaces, commas, # and quotes break tgt's config)` });
    }
  });

/** A strong CHAP secret: 16 characters from a 62-letter alphabet (~95 bits), no bias. */
export function generateChapSecret(length = CHAP_SECRET_MAX): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const out: string[] = [];
  while (out.length < length) {
    const buf = globalThis.crypto.getRandomValues(new Uint8Array(32));
    for (const b of buf) if (b < 248 && out.length < length) out.push(alphabet[b % 62]);
  }
  return out.join('');
}

export const ChapInputSchema = z
  .object({
    user: chapUserSchema('CHAP user'),
    secret: chapSecretSchema('CHAP secret'),
    mutual: z.object({ user: chapUserSchema('Mutual CHAP user'), secret: chapSecretSchema('Mutual CHAP secret') }).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.mutual && c.mutual.secret === c.secret) {
      ctx.addIssue({ code: 'custom', path: ['mutual', 'secret'], message: 'Mutual CHAP secret: must differ from the CHAP secret (RFC 3720 forbids the same secret in both directions)' });
    }
    if (c.mutual && c.mutual.user === c.user) {
      ctx.addIssue({ code: 'custom', path: ['mutual', 'user'], message: 'Mutual CHAP user: use a different user name than the incoming CHAP user' });
    }
  });
export type ChapInput = z.infer<typeof ChapInputSchema>;
