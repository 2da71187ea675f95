import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, escapeHeader, parseHeartBeat, StompParser, StompProtocolError, unescapeHeader, type StompEvent } from './stomp';

const frames = (evs: StompEvent[]) => evs.filter((e) => e.kind === 'frame').map((e) => (e.kind === 'frame' ? e.frame : null)!);

describe('STOMP codec', () => {
  it('encodes a SEND with content-length and a trailing NUL', () => {
    const buf = encodeFrame('SEND', { destination: 'jms.topic.vdsm_requests', 'reply-to': 'r1' }, '{"a":1}');
    expect(buf.toString()).toBe('SEND\ndestination:jms.topic.vdsm_requests\nreply-to:r1\ncontent-length:7\n\n{"a":1}\0');
  });

  it('does not escape CONNECT headers but escapes others', () => {
    expect(encodeFrame('CONNECT', { 'accept-version': '1.2', host: 'a:b' }).toString()).toContain('host:a:b\n');
    expect(encodeFrame('SEND', { x: 'a:b\nc\\' }).toString()).toContain('x:a\\cb\\nc\\\\\n');
  });

  it('round-trips header escaping and rejects a raw colon or bad escape', () => {
    expect(unescapeHeader(escapeHeader('a:b\r\n\\c'))).toBe('a:b\r\n\\c');
    expect(() => unescapeHeader('a:b')).toThrow(StompProtocolError);
    expect(() => unescapeHeader('a\\tb')).toThrow(StompProtocolError);
  });

  it('parses several frames and heartbeats in one chunk', () => {
    const p = new StompParser();
    const chunk = Buffer.concat([Buffer.from('\n'), encodeFrame('CONNECTED', { version: '1.2' }), Buffer.from('\n\r\n'), encodeFrame('MESSAGE', { destination: 'd' }, 'x'), Buffer.from('\n')]);
    const evs = p.push(chunk);
    expect(evs.map((e) => (e.kind === 'frame' ? e.frame.command : 'hb'))).toEqual(['hb', 'CONNECTED', 'hb', 'hb', 'MESSAGE', 'hb']);
    expect(p.pending).toBe(0);
  });

  it('reads a body containing NUL by content-length, and a body without length up to the NUL', () => {
    const p = new StompParser();
    const body = Buffer.from([0x61, 0x00, 0x62]);
    const [f1] = frames(p.push(encodeFrame('MESSAGE', {}, body)));
    expect(f1.body).toEqual(body);
    const [f2] = frames(p.push(Buffer.from('MESSAGE\nk:v\n\nhello\0')));
    expect(f2.body.toString()).toBe('hello');
    expect(f2.headers.k).toBe('v');
  });

  it('keeps the first of duplicate headers and tolerates CRLF lines', () => {
    const [f] = frames(new StompParser().push(Buffer.from('MESSAGE\r\nk:1\r\nk:2\r\n\r\nb\0')));
    expect(f.headers.k).toBe('1');
    expect(f.body.toString()).toBe('b');
  });

  it('fails on a body not followed by NUL and on a bad command line', () => {
    expect(() => new StompParser().push(Buffer.from('MESSAGE\ncontent-length:1\n\nab\0'))).toThrow(/NUL/);
    expect(() => new StompParser().push(Buffer.from('hello there\n\n\0'))).toThrow(/command/);
  });

  it('property: any split of a frame stream yields the same frames', () => {
    const frameArb = fc.record({
      cmd: fc.constantFrom('MESSAGE', 'SEND', 'ERROR', 'RECEIPT'),
      headers: fc.dictionary(fc.stringMatching(/^[a-z-]{1,8}$/), fc.string({ maxLength: 12 }), { maxKeys: 3 }),
      body: fc.uint8Array({ maxLength: 40 }),
      hb: fc.nat(2),
    });
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(400), { maxLength: 8 }), (fs, cuts) => {
        const stream = Buffer.concat(fs.map((f) => Buffer.concat([Buffer.from('\n'.repeat(f.hb)), encodeFrame(f.cmd, f.headers, Buffer.from(f.body))])));
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const p = new StompParser();
        const got: StompEvent[] = [];
        let prev = 0;
        for (const c of [...points, stream.length]) {
          got.push(...p.push(stream.subarray(prev, c)));
          prev = c;
        }
        const fr = frames(got);
        expect(fr.map((f) => f.command)).toEqual(fs.map((f) => f.cmd));
        fr.forEach((f, i) => {
          expect(Buffer.compare(f.body, Buffer.from(fs[i].body))).toBe(0);
          for (const [k, v] of Object.entries(fs[i].headers)) if (k !== 'content-length') expect(f.headers[k]).toBe(v);
        });
        expect(got.filter((e) => e.kind === 'heartbeat').length).toBe(fs.reduce((n, f) => n + f.hb, 0));
      }),
      { numRuns: 200 },
    );
  });

  it('parses heart-beat headers', () => {
    expect(parseHeartBeat('0,24000')).toEqual([0, 24000]);
    expect(parseHeartBeat(undefined)).toEqual([0, 0]);
    expect(parseHeartBeat('x')).toEqual([0, 0]);
  });
});
