// Template rendering for both flavours (text and XML), hostile values, and the LUN-number rule.
import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { DatastoreInputSchema, ImageSpecSchema, imagePath, lunNumberProblem, parseImagePath } from '../../../shared/domain/opennebula';
import { datastoreAttrs, imageAttrs, quoteTemplateValue, renderTemplateText, renderTemplateXml } from './template';
import { parseTemplate } from '../../../e2e/doubles/oned/templates';
import { driversFor } from './drivers';

const HOSTILE = 'a "quoted" \\ back]slash = x # not a comment\nsecond line <tag attr=\'1\'>&amp; ]]> é 中文 ✓';

describe('datastore templates', () => {
  it('renders the iscsi_libvirt flavour with CHAP, text and XML, in that attribute order', () => {
    const i = DatastoreInputSchema.parse({ frontendId: 'fe1', flavour: 'iscsi_libvirt', name: 'vmstore1', clusterId: 0, iscsiHost: '203.0.113.11:3260', chap: { user: 'vm-chap', usage: 'vmstore1-chap', secret: 'S3cret-value-16' } });
    const a = datastoreAttrs(i, driversFor('6.10.0').libvirt!);
    expect(renderTemplateText(a)).toBe(
      'NAME = "vmstore1"\nTYPE = "IMAGE_DS"\nDS_MAD = "iscsi_libvirt"\nTM_MAD = "iscsi_libvirt"\nDISK_TYPE = "ISCSI"\nISCSI_HOST = "203.0.113.11:3260"\nISCSI_USER = "vm-chap"\nISCSI_USAGE = "vmstore1-chap"\n',
    );
    expect(renderTemplateXml(a)).toBe(
      '<TEMPLATE><NAME>vmstore1</NAME><TYPE>IMAGE_DS</TYPE><DS_MAD>iscsi_libvirt</DS_MAD><TM_MAD>iscsi_libvirt</TM_MAD><DISK_TYPE>ISCSI</DISK_TYPE><ISCSI_HOST>203.0.113.11:3260</ISCSI_HOST><ISCSI_USER>vm-chap</ISCSI_USER><ISCSI_USAGE>vmstore1-chap</ISCSI_USAGE></TEMPLATE>',
    );
    // The CHAP secret is no template attribute.
    expect(renderTemplateText(a)).not.toContain('S3cret');
  });

  it('takes the old driver names on 5.0-5.4 and refuses a libvirt driver before 5.0', () => {
    expect(driversFor('5.4.1').libvirt).toEqual({ dsMad: 'iscsi', tmMad: 'iscsi' });
    expect(driversFor('4.4.0').libvirt).toBeNull();
    expect(driversFor('4.4.0').tgtLvm).toEqual({ dsMad: 'iscsi', tmMad: 'iscsi' });
    expect(driversFor('6.10.0').tgtLvm).toBeNull();
  });

  it('renders the tgt + LVM flavour with the 3.4 defaults and lists', () => {
    const i = DatastoreInputSchema.parse({ frontendId: 'fe1', flavour: 'tgt_lvm', name: 'tgt-ds', clusterId: -1, host: 'stor1', restrictedDirs: ['/etc', '/root'], noIscsi: ['stor1'] });
    const text = renderTemplateText(datastoreAttrs(i, { dsMad: 'iscsi', tmMad: 'iscsi' }));
    expect(text).toBe('NAME = "tgt-ds"\nDS_MAD = "iscsi"\nTM_MAD = "iscsi"\nDISK_TYPE = "block"\nHOST = "stor1"\nVG_NAME = "vg-one"\nBASE_IQN = "iqn.2012-02.org.opennebula"\nBASE_TID = "1"\nRESTRICTED_DIRS = "/etc /root"\nNO_ISCSI = "stor1"\n');
  });

  it('refuses bad names, portals, usage names and dotted VG names, naming the field', () => {
    const msgs = (v: unknown) => DatastoreInputSchema.safeParse(v).error?.issues.map((x) => x.message) ?? [];
    const base = { frontendId: 'fe1', flavour: 'iscsi_libvirt', name: 'x', clusterId: 0, iscsiHost: 'stor1' };
    expect(msgs({ ...base, name: 'two\nlines' })).toEqual(['name: remove line breaks, tabs and other control characters']);
    expect(msgs({ ...base, iscsiHost: '203.0.113.11 192.0.2.11' })[0]).toMatch(/^iscsiHost: give exactly one portal; libvirt/);
    expect(msgs({ ...base, iscsiHost: 'stor1:99999' })[0]).toMatch(/^iscsiHost: the port must be 1-65535/);
    expect(msgs({ ...base, chap: { user: 'u', usage: 'bad usage"', secret: 'x' } })[0]).toMatch(/^chap.usage: use 1-128 characters/);
    expect(msgs({ frontendId: 'fe1', flavour: 'tgt_lvm', name: 'x', clusterId: 0, host: 'stor1', vgName: 'vg.one' })[0]).toMatch(/^vgName: .*no dots/);
  });
});

describe('hostile values', () => {
  it('reach the parser as data in the XML form, byte for byte', () => {
    const i = DatastoreInputSchema.parse({ frontendId: 'fe1', flavour: 'iscsi_libvirt', name: 'n "x" ]=<&> é', description: HOSTILE, clusterId: 0, iscsiHost: 'stor1' });
    const xml = renderTemplateXml(datastoreAttrs(i, { dsMad: 'iscsi_libvirt', tmMad: 'iscsi_libvirt' }));
    // One TEMPLATE element, its children exactly our attributes (nothing injected).
    const doc = new XMLParser({ parseTagValue: false, trimValues: false }).parse(xml) as { TEMPLATE: Record<string, string> };
    expect(Object.keys(doc.TEMPLATE)).toEqual(['NAME', 'TYPE', 'DS_MAD', 'TM_MAD', 'DISK_TYPE', 'ISCSI_HOST', 'DESCRIPTION']);
    expect(doc.TEMPLATE.DESCRIPTION).toBe(HOSTILE);
    expect(doc.TEMPLATE.NAME).toBe('n "x" ]=<&> é');
    expect(parseTemplate(xml).get('DESCRIPTION')).toBe(HOSTILE);
  });

  it('are quoted in the text form so that oned\'s lexer reads them back unchanged', () => {
    expect(quoteTemplateValue('a"b\\c')).toBe('"a\\"b\\\\c"');
    const text = renderTemplateText([['NAME', 'x = "y" ]'], ['DESCRIPTION', HOSTILE], ['PATH', 'iqn.2026-12.org.example:t/1']]);
    const back = parseTemplate(text);
    expect([...back.keys()]).toEqual(['NAME', 'DESCRIPTION', 'PATH']);
    expect(back.get('DESCRIPTION')).toBe(HOSTILE);
    expect(back.get('NAME')).toBe('x = "y" ]');
  });

  it('refuses attribute names that are not [A-Z0-9_]+', () => {
    expect(() => renderTemplateXml([['NAME><X', 'v']])).toThrow(/not \[A-Z0-9_\]\+/);
  });
});

describe('images and the LUN-number rule', () => {
  it('writes PATH as IQN/LUN, persistent, with overrides', () => {
    const s = ImageSpecSchema.parse({ name: 'db-disk', iqn: 'iqn.2026-12.org.example:stor1:db', lun: 1, overrides: { iscsiHost: '192.0.2.11', iscsiUser: 'u2', iscsiUsage: 'db-chap', iscsiIqn: { iqn: 'iqn.2026-12.org.example:stor1:db2', lun: 2 } } });
    expect(renderTemplateText(imageAttrs(s))).toBe(
      'NAME = "db-disk"\nPATH = "iqn.2026-12.org.example:stor1:db/1"\nPERSISTENT = "YES"\nTYPE = "DATABLOCK"\nISCSI_HOST = "192.0.2.11"\nISCSI_USER = "u2"\nISCSI_USAGE = "db-chap"\nISCSI_IQN = "iqn.2026-12.org.example:stor1:db2/2"\n',
    );
  });

  it('never emits LUN 0 for tgt, nor a path without the suffix', () => {
    expect(lunNumberProblem(0, 'tgt')).toMatch(/^lun: LUN 0 of a tgt target is its controller/);
    expect(lunNumberProblem(0, 'lio')).toBeNull();
    expect(lunNumberProblem(1, 'tgt')).toBeNull();
    expect(() => imagePath('iqn.2026-12.org.example:t', 0)).toThrow(/controller/);
    expect(imagePath('iqn.2026-12.org.example:t', 3)).toBe('iqn.2026-12.org.example:t/3');
    const r = ImageSpecSchema.safeParse({ name: 'x', iqn: 'iqn.2026-12.org.example:t', lun: 0 });
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['lun: lun: LUN 0 of a tgt target is its controller, not a disk; tgt\'s disks start at LUN 1']);
    const o = ImageSpecSchema.safeParse({ name: 'x', iqn: 'iqn.2026-12.org.example:t', lun: 1, overrides: { iscsiIqn: { iqn: 'iqn.2026-12.org.example:t', lun: 0 } } });
    expect(o.error?.issues[0].message).toMatch(/^overrides.iscsiIqn.lun: LUN 0/);
  });

  it('reads PATH back as libvirt does: split at the first "/", no suffix = LUN 0', () => {
    expect(parseImagePath('iqn.2026-12.org.example:t/2')).toEqual({ iqn: 'iqn.2026-12.org.example:t', lun: 2, suffix: true });
    expect(parseImagePath('iqn.2026-12.org.example:t')).toEqual({ iqn: 'iqn.2026-12.org.example:t', lun: 0, suffix: false });
  });
});
