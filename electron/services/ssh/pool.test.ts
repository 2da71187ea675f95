// Pool behaviour that needs no server: validation before SSH, unknown hosts, accept without a shown key.
import { describe, expect, it } from 'vitest';
import { MemoryHostKeyStore } from './hostkeys';
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

  it('cannot accept a host key that was never shown', async () => {
    await expect(pool(host).p.acceptHostKey('h', 'SHA256:' + 'x'.repeat(43))).rejects.toMatchObject({ code: 'hostkey-mismatch' });
  });

  it('reports idle state and channel limits for unknown hosts', () => {
    const { p } = pool(host);
    expect(p.state('z')).toEqual({ hostId: 'z', state: 'idle' });
    expect(p.channels('z')).toEqual({ inUse: 0, queued: 0, limit: 8 });
  });
});
