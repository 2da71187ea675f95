// Pure rules of the hosted-engine wizard: LUN eligibility, answer file and hosted-engine.conf,
// wizard input. (VDSM's error words and discovery parsing: ../vdsm/rules.test.ts.)
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bytesToGiB, checkLunChoice, lunRow, lunTable, requiredBytes } from './luns';
import { buildAnswerFile, buildHostedEngineConf, mergeHostedEngineConf, parseAnswerFile, CLEAR_TEXT_PASSWORD_NOTE, type HeStorageFacts } from './outputs';
import type { BlockDeviceInfo } from '../vdsm/api';
import { HostedEngineStorageInputSchema, IscsiStorageInputSchema, isIpAddress } from '../../../shared/domain/hosted-engine';
import { MASK } from '../../../shared/plan';

const GiB = 1024 ** 3;

const dev = (o: Partial<BlockDeviceInfo>): BlockDeviceInfo => ({
  GUID: '36001405aaaa', capacity: String(100 * GiB), devtype: 'iSCSI', vendorID: 'LIO-ORG ', productID: 'disk1', logicalblocksize: '512', physicalblocksize: '512',
  pvUUID: '', vgUUID: '', status: 'free',
  pathlist: [{ connection: '10.0.0.1', port: '3260', iqn: 'iqn.t:1', portal: '1', initiatorname: 'default' }],
  pathstatus: [{ physdev: 'sdb', state: 'active', lun: '1', type: 'iSCSI' }],
  ...o,
});

describe('LUN eligibility', () => {
  it('needs engine disk + 15.24 GiB', () => {
    expect(bytesToGiB(requiredBytes(58))).toBeCloseTo(73.24, 2);
    const need = requiredBytes(58);
    expect(lunRow(dev({ capacity: String(need) }), 58).eligible).toBe(true);
    const small = lunRow(dev({ capacity: String(need - 1n) }), 58);
    expect(small.eligible).toBe(false);
    expect(small.forceable).toBe(false);
    expect(small.reason).toMatch(/too small: 73\.2\d GiB, needs at least 73\.24 GiB/);
    // Raising the disk size deselects a LUN that fitted before.
    expect(lunRow(dev({ capacity: String(80 * GiB) }), 58).eligible).toBe(true);
    expect(lunRow(dev({ capacity: String(80 * GiB) }), 70).eligible).toBe(false);
  });

  it('a used LUN says why and may only be forced explicitly', () => {
    const r = lunRow(dev({ status: 'used', pvUUID: 'pv-1', vgUUID: 'vg-9' }), 58);
    expect(r.eligible).toBe(false);
    expect(r.forceable).toBe(true);
    expect(r.reason).toMatch(/volume group vg-9 \(PV pv-1\)/);
    expect(checkLunChoice(r, false)).toMatch(/cannot be used/);
    expect(checkLunChoice(r, true)).toBeNull();
    expect(lunRow(dev({ status: 'used' }), 58).reason).toMatch(/partition table/);
  });

  it('4K logical blocks and no active path are disabled and not forceable', () => {
    const r = lunRow(dev({ logicalblocksize: '4096', status: 'used' }), 58);
    expect(r.reason).toMatch(/4Kn/);
    expect(r.forceable).toBe(false);
    const p = lunRow(dev({ pathstatus: [{ physdev: 'sdb', state: 'failed', lun: '1', type: 'iSCSI' }] }), 58);
    expect(p.pathsFailed).toBe(1);
    expect(p.reason).toMatch(/no active path/);
  });

  it('filters by target and sorts by GUID; sizes beyond 2^53 stay exact', () => {
    const rows = lunTable([dev({ GUID: 'b' }), dev({ GUID: 'a' }), dev({ GUID: 'c', pathlist: [{ connection: 'x', port: '3260', iqn: 'iqn.other:2', portal: '1', initiatorname: 'default' }] })], 'iqn.t:1', 58);
    expect(rows.map((r) => r.guid)).toEqual(['a', 'b']);
    expect(lunRow(dev({ capacity: '18446744073709551616' }), 58).sizeBytes).toBe('18446744073709551616');
  });
});

const facts: HeStorageFacts = {
  storageType: 'iscsi', domainName: 'hosted_storage', sdUUID: 'sd-1', spUUID: 'sp-1', connectionUUID: 'c-1', vgUUID: 'vg-1',
  portals: [{ address: '10.0.0.1', port: 3260 }, { address: '10.0.1.1', port: 3261 }], iqn: 'iqn.t:a', tpgt: '1034', lunGuid: '36001405aaaa',
  loginUser: 'he', loginPassword: 'LoginPw-1', discoveryUser: 'disc', discardSupport: true,
};

describe('outputs', () => {
  it('answer file: [environment:default], KEY=type:value, every answer but no password', () => {
    const text = buildAnswerFile(facts);
    expect(text).toContain('[environment:default]');
    expect(text).not.toContain('LoginPw-1');
    expect(text).not.toMatch(/Password/);
    const m = parseAnswerFile(text);
    expect(m.get('OVEHOSTED_STORAGE/domainType')).toEqual({ type: 'str', value: 'iscsi' });
    expect(m.get('OVEHOSTED_STORAGE/iSCSIPortalIPAddress')?.value).toBe('10.0.0.1,10.0.1.1');
    expect(m.get('OVEHOSTED_STORAGE/iSCSIPortalPort')?.value).toBe('3260,3261');
    expect(m.get('OVEHOSTED_STORAGE/iSCSIPortal')?.value).toBe('1034');
    expect(m.get('OVEHOSTED_STORAGE/iSCSITargetName')?.value).toBe('iqn.t:a');
    expect(m.get('OVEHOSTED_STORAGE/LunID')?.value).toBe('36001405aaaa');
    expect(m.get('OVEHOSTED_STORAGE/iSCSIPortalUser')?.value).toBe('he');
    expect(m.get('OVEHOSTED_STORAGE/iSCSIDiscoverUser')?.value).toBe('disc');
    expect(m.get('OVEHOSTED_STORAGE/discardSupport')).toEqual({ type: 'bool', value: 'True' });
    expect(m.get('OVEHOSTED_STORAGE/storageDomainName')?.value).toBe('hosted_storage');
    expect(m.get('OVEHOSTED_STORAGE/sdUUID')?.value).toBe('sd-1');
  });

  it('hosted-engine.conf: portal is the TPGT; password masked unless writing; says it is clear text', () => {
    const shown = buildHostedEngineConf(facts, { includePassword: false, mask: MASK });
    expect(shown).toContain('portal=1034');
    expect(shown).toContain('storage=10.0.0.1,10.0.1.1');
    expect(shown).toContain('port=3260,3261');
    expect(shown).toContain(`password=${MASK}`);
    expect(shown).toContain(CLEAR_TEXT_PASSWORD_NOTE);
    expect(shown).not.toContain('LoginPw-1');
    expect(buildHostedEngineConf(facts, { includePassword: true, mask: MASK })).toContain('password=LoginPw-1');
  });

  it('merge keeps other keys, replaces ours in place, appends missing; values cannot inject lines', () => {
    const merged = mergeHostedEngineConf('fqdn=e\nstorage=old\nhost_id=1\n', [['storage', 'new'], ['iqn', 'iqn.t:a']]);
    expect(merged).toBe('fqdn=e\nstorage=new\nhost_id=1\niqn=iqn.t:a\n');
    expect(() => buildAnswerFile({ ...facts, domainName: 'x\nOVEHOSTED_X=str:y' })).toThrow(/single line/);
  });

  it('property: the answer file never contains the login password', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 3, maxLength: 50 }).filter((s) => !/[\r\n]/.test(s) && !/^[A-Za-z]+$/.test(s)), (pw) => {
        expect(buildAnswerFile({ ...facts, loginPassword: pw })).not.toContain(pw);
      }),
    );
  });
});

describe('wizard input schema', () => {
  const base = {
    storageType: 'iscsi', hostId: 'hv1', portals: [{ address: '10.0.0.1' }],
    target: { iqn: 'iqn.2024-01.lab:t1', tpgt: '1', portals: [{ address: '10.0.0.1', port: 3260 }] }, lunGuid: '36001405aaaa',
  };
  it('applies defaults (port 3260, disk 58 GiB, V5, hosted_storage, empty CHAP)', () => {
    const v = IscsiStorageInputSchema.parse(base);
    expect(v.portals[0].port).toBe(3260);
    expect(v.diskSizeGiB).toBe(58);
    expect(v.domainVersion).toBe(5);
    expect(v.domainName).toBe('hosted_storage');
    expect(v.discoveryChap).toEqual({ user: '', password: '' });
  });
  it('messages name the field and say how to fix', () => {
    const msg = (x: unknown) => {
      const r = HostedEngineStorageInputSchema.safeParse(x);
      return r.success ? '' : r.error.issues.map((i) => i.message).join(' | ');
    };
    expect(msg({ ...base, portals: [{ address: 'storage.example.com' }] })).toMatch(/Portal address: enter an IPv4 or IPv6 address/);
    expect(msg({ ...base, loginChap: { user: 'u', password: '' } })).toMatch(/Login CHAP: fill in both/);
    expect(msg({ ...base, loginChap: { user: 'u', password: 'x'.repeat(51) } })).toMatch(/at most 50/);
    expect(msg({ ...base, forceUsedLun: true, forceConfirmation: 'yes' })).toMatch(/type the LUN id 36001405aaaa exactly/);
    expect(msg({ ...base, forceUsedLun: true, forceConfirmation: '36001405aaaa' })).toBe('');
    expect(msg({ ...base, diskSizeGiB: 20 })).toMatch(/Engine disk size: at least 58/);
    expect(msg({ storageType: 'nfs4', hostId: 'hv1', server: 'nas', exportPath: 'rel/path' })).toMatch(/NFS export path/);
    expect(msg({ storageType: 'nfs3', hostId: 'hv1', server: 'nas', exportPath: '/he' })).toBe('');
  });
  it('IP check', () => {
    for (const ok of ['10.0.0.1', '::1', 'fd00::1', '2001:db8:0:0:0:0:0:1', '::ffff:10.0.0.1']) expect(isIpAddress(ok), ok).toBe(true);
    for (const bad of ['10.0.0.256', 'host', '1:2:3', ':::', '10.0.0']) expect(isIpAddress(bad), bad).toBe(false);
  });
});
