// What tests read: the lab description (lab.json) and why lab-backed tests must skip.
// Kept free of side effects and heavy imports so any test file can import it.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type LabNet = 'mgmt' | 'a' | 'b';

export interface LabAccount {
  user: string;
  /** Private key (OpenSSH format) for key accounts; null for the password account. */
  keyPath: string | null;
  /** Password for the password account; null for key accounts. */
  password: string | null;
  /** 'nopasswd': sudo without password for the Portico command list; 'password': sudo -S with `password`; 'none'. */
  sudo: 'root' | 'nopasswd' | 'password' | 'none';
}

export interface LabHostInfo {
  name: string;
  role: 'storage' | 'hypervisor' | 'frontend';
  /** Network namespace (ip netns) of the host. */
  netns: string;
  /** PID of the host's anchor process: its net, mount and UTS namespaces (nsenter -t PID -m -n -u). */
  anchorPid: number;
  /** Address on each network, null when the host is not on it. */
  addresses: Record<LabNet, string | null>;
  /** Interface name inside the host for each network (eth0 mgmt, eth1 A, eth2 B). */
  interfaces: Record<LabNet, string | null>;
  /** SSH endpoint, reachable from the workstation (management address). */
  ssh: { host: string; port: number; hostKey: string; hostKeyFingerprint: string };
  /** Shortcuts to the lab-wide accounts (same on every host). */
  root: LabAccount;
  admin: LabAccount;
  passwordUser: LabAccount;
  initiatorIqn: string;
  /** tgtd on storage hosts: portals ("ip:port", A then B) and control port. Plain tgtadm inside the host works. */
  tgt: { portals: string[]; controlPort: number } | null;
  /** Storage folder on storage hosts (size-limited tmpfs), null elsewhere. */
  storageDir: string | null;
  storageSizeBytes: number | null;
  libvirt: boolean;
  /** Port plan on this host: ssh, iscsi, and the doubles (vdsm 54321 on hv*, oned 2633 on fe1). */
  ports: Record<string, number>;
  /** Upper dir of the host's /etc overlay, as seen from the workstation (what the host changed in /etc). */
  etcUpperDir: string;
  /** Daemon logs of this host. */
  logDir: string;
}

export interface LabInfo {
  version: 1;
  /** Lab folder; removed entirely by lab down. */
  dir: string;
  createdAt: string;
  networks: Record<LabNet, { cidr: string; bridge: string; workstation: string | null }>;
  /** The workstation (root namespace) is on mgmt and A only. */
  workstation: { mgmt: string; a: string };
  accounts: { root: LabAccount; admin: LabAccount; password: LabAccount };
  /** known_hosts file with every host's key under its management address (and name). */
  knownHostsPath: string;
  /** Commands the admin user may run with sudo NOPASSWD (absolute paths). */
  sudoCommands: string[];
  hosts: Record<string, LabHostInfo>;
}

export const DEFAULT_LAB_DIR = '/tmp/portico-lab';

export function labDir(): string {
  return process.env.PORTICO_LAB_DIR || DEFAULT_LAB_DIR;
}

export function labJsonPath(dir = labDir()): string {
  return join(dir, 'lab.json');
}

export function loadLab(dir = labDir()): LabInfo | null {
  const p = labJsonPath(dir);
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as LabInfo;
  } catch {
    return null;
  }
}

/** Binaries the lab runs, with the Debian package providing each. */
export const REQUIRED_BINARIES: Array<[string, string]> = [
  ['/usr/sbin/ip', 'iproute2'],
  ['/usr/bin/nsenter', 'util-linux'],
  ['/usr/bin/unshare', 'util-linux'],
  ['/usr/sbin/sshd', 'openssh-server'],
  ['/usr/bin/ssh', 'openssh-client'],
  ['/usr/bin/ssh-keygen', 'openssh-client'],
  ['/usr/sbin/tgtd', 'tgt'],
  ['/usr/sbin/tgtadm', 'tgt'],
  ['/usr/sbin/tgt-admin', 'tgt'],
  ['/usr/bin/iscsi-ls', 'libiscsi-bin'],
  ['/usr/bin/iscsi-inq', 'libiscsi-bin'],
  ['/usr/sbin/libvirtd', 'libvirt-daemon'],
  ['/usr/bin/virsh', 'libvirt-clients'],
  ['/usr/bin/sudo', 'sudo'],
  ['/usr/bin/openssl', 'openssl'],
];

export function missingBinaries(): Array<[string, string]> {
  return REQUIRED_BINARIES.filter(([bin]) => {
    try {
      accessSync(bin, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

export function aptInstallLine(pkgs: string[]): string {
  return `apt-get update && apt-get install -y --no-install-recommends ${[...new Set(pkgs)].join(' ')}`;
}

/** Why the lab cannot run on this machine at all (not root, tools missing), or null. */
export function labRequirementsProblem(): string | null {
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  if (uid !== 0) {
    return (
      `the Portico lab needs root (uid 0) to create network namespaces, bridges, veth pairs and mounts, ` +
      `and to run sshd/tgtd/libvirtd inside them; this process runs as uid ${uid}. ` +
      `Run the integration tests as root (as CI does), e.g. sudo npm run test:int`
    );
  }
  const missing = missingBinaries();
  if (missing.length) {
    return (
      `the Portico lab needs ${missing.map(([b]) => b).join(', ')}; install with: ` +
      aptInstallLine(missing.map(([, p]) => p))
    );
  }
  return null;
}

const warned = new Set<string>();

/**
 * Reason lab-backed tests must be skipped, or null when the lab is up.
 * Prints the reason (once per process) so a skip is never silent:
 *   const reason = labSkipReason(); describe.skipIf(reason)('...', ...)
 */
export function labSkipReason(): string | null {
  let reason = labRequirementsProblem();
  if (!reason && !loadLab()) {
    reason =
      `the Portico lab is not up (no ${labJsonPath()}); the integration global setup starts it, ` +
      `or run: npm run lab:up`;
  }
  if (reason && !warned.has(reason)) {
    warned.add(reason);
    console.warn(`[portico-lab] skipping lab-backed tests: ${reason}`);
  }
  return reason;
}

/** loadLab() that throws when the lab is not up (use inside tests already guarded by labSkipReason). */
export function requireLab(): LabInfo {
  const lab = loadLab();
  if (!lab) throw new Error(`Portico lab is not up (no ${labJsonPath()})`);
  return lab;
}
