// Fault helpers: break a lab host the way real servers break, and repair it.
// Every helper is idempotent and restores with its counterpart; tests should restore in afterAll/finally
// (the lab is shared by every test of the run).
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statfsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execOnHost, findDaemonPids, hostPath, killAndWait } from './hosts';
import { sshdPids, startLibvirtd as startLibvirtdDaemon, startSshd, startTgtd as startTgtdDaemon, tgtdPids } from './lab';
import type { LabHostInfo, LabNet } from './labinfo';
import { run, waitFor } from './util';

function iface(host: LabHostInfo, net: LabNet): string {
  const i = host.interfaces[net];
  if (!i) throw new Error(`${host.name} is not on network ${net}`);
  return i;
}

/** Take the host's link on a network down (its NIC loses carrier: nothing in or out on that network). */
export async function linkDown(host: LabHostInfo, net: LabNet): Promise<void> {
  await run('ip', ['-n', host.netns, 'link', 'set', 'dev', iface(host, net), 'down']);
}

export async function linkUp(host: LabHostInfo, net: LabNet): Promise<void> {
  const i = iface(host, net);
  await run('ip', ['-n', host.netns, 'link', 'set', 'dev', i, 'up']);
  await waitFor(`${host.name} ${i} up`, async () => {
    const r = await run('ip', ['-n', host.netns, '-o', 'link', 'show', 'dev', i]);
    return /state UP/.test(r.stdout);
  }, 5000, 20);
}

export async function linkIsUp(host: LabHostInfo, net: LabNet): Promise<boolean> {
  const r = await run('ip', ['-n', host.netns, '-o', 'link', 'show', 'dev', iface(host, net)]);
  return /[<,]UP[,>]/.test(r.stdout);
}

function requireTgt(host: LabHostInfo) {
  if (!host.tgt) throw new Error(`${host.name} runs no tgtd`);
  return host.tgt;
}

/**
 * Stop the host's tgtd. tgtd ignores SIGTERM, so: ask it to exit (tgtadm --op delete --mode system),
 * and SIGKILL whatever is left. Targets not in /etc/tgt/conf.d are lost, as on a real server.
 */
export async function stopTgtd(host: LabHostInfo): Promise<void> {
  const tgt = requireTgt(host);
  const pids = tgtdPids(host, tgt.controlPort);
  if (pids.length === 0) return;
  await execOnHost(host, ['tgtadm', '-C', String(tgt.controlPort), '--op', 'delete', '--mode', 'system'], { allowFail: true, timeoutMs: 3000 });
  await killAndWait(tgtdPids(host, tgt.controlPort), 5000);
  for (const f of [`socket.${tgt.controlPort}`, `socket.${tgt.controlPort}.lock`, 'socket.0']) rmSync(hostPath(host, `/run/tgtd/${f}`), { force: true });
}

/** Start the host's tgtd again (portals on A and B) and load /etc/tgt/targets.conf like the Debian service. */
export async function startTgtd(host: LabHostInfo): Promise<void> {
  const tgt = requireTgt(host);
  if (tgtdPids(host, tgt.controlPort).length > 0) return;
  await startTgtdDaemon(host, tgt.controlPort, tgt.portals, true);
}

export async function restartTgtd(host: LabHostInfo): Promise<void> {
  await stopTgtd(host);
  await startTgtd(host);
}

/** Is the lab's tgtd of the host running (other tgtd started on the host with startOnHost do not count)? */
export function tgtdRunning(host: LabHostInfo): boolean {
  return tgtdPids(host, requireTgt(host).controlPort).length > 0;
}

/** Restart the host's sshd listener (open sessions stay, as with systemctl restart ssh). */
export async function restartSshd(host: LabHostInfo): Promise<{ oldPids: number[]; newPid: number }> {
  const oldPids = sshdPids(host);
  await killAndWait(oldPids, 5000);
  const newPid = await startSshd(host, host.ssh.host);
  return { oldPids, newPid };
}

function hostKeyBackup(host: LabHostInfo): string {
  return join(dirname(host.etcUpperDir), 'original-host-key', 'ssh_host_ed25519_key');
}

/** The host's current SSH host key ("ssh-ed25519 AAAA...") as sshd now presents it. */
export function currentHostKey(host: LabHostInfo): string {
  return readFileSync(hostPath(host, '/etc/ssh/ssh_host_ed25519_key.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

/** Give the host a new SSH host key (reinstalled server, or a man in the middle) and restart sshd. */
export async function changeHostKey(host: LabHostInfo): Promise<{ hostKey: string; fingerprint: string }> {
  const key = hostPath(host, '/etc/ssh/ssh_host_ed25519_key');
  const backup = hostKeyBackup(host);
  if (!existsSync(backup)) {
    mkdirSync(dirname(backup), { recursive: true, mode: 0o700 });
    copyFileSync(key, backup);
    copyFileSync(`${key}.pub`, `${backup}.pub`);
  }
  rmSync(key, { force: true });
  rmSync(`${key}.pub`, { force: true });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${host.name}`, '-f', key]);
  const fingerprint = (await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${key}.pub`])).stdout.split(/\s+/)[1];
  await restartSshd(host);
  return { hostKey: currentHostKey(host), fingerprint };
}

/** Put back the host key from lab.json (after changeHostKey) and restart sshd. */
export async function restoreHostKey(host: LabHostInfo): Promise<void> {
  const backup = hostKeyBackup(host);
  if (!existsSync(backup)) return;
  const key = hostPath(host, '/etc/ssh/ssh_host_ed25519_key');
  copyFileSync(backup, key);
  copyFileSync(`${backup}.pub`, `${key}.pub`);
  rmSync(dirname(backup), { recursive: true, force: true });
  await restartSshd(host);
}

export const FILL_FILE = '.portico-lab-fill';

function requireStorage(host: LabHostInfo): string {
  if (!host.storageDir) throw new Error(`${host.name} has no storage folder`);
  return host.storageDir;
}

/** Free bytes of the host's storage folder (what df shows on the host). */
export function storageFree(host: LabHostInfo): number {
  const s = statfsSync(hostPath(host, requireStorage(host)));
  return s.bavail * s.bsize;
}

/**
 * Fill the host's storage folder so that at most `leaveBytes` stay free (default 0: ENOSPC for
 * any further write). Cheap: the folder is a size-limited tmpfs. Returns the fill file path on the host.
 */
export async function fillStorage(host: LabHostInfo, leaveBytes = 0): Promise<{ path: string; bytes: number }> {
  const dir = requireStorage(host);
  const path = `${dir}/${FILL_FILE}`;
  const free = storageFree(host);
  const existing = existsSync(hostPath(host, path)) ? statSync(hostPath(host, path)).size : 0;
  const bytes = Math.max(0, existing + free - leaveBytes);
  const block = 4096;
  const rounded = Math.floor(bytes / block) * block;
  await execOnHost(host, ['fallocate', '-l', String(rounded), path]);
  return { path, bytes: rounded };
}

/** Undo fillStorage. */
export async function freeStorage(host: LabHostInfo): Promise<void> {
  rmSync(hostPath(host, `${requireStorage(host)}/${FILL_FILE}`), { force: true });
}

/** The host's libvirtd pids (the lab's daemon, /usr/sbin/libvirtd). */
export function libvirtdPids(host: LabHostInfo): number[] {
  return findDaemonPids(host, '/usr/sbin/libvirtd', () => true);
}

/** Stop the host's libvirtd (SIGTERM, then SIGKILL): virsh gets "failed to connect to the hypervisor". Defined secrets stay in /etc/libvirt/secrets. */
export async function stopLibvirtd(host: LabHostInfo): Promise<void> {
  if (!host.libvirt) throw new Error(`${host.name} runs no libvirtd`);
  const pids = libvirtdPids(host);
  if (pids.length === 0) return;
  await killAndWait(pids, 5000);
  rmSync(hostPath(host, '/run/libvirt/libvirt-sock'), { force: true });
}

/** Start the host's libvirtd again (idempotent). */
export async function startLibvirtd(host: LabHostInfo): Promise<void> {
  if (!host.libvirt) throw new Error(`${host.name} runs no libvirtd`);
  if (libvirtdPids(host).length > 0) return;
  await startLibvirtdDaemon(host);
}
