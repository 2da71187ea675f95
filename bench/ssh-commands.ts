// `npm run bench -- ssh-commands`: N small commands (`true`) over the pooled ssh2 connection vs N fresh
// OpenSSH client processes (`ssh host true`, no ControlMaster) against the same lab host, alternately.
// Both arms run their commands one after another (same concurrency), so the ratio is the per-command
// saving of the pool: no process spawn, no TCP/key exchange/auth per command.
//
// On the lab, lab hosts share the workstation's /root (only /etc is per host), so every root login shell
// runs its ~/.bashrc (pyenv init + rehash lock) in both arms; PORTICO_BENCH_USER=admin measures with the
// non-root admin, whose home is empty, i.e. what a plain server costs per command.
//
// Environment: PORTICO_BENCH_HOST (default stor1), PORTICO_BENCH_USER root|admin (default root),
// PORTICO_BENCH_N (default 200), PORTICO_BENCH_ROUNDS (default 3).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { labSkipReason, loadLab } from '../e2e/lab/labinfo';
import { describeKey, MemoryHostKeyStore } from '../electron/services/ssh/hostkeys';
import { SshPool } from '../electron/services/ssh/pool';
import { compare } from './compare';

const pexec = promisify(execFile);

export default async function main(): Promise<void> {
  const reason = labSkipReason();
  const lab = loadLab();
  if (reason || !lab) {
    console.log(`ssh-commands: skipped: ${reason ?? 'the lab is not up'}`);
    return;
  }
  const hostName = process.env.PORTICO_BENCH_HOST ?? 'stor1';
  const who = process.env.PORTICO_BENCH_USER === 'admin' ? 'admin' : 'root';
  const n = Number(process.env.PORTICO_BENCH_N ?? 200);
  const rounds = Number(process.env.PORTICO_BENCH_ROUNDS ?? 3);
  const h = lab.hosts[hostName];
  if (!h) throw new Error(`no lab host ${hostName}`);
  const acct = who === 'admin' ? lab.accounts.admin : lab.accounts.root;

  const hostKeys = new MemoryHostKeyStore();
  hostKeys.set(hostName, describeKey(Buffer.from(h.ssh.hostKey.split(' ')[1], 'base64')));
  const pool = new SshPool({
    resolver: {
      getHost: () => ({ name: hostName, address: h.ssh.host, port: h.ssh.port, user: acct.user, auth: 'key', keyPath: acct.keyPath!, sudo: false }),
      getSecret: () => null,
    },
    hostKeys,
    knownHostsFiles: [],
  });

  const sshArgs = [
    '-i', acct.keyPath!,
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${lab.knownHostsPath}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'ControlMaster=no',
    '-o', 'ControlPath=none',
    '-o', 'LogLevel=ERROR',
    '-p', String(h.ssh.port),
    `${acct.user}@${h.ssh.host}`,
    'true',
  ];

  try {
    // Connect and warm up outside the timing: the pool's point is that this happens once.
    for (let i = 0; i < 5; i++) await pool.run(hostName, ['true']);
    await pexec('ssh', sshArgs);
    console.log(`ssh-commands: ${n} x \`true\` on ${hostName} as ${acct.user}; ours: pooled ssh2, baseline: fresh ssh processes`);
    await compare({
      name: 'ssh-commands',
      rounds,
      warmup: 0,
      ours: async () => {
        for (let i = 0; i < n; i++) {
          const r = await pool.run(hostName, ['true']);
          if (r.code !== 0) throw new Error(`true exited ${r.code}`);
        }
      },
      baseline: async () => {
        for (let i = 0; i < n; i++) await pexec('ssh', sshArgs);
      },
    });
  } finally {
    await pool.close();
  }
}
