// TEST DOUBLE — not OpenNebula. Standalone entry of the oned XML-RPC double:
//   npx tsx e2e/doubles/oned/main.ts --listen 0.0.0.0:2633 [--version 6.10.0]
//     [--hosts hv1,hv2]   with PORTICO_ONED_DOUBLE_USER=oneadmin:PASSWORD in the environment
//     (not argv: the e2e run samples every process's argv for the secrets it typed)
// Control (JSON over HTTP on the same port): GET /portico-double/state, POST /portico-double/inject
// {"method":"one.image.allocate","code":16384}, POST /portico-double/reset.
import { startOnedDouble } from './server';

function arg(name: string, def?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

async function main(): Promise<void> {
  process.title = 'oned';
  const listen = arg('listen', '127.0.0.1:2633')!;
  const idx = listen.lastIndexOf(':');
  const user = process.env.PORTICO_ONED_DOUBLE_USER || 'oneadmin:opennebula';
  const u = user.indexOf(':');
  const d = await startOnedDouble({
    host: listen.slice(0, idx).replace(/^\[|\]$/g, ''),
    port: Number(listen.slice(idx + 1)),
    version: arg('version', '6.10.0'),
    users: { [user.slice(0, u)]: user.slice(u + 1) },
    hosts: arg('hosts', 'hv1,hv2')!.split(',').filter(Boolean).map((name) => ({ name })),
    log: (l) => process.stdout.write(`[oned-double] ${l}\n`),
  });
  const stop = () => void d.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`[oned-double] TEST DOUBLE (not OpenNebula) listening on ${d.url}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[oned-double] ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
