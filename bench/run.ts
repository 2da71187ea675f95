// `npm run bench -- NAME` runs bench/NAME.ts. Each bench module default-exports an async main().
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const name = process.argv[2];
if (!name || !/^[a-z0-9-]+$/.test(name)) {
  console.error('usage: npm run bench -- NAME   (runs bench/NAME.ts)');
  process.exit(2);
}
const file = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, `${name}.ts`);
if (!existsSync(file)) {
  console.error(`no benchmark named "${name}": bench/${name}.ts does not exist`);
  process.exit(2);
}
const mod = await import(pathToFileURL(file).href);
await mod.default();
process.exit(0);
