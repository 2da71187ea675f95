// Reads OpenSSH known_hosts so keys the admin already trusts with `ssh` are honoured.
// Supports plain patterns (with * ? and !negation), [host]:port, hashed |1|salt|hmac entries and the
// @revoked marker; @cert-authority lines are kept but never match a plain host key.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface KnownHostEntry {
  marker: 'revoked' | 'cert-authority' | null;
  /** Either plain patterns or one hashed entry. */
  patterns: string[] | null;
  hashed: { salt: Buffer; hash: Buffer } | null;
  keyType: string;
  keyBase64: string;
  line: number;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return; // unknown marker: OpenSSH ignores the line too
    }
    if (fields.length < 3) return;
    const [hosts, keyType, keyBase64] = fields;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(keyBase64)) return;
    let hashed: KnownHostEntry['hashed'] = null;
    let patterns: string[] | null = null;
    if (hosts.startsWith('|1|')) {
      const parts = hosts.split('|');
      if (parts.length !== 4) return;
      hashed = { salt: Buffer.from(parts[2], 'base64'), hash: Buffer.from(parts[3], 'base64') };
      if (hashed.salt.length !== 20 || hashed.hash.length !== 20) return;
    } else {
      patterns = hosts.split(',').filter(Boolean);
    }
    out.push({ marker, patterns, hashed, keyType, keyBase64, line: i + 1 });
  });
  return out;
}

/** How OpenSSH names a host in known_hosts: bare for port 22, `[host]:port` otherwise. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

function globToRegExp(glob: string): RegExp {
  const esc = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${esc}$`, 'i');
}

/** OpenSSH semantics: a negated pattern that matches excludes the entry even if another pattern matches. */
export function patternsMatch(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (globToRegExp(p.slice(1)).test(name)) return false;
    } else if (globToRegExp(p).test(name)) {
      matched = true;
    }
  }
  return matched;
}

export function entryMatches(e: KnownHostEntry, address: string, port: number): boolean {
  const name = knownHostsName(address, port);
  if (e.hashed) {
    const h = createHmac('sha1', e.hashed.salt).update(name).digest();
    return h.equals(e.hashed.hash);
  }
  return patternsMatch(e.patterns ?? [], name);
}

export function lookupKnownHosts(entries: readonly KnownHostEntry[], address: string, port: number): KnownHostEntry[] {
  return entries.filter((e) => entryMatches(e, address, port));
}

/** Default files: the user's and the system-wide list, as OpenSSH reads them. */
export function defaultKnownHostsFiles(): string[] {
  return [join(homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
}

/** Reads the files that exist; a missing or unreadable file contributes nothing, as with OpenSSH. */
export function loadKnownHosts(files: readonly string[]): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const f of files) {
    try {
      out.push(...parseKnownHosts(readFileSync(f, 'utf8')));
    } catch {
      /* missing or unreadable */
    }
  }
  return out;
}
