// Specs note every secret they type; the e2e teardown then checks none reached disk or logs.
import { appendFileSync } from 'node:fs';

export function noteSecret(secret: string): void {
  const f = process.env.PORTICO_E2E_SECRETS_FILE;
  if (!f) throw new Error('PORTICO_E2E_SECRETS_FILE is not set: the e2e global setup sets it');
  appendFileSync(f, secret + '\n', { mode: 0o600 });
}
