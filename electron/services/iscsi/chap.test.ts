import { describe, expect, it } from 'vitest';
import { assertDistinctSecrets, chapResponse } from './chap';
import { decodeBinary, encodeBinary } from './text';
import { hex } from './vectors';

// §8.1 vectors: V1 accepted by tgtd, V2 computed by tgtd, V3-V5 synthetic.
describe('CHAP MD5 responses', () => {
  it('V1: one-way response tgtd accepted', () => {
    const c = hex('6628aa1ddbf904a28948d3db8557661e27a2b3ccd6780b6c34dd350a6abb27baad16a73898d4e2024b6f600aa39601cb6c7f');
    expect(c.length).toBe(50);
    expect(encodeBinary(chapResponse(1, 'chapsecret123', c))).toBe('0x060c5bed94262260d4573547d2a9224a');
  });
  it('V2: the mutual answer tgtd computed, hex and base64', () => {
    const r = chapResponse(66, 'tgtsecret456', hex('00112233445566778899aabbccddeeff'));
    expect(encodeBinary(r)).toBe('0xa3ce3fa5ad0bf73593a612788dd974ea');
    expect(encodeBinary(r, 'base64')).toBe('0bo84/pa0L9zWTphJ4jdl06g==');
    // tgtd's base64 challenge form decodes to the same bytes
    expect(decodeBinary('0bABEiM0RVZneImaq7zN3u/w==').equals(hex('00112233445566778899aabbccddeeff'))).toBe(true);
  });
  it('V3-V5 synthetic, including id 0 and id 255', () => {
    expect(encodeBinary(chapResponse(42, 'TargetSecret12', hex('000102030405060708090a0b0c0d0e0f')), 'base64')).toBe('0b0xR3syBtO4Wn0APaqRDm3w==');
    expect(encodeBinary(chapResponse(0, 'abcdefghijklmnop', Buffer.alloc(16)))).toBe('0x7cd06f214f477b78dca628e3ca6b5e26');
    expect(encodeBinary(chapResponse(255, 'secret1234567', hex('deadbeef'.repeat(4))))).toBe('0x4749a869843292c0ee14df6b5027b2dd');
  });
  it('refuses equal initiator and target secrets without echoing them', () => {
    expect(() => assertDistinctSecrets('samesecret123', 'samesecret123')).toThrow(/different secrets/);
    try {
      assertDistinctSecrets('samesecret123', 'samesecret123');
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('samesecret123');
    }
    expect(() => assertDistinctSecrets('a-secret-0001', 'b-secret-0002')).not.toThrow();
  });
  it('rejects identifiers outside one octet', () => {
    expect(() => chapResponse(256, 'x', Buffer.alloc(1))).toThrow(RangeError);
  });
});
