// Writes the storage keys into hosted-engine.conf on the host: read, merge, write a temp file
// from stdin (dd: nothing echoed back, so the password never comes back in output), keep owner
// and mode, back up the old file, then rename over it (atomic on one filesystem).
import { runChecked, type RemoteRunner } from '../remote/runner';
import { mergeHostedEngineConf } from './outputs';

export const HE_CONF_PATH = '/etc/ovirt-hosted-engine/hosted-engine.conf';

export async function writeHostedEngineConf(
  runner: RemoteRunner,
  keys: [string, string][],
  signal?: AbortSignal,
  path = HE_CONF_PATH,
  now: () => Date = () => new Date(),
): Promise<{ path: string; backup: string | null }> {
  const opts = { sudo: true, signal, timeoutMs: 30_000 };
  const exists = (await runner.run(['test', '-f', path], opts)).code === 0;
  const existing = exists ? (await runChecked(runner, ['cat', '--', path], opts)).stdout : '';
  const content = mergeHostedEngineConf(existing, keys);
  const stamp = now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const tmp = `${path}.portico-tmp`;
  const backup = exists ? `${path}.portico-bak-${stamp}` : null;
  await runChecked(runner, ['mkdir', '-p', '--', path.slice(0, path.lastIndexOf('/')) || '/'], opts);
  await runChecked(runner, ['dd', `of=${tmp}`, 'status=none'], { ...opts, stdin: content });
  if (exists) {
    await runChecked(runner, ['chmod', '--reference', path, '--', tmp], opts);
    await runChecked(runner, ['chown', '--reference', path, '--', tmp], opts);
    await runChecked(runner, ['cp', '-p', '--', path, backup!], opts);
  } else {
    // Readable by root and the vdsm/kvm group only: the file holds the CHAP password.
    await runChecked(runner, ['chmod', '0640', '--', tmp], opts);
  }
  await runChecked(runner, ['mv', '-f', '--', tmp, path], opts);
  return { path, backup };
}
