import { describe, expect, it } from 'vitest';
import {
  cdbInquiry, cdbInquiryVpd, cdbReadCapacity16, cdbReportLuns, decodeLun, encodeLun, parseReadCapacity10, parseReadCapacity16,
  parseReportLuns, parseSense, parseStandardInquiry, parseVpd83, parseVpdSerial, parseVpdSupportedPages,
} from './scsi';
import { deriveGuid, duplicateGuidWarnings, udevSanitize } from './guid';
import { hex, INQUIRY_LUN1, RC10_1G, RC16_1G, REPORT_LUNS, UA_SENSE, VPD00, VPD80_LUN1, VPD83_LUN1 } from './vectors';

describe('CDBs and LUN addressing', () => {
  it('builds the CDBs of §5.2', () => {
    expect(cdbInquiry(96).toString('hex')).toBe('120000006000');
    expect(cdbInquiryVpd(0x83, 255).toString('hex')).toBe('12018300ff00');
    expect(cdbReportLuns(4096).toString('hex')).toBe('a00000000000000010000000');
    expect(cdbReadCapacity16().toString('hex')).toBe('9e100000000000000000000000200000');
  });
  it('uses flat addressing above 255 (LUN 300 = 41 2c)', () => {
    expect(encodeLun(1).toString('hex')).toBe('0001000000000000');
    expect(encodeLun(300).toString('hex')).toBe('412c000000000000');
    expect(decodeLun(hex('41 2c 00 00 00 00 00 00')).lun).toBe(300);
    expect(decodeLun(hex('c1 2c 00 00 00 00 00 00'))).toEqual({ raw: 'c12c000000000000', method: 3 });
    expect(() => encodeLun(16384)).toThrow();
  });
});

describe('REPORT LUNS / INQUIRY / READ CAPACITY captures', () => {
  it('parses REPORT LUNS with LUNs 0, 1, 2, 300', () => {
    const r = parseReportLuns(REPORT_LUNS);
    expect(r.luns.map((l) => l.lun)).toEqual([0, 1, 2, 300]);
    expect(r.needed).toBe(40);
  });
  it('reports a truncated REPORT LUNS list (alloc 16 gave length 32 but one entry)', () => {
    const r = parseReportLuns(REPORT_LUNS.subarray(0, 16));
    expect(r.luns.length).toBe(1);
    expect(r.total).toBe(4);
    expect(r.needed).toBe(40);
  });
  it('parses standard INQUIRY of a tgtd disk', () => {
    const i = parseStandardInquiry(INQUIRY_LUN1);
    expect(i).toMatchObject({ deviceType: 0, deviceTypeName: 'disk', present: true, vendor: 'IET', product: 'VIRTUAL-DISK', revision: '0001', version: 5, hiSup: true, cmdQue: true, removable: false });
    expect(i.vendorRaw).toBe('IET     ');
    expect(i.needed).toBe(66);
  });
  it('byte 0 0x7f means no LU', () => {
    const d = Buffer.from(INQUIRY_LUN1);
    d[0] = 0x7f;
    expect(parseStandardInquiry(d).present).toBe(false);
  });
  it('parses VPD 0x00 and 0x80', () => {
    expect(parseVpdSupportedPages(VPD00)).toEqual([0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2]);
    expect(parseVpdSerial(VPD80_LUN1)).toBe('beaf11');
    expect(() => parseVpdSerial(VPD00)).toThrow(/asked for VPD page 0x80/);
  });
  it('parses READ CAPACITY(16) and (10) of a 1 GiB LUN', () => {
    expect(parseReadCapacity16(RC16_1G)).toMatchObject({ blocks: 2097152n, blockSize: 512, sizeBytes: 1073741824n, physicalBlockSize: 4096, thinProvisioned: false });
    expect(parseReadCapacity10(RC10_1G)).toMatchObject({ sizeBytes: 1073741824n, lastLbaSaturated: false });
  });
  it('decodes fixed and descriptor sense', () => {
    expect(parseSense(UA_SENSE)).toMatchObject({ key: 6, asc: 0x29, ascq: 0, description: 'UNIT ATTENTION: power on, reset, or bus device reset occurred (29/00)' });
    expect(parseSense(hex('72 05 24 00 00 00 00 00'))).toMatchObject({ descriptorFormat: true, key: 5, asc: 0x24, description: 'ILLEGAL REQUEST: invalid field in CDB (24/00)' });
    expect(parseSense(hex('70 00 05 00 00 00 00 0a 00 00 00 00 25 00'))?.description).toBe('ILLEGAL REQUEST: logical unit not supported (25/00)');
    expect(parseSense(hex('00'))).toBeUndefined();
  });
});

describe('VPD 0x83 and the Linux/oVirt GUID (§6)', () => {
  const std = parseStandardInquiry(INQUIRY_LUN1);
  const ds = parseVpd83(VPD83_LUN1);
  const guidOf = (designators = ds) => deriveGuid({ designators, vendorRaw: std.vendorRaw, productRaw: std.productRaw, serial: 'beaf11', rawPage: VPD83_LUN1 });

  it('walks the three captured descriptors', () => {
    expect(ds.map((d) => [d.typeName, d.codeSet, d.association, d.value.length])).toEqual([['t10', 2, 0, 36], ['naa', 1, 0, 8], ['naa', 1, 0, 16]]);
    expect(ds[0].text).toBe('IET     00010001');
    expect(ds[1].naaType).toBe(3);
    expect(ds[2].text).toBe('60000000000000000e00000000010001');
  });
  it('current tgt: NAA 6 wins everywhere', () => {
    expect(guidOf()).toEqual({ guid: '360000000000000000e00000000010001', alsoKnownAs: [] });
  });
  it('tgt 1.0.37-1.0.45 (T10 + NAA 3): scsi_id gives 33000000100000001, sg3/multipath the T10 form', () => {
    expect(guidOf(ds.slice(0, 2))).toEqual({ guid: '33000000100000001', alsoKnownAs: ['1IET_00010001'] });
  });
  it('tgt < 1.0.37 (T10 only): 1IET_00010001', () => {
    expect(guidOf(ds.slice(0, 1)).guid).toBe('1IET_00010001');
  });
  it('no page 0x83 designators: S + vendor + product + serial', () => {
    expect(guidOf([]).guid).toBe('SIET_VIRTUAL-DISK_beaf11');
  });
  it('ignores target-port designators', () => {
    const tp = { ...ds[2], association: 1 };
    expect(guidOf([ds[0], tp]).guid).toBe('1IET_00010001');
  });
  it('LUN 300 vector', () => {
    const page = Buffer.from(VPD83_LUN1);
    page.write('0001012c', 16, 'latin1');
    page.writeUInt32BE(0x12c, 52); // NAA 3 low word
    page.writeUInt32BE(0x0001012c, 72); // NAA 6 tail
    const d = parseVpd83(page);
    expect(d[1].text).toBe('300000010000012c');
    expect(deriveGuid({ designators: d, vendorRaw: std.vendorRaw, productRaw: std.productRaw }).guid).toBe('360000000000000000e0000000001012c');
  });
  it('udev whitespace replacement', () => {
    expect(udevSanitize('  IET     00010001  ')).toBe('IET_00010001');
  });
  it('stops at a truncated descriptor', () => {
    expect(parseVpd83(VPD83_LUN1.subarray(0, 60)).length).toBe(2);
  });
});

describe('duplicate GUID warnings', () => {
  const g = '360000000000000000e00000000010001';
  it('flags one GUID on two targets (two tgtd servers with default ids)', () => {
    const w = duplicateGuidWarnings([
      { guid: g, targetName: 'iqn.2024-01.a:t1', lun: 1, portal: '10.0.0.1:3260' },
      { guid: g, targetName: 'iqn.2024-01.b:t1', lun: 1, portal: '10.0.0.2:3260' },
    ]);
    expect(w).toHaveLength(1);
    expect(w[0].message).toMatch(/unique scsi_id/);
  });
  it('counts LUNs, not paths: one LUN seen through two portals is named once with both', () => {
    const w = duplicateGuidWarnings([
      { guid: g, targetName: 'iqn.x:a', lun: 1, portal: '10.0.0.1:3260', server: 'stor1' },
      { guid: g, targetName: 'iqn.x:a', lun: 1, portal: '10.0.1.1:3260', server: 'stor1' },
      { guid: g, targetName: 'iqn.x:b', lun: 1, portal: '10.0.0.2:3260', server: 'stor2' },
    ]);
    expect(w[0].message).toContain('reported by 2 different LUNs: iqn.x:a LUN 1 (stor1, via 10.0.0.1:3260, 10.0.1.1:3260); iqn.x:b LUN 1 (stor2, via 10.0.0.2:3260)');
  });
  it('flags the same target name on two servers', () => {
    expect(duplicateGuidWarnings([
      { guid: g, targetName: 'iqn.x:t', lun: 1, portal: '10.0.0.1:3260', server: 'stor1' },
      { guid: g, targetName: 'iqn.x:t', lun: 1, portal: '10.0.0.2:3260', server: 'stor2' },
    ])).toHaveLength(1);
  });
  it('does not flag one LUN seen through two portals of one server (multipath)', () => {
    expect(duplicateGuidWarnings([
      { guid: g, targetName: 'iqn.x:t', lun: 1, portal: '10.0.0.1:3260', server: 'stor1' },
      { guid: g, targetName: 'iqn.x:t', lun: 1, portal: '10.0.1.1:3260', server: 'stor1' },
      { guid: undefined, targetName: 'iqn.x:t', lun: 2, portal: '10.0.1.1:3260' },
    ])).toEqual([]);
  });
});
