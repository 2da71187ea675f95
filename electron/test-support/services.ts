// Test helper: a full service graph on a throwaway data folder with a passphrase cipher.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../services/app';
import { PassphraseCipher } from '../services/secrets';

export function testServices(passphrase = 'test passphrase', knownHostsFiles: string[] = []): Services & { dataDir: string; dispose(): Promise<void> } {
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-test-'));
  const s = createServices({ dataDir, mode: 'browser', cipher: (db) => new PassphraseCipher(db, passphrase), knownHostsFiles });
  return {
    ...s,
    dataDir,
    dispose: async () => {
      await s.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls the contract through the real router, as the renderer does; a refusal throws an Error carrying its code and field. */
export function contractCaller(svc: Pick<Services, 'router'>) {
  return async <T>(name: string, input: unknown): Promise<T> => {
    const env = await svc.router.handle(name, input, { transport: 'test' });
    if (!env.ok) throw Object.assign(new Error(env.error.message), env.error);
    return env.result as T;
  };
}
