// Text fields the target schemas share: bounded text, the server id, conf-file metadata.
import { z } from 'zod';

/** Text of at most `max` characters; longer input is refused before any check that quotes it. */
export const boundedText = (field: string, max: number) =>
  z.string().max(max, { message: `${field}: at most ${max} characters`, abort: true });

/** A storage server's id, as the Hosts page lists it. */
export const serverIdSchema = (message = 'Server: choose a server') => boundedText('Server', 80).min(1, { message });

/** Text kept only as Portico metadata in the conf file (stored encoded, so spaces are fine). */
export const metaText = (field: string) =>
  z.string().max(128, { message: `${field}: at most 128 characters` }).refine((v) => !/\p{Cc}/u.test(v), { message: `${field}: remove control characters (tabs, line breaks)` });
