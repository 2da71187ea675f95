// npm run lab:up | lab:down   (tsx e2e/lab/cli.ts up|down|status|info)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { down, labHealthy, liveLeases, up } from './lab';
import { aptInstallLine, labDir, labJsonPath, loadLab, missingBinaries } from './labinfo';

const here = dirname(fileURLToPath(import.meta.url));

function packagesTxt(): string[] {
  try {
    return readFileSync(join(here, 'packages.txt'), 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  } catch {
    return [];
  }
}

function checkRootAndTools(): boolean {
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0) {
    console.error(
      `lab: needs root (uid 0): it creates network namespaces, bridges, veth pairs and mounts and runs sshd, tgtd, libvirtd in them. ` +
        `You are uid ${uid}. Run: sudo npm run lab:${process.argv[2] ?? 'up'}`,
    );
    return false;
  }
  const missing = missingBinaries();
  if (missing.length) {
    console.error(`lab: missing ${missing.map(([b]) => b).join(', ')}.`);
    console.error(`Install the lab's packages with:\n  ${aptInstallLine(packagesTxt().length ? packagesTxt() : missing.map(([, p]) => p))}`);
    return false;
  }
  return true;
}

/** Refuse to rebuild or remove a lab that running test runs use, unless --force. */
function inUse(dir: string, what: string): boolean {
  const users = liveLeases(dir).filter((p) => p !== process.pid);
  if (users.length === 0 || process.argv.includes('--force')) return false;
  console.error(`lab: not running ${what}: the lab is in use by test run(s) (pids ${users.join(', ')}); they take it down when done. Use --force to override.`);
  return true;
}

async function main(): Promise<number> {
  const cmd = process.argv[2] ?? 'help';
  const dir = labDir();
  const log = (m: string) => console.log(`lab: ${m}`);
  switch (cmd) {
    case 'up': {
      if (!checkRootAndTools()) return 2;
      if (inUse(dir, 'up')) return 1;
      const t0 = Date.now();
      const lab = await up({ dir, startedBy: 'cli', log });
      console.log(`lab: ${Object.keys(lab.hosts).length} hosts up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      for (const h of Object.values(lab.hosts)) {
        console.log(
          `  ${h.name.padEnd(6)} ${h.role.padEnd(11)} mgmt ${h.addresses.mgmt ?? '-'}  A ${h.addresses.a ?? '-'}  B ${h.addresses.b ?? '-'}` +
            (h.tgt ? `  portals ${h.tgt.portals.join(' ')}` : ''),
        );
      }
      console.log(`lab: description ${labJsonPath(dir)}`);
      console.log(`lab: ssh -i ${lab.accounts.root.keyPath} -o UserKnownHostsFile=${lab.knownHostsPath} root@${lab.hosts.stor1?.ssh.host ?? '...'}`);
      return 0;
    }
    case 'down': {
      if (!checkRootAndTools()) return 2;
      if (inUse(dir, 'down')) return 1;
      const left = await down({ dir, log });
      if (left.length) {
        console.error(`lab: down left behind:\n  ${left.join('\n  ')}`);
        return 1;
      }
      console.log('lab: down; nothing left behind');
      return 0;
    }
    case 'status': {
      const h = await labHealthy(dir);
      console.log(h.ok ? `lab: up and healthy (${labJsonPath(dir)})` : `lab: not healthy: ${h.problems.join('; ')}`);
      return h.ok ? 0 : 1;
    }
    case 'info': {
      const lab = loadLab(dir);
      if (!lab) {
        console.error(`lab: not up (no ${labJsonPath(dir)})`);
        return 1;
      }
      console.log(JSON.stringify(lab, null, 2));
      return 0;
    }
    default:
      console.log('usage: tsx e2e/lab/cli.ts up|down|status|info [--force]  (lab folder: $PORTICO_LAB_DIR, default /tmp/portico-lab)');
      return cmd === 'help' ? 0 : 2;
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`lab: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
