// Throwaway tgtd on loopback for benchmarks and local experiments (not used by the app).
// Separate control port so it never touches another tgtd; killed with SIGKILL (tgtd ignores SIGTERM).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalTgtd {
  controlPort: number;
  portals: Array<{ address: string; port: number }>;
  dir: string;
  tgtadm(args: string[]): Promise<string>;
  /** Target with one sparse file LUN per entry of `lunSizes` (bytes), bound to ALL. */
  addTarget(tid: number, iqn: string, lunSizes: number[]): Promise<void>;
  stop(): Promise<void>;
}

function exec(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

function portOpen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startLocalTgtd(controlPort: number, portals: Array<{ address: string; port: number }>): Promise<LocalTgtd> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-tgtd-'));
  const portalArg = portals.map((p) => `portal=${p.address.includes(':') ? `[${p.address}]` : p.address}:${p.port}`).join(',');
  const child: ChildProcess = spawn('tgtd', ['-f', '-C', String(controlPort), '--iscsi', portalArg], { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => (exited = true));
  const tgtadm = (args: string[]) => exec('tgtadm', ['-C', String(controlPort), '--lld', 'iscsi', ...args]);
  for (let i = 0; i < 100; i++) {
    if (exited) throw new Error(`tgtd on control port ${controlPort} exited at start (port in use?)`);
    if (await portOpen(portals[0].port, portals[0].address)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // The iSCSI portal opens slightly before the control socket does.
  for (let i = 0; i < 100; i++) {
    try {
      await tgtadm(['--op', 'show', '--mode', 'target']);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    controlPort,
    portals,
    dir,
    tgtadm,
    async addTarget(tid, iqn, lunSizes) {
      await tgtadm(['--op', 'new', '--mode', 'target', '--tid', String(tid), '-T', iqn]);
      for (let i = 0; i < lunSizes.length; i++) {
        const f = join(dir, `t${tid}-l${i + 1}.img`);
        writeFileSync(f, '');
        truncateSync(f, lunSizes[i]);
        await tgtadm(['--op', 'new', '--mode', 'logicalunit', '--tid', String(tid), '--lun', String(i + 1), '-b', f]);
      }
      await tgtadm(['--op', 'bind', '--mode', 'target', '--tid', String(tid), '-I', 'ALL']);
    },
    async stop() {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
