import { describe, expect, it } from 'vitest';
import type { IscsiSurveyResult } from '../../../../../shared/domain/iscsi';
import { pathsOf, pathsSentence } from './paths-words';

const IQN = 'iqn.2026-12.com.example:stor1:first';
const ok = (portal: string, targetName = IQN) => ({ ok: true as const, portal, authentication: 'none' as const, targets: [{ ok: true as const, portal, targetName, initiatorName: 'iqn.hv1', isid: '0', authentication: 'none' as const, luns: [] }] });

describe('path check in words', () => {
  it('says all portals when every login went through', () => {
    const r: IscsiSurveyResult = { portals: [ok('203.0.113.11:3260'), ok('192.0.2.11:3260')], guidWarnings: [], elapsedMs: 5 };
    const h = pathsOf('hv1', IQN, r);
    expect(h).toEqual({ host: 'hv1', ok: ['203.0.113.11:3260', '192.0.2.11:3260'], failed: [] });
    expect(pathsSentence(h)).toBe('hv1 logs in through all 2 portal(s) (203.0.113.11:3260, 192.0.2.11:3260).');
  });
  it('names each failed portal and why: no answer, target not offered, login refused', () => {
    const r: IscsiSurveyResult = {
      portals: [
        ok('203.0.113.11:3260'),
        { ok: false, portal: '192.0.2.11:3260', error: { code: 'timeout', message: 'no answer within 3 s' } },
        ok('198.51.100.11:3260', 'iqn.other'),
        { ok: true, portal: '10.0.0.1:3260', authentication: 'none', targets: [{ ok: false, targetName: IQN, error: { code: 'auth', message: 'login refused: authorization failure' } }] },
      ],
      guidWarnings: [], elapsedMs: 5,
    };
    const s = pathsSentence(pathsOf('hv2', IQN, r));
    expect(s).toMatch(/^hv2 logs in through 1 of 4 portals \(203\.0\.113\.11:3260\); /);
    expect(s).toContain('192.0.2.11:3260: no answer within 3 s');
    expect(s).toContain('198.51.100.11:3260: discovery does not offer this target');
    expect(s).toContain('10.0.0.1:3260: login refused: authorization failure');
  });
  it('says none when nothing went through', () => {
    const r: IscsiSurveyResult = { portals: [{ ok: false, portal: '192.0.2.11:3260', error: { code: 'x', message: 'refused' } }], guidWarnings: [], elapsedMs: 1 };
    expect(pathsSentence(pathsOf('hv1', IQN, r))).toBe('hv1 cannot log in through any of the 1 portal(s); 192.0.2.11:3260: refused.');
  });
});
