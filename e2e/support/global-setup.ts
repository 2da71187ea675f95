// One console server for the whole e2e run; specs read its URL from the environment.
import type { FullConfig } from '@playwright/test';
import { startConsoleServer } from './console-server';

export default async function globalSetup(_config: FullConfig) {
  const server = await startConsoleServer();
  process.env.PORTICO_URL = server.url;
  process.env.PORTICO_E2E_DATA_DIR = server.dataDir;
  return async () => server.stop();
}
