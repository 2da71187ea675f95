// TEST DOUBLE support. A purpose-built reader for vdsm-api.yml: it extracts only what the double
// validates (verb names, their parameter names and which have defaults, and the property names of
// object types). Not a YAML parser: it relies on the file's fixed layout (two-space-multiple
// indents, `Namespace.verb:` at column 0, `types:` children at 4, list items `-   key: value`).
import { readFileSync } from 'node:fs';

export interface ParamSpec {
  name: string;
  /** Has a defaultvalue in the schema (may be omitted by callers). */
  optional: boolean;
}

export interface ApiSchema {
  source: string;
  methods: Record<string, ParamSpec[]>;
  /** Object types: property names (for nested checks such as connectionParams). */
  types: Record<string, ParamSpec[]>;
}

interface Item {
  indent: number;
  keys: Map<string, string>;
}

/** Reads the list items directly under a `params:`/`properties:` key at `keyIndent`. */
function readList(lines: string[], start: number, keyIndent: number): { items: ParamSpec[]; end: number } {
  const items: ParamSpec[] = [];
  let cur: Item | null = null;
  let i = start;
  const flush = () => {
    if (cur?.keys.has('name')) items.push({ name: cur.keys.get('name')!, optional: cur.keys.has('defaultvalue') });
    cur = null;
  };
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    if (indent <= keyIndent && !line.trimStart().startsWith('-')) break;
    if (indent < keyIndent) break;
    const dash = /^(\s*)-(\s+)(.*)$/.exec(line);
    if (dash && dash[1].length <= keyIndent + 4 && (cur === null || dash[1].length <= (cur as Item).indent - 1)) {
      flush();
      const contentIndent = dash[1].length + 1 + dash[2].length;
      cur = { indent: contentIndent, keys: new Map() };
      const kv = /^([A-Za-z_][\w-]*):\s*(.*)$/.exec(dash[3]);
      if (kv) cur.keys.set(kv[1], kv[2]);
      continue;
    }
    if (cur && indent === (cur as Item).indent) {
      const kv = /^\s*([A-Za-z_][\w-]*):\s*(.*)$/.exec(line);
      if (kv && !(cur as Item).keys.has(kv[1])) (cur as Item).keys.set(kv[1], kv[2]);
    }
  }
  flush();
  return { items, end: i };
}

export function parseApiSchema(text: string, source = 'vdsm-api.yml'): ApiSchema {
  const lines = text.split('\n');
  const methods: Record<string, ParamSpec[]> = {};
  const types: Record<string, ParamSpec[]> = {};
  let section: 'none' | 'types' | 'method' = 'none';
  let current = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const top = /^([A-Za-z][\w.]*):\s*$/.exec(line);
    if (top) {
      if (top[1] === 'types') section = 'types';
      else if (top[1].includes('.')) {
        section = 'method';
        current = top[1];
        methods[current] = [];
      } else section = 'none';
      continue;
    }
    if (section === 'types') {
      const t = /^ {4}([A-Za-z]\w*):/.exec(line);
      if (t) {
        current = t[1];
        continue;
      }
      if (/^ {8}properties:\s*$/.test(line)) {
        const { items, end } = readList(lines, i + 1, 8);
        types[current] = items;
        i = end - 1;
      }
    } else if (section === 'method' && /^ {4}params:\s*$/.test(line)) {
      const { items, end } = readList(lines, i + 1, 4);
      methods[current] = items;
      i = end - 1;
    }
  }
  return { source, methods, types };
}

export function loadApiSchemaFromYaml(path: string): ApiSchema {
  return parseApiSchema(readFileSync(path, 'utf8'), path);
}

/** Validation as the double applies it: unknown verb -> -32601, bad param names -> -32602. */
export type SchemaCheck = { ok: true } | { ok: false; code: -32601 | -32602; message: string };

export function checkCall(schema: ApiSchema, method: string, params: unknown): SchemaCheck {
  const spec = schema.methods[method];
  if (!spec) return { ok: false, code: -32601, message: `The method does not exist / is not available: ${method}` };
  if (Array.isArray(params)) {
    if (params.length > spec.length) return { ok: false, code: -32602, message: `${method}: too many positional params` };
    return { ok: true };
  }
  const given = Object.keys((params as Record<string, unknown>) ?? {});
  const known = new Set(spec.map((p) => p.name));
  const unknown = given.filter((g) => !known.has(g));
  if (unknown.length) return { ok: false, code: -32602, message: `${method}() got an unexpected keyword argument '${unknown[0]}'` };
  const missing = spec.filter((p) => !p.optional && !given.includes(p.name));
  if (missing.length) return { ok: false, code: -32602, message: `${method}() missing required argument: '${missing[0].name}'` };
  return { ok: true };
}

/** Keys allowed in an iSCSI connectionParams entry: the schema's plus those hsm reads (reference 2.3). */
export function iscsiConnectionKeys(schema: ApiSchema): Set<string> {
  const fromSchema = (schema.types.IscsiConnectionParameters ?? []).map((p) => p.name);
  return new Set([...fromSchema, 'ifaceName', 'netIfaceName', 'initiatorName', 'ipv6_enabled']);
}

/** Loads the committed compact fixture (vdsm-api.methods.json, regenerated by gen-schema.ts). */
export function loadCommittedSchema(): ApiSchema {
  const raw = JSON.parse(readFileSync(new URL('./vdsm-api.methods.json', import.meta.url), 'utf8')) as {
    source: string;
    methods: Record<string, string[]>;
    types: Record<string, string[]>;
  };
  const conv = (l: string[]): ParamSpec[] => l.map((n) => (n.endsWith('?') ? { name: n.slice(0, -1), optional: true } : { name: n, optional: false }));
  return {
    source: raw.source,
    methods: Object.fromEntries(Object.entries(raw.methods).map(([k, v]) => [k, conv(v)])),
    types: Object.fromEntries(Object.entries(raw.types).map(([k, v]) => [k, conv(v)])),
  };
}
