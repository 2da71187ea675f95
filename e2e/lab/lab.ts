// Bring the lab up and down: bridges, namespaces, per-host /etc overlay, sshd, tgtd, libvirtd.
//
// Each host is an "anchor" process (sleep) living in its own network namespace (ip netns
// portico-<host>) plus a private mount and UTS namespace. Inside that mount namespace:
//   /etc       overlayfs: lower = the workstation's /etc, upper = <lab>/hosts/<host>/etc
//   /run       fresh tmpfs (so /run/sshd, /run/tgtd, /run/libvirt are the host's own)
//   /home      fresh tmpfs (home folders of the lab accounts)
//   /srv       size-limited tmpfs (storage folder /srv/portico on storage hosts)
//   /var/lib/libvirt, /var/cache/libvirt   fresh tmpfs
//   /sys       sysfs of the host's network namespace
// Daemons are started with `nsenter -t <anchor> -m -n -u`, so an SSH session on stor1 running
// plain `tgtadm ...` or `tgt-admin` reaches stor1's own tgtd and /etc/tgt.
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execOnHost, findDaemonPids, hostPath, killAndWait, spawnDaemon, type HostRef } from './hosts';
import {
  labJsonPath,
  labRequirementsProblem,
  type LabAccount,
  type LabHostInfo,
  type LabInfo,
  type LabNet,
} from './labinfo';
import { makeTopology, portalsOf, type HostSpec, type NetName, type Topology } from './topology';
import { isZombie, nsId, pidAlive, pidsInNs, procExe, procPpid, run, sleep, tcpOpen, waitFor } from './util';

export const ADMIN_USER = 'padmin';
export const PASSWORD_USER = 'ppass';
const ADMIN_UID = 2001;
const PASSWORD_UID = 2002;

/** Commands the admin user may sudo without password (the password user: same list, with password). */
export const SUDO_COMMANDS = [
  // Portico runs its scripts as one `sudo -n bash` with the arguments on stdin (no secret in argv).
  '/usr/bin/bash', '/usr/sbin/tgtadm', '/usr/sbin/tgt-admin', '/usr/bin/virsh', '/usr/bin/iscsi-ls', '/usr/bin/iscsi-inq',
  '/usr/bin/iscsi-readcapacity16', '/usr/bin/truncate', '/usr/bin/fallocate', '/usr/bin/rm', '/usr/bin/mv',
  '/usr/bin/cp', '/usr/bin/cat', '/usr/bin/tee', '/usr/bin/mkdir', '/usr/bin/rmdir', '/usr/bin/touch',
  '/usr/bin/df', '/usr/bin/du', '/usr/bin/stat', '/usr/bin/ls', '/usr/bin/test', '/usr/bin/find',
  '/usr/bin/chmod', '/usr/bin/chown', '/usr/bin/dd', '/usr/bin/sync', '/usr/bin/ln', '/usr/bin/sha256sum',
  '/usr/sbin/lvcreate', '/usr/sbin/lvremove', '/usr/sbin/lvextend', '/usr/sbin/lvs', '/usr/sbin/vgs', '/usr/sbin/pvs',
];

export interface LabState {
  startedBy: 'cli' | 'test';
  ownerPid: number;
  linkPrefix: string;
  netnsPrefix: string;
  /** namespace ids of every host when it came up, for the leftover check. */
  nsIds: Record<string, { net: string; mnt: string }>;
}

const statePath = (dir: string) => join(dir, 'state.json');

export function readState(dir: string): LabState | null {
  try {
    return JSON.parse(readFileSync(statePath(dir), 'utf8')) as LabState;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- locking

/** Serialise up/down between processes (several test runs may share one lab). */
export async function withLabLock<T>(dir: string, fn: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  const lock = `${dir}.lock`;
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        /* being written */
      }
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        /* gone */
      }
      if ((owner && !pidAlive(owner)) || (!owner && age > 5000) || owner === process.pid) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > end) throw new Error(`lab lock ${lock} held by pid ${owner} for too long`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Test runs (pids) currently using the lab in `dir` (see global-setup.ts). */
export function liveLeases(dir: string): number[] {
  const d = join(dir, 'leases');
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .map(Number)
    .filter((p) => Number.isInteger(p) && p > 0 && pidAlive(p));
}

// ---------------------------------------------------------------- up

export interface UpOptions {
  dir: string;
  topology?: Topology;
  startedBy?: 'cli' | 'test';
  log?: (msg: string) => void;
}

export async function up(opts: UpOptions): Promise<LabInfo> {
  return withLabLock(opts.dir, () => upUnlocked(opts));
}

export async function upUnlocked(opts: UpOptions): Promise<LabInfo> {
  const problem = labRequirementsProblem();
  if (problem) throw new Error(problem);
  const topo = opts.topology ?? makeTopology();
  const dir = opts.dir;
  const log = opts.log ?? (() => undefined);
  if (/[,:\s'"\\]/.test(dir)) throw new Error(`lab dir must not contain , : quotes or spaces: ${dir}`);
  const t0 = Date.now();

  await downUnlocked({ dir, topology: topo, quiet: true });

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const keysDir = join(dir, 'keys');
  mkdirSync(keysDir, { mode: 0o700 });

  // Credentials of this lab run.
  const rootKey = join(keysDir, 'root_ed25519');
  const adminKey = join(keysDir, `${ADMIN_USER}_ed25519`);
  const password = randomBytes(12).toString('base64url');
  const [, , hash] = await Promise.all([
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'portico-lab-root', '-f', rootKey]),
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'portico-lab-admin', '-f', adminKey]),
    run('openssl', ['passwd', '-6', '-stdin'], { input: `${password}\n` }).then((r) => r.stdout.trim()),
  ]);
  writeFileSync(join(keysDir, 'password'), `${password}\n`, { mode: 0o600 });
  const accounts = {
    root: { user: 'root', keyPath: rootKey, password: null, sudo: 'root' } satisfies LabAccount,
    admin: { user: ADMIN_USER, keyPath: adminKey, password: null, sudo: 'nopasswd' } satisfies LabAccount,
    password: { user: PASSWORD_USER, keyPath: null, password, sudo: 'password' } satisfies LabAccount,
  };
  const pub = {
    root: readFileSync(`${rootKey}.pub`, 'utf8').trim(),
    admin: readFileSync(`${adminKey}.pub`, 'utf8').trim(),
  };

  // Bridges in the root namespace; the workstation is on mgmt and A.
  for (const net of Object.values(topo.networks)) {
    await run('ip', ['link', 'add', net.bridge, 'type', 'bridge']);
    await run('ip', ['link', 'set', net.bridge, 'up']);
    if (net.workstation) await run('ip', ['addr', 'add', `${net.workstation}/${net.prefixLen}`, 'dev', net.bridge]);
  }
  log(`bridges up (${Date.now() - t0} ms)`);

  const state: LabState = {
    startedBy: opts.startedBy ?? 'cli',
    ownerPid: process.pid,
    linkPrefix: topo.linkPrefix,
    netnsPrefix: topo.netnsPrefix,
    nsIds: {},
  };
  writeFileSync(statePath(dir), JSON.stringify(state, null, 2));

  const hostsInfo: Record<string, LabHostInfo> = {};
  const results = await Promise.allSettled(
    topo.hosts.map(async (h) => {
      const info = await bringUpHost(topo, h, dir, accounts, pub, hash);
      hostsInfo[h.name] = info;
      state.nsIds[h.name] = { net: nsId(info.anchorPid, 'net')!, mnt: nsId(info.anchorPid, 'mnt')! };
      log(`${h.name} up (${Date.now() - t0} ms)`);
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    // Leave nothing half-built behind.
    writeFileSync(statePath(dir), JSON.stringify(state, null, 2));
    await downUnlocked({ dir, topology: topo, quiet: true }).catch(() => undefined);
    throw failed.reason;
  }
  writeFileSync(statePath(dir), JSON.stringify(state, null, 2));

  const knownHostsPath = join(dir, 'known_hosts');
  writeFileSync(
    knownHostsPath,
    topo.hosts.map((h) => `${h.addresses.mgmt},${h.name} ${hostsInfo[h.name].ssh.hostKey}`).join('\n') + '\n',
  );
  const nets = topo.networks;
  const info: LabInfo = {
    version: 1,
    dir,
    createdAt: new Date().toISOString(),
    networks: {
      mgmt: { cidr: `${nets.mgmt.base}.0/${nets.mgmt.prefixLen}`, bridge: nets.mgmt.bridge, workstation: nets.mgmt.workstation },
      a: { cidr: `${nets.a.base}.0/${nets.a.prefixLen}`, bridge: nets.a.bridge, workstation: nets.a.workstation },
      b: { cidr: `${nets.b.base}.0/${nets.b.prefixLen}`, bridge: nets.b.bridge, workstation: nets.b.workstation },
    },
    workstation: { mgmt: nets.mgmt.workstation!, a: nets.a.workstation! },
    accounts,
    knownHostsPath,
    sudoCommands: SUDO_COMMANDS,
    hosts: Object.fromEntries(topo.hosts.map((h) => [h.name, hostsInfo[h.name]])),
  };
  writeFileSync(labJsonPath(dir), JSON.stringify(info, null, 2) + '\n');
  log(`lab up in ${Date.now() - t0} ms; description: ${labJsonPath(dir)}`);
  return info;
}

function sizeBytes(s: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(s);
  if (!m) throw new Error(`bad size ${s}`);
  return Number(m[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[m[2].toLowerCase()];
}

/** Start the anchor: a sleep in the host's netns plus new mount and UTS namespaces. */
async function startAnchor(h: HostSpec): Promise<number> {
  const child = spawn(
    'nsenter',
    [`--net=/run/netns/${h.netns}`, '--', 'unshare', '--mount', '--uts', '--propagation', 'private', '--',
      'bash', '-c', 'exec -a "portico-lab-anchor $0" sleep infinity', h.name],
    { detached: true, stdio: 'ignore' },
  );
  child.on('error', () => undefined);
  child.unref();
  const pid = child.pid;
  if (!pid) throw new Error(`cannot start anchor for ${h.name}`);
  const rootMnt = nsId('self', 'mnt');
  await waitFor(`anchor of ${h.name}`, () => {
    const mnt = nsId(pid, 'mnt');
    if (!pidAlive(pid) || isZombie(pid)) throw new Error(`anchor of ${h.name} died`);
    return mnt !== null && mnt !== rootMnt && readCmd(pid).startsWith('portico-lab-anchor');
  }, 5000, 10);
  return pid;
}

function readCmd(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

// Runs inside the host (nsenter -t anchor -m -n -u): $1 host folder, $2 /srv size, $3 hostname, $4 lab folder,
// $5 the repository (test doubles run from it inside hosts).
// /tmp is private too; the lab folder stays visible at its path (moved over from the workstation's /tmp),
// and so does the repository when it lies under a folder the host gets privately (/tmp, /home, /root, /srv).
const MOUNT_SCRIPT = `set -e
H="$1"; SRV="$2"; HN="$3"; LAB="$4"; REPO="$5"
umount -l /sys && mount -t sysfs sysfs /sys
# Drop copies of other hosts' netns handles (they would keep those namespaces alive).
awk '$2 ~ "^/run/netns" {print $2}' /proc/self/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
mount -t overlay portico-etc -o "lowerdir=/etc,upperdir=$H/etc,workdir=$H/etc-work" /etc
mount -t tmpfs -o mode=0755,size=64m portico-run /run
mkdir -p /run/sshd /run/tgtd /run/libvirt /run/lock /run/user /run/portico-lab-dir
chmod 1777 /run/lock
mount --bind "$LAB" /run/portico-lab-dir
mkdir -p /run/portico-repo
mount --bind "$REPO" /run/portico-repo
mount -t tmpfs -o mode=1777,size=256m portico-tmp /tmp
case "$LAB" in /tmp/*) mkdir -p "$LAB" && mount --move /run/portico-lab-dir "$LAB" ;; *) umount /run/portico-lab-dir ;; esac
rmdir /run/portico-lab-dir
mount -t tmpfs -o mode=0755,size=64m portico-home /home
# root's home is the host's own: the workstation's ~/.bashrc (pyenv init, ...) must not run, and
# slow down, every SSH command on a lab host.
mount -t tmpfs -o mode=0700,size=16m portico-root /root
mount -t tmpfs -o "mode=0755,size=$SRV" portico-srv /srv
for d in /var/lib/libvirt /var/cache/libvirt; do
  if [ -d "$d" ]; then mount -t tmpfs -o mode=0755,size=64m portico-libvirt "$d"; fi
done
case "$REPO" in /tmp/*|/home/*|/root/*|/srv/*) mkdir -p "$REPO" && mount --move /run/portico-repo "$REPO" ;; *) umount /run/portico-repo ;; esac
rmdir /run/portico-repo
hostname "$HN"
`;

/** The repository root, as the workstation sees it. */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

async function bringUpHost(
  topo: Topology,
  h: HostSpec,
  dir: string,
  accounts: { root: LabAccount; admin: LabAccount; password: LabAccount },
  pub: { root: string; admin: string },
  passwordHash: string,
): Promise<LabHostInfo> {
  const hdir = join(dir, 'hosts', h.name);
  const logDir = join(hdir, 'log');
  for (const d of ['etc', 'etc-work', 'log']) mkdirSync(join(hdir, d), { recursive: true, mode: 0o755 });

  // Network namespace and links.
  await run('ip', ['netns', 'add', h.netns]);
  await run('ip', ['-n', h.netns, 'link', 'set', 'lo', 'up']);
  for (const n of h.networks) {
    const net = topo.networks[n];
    const veth = h.veths[n]!;
    await run('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', net.ifname, 'netns', h.netns]);
    await run('ip', ['link', 'set', veth, 'master', net.bridge, 'up']);
    await run('ip', ['-n', h.netns, 'addr', 'add', `${h.addresses[n]}/${net.prefixLen}`, 'dev', net.ifname]);
    await run('ip', ['-n', h.netns, 'link', 'set', net.ifname, 'up']);
  }

  const anchorPid = await startAnchor(h);
  const ref: HostRef = { name: h.name, anchorPid, logDir };
  await execOnHost(ref, ['sh', '-c', MOUNT_SCRIPT, 'portico-mount', hdir, topo.srvSize, h.name, dir, REPO_ROOT]);

  writeHostFiles(topo, h, ref, pub, passwordHash);
  // Host key: generated per lab run, in the host's own /etc/ssh.
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${h.name}`, '-f', hostPath(ref, '/etc/ssh/ssh_host_ed25519_key')]);
  const hostKey = readFileSync(hostPath(ref, '/etc/ssh/ssh_host_ed25519_key.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const fp = (await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', hostPath(ref, '/etc/ssh/ssh_host_ed25519_key.pub')])).stdout.split(/\s+/)[1];

  const tasks: Promise<unknown>[] = [startSshd(ref, h.addresses.mgmt!)];
  if (h.tgtd) tasks.push(startTgtd(ref, h.tgtControlPort!, portalsOf(h), false));
  if (h.libvirtd) tasks.push(startLibvirtd(ref));
  await Promise.all(tasks);

  const addr = (n: LabNet) => h.addresses[n as NetName] ?? null;
  const ifn = (n: LabNet) => (h.networks.includes(n as NetName) ? topo.networks[n as NetName].ifname : null);
  return {
    name: h.name,
    role: h.role,
    netns: h.netns,
    anchorPid,
    addresses: { mgmt: addr('mgmt'), a: addr('a'), b: addr('b') },
    interfaces: { mgmt: ifn('mgmt'), a: ifn('a'), b: ifn('b') },
    ssh: { host: h.addresses.mgmt!, port: h.ports.ssh, hostKey, hostKeyFingerprint: fp },
    root: accounts.root,
    admin: accounts.admin,
    passwordUser: accounts.password,
    initiatorIqn: h.initiatorIqn,
    tgt: h.tgtd ? { portals: portalsOf(h), controlPort: h.tgtControlPort! } : null,
    storageDir: h.storageDir,
    storageSizeBytes: h.storageDir ? sizeBytes(topo.srvSize) : null,
    libvirt: h.libvirtd,
    ports: h.ports,
    etcUpperDir: join(hdir, 'etc'),
    logDir,
  };
}

function writeHostFiles(topo: Topology, h: HostSpec, ref: HostRef, pub: { root: string; admin: string }, passwordHash: string) {
  const P = (p: string) => hostPath(ref, p);
  const write = (p: string, content: string, mode: number, uid = 0, gid = 0) => {
    writeFileSync(P(p), content, { mode });
    chmodSync(P(p), mode);
    chownSync(P(p), uid, gid);
  };
  /** Empty a folder of the overlay and recreate it opaque (later changes of the workstation's copy stay invisible). */
  const fresh = (p: string, mode = 0o755) => {
    rmSync(P(p), { recursive: true, force: true });
    mkdirSync(P(p), { recursive: true, mode });
    chmodSync(P(p), mode);
  };

  write('/etc/hostname', `${h.name}\n`, 0o644);
  const hostsLines = ['127.0.0.1\tlocalhost', `127.0.1.1\t${h.name}`];
  for (const o of topo.hosts) {
    for (const n of o.networks) hostsLines.push(`${o.addresses[n]}\t${n === 'mgmt' ? `${o.name} ${o.name}-mgmt` : `${o.name}-${n}`}`);
  }
  hostsLines.push(`${topo.networks.mgmt.workstation}\tworkstation`);
  write('/etc/hosts', hostsLines.join('\n') + '\n', 0o644);

  // Accounts: root (key), padmin (key, sudo NOPASSWD), ppass (password, sudo with password), libvirt-qemu.
  const passwd = readFileSync(P('/etc/passwd'), 'utf8').split('\n').filter((l) => l && !/^(padmin|ppass|libvirt-qemu):/.test(l));
  passwd.push(`${ADMIN_USER}:x:${ADMIN_UID}:${ADMIN_UID}:Portico lab admin:/home/${ADMIN_USER}:/bin/bash`);
  passwd.push(`${PASSWORD_USER}:x:${PASSWORD_UID}:${PASSWORD_UID}:Portico lab password user:/home/${PASSWORD_USER}:/bin/bash`);
  passwd.push('libvirt-qemu:x:64055:64055:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin');
  write('/etc/passwd', passwd.join('\n') + '\n', 0o644);
  const group = readFileSync(P('/etc/group'), 'utf8').split('\n').filter((l) => l && !/^(padmin|ppass|libvirt-qemu|kvm|libvirt):/.test(l));
  group.push(`${ADMIN_USER}:x:${ADMIN_UID}:`, `${PASSWORD_USER}:x:${PASSWORD_UID}:`, 'libvirt-qemu:x:64055:', 'kvm:x:64056:libvirt-qemu', `libvirt:x:64057:${ADMIN_USER}`);
  write('/etc/group', group.join('\n') + '\n', 0o644);
  const shadowGid = Number((group.find((l) => l.startsWith('shadow:')) ?? 'shadow:x:0:').split(':')[2]);
  const days = Math.floor(Date.now() / 86_400_000);
  const shadow = readFileSync(P('/etc/shadow'), 'utf8').split('\n').filter((l) => l && !/^(padmin|ppass|libvirt-qemu):/.test(l))
    .map((l) => (l.startsWith('root:') ? l.replace(/^root:[^:]*:/, 'root:*:') : l));
  shadow.push(`${ADMIN_USER}:*:${days}:0:99999:7:::`, `${PASSWORD_USER}:${passwordHash}:${days}:0:99999:7:::`, `libvirt-qemu:!:${days}:0:99999:7:::`);
  write('/etc/shadow', shadow.join('\n') + '\n', 0o640, 0, shadowGid);
  for (const [u, id] of [[ADMIN_USER, ADMIN_UID], [PASSWORD_USER, PASSWORD_UID]] as const) {
    mkdirSync(P(`/home/${u}`), { mode: 0o750 });
    chownSync(P(`/home/${u}`), id, id);
  }

  fresh('/etc/sudoers.d');
  write('/etc/sudoers.d/README', '# Portico lab host\n', 0o440);
  write(
    '/etc/sudoers.d/portico-lab',
    [
      // No syslog daemon runs in the namespaces: sudo's own log file, in the host's log folder
      // (the same path inside the host and on the workstation), is the auth log tests read.
      `Defaults logfile="${ref.logDir}/sudo.log"`,
      `Defaults:${ADMIN_USER} !requiretty, !lecture`,
      `Defaults:${PASSWORD_USER} !requiretty, !lecture`,
      `Cmnd_Alias PORTICO = ${SUDO_COMMANDS.join(', ')}`,
      `${ADMIN_USER} ALL=(root) NOPASSWD: PORTICO`,
      `${PASSWORD_USER} ALL=(root) PASSWD: PORTICO`,
      '',
    ].join('\n'),
    0o440,
  );

  // sshd: own config, host keys and authorized keys in this host's /etc/ssh.
  for (const f of readdirSync(P('/etc/ssh'))) if (f.startsWith('ssh_host_')) unlinkSync(P(`/etc/ssh/${f}`));
  fresh('/etc/ssh/sshd_config.d');
  fresh('/etc/ssh/authorized_keys');
  write('/etc/ssh/authorized_keys/root', `${pub.root}\n`, 0o644);
  write(`/etc/ssh/authorized_keys/${ADMIN_USER}`, `${pub.admin}\n`, 0o644);
  write(
    '/etc/ssh/sshd_config',
    [
      `# Portico lab: sshd of ${h.name}`,
      'Port 22',
      'AddressFamily inet',
      'HostKey /etc/ssh/ssh_host_ed25519_key',
      'PidFile /run/sshd.pid',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'AuthorizedKeysFile /etc/ssh/authorized_keys/%u',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes yes',
      'UseDNS no',
      'X11Forwarding no',
      'PrintMotd no',
      'MaxStartups 200:30:400',
      'MaxSessions 64',
      'AcceptEnv LANG LC_*',
      'LogLevel VERBOSE',
      'Subsystem sftp /usr/lib/openssh/sftp-server',
      '',
    ].join('\n'),
    0o644,
  );

  mkdirSync(P('/etc/iscsi'), { recursive: true });
  write('/etc/iscsi/initiatorname.iscsi', `## Portico lab host ${h.name}\nInitiatorName=${h.initiatorIqn}\n`, 0o644);

  if (h.tgtd) {
    fresh('/etc/tgt');
    mkdirSync(P('/etc/tgt/conf.d'));
    write('/etc/tgt/targets.conf', `# Portico lab: tgt configuration of ${h.name}\ndefault-driver iscsi\ninclude /etc/tgt/conf.d/*.conf\n`, 0o644);
    mkdirSync(P(h.storageDir!), { recursive: true, mode: 0o755 });
  }
  if (h.libvirtd || existsSync(P('/etc/libvirt'))) {
    fresh('/etc/libvirt/secrets', 0o700);
    fresh('/etc/libvirt/qemu');
    fresh('/etc/libvirt/storage');
  }
}

// ---------------------------------------------------------------- daemons (also used by faults)

export async function startSshd(host: HostRef, mgmtAddr: string): Promise<number> {
  const pid = spawnDaemon(host, 'sshd', ['/usr/sbin/sshd', '-D', '-e', '-f', '/etc/ssh/sshd_config']);
  await waitFor(`sshd on ${host.name}`, () => {
    if (!pidAlive(pid) || isZombie(pid)) throw new Error(`sshd on ${host.name} exited; see ${join(host.logDir, 'sshd.log')}`);
    return tcpOpen(mgmtAddr, 22, 500);
  }, 10_000, 30);
  return pid;
}

/** The sshd listener(s) of the host (not the per-connection children, whose parent is sshd). */
export function sshdPids(host: HostRef): number[] {
  return findDaemonPids(host, '/usr/sbin/sshd', (argv) => argv.join(' ').includes('-f /etc/ssh/sshd_config')).filter(
    (p) => procExe(procPpid(p)) !== '/usr/sbin/sshd',
  );
}

export async function startTgtd(host: HostRef, controlPort: number, portals: string[], loadConfig: boolean): Promise<number> {
  const sock = hostPath(host, `/run/tgtd/socket.${controlPort}`);
  rmSync(sock, { force: true });
  rmSync(`${sock}.lock`, { force: true });
  const pid = spawnDaemon(host, 'tgtd', ['/usr/sbin/tgtd', '-f', '-C', String(controlPort), '--iscsi', `portal=${portals[0]}`]);
  await waitFor(`tgtd on ${host.name}`, async () => {
    if (!pidAlive(pid) || isZombie(pid)) throw new Error(`tgtd on ${host.name} exited; see ${join(host.logDir, 'tgtd.log')}`);
    if (!existsSync(sock)) return false;
    const r = await execOnHost(host, ['tgtadm', '-C', String(controlPort), '--lld', 'iscsi', '--op', 'show', '--mode', 'portal'], { allowFail: true });
    return r.code === 0;
  }, 10_000, 30);
  // Plain `tgtadm` (control port 0) inside the host reaches this tgtd.
  if (controlPort !== 0) {
    rmSync(hostPath(host, '/run/tgtd/socket.0'), { force: true });
    await execOnHost(host, ['ln', '-s', `socket.${controlPort}`, '/run/tgtd/socket.0']);
  }
  for (const p of portals.slice(1)) {
    await execOnHost(host, ['tgtadm', '-C', String(controlPort), '--lld', 'iscsi', '--op', 'new', '--mode', 'portal', '--param', `portal=${p}`]);
  }
  if (loadConfig) await execOnHost(host, ['tgt-admin', '-e', '-c', '/etc/tgt/targets.conf'], { allowFail: true });
  return pid;
}

/** tgtd processes of the host; with controlPort, only the one serving that control port (the lab's). */
export function tgtdPids(host: HostRef, controlPort?: number): number[] {
  return findDaemonPids(host, '/usr/sbin/tgtd', (argv) => {
    if (controlPort === undefined) return true;
    const i = argv.findIndex((a) => a === '-C' || a === '--control-port');
    const port = i >= 0 ? Number(argv[i + 1]) : 0;
    return port === controlPort;
  });
}

export async function startLibvirtd(host: HostRef): Promise<number> {
  const sock = hostPath(host, '/run/libvirt/libvirt-sock');
  const pid = spawnDaemon(host, 'libvirtd', ['/usr/sbin/libvirtd']);
  await waitFor(`libvirtd on ${host.name}`, () => {
    if (!pidAlive(pid) || isZombie(pid)) throw new Error(`libvirtd on ${host.name} exited; see ${join(host.logDir, 'libvirtd.log')}`);
    return existsSync(sock);
  }, 20_000, 50);
  return pid;
}

// ---------------------------------------------------------------- down

export interface DownOptions {
  dir: string;
  topology?: Topology;
  quiet?: boolean;
  log?: (msg: string) => void;
}

/** Tear the lab down; returns what was left behind (empty when clean). */
export async function down(opts: DownOptions): Promise<string[]> {
  return withLabLock(opts.dir, () => downUnlocked(opts));
}

function netnsMatches(topo: Topology, name: string): boolean {
  if (topo.hosts.some((h) => h.netns === name)) return true;
  // Leftovers of earlier runs with other host lists: same prefix, no further dash.
  return name.startsWith(topo.netnsPrefix) && !name.slice(topo.netnsPrefix.length).includes('-');
}

async function listNetns(): Promise<string[]> {
  const r = await run('ip', ['netns', 'list'], { allowFail: true });
  return r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
}

async function listLinks(prefix: string): Promise<string[]> {
  const r = await run('ip', ['-o', 'link', 'show'], { allowFail: true });
  return r.stdout
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => !!n && n.startsWith(prefix));
}

export async function downUnlocked(opts: DownOptions): Promise<string[]> {
  const topo = opts.topology ?? makeTopology();
  const dir = opts.dir;
  const log = opts.log ?? (() => undefined);
  const state = readState(dir);
  const linkPrefix = `${topo.linkPrefix}-`;

  // 1. Kill every process in the lab's namespaces (daemons, ssh sessions, doubles, anchors).
  const namespaces = (await listNetns()).filter((n) => netnsMatches(topo, n));
  const netIds = new Set<string>(Object.values(state?.nsIds ?? {}).map((x) => x.net));
  const mntIds = new Set<string>(Object.values(state?.nsIds ?? {}).map((x) => x.mnt));
  for (const ns of namespaces) {
    try {
      const st = statSync(`/run/netns/${ns}`);
      netIds.add(`net:[${st.ino}]`);
    } catch {
      /* not mounted */
    }
  }
  const victims = new Set<number>();
  for (const id of netIds) for (const p of pidsInNs('net', id)) victims.add(p);
  for (const id of mntIds) for (const p of pidsInNs('mnt', id)) victims.add(p);
  victims.delete(process.pid);
  if (victims.size) {
    log(`killing ${victims.size} lab processes`);
    await killAndWait([...victims], 10_000).catch(() => undefined);
  }

  // 2. Namespaces and links (deleting a namespace destroys its veth ends and their peers).
  for (const ns of namespaces) await run('ip', ['netns', 'del', ns], { allowFail: true });
  for (const l of await listLinks(linkPrefix)) await run('ip', ['link', 'del', l], { allowFail: true });

  // 3. Files. Overlay mounts vanish with their mount namespaces once their processes are gone.
  for (let i = 0; existsSync(dir) && i < 50; i++) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      await sleep(100);
    }
  }

  const left = await leftovers(topo, dir, netIds, mntIds);
  if (left.length && !opts.quiet) log(`left behind: ${left.join('; ')}`);
  return left;
}

/** What of a lab still exists: namespaces, links, processes, the lab folder. */
export async function leftovers(topo: Topology, dir: string, netIds = new Set<string>(), mntIds = new Set<string>()): Promise<string[]> {
  const out: string[] = [];
  for (const ns of (await listNetns()).filter((n) => netnsMatches(topo, n))) out.push(`netns ${ns}`);
  for (const l of await listLinks(`${topo.linkPrefix}-`)) out.push(`link ${l}`);
  const procs = new Set<number>();
  for (const id of netIds) for (const p of pidsInNs('net', id)) if (!isZombie(p)) procs.add(p);
  for (const id of mntIds) for (const p of pidsInNs('mnt', id)) if (!isZombie(p)) procs.add(p);
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const cmd = readCmd(Number(d));
    if (cmd.includes(`portico-lab-anchor`) && topo.hosts.some((h) => cmd === `portico-lab-anchor ${h.name}\0infinity\0` || cmd.startsWith(`portico-lab-anchor ${h.name}\0`))) {
      if (!isZombie(Number(d))) procs.add(Number(d));
    }
  }
  for (const p of procs) out.push(`process ${p} (${readCmd(p).split('\0').join(' ').trim()})`);
  if (existsSync(dir)) out.push(`folder ${dir}`);
  if (existsSync(`${dir}.lock`) && Number(readFileSafe(join(`${dir}.lock`, 'pid'))) !== process.pid) out.push(`lock ${dir}.lock`);
  return out;
}

function readFileSafe(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------- health

/** Is the lab described in `dir` up and answering (anchors alive, sshd, tgtd, libvirtd)? */
export async function labHealthy(dir: string): Promise<{ ok: boolean; problems: string[] }> {
  const problems: string[] = [];
  let info: LabInfo | null = null;
  try {
    info = JSON.parse(readFileSync(labJsonPath(dir), 'utf8')) as LabInfo;
  } catch {
    return { ok: false, problems: [`no ${labJsonPath(dir)}`] };
  }
  await Promise.all(
    Object.values(info.hosts).map(async (h) => {
      if (!pidAlive(h.anchorPid) || !readCmd(h.anchorPid).startsWith('portico-lab-anchor')) {
        problems.push(`${h.name}: anchor ${h.anchorPid} is gone`);
        return;
      }
      if (!(await tcpOpen(h.ssh.host, h.ssh.port, 1000))) problems.push(`${h.name}: sshd does not answer`);
      if (h.tgt && !existsSync(hostPath(h, `/run/tgtd/socket.${h.tgt.controlPort}`))) problems.push(`${h.name}: no tgtd`);
      if (h.libvirt && !existsSync(hostPath(h, '/run/libvirt/libvirt-sock'))) problems.push(`${h.name}: no libvirtd`);
    }),
  );
  return { ok: problems.length === 0, problems };
}
