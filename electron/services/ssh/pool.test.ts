// Pool behaviour that needs no server: validation before SSH, unknown hosts, accept without a shown key.
import { describe, expect, it } from 'vitest';
import ssh2 from 'ssh2';
import { fingerprint, MemoryHostKeyStore } from './hostkeys';
import { SshPool, type ResolvedHost } from './pool';
import type { ConnectionState } from '../../../shared/domain/host';

const host: ResolvedHost = { address: '127.0.0.1', port: 1, user: 'admin', auth: 'agent', sudo: false };

function pool(h: ResolvedHost | null) {
  const p = new SshPool({ resolver: { getHost: () => h, getSecret: () => null }, hostKeys: new MemoryHostKeyStore(), knownHostsFiles: [], agentSocket: undefined });
  const states: ConnectionState[] = [];
  p.on('state', (s) => states.push(s));
  return { p, states };
}

describe('SshPool without a server', () => {
  it('refuses a host record invalid by grammar before connecting, naming the field', async () => {
    const { p, states } = pool({ ...host, user: 'root;reboot', port: 70000 });
    const e = await p.run('h1', ['true']).catch((x) => x);
    expect(e.code).toBe('invalid-host');
    expect(e.message).toMatch(/^host h1 has invalid connection settings:\nport: .*\nuser: /);
    expect(states.map((s) => s.code ?? s.state)).toEqual(['connecting', 'invalid-host']);
  });

  it('unknown host id and missing credentials have their own codes', async () => {
    await expect(pool(null).p.run('nope', ['true'])).rejects.toMatchObject({ code: 'unknown-host' });
    await expect(pool(host).p.run('h', ['true'])).rejects.toMatchObject({ code: 'agent-unavailable' });
    await expect(pool({ ...host, auth: 'password' }).p.run('h', ['true'])).rejects.toMatchObject({ code: 'password-missing' });
    await expect(pool({ ...host, auth: 'key' }).p.run('h', ['true'])).rejects.toMatchObject({ code: 'invalid-host', message: /keyPath/ });
  });

  it('refuses bad commands and bad tunnel targets up front', async () => {
    const { p, states } = pool(host);
    await expect(p.run('h', [])).rejects.toMatchObject({ code: 'invalid-command' });
    await expect(p.run('h', ['echo', 'a\0b'])).rejects.toMatchObject({ code: 'invalid-command' });
    await expect(p.forwardOut('h', '$(id)', 80)).rejects.toMatchObject({ code: 'invalid-command' });
    await expect(p.forwardOut('h', '127.0.0.1', 0)).rejects.toMatchObject({ code: 'invalid-command' });
    expect(states).toEqual([]);
  });

  it('accepting reads the key from the host again: an unreachable host stores nothing', async () => {
    const store = new MemoryHostKeyStore();
    const p = new SshPool({ resolver: { getHost: () => host, getSecret: () => null }, hostKeys: store, knownHostsFiles: [], agentSocket: undefined });
    await expect(p.acceptHostKey('h', 'SHA256:' + 'x'.repeat(43))).rejects.toMatchObject({ code: 'refused' });
    expect(store.get('h')).toBeNull();
  });

  it('reports idle state and channel limits for unknown hosts', () => {
    const { p } = pool(host);
    expect(p.state('z')).toEqual({ hostId: 'z', state: 'idle' });
    expect(p.channels('z')).toEqual({ inUse: 0, queued: 0, limit: 8 });
  });
});

describe('host keys read at accept time (local ssh2 servers, no login)', () => {
  /** An SSH server on 127.0.0.1 presenting `key`; nobody can log in. */
  async function server(key: string): Promise<{ port: number; close(): Promise<void> }> {
    const srv = new ssh2.Server({ hostKeys: [key] }, (client) => {
      client.on('error', () => {});
      client.on('authentication', (ctx) => ctx.reject());
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    return { port: (srv.address() as { port: number }).port, close: () => new Promise<void>((r) => srv.close(() => r())) };
  }
  const newKey = () => {
    const k = ssh2.utils.generateKeyPairSync('ed25519');
    const parsed = ssh2.utils.parseKey(k.public);
    if (parsed instanceof Error || Array.isArray(parsed)) throw new Error('bad test key');
    return { priv: k.private, fp: fingerprint(parsed.getPublicSSH()) };
  };

  it('fetchHostKey shows the key presented now; a stale fingerprint is refused naming both; the current one is stored', async () => {
    const k1 = newKey();
    const k2 = newKey();
    // The same host record first reaches a server with k1, then (the key "changed") one with k2.
    const s1 = await server(k1.priv);
    const s2 = await server(k2.priv);
    try {
      let port = s1.port;
      const store = new MemoryHostKeyStore();
      const p = new SshPool({
        resolver: { getHost: () => ({ ...host, port }), getSecret: () => null }, hostKeys: store, knownHostsFiles: [], agentSocket: undefined, readyTimeoutMs: 5000,
      });
      expect(await p.fetchHostKey('h')).toEqual({ presented: { type: 'ssh-ed25519', fingerprint: k1.fp }, stored: null, matches: false, revoked: false });
      port = s2.port;
      const e = await p.acceptHostKey('h', k1.fp).catch((x) => x);
      expect(e.code).toBe('hostkey-mismatch');
      expect(e.message).toContain(k1.fp);
      expect(e.message).toContain(k2.fp);
      expect(store.get('h')).toBeNull();
      await p.acceptHostKey('h', k2.fp);
      expect(store.get('h')?.fingerprint).toBe(k2.fp);
      expect(await p.fetchHostKey('h')).toMatchObject({ stored: { fingerprint: k2.fp }, matches: true });
      // Nothing was logged in to: fetching and accepting never authenticate.
      expect(p.state('h').state).toBe('idle');
      await p.close();
    } finally {
      await s1.close();
      await s2.close();
    }
  });
});
