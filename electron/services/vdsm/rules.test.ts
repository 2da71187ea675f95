// Pure rules of the VDSM protocol library: error words and discovery parsing.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { describeCode, noLunsMessage, VDSM_CODES } from './errors';
import { groupTargets, parseSendTargets } from './api';

describe('error words', () => {
  it('maps every code of the reference table (section 3) to a message and a next step', () => {
    // The reference folder sits beside the repo (../shared), as on CI.
    const ref = fileURLToPath(new URL('../../../../shared/reference/ovirt-vdsm.md', import.meta.url));
    const codes = new Set<number>([0, 99, 100, 200, 302, 304, 309, 323, 324, 327, 351, 358, 361, 365, 379, 387, 401, 402, 403, 450, 451, 454, 461, 462, 463, 464, 465, 467, 468, 472, 473, 474, 475, 476, 477, 478, 479, 500, 502, 504, 505, 506, 515, 517, 518, 600, 601, 606, 607, 613, 614, 621, 650, 651, 654, 656, 661, 700, 1000, -32700, -32600, -32601, -32602, -32603, -32604, -32605]);
    if (existsSync(ref)) {
      const md = readFileSync(ref, 'utf8');
      const table = md.slice(md.indexOf('## 3. VDSM error/status codes'), md.indexOf('## 4.'));
      for (const m of table.matchAll(/^\| \**(\d+)(?:\s*\/\s*(\d+))?(?:\s*\/\s*(\d+))?(?:-(\d+))?\**\s*\|/gm)) {
        const a = Number(m[1]);
        const hi = m[4] ? Number(m[4]) : a;
        for (let c = a; c <= hi; c++) codes.add(c);
        if (m[2]) codes.add(Number(m[2]));
        if (m[3]) codes.add(Number(m[3]));
      }
    }
    for (const c of codes) {
      const i = VDSM_CODES.get(c);
      expect(i, `code ${c}`).toBeDefined();
      expect(i!.message.length).toBeGreaterThan(5);
      expect(i!.nextStep.length).toBeGreaterThan(5);
    }
  });

  it('says what to check for the iSCSI codes the wizard meets', () => {
    expect(describeCode(465).nextStep).toMatch(/ACL/);
    expect(describeCode(465).nextStep).toMatch(/CHAP/);
    expect(describeCode(465).nextStep).toMatch(/portal/);
    expect(describeCode(476).message).toMatch(/CHAP/);
    expect(describeCode(475).message).toMatch(/discovery/i);
    expect(describeCode(99).nextStep).toMatch(/retries automatically/);
    expect(describeCode(12345).message).toMatch(/12345/);
    const n = noLunsMessage('iqn.t:1', 'iqn.1994-05.com.redhat:hv1');
    expect(n.message).toMatch(/ACL/);
    expect(n.nextStep).toContain('iqn.1994-05.com.redhat:hv1');
  });
});

describe('discovery parsing', () => {
  it('parses ip:port,tpgt iqn with IPv6, de-duplicates, groups by IQN and TPGT', () => {
    const p = parseSendTargets(['10.0.0.1:3260,1 iqn.t:a', '10.0.1.1:3260,1 iqn.t:a', '10.0.0.1:3260,1 iqn.t:a', '[fd00::1]:3260,1034 iqn.t:a', 'garbage']);
    expect(p).toHaveLength(3);
    expect(p[2]).toEqual({ address: 'fd00::1', port: 3260, tpgt: '1034', iqn: 'iqn.t:a' });
    const g = groupTargets(p);
    expect(g).toEqual([
      { iqn: 'iqn.t:a', tpgt: '1', portals: [{ address: '10.0.0.1', port: 3260 }, { address: '10.0.1.1', port: 3260 }] },
      { iqn: 'iqn.t:a', tpgt: '1034', portals: [{ address: 'fd00::1', port: 3260 }] },
    ]);
  });
});
