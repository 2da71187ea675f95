import { describe, expect, it } from 'vitest';
import { HostInputSchema } from '../../../shared/domain/host';
import { aliasToHostInput, parseSshConfig } from './sshconfig';

const CONFIG = `
# global
User fallback
Host stor1 stor1-alt
    HostName 198.51.100.11
    Port 2222
    IdentityFile ~/.ssh/lab_ed25519
Host hv1
  HostName=hv1.example.org
  User root
  IdentityFile "/keys/my key"
Host *.lab !bad.lab
  Port 2200
Host web.lab
  User www
Host bad.lab
Match host something
  User ignored
Host *
  Port 22
  User overall
  IdentityFile none
`;

describe('parseSshConfig', () => {
  const aliases = parseSshConfig(CONFIG, { home: '/home/me' });
  const by = (a: string) => aliases.find((x) => x.alias === a)!;

  it('lists concrete aliases only', () => {
    expect(aliases.map((a) => a.alias)).toEqual(['stor1', 'stor1-alt', 'hv1', 'web.lab', 'bad.lab']);
  });
  it('applies first-value-wins across matching blocks', () => {
    expect(by('stor1')).toEqual({ alias: 'stor1', hostName: '198.51.100.11', port: 2222, user: 'fallback', identityFile: '/home/me/.ssh/lab_ed25519' });
    expect(by('hv1')).toEqual({ alias: 'hv1', hostName: 'hv1.example.org', port: 22, user: 'fallback', identityFile: '/keys/my key' });
    expect(by('web.lab')).toMatchObject({ hostName: 'web.lab', port: 2200, user: 'fallback', identityFile: null });
    expect(by('bad.lab')).toMatchObject({ port: 22 });
  });
  it('is case-insensitive on keywords and tolerates junk', () => {
    const a = parseSshConfig('host x\n  hostname 192.0.2.3\n  PORT notanumber\n  user\n', { home: '/h' });
    expect(a).toEqual([{ alias: 'x', hostName: '192.0.2.3', port: 22, user: null, identityFile: null }]);
  });
  it('maps to a form pre-fill that validates once roles are chosen', () => {
    const pre = aliasToHostInput(by('stor1'));
    expect(HostInputSchema.safeParse({ ...pre, roles: ['storage'] }).success).toBe(true);
    expect(aliasToHostInput({ alias: 'a', hostName: 'a', port: 22, user: null, identityFile: null }).auth).toEqual({ kind: 'agent' });
  });
});
