// TEST DOUBLE — not VDSM. Standalone entry:
//   npx tsx e2e/doubles/vdsm/main.ts --listen 10.0.0.5:54321 --certs DIR --initiator-name IQN
//     [--iscsi-timeout-ms 10000] [--recovering-ms 0] [--min-heartbeat-ms 1000] [--task-ms 300]
// DIR holds ca.pem, server.pem, server-key.pem (see certs.ts; `--make-certs` creates them).
// Signals (tests): SIGHUP pauses heart-beats for --hb-pause-ms (default 5000) and drops nothing
// (SIGUSR1 is left alone: Node reserves it for the inspector);
// SIGUSR2 makes every call answer 99 for --recovering-ms (default 2000) from now.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startVdsmDouble } from './server';
import { loadCommittedSchema } from './schema';
import { makeLabPki } from './certs';

function arg(name: string, def?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

async function main(): Promise<void> {
  // The double stands in for vdsmd on its host: the console's capability probe (which reads
  // /proc/*/comm) sees it as the running daemon, as it would see the real one.
  process.title = 'vdsmd';
  const listen = arg('listen', '127.0.0.1:54321')!;
  const idx = listen.lastIndexOf(':');
  const host = listen.slice(0, idx).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(idx + 1));
  let certs = arg('certs');
  if (process.argv.includes('--make-certs')) certs = makeLabPki([host], certs).dir;
  if (!certs) throw new Error('--certs DIR (with ca.pem, server.pem, server-key.pem) or --make-certs is required');
  const recoveringMs = Number(arg('recovering-ms', '2000'));
  const hbPauseMs = Number(arg('hb-pause-ms', '5000'));
  const log = (l: string) => process.stdout.write(`[vdsm-double] ${l}\n`);
  const d = await startVdsmDouble({
    host,
    port,
    tls: { ca: readFileSync(join(certs, 'ca.pem'), 'utf8'), cert: readFileSync(join(certs, 'server.pem'), 'utf8'), key: readFileSync(join(certs, 'server-key.pem'), 'utf8') },
    schema: loadCommittedSchema(),
    initiatorName: arg('initiator-name', 'iqn.1994-05.com.redhat:portico-double')!,
    iscsiTimeoutMs: Number(arg('iscsi-timeout-ms', '10000')),
    minHeartbeatMs: Number(arg('min-heartbeat-ms', '1000')),
    taskMs: Number(arg('task-ms', '300')),
    log,
  });
  if (process.argv.includes('--start-recovering')) d.vdsm.recoveringUntil = Date.now() + recoveringMs;
  process.on('SIGHUP', () => {
    log(`pausing heart-beats for ${hbPauseMs} ms`);
    d.broker.heartbeatsPaused = true;
    setTimeout(() => (d.broker.heartbeatsPaused = false), hbPauseMs);
  });
  process.on('SIGUSR2', () => {
    log(`answering 99 for ${recoveringMs} ms`);
    d.vdsm.recoveringUntil = Date.now() + recoveringMs;
  });
  const stop = () => void d.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  log(`TEST DOUBLE listening on ${d.address.host}:${d.address.port} (TLS, client cert required; certs ${certs})`);
}

main().catch((err) => {
  process.stderr.write(`[vdsm-double] ${(err as Error).message}\n`);
  process.exit(1);
});
