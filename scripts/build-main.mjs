// Bundles the main-process entries with esbuild: main.cjs + preload.cjs (Electron) and
// server.cjs (browser mode under plain Node). Native modules stay external.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'cjs', sourcemap: true, logLevel: 'warning', target: 'node20' };
const external = ['electron', 'better-sqlite3', 'ssh2', 'cpu-features'];
await Promise.all([
  build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'dist/electron/main.cjs', external }),
  build({ ...common, entryPoints: ['electron/preload.ts'], outfile: 'dist/electron/preload.cjs', external: ['electron'] }),
  build({ ...common, entryPoints: ['electron/server.ts'], outfile: 'dist/electron/server.cjs', external }),
]);
console.log('built dist/electron/{main,preload,server}.cjs');
