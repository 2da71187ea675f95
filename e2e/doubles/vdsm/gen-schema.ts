// TEST DOUBLE support: regenerates vdsm-api.methods.json from VDSM's own schema.
//   npx tsx e2e/doubles/vdsm/gen-schema.ts [../shared/reference/vdsm-api.yml]
import { writeFileSync } from 'node:fs';
import { loadApiSchemaFromYaml } from './schema';

const src = process.argv[2] ?? '../shared/reference/vdsm-api.yml';
const s = loadApiSchemaFromYaml(src);
const compact = {
  source: 'oVirt/vdsm lib/vdsm/api/vdsm-api.yml (copy in the shared reference folder), extracted by e2e/doubles/vdsm/schema.ts',
  methods: Object.fromEntries(Object.entries(s.methods).map(([k, v]) => [k, v.map((p) => (p.optional ? `${p.name}?` : p.name))])),
  types: Object.fromEntries(Object.entries(s.types).map(([k, v]) => [k, v.map((p) => (p.optional ? `${p.name}?` : p.name))])),
};
writeFileSync(new URL('./vdsm-api.methods.json', import.meta.url), JSON.stringify(compact, null, 1) + '\n');
console.log(`${Object.keys(compact.methods).length} methods, ${Object.keys(compact.types).length} types`);
