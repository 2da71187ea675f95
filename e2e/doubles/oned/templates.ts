// TEST DOUBLE — not OpenNebula. How the oned double reads templates, as oned does: the XML form
// (root TEMPLATE, parsed with fast-xml-parser) or the text form (KEY = VALUE, quoted values with
// \" and \\ escapes, # comments, quoted strings may span lines).
import { XMLParser } from 'fast-xml-parser';

export type Attrs = Map<string, string>;

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, processEntities: true });

export function parseTemplate(src: string): Attrs {
  const t = src.trimStart();
  return t.startsWith('<') ? parseXml(t) : parseText(src);
}

function parseXml(src: string): Attrs {
  let doc: Record<string, unknown>;
  try {
    doc = xml.parse(src, true) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`Parse error: ${e instanceof Error ? e.message : String(e)}`);
  }
  const root = doc.TEMPLATE;
  if (root === undefined) throw new Error('Parse error: the XML template has no TEMPLATE root element');
  const out: Attrs = new Map();
  if (root && typeof root === 'object') {
    for (const [k, v] of Object.entries(root as Record<string, unknown>)) {
      if (typeof v === 'string' || typeof v === 'number') out.set(k.toUpperCase(), String(v));
      else if (v === '' || v === null) out.set(k.toUpperCase(), '');
      else throw new Error(`Parse error: attribute ${k} is not a single value`);
    }
  }
  return out;
}

function parseText(src: string): Attrs {
  const out: Attrs = new Map();
  let i = 0;
  const n = src.length;
  const ws = () => {
    while (i < n) {
      if (src[i] === '#') while (i < n && src[i] !== '\n') i++;
      else if (/\s/.test(src[i])) i++;
      else break;
    }
  };
  while (true) {
    ws();
    if (i >= n) break;
    const m = /^[A-Za-z0-9_]+/.exec(src.slice(i));
    if (!m) throw new Error(`Parse error: syntax error, unexpected ${JSON.stringify(src[i])} at offset ${i}`);
    const key = m[0].toUpperCase();
    i += m[0].length;
    while (i < n && (src[i] === ' ' || src[i] === '\t')) i++;
    if (src[i] !== '=') throw new Error(`Parse error: syntax error, expected = after ${key}`);
    i++;
    while (i < n && (src[i] === ' ' || src[i] === '\t')) i++;
    let value = '';
    if (src[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = src[i];
        if (c === '\\' && (src[i + 1] === '"' || src[i + 1] === '\\')) {
          value += src[i + 1];
          i += 2;
        } else if (c === '"') {
          closed = true;
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) throw new Error(`Parse error: unterminated string in ${key}`);
    } else if (src[i] === '[') {
      throw new Error(`Parse error: vector attribute ${key} is not supported by this double`);
    } else {
      const u = /^[^\s=#,[\]"]*/.exec(src.slice(i))![0];
      value = u;
      i += u.length;
      const rest = /^[ \t]*/.exec(src.slice(i))![0];
      i += rest.length;
      if (i < n && src[i] !== '\n' && src[i] !== '#' && src[i] !== '\r') throw new Error(`Parse error: syntax error, unexpected ${JSON.stringify(src[i])} in the value of ${key}`);
    }
    out.set(key, value);
  }
  return out;
}
