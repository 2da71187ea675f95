// One lab and one console server for the whole e2e run; specs read the URL from the environment.
import type { FullConfig } from '@playwright/test';
import labSetup from '../lab/global-setup';
import { startConsoleServer } from './console-server';

export default async function globalSetup(_config: FullConfig) {
  const labTeardown = await labSetup();
  // No known_hosts: every lab host is a first contact, as on a fresh workstation.
  const server = await startConsoleServer({ PORTICO_KNOWN_HOSTS: '' });
  process.env.PORTICO_URL = server.url;
  process.env.PORTICO_E2E_DATA_DIR = server.dataDir;
  return async () => {
    await server.stop();
    await labTeardown();
  };
}
