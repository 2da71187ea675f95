// Every text field of every call's input has a maximum length, and no validation message quotes a
// pasted value whole: each call's schema is walked, every string filled with 100,000 characters.
// (Messages of a bare .max() do not name the field; the router prefixes it, see router.ts.)
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { calls } from '../contract';

const HUGE = 'x'.repeat(100_000);

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** A value for `schema` with every string replaced by HUGE; `pick` chooses union options. */
function sample(schema: z.ZodType, pick: number, strings: string[], path: (string | number)[] = []): unknown {
  const d = defOf(schema);
  if (path.length > 12) return undefined;
  const inner = (s: unknown, sub: (string | number)[] = path) => sample(s as z.ZodType, pick, strings, sub);
  switch (d.type) {
    case 'string':
      strings.push(path.join('.'));
      return HUGE;
    case 'number':
    case 'int':
      return 1;
    case 'boolean':
      return false;
    case 'enum':
      return Object.values(d.entries as Record<string, unknown>)[0];
    case 'literal':
      return (d.values as unknown[])[0];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(d.shape as Record<string, z.ZodType>)) out[k] = inner(v, [...path, k]);
      return out;
    }
    case 'array':
      return [inner(d.element, [...path, 0])];
    case 'record':
      return { k: inner(d.valueType, [...path, 'k']) };
    case 'union': {
      const opts = d.options as z.ZodType[];
      return inner(opts[pick % opts.length]);
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return inner(d.innerType);
    case 'pipe':
      return inner(d.in);
    case 'lazy':
      return inner((d.getter as () => z.ZodType)());
    default:
      return undefined;
  }
}

describe('input schemas bound their text', () => {
  const names = Object.keys(calls) as (keyof typeof calls)[];
  it.each(names)('%s', (name) => {
    const schema = calls[name].input as z.ZodType;
    const problems = new Set<string>();
    for (let pick = 0; pick < 4; pick++) {
      const strings: string[] = [];
      const r = schema.safeParse(sample(schema, pick, strings));
      const refused = new Set(r.success ? [] : r.error.issues.map((i) => i.path.join('.')));
      // Every text field refuses 100,000 characters (it has a maximum length).
      for (const at of strings) if (!refused.has(at)) problems.add(`${at}: accepts 100,000 characters`);
      if (r.success) continue;
      for (const issue of r.error.issues) {
        // No message quotes more than a short prefix of the offending value.
        if (issue.message.length > 300 || /x{61}/.test(issue.message)) problems.add(`${issue.path.join('.')}: message quotes the value (${issue.message.slice(0, 60)}…)`);
      }
    }
    expect([...problems]).toEqual([]);
  });
});
