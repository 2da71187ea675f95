// Pure parser for ~/.ssh/config, used to import Host aliases into the add-host form.
// OpenSSH semantics: for each alias every matching Host block applies in file order and the first value
// of each keyword wins. Match blocks and Include are not followed (the import is a shortcut, not ssh).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { HostInputRaw } from '../../../shared/domain/host';
import { patternsMatch } from './knownhosts';

export type { SshConfigAlias } from '../../../shared/features/hosts';
import type { SshConfigAlias } from '../../../shared/features/hosts';

interface Block {
  patterns: string[] | null; // null: Match block (skipped) ; [] never happens
  options: Array<[string, string]>;
}

/** Splits a line into keyword and arguments: `Key value`, `Key=value`, double-quoted arguments. */
function tokenize(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      inQuote = !inQuote;
      has = true;
    } else if (!inQuote && (c === ' ' || c === '\t' || (c === '=' && out.length === 0))) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [{ patterns: ['*'], options: [] }]; // options before any Host apply to all
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [kw, ...args] = tokenize(line);
    if (!kw) continue;
    const key = kw.toLowerCase();
    if (key === 'host') blocks.push({ patterns: args, options: [] });
    else if (key === 'match') blocks.push({ patterns: null, options: [] });
    else if (args.length > 0) blocks[blocks.length - 1].options.push([key, args.join(' ')]);
  }
  return blocks;
}

function expandTilde(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? home + p.slice(1) : p;
}

export function parseSshConfig(text: string, opts: { home?: string } = {}): SshConfigAlias[] {
  const home = opts.home ?? homedir();
  const blocks = parseBlocks(text);
  const aliases: string[] = [];
  for (const b of blocks.slice(1)) {
    for (const p of b.patterns ?? []) {
      // Only concrete names are importable; wildcard and negated patterns only carry defaults.
      if (!p.startsWith('!') && !/[*?]/.test(p) && !aliases.includes(p)) aliases.push(p);
    }
  }
  return aliases.map((alias) => {
    const got = new Map<string, string>();
    for (const b of blocks) {
      if (!b.patterns || !patternsMatch(b.patterns, alias)) continue;
      for (const [k, v] of b.options) if (!got.has(k)) got.set(k, v);
    }
    const port = Number(got.get('port'));
    const hostName = (got.get('hostname') ?? alias).replace(/%h/g, alias);
    const id = got.get('identityfile');
    return {
      alias,
      hostName,
      port: Number.isInteger(port) && port >= 1 && port <= 65535 ? port : 22,
      user: got.get('user') ?? null,
      identityFile: id && id.toLowerCase() !== 'none' ? expandTilde(id.replace(/%d/g, home), home) : null,
    };
  });
}

/** Pre-fills the add-host form; the admin still chooses roles and confirms. Invalid values stay for the form to flag. */
export function aliasToHostInput(a: SshConfigAlias): Partial<HostInputRaw> {
  return {
    name: a.alias,
    address: a.hostName,
    port: a.port,
    ...(a.user ? { user: a.user } : {}),
    auth: a.identityFile ? { kind: 'key', keyPath: a.identityFile } : { kind: 'agent' },
  };
}

export async function readSshConfig(path = join(homedir(), '.ssh', 'config')): Promise<SshConfigAlias[]> {
  try {
    return parseSshConfig(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
