import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../../shared/features/dashboard';
import { tgtLunGuid } from '../targets/tgt/lun-guid';
import { allWarnings, capacityOf, chapSecretRule, confDriftRule, duplicateGuidRule, lowFreeSpaceRule, openToAllRule, overcommitRule, type ServerFacts, type TargetFacts } from './rules';

const GiB = 1024 ** 3;

function target(iqn: string, over: Partial<TargetFacts> = {}): TargetFacts {
  return { iqn, openToAll: false, chapUsers: [], persisted: 'in-sync', driftMessages: [], luns: [], chapSecretLengths: [], ...over };
}

function server(over: Partial<ServerFacts> = {}): ServerFacts {
  return {
    serverId: 's1', name: 'stor1', storageDir: '/srv/iscsi', targets: [], fileErrors: [],
    filesystem: { mount: '/srv', type: 'ext4', sizeBytes: 100 * GiB, availBytes: 60 * GiB }, filesystemError: null,
    thresholds: { ...DEFAULT_THRESHOLDS }, ...over,
  };
}

const lun = (n: number, path: string | null, apparent: number | null, allocated: number | null, scsiId = `portico-${path ?? n}`, guid: string | null = null) => ({ lun: n, path, apparentBytes: apparent, allocatedBytes: allocated, scsiId, guid });

describe('capacityOf', () => {
  it('sums the LUN files of the storage folder once each, sparse ones apart, and gives overcommit and free %', () => {
    const s = server({
      targets: [
        target('iqn.a', { luns: [lun(1, '/srv/iscsi/a.img', 80 * GiB, 10 * GiB), lun(2, '/srv/iscsi/b.img', 20 * GiB, 20 * GiB)] }),
        // the same file exported twice, and a device outside the folder: neither counts again
        target('iqn.b', { luns: [lun(1, '/srv/iscsi/a.img', 80 * GiB, 10 * GiB, 'x'), lun(2, '/dev/sdb', 500 * GiB, 500 * GiB)] }),
      ],
    });
    const c = capacityOf(s);
    expect(c).toMatchObject({ apparentBytes: 100 * GiB, allocatedBytes: 30 * GiB, sparseApparentBytes: 80 * GiB, sparseAllocatedBytes: 10 * GiB, sparseLuns: 1, overcommitPct: 100 });
    expect(c.filesystem!.freePct).toBe(60);
  });

  it('has no overcommit figure when the filesystem was not measured', () => {
    expect(capacityOf(server({ filesystem: null, filesystemError: 'df failed' }))).toMatchObject({ overcommitPct: null, filesystem: null, filesystemError: 'df failed' });
  });
});

describe('overcommitRule', () => {
  const big = (over: Partial<ServerFacts> = {}) => server({ targets: [target('iqn.a', { luns: [lun(1, '/srv/iscsi/a.img', 150 * GiB, 1 * GiB)] })], ...over });
  it('warns above the server threshold, naming the figures', () => {
    const [w] = overcommitRule(big());
    expect(w).toMatchObject({ code: 'overcommit', severity: 'error', serverId: 's1', link: { page: 'targets', params: ['s1'] } });
    expect(w.message).toContain('150%');
    expect(w.message).toContain('threshold of 100%');
  });
  it('follows the edited threshold', () => {
    expect(overcommitRule(big({ thresholds: { overcommitPct: 200, minFreePct: 10 } }))).toEqual([]);
    expect(overcommitRule(server({ targets: [target('iqn.a', { luns: [lun(1, '/srv/iscsi/a.img', 5 * GiB, 0)] })], thresholds: { overcommitPct: 1, minFreePct: 10 } }))[0].severity).toBe('warning');
  });
  it('says nothing at or under the threshold', () => {
    expect(overcommitRule(server({ targets: [target('iqn.a', { luns: [lun(1, '/srv/iscsi/a.img', 100 * GiB, 0)] })] }))).toEqual([]);
  });
});

describe('lowFreeSpaceRule', () => {
  const low = { mount: '/srv', type: 'xfs', sizeBytes: 100 * GiB, availBytes: 5 * GiB };
  it('warns under N % free on a filesystem holding sparse LUNs', () => {
    const [w] = lowFreeSpaceRule(server({ filesystem: low, targets: [target('iqn.a', { luns: [lun(1, '/srv/iscsi/a.img', 50 * GiB, 2 * GiB)] })] }));
    expect(w.code).toBe('low-free-space');
    expect(w.message).toContain('5%');
    expect(w.message).toContain('under 10%');
  });
  it('is quiet without sparse LUNs, or above the minimum', () => {
    expect(lowFreeSpaceRule(server({ filesystem: low, targets: [target('iqn.a', { luns: [lun(1, '/srv/iscsi/a.img', 50 * GiB, 50 * GiB)] })] }))).toEqual([]);
    expect(lowFreeSpaceRule(server({ targets: [target('iqn.a', { luns: [lun(1, '/srv/iscsi/a.img', 50 * GiB, 2 * GiB)] })] }))).toEqual([]);
  });
});

describe('duplicateGuidRule', () => {
  it('flags one SCSI ID on two targets across servers, linking to the first', () => {
    const a = server({ targets: [target('iqn.a', { luns: [lun(1, '/srv/iscsi/a.img', 1, 1, 'IET 00010001')] })] });
    const b = server({ serverId: 's2', name: 'stor2', targets: [target('iqn.b', { luns: [lun(1, '/srv/iscsi/b.img', 1, 1, 'IET 00010001')] })] });
    const [w] = duplicateGuidRule([a, b]);
    expect(w).toMatchObject({ code: 'duplicate-guid', serverId: 's1', iqn: 'iqn.a', link: { page: 'targets', params: ['s1', 'iqn.a'] } });
    expect(w.message).toContain('iqn.b LUN 1 on stor2');
  });
  it('flags two different SCSI IDs that give hosts one GUID (tgt reads only their hex digits)', () => {
    // As the dashboard derives them (overview.ts): "vol-x" and "vol-y" have no hex digit, so tgt's NAA-6 designator is the same.
    const gx = tgtLunGuid({ scsiId: 'vol-x', tid: 1, lun: 1 });
    const gy = tgtLunGuid({ scsiId: 'vol-y', tid: 2, lun: 1 });
    expect(gx).not.toBeNull();
    expect(gx).toBe(gy);
    const a = server({ targets: [target('iqn.a', { luns: [lun(1, '/x', 1, 1, 'vol-x', gx)] }), target('iqn.b', { luns: [lun(1, '/y', 1, 1, 'vol-y', gy)] })] });
    const [w] = duplicateGuidRule([a]);
    expect(w.message).toContain(`Device GUID ${gx}`);
    expect(w.message).toContain('from the different SCSI IDs "vol-x", "vol-y"');
    expect(w.message).toContain('iqn.b LUN 1 on');
    const ok = server({ targets: [target('iqn.a', { luns: [lun(1, '/x', 1, 1, 'a1', tgtLunGuid({ scsiId: 'a1', tid: 1, lun: 1 }))] }), target('iqn.b', { luns: [lun(1, '/y', 1, 1, 'b2', tgtLunGuid({ scsiId: 'b2', tid: 2, lun: 1 }))] })] });
    expect(duplicateGuidRule([ok])).toEqual([]);
  });
  it('does not flag distinct identifiers', () => {
    const a = server({ targets: [target('iqn.a', { luns: [lun(1, '/x', 1, 1, 'portico-1'), lun(2, '/y', 1, 1, 'portico-2')] })] });
    expect(duplicateGuidRule([a])).toEqual([]);
  });
});

describe('openToAllRule', () => {
  it('is an error without CHAP and a warning with it; closed targets are fine', () => {
    const s = server({ targets: [target('iqn.open', { openToAll: true }), target('iqn.chap', { openToAll: true, chapUsers: ['u'] }), target('iqn.closed')] });
    expect(openToAllRule(s).map((w) => [w.iqn, w.severity])).toEqual([['iqn.open', 'error'], ['iqn.chap', 'warning']]);
  });
});

describe('chapSecretRule', () => {
  it('flags a stored secret under 12 characters, never showing it', () => {
    const [w] = chapSecretRule(server({ targets: [target('iqn.a', { chapUsers: ['u1'], chapSecretLengths: [{ user: 'u1', length: 8 }] })] }));
    expect(w).toMatchObject({ code: 'short-chap-secret', iqn: 'iqn.a' });
    expect(w.message).toContain('u1 (8 characters)');
  });
  it('passes 12 characters and says unknown for targets no conf file defines', () => {
    expect(chapSecretRule(server({ targets: [target('iqn.a', { chapUsers: ['u1'], chapSecretLengths: [{ user: 'u1', length: 12 }] })] }))).toEqual([]);
    const [w] = chapSecretRule(server({ targets: [target('iqn.b', { chapUsers: ['u2'], chapSecretLengths: null })] }));
    expect(w).toMatchObject({ code: 'chap-secret-unknown', severity: 'info' });
    expect(w.message).toContain('unknown');
  });
  it('ignores targets without CHAP', () => {
    expect(chapSecretRule(server({ targets: [target('iqn.a', { chapSecretLengths: null })] }))).toEqual([]);
  });
});

describe('confDriftRule', () => {
  it('names each drifted target with its differences, and unreadable files', () => {
    const s = server({
      targets: [target('iqn.a', { persisted: 'drift', driftMessages: ['LUN 1 is read-only in the file'] }), target('iqn.b', { persisted: 'not-persisted' }), target('iqn.c')],
      fileErrors: [{ file: '/etc/tgt/conf.d/x.conf', error: 'line 3: unknown directive' }],
    });
    const ws = confDriftRule(s);
    expect(ws.map((w) => w.iqn)).toEqual(['iqn.a', 'iqn.b', null]);
    expect(ws[0].message).toContain('LUN 1 is read-only in the file');
    expect(ws[1].message).toContain('no conf file');
    expect(ws[0].link).toEqual({ page: 'targets', params: ['s1', 'iqn.a'] });
  });
});

describe('allWarnings', () => {
  it('puts errors first', () => {
    const s = server({ targets: [target('iqn.d', { persisted: 'drift' }), target('iqn.o', { openToAll: true })] });
    expect(allWarnings([s]).map((w) => w.severity)).toEqual(['error', 'warning']);
  });
});
