import { describe, expect, it } from 'vitest';
import { classifyConnectError, isTransient } from './errors';

const e = (props: Record<string, unknown>, msg = 'x') => Object.assign(new Error(msg), props);

describe('classifyConnectError', () => {
  it('turns socket and ssh2 errors into words', () => {
    expect(classifyConnectError(e({ code: 'ECONNREFUSED' }), '192.0.2.1:22', '192.0.2.1')).toMatchObject({ code: 'refused', reason: expect.stringMatching(/refused/) });
    expect(classifyConnectError(e({ code: 'ENOTFOUND' }), 'nohost:22', 'nohost')).toMatchObject({ code: 'dns', reason: expect.stringMatching(/nohost could not be resolved/) });
    expect(classifyConnectError(e({ level: 'client-timeout' }, 'Timed out while waiting for handshake'), 'h:22', 'h').code).toBe('timeout');
    expect(classifyConnectError(e({ code: 'EHOSTUNREACH' }), 'h:22', 'h').code).toBe('unreachable');
    expect(classifyConnectError(e({ code: 'ECONNRESET' }), 'h:22', 'h').code).toBe('connection-lost');
  });
  it('says the same for a wrong user and a wrong password', () => {
    const a = classifyConnectError(e({ level: 'client-authentication' }, 'All configured authentication methods failed'), 'h:22', 'h');
    expect(a.code).toBe('auth-failed');
    expect(a.reason).toMatch(/^authentication failed/);
    expect(a.reason).toMatch(/user name and credentials/);
  });
  it('retries only transient faults', () => {
    expect(isTransient('refused')).toBe(true);
    expect(isTransient('auth-failed')).toBe(false);
    expect(isTransient('hostkey-mismatch')).toBe(false);
  });
});
