// One lab and one console server for the whole e2e run; specs read the URL from the environment.
import type { FullConfig } from '@playwright/test';
import labSetup from '../lab/global-setup';
import { loadLab } from '../lab/labinfo';
import { startConsoleServer } from './console-server';
import { startVdsmDoubleOnHv1 } from './vdsm-double';
import { startOnedDoubleOnFe1 } from './oned-double';
import { scanStorageServers, watchProcesses } from './secrets';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default async function globalSetup(_config: FullConfig) {
  const labTeardown = await labSetup();
  // Hosted-engine specs talk to the VDSM test double on hv1 (nothing happens without the lab).
  const vdsmTeardown = await startVdsmDoubleOnHv1();
  const onedTeardown = await startOnedDoubleOnFe1();
  const lab0 = loadLab();
  // An SSH client configuration naming stor2, for the "fill from ~/.ssh/config" shortcut.
  const sshDir = mkdtempSync(join(tmpdir(), 'portico-e2e-ssh-'));
  const sshConfig = join(sshDir, 'config');
  if (lab0) writeFileSync(sshConfig, `Host stor2\n  HostName ${lab0.hosts.stor2.ssh.host}\n  User root\n  IdentityFile ${lab0.accounts.root.keyPath}\n`);
  // No known_hosts: every lab host is a first contact, as on a fresh workstation.
  const server = await startConsoleServer({ PORTICO_KNOWN_HOSTS: '', PORTICO_SSH_CONFIG: sshConfig });
  process.env.PORTICO_URL = server.origin;
  // Pages open with one-time links; the page objects mint one per page with the session token.
  process.env.PORTICO_E2E_TOKEN = server.token;
  process.env.PORTICO_E2E_DATA_DIR = server.dataDir;
  const lab = loadLab();
  // Specs record the secrets they typed (CHAP, passwords) here, outside the console's data folder.
  const secretsDir = mkdtempSync(join(tmpdir(), 'portico-e2e-secrets-'));
  process.env.PORTICO_E2E_SECRETS_FILE = join(secretsDir, 'secrets');
  // Every process's argv, sampled through the whole run for the secrets noted so far (the lab's hosts share this PID namespace).
  const procs = lab ? watchProcesses(process.env.PORTICO_E2E_SECRETS_FILE) : null;
  return async () => {
    // After every spec ran: no lab password, passphrase or CHAP secret may sit in plaintext in the
    // SQLite file, its WAL, or the console's log.
    const ps = procs ? await procs.stop() : null;
    const typed = existsSync(process.env.PORTICO_E2E_SECRETS_FILE!) ? readFileSync(process.env.PORTICO_E2E_SECRETS_FILE!, 'utf8').split('\n') : [];
    rmSync(secretsDir, { recursive: true, force: true });
    rmSync(sshDir, { recursive: true, force: true });
    const secrets = [lab?.accounts.password.password, 'e2e passphrase', ...typed].filter((x): x is string => !!x);
    await new Promise((r) => setTimeout(r, 200));
    const found = server.findSecrets(secrets);
    // And on the storage servers: files other users can read, daemon and sudo logs, process samples.
    if (lab) {
      const t0 = Date.now();
      found.push(...(await scanStorageServers(lab, secrets, ps).catch((e: unknown) => [`the storage servers could not be scanned for secrets: ${e instanceof Error ? e.message : String(e)}`])));
      console.log(`[e2e] secret scan of the storage servers: ${Date.now() - t0} ms; ${ps ? `${ps.samples} process samples (${ps.sweepMs} ms each), ${ps.samplesWithSecret} with a secret in some argv ${JSON.stringify(ps.byProgram)}` : 'no process samples'}`);
    }
    await server.stop();
    await vdsmTeardown();
    await onedTeardown();
    await labTeardown();
    if (found.length) throw new Error(`secrets found in plaintext after the e2e run:\n${found.join('\n')}`);
  };
}
