// Byte vectors captured against tgtd 1.0.85 (see shared reference iscsi-protocol.md §5, §8).
// Shared by the unit tests; kept as hex so they read like the captures.

export const hex = (s: string): Buffer => Buffer.from(s.replace(/[^0-9a-fA-F]/g, ''), 'hex');

/** §8.2 Login Request 1 of a discovery session (BHS only; text follows). */
export const LOGIN_REQ_1_BHS = hex(`
  43 81 00 00 00 00 00 54 80 12 34 56 00 00 00 00
  00 00 00 01 00 00 00 00 00 00 00 01 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00`);
export const LOGIN_REQ_1_TEXT = 'InitiatorName=iqn.2024-01.com.example:console\0SessionType=Discovery\0AuthMethod=None\0';

/** §8.2 Login Response 1 (39 bytes of text + 1 pad). */
export const LOGIN_RESP_1 = Buffer.concat([
  hex(`23 81 00 00 00 00 00 27 80 12 34 56 00 00 00 00 00 00 00 01 00 00 00 00
       00 00 00 00 00 00 00 01 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00`),
  Buffer.from('TargetPortalGroupTag=1\0AuthMethod=None\0', 'latin1'),
  hex('00'),
]);

/** §8.2 Login Request 2 header (CSG1 -> NSG3). */
export const LOGIN_REQ_2_BHS = hex(`
  43 87 00 00 00 00 00 42 80 12 34 56 00 00 00 00
  00 00 00 01 00 00 00 00 00 00 00 01 00 00 00 01
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00`);
export const LOGIN_REQ_2_TEXT = 'HeaderDigest=None\0DataDigest=None\0MaxRecvDataSegmentLength=262144\0';

/** §8.2 Text Request SendTargets=All. */
export const TEXT_REQ = Buffer.concat([
  hex(`44 80 00 00 00 00 00 10 00 00 00 00 00 00 00 00 00 00 00 02 ff ff ff ff
       00 00 00 01 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00`),
  Buffer.from('SendTargets=All\0', 'latin1'),
]);

/** §8.2 Logout Request. */
export const LOGOUT_REQ = hex(`
  46 80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 03 00 00 00 00
  00 00 00 01 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00`);

/** §5.5 REPORT LUNS data: LUNs 0, 1, 2, 300 (flat). */
export const REPORT_LUNS = hex(`
  00 00 00 20 00 00 00 00 00 00 00 00 00 00 00 00
  00 01 00 00 00 00 00 00 00 02 00 00 00 00 00 00
  41 2c 00 00 00 00 00 00`);

/** §5.6 standard INQUIRY of tgtd LUN 1. */
export const INQUIRY_LUN1 = hex(`
  00 00 05 12 3d 00 00 02 49 45 54 20 20 20 20 20
  56 49 52 54 55 41 4c 2d 44 49 53 4b 20 20 20 20
  30 30 30 31 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 04 c0 09 60 03 00
  00 00`);

/** §5.7 VPD 0x83 of tgtd tid 1 LUN 1. */
export const VPD83_LUN1 = hex(`
  00 83 00 48 02 01 00 24 49 45 54 20 20 20 20 20
  30 30 30 31 30 30 30 31 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 01 03 00 08
  30 00 00 01 00 00 00 01 01 03 00 10 60 00 00 00
  00 00 00 00 0e 00 00 00 00 01 00 01`);

/** §8.5 VPD 0x80: 30 spaces + beaf11. */
export const VPD80_LUN1 = Buffer.concat([hex('00 80 00 24'), Buffer.alloc(30, 0x20), Buffer.from('beaf11')]);

/** §8.5 VPD 0x00. */
export const VPD00 = hex('00 00 00 06 00 80 83 b0 b1 b2');

/** §5.9 READ CAPACITY(16) / (10) of a 1 GiB LUN. */
export const RC16_1G = Buffer.concat([hex('00 00 00 00 00 1f ff ff 00 00 02 00 00 03 00 00'), Buffer.alloc(16)]);
export const RC10_1G = hex('00 1f ff ff 00 00 02 00');

/** §5.8 unit attention sense (fixed format). */
export const UA_SENSE = hex('70 00 06 00 00 00 00 0a 00 00 00 00 29 00 00 00 00 00');

/** §4 SendTargets text, three targets. */
export const SENDTARGETS_TEXT =
  'TargetName=iqn.2024-01.test.ref:tgt1\0TargetAddress=127.0.0.1:3267,1\0' +
  'TargetName=iqn.2024-01.test.ref:tgt3-chap\0TargetAddress=127.0.0.1:3267,1\0' +
  'TargetName=iqn.2024-01.test.ref:tgt4-mutual\0TargetAddress=127.0.0.1:3267,1\0';
