import { describe, expect, it } from 'vitest';
import type { JobState, JobView } from '../../../shared/plan';
import { JobStateSchema } from '../../../shared/plan';
import {
  EXPIRED_LABEL, canResume, expiryText, formatFound, interruptedBannerText, interruptedJobs, jobStateLabel, jobSummary, needsAttention, planGate,
  rollbackSource, sortForAttention,
} from './job-words';

function job(state: JobState, patch: Partial<JobView> = {}): JobView {
  return {
    id: `j-${state}`, planId: 'p', kind: 'tgt.target.create', title: `Create target (${state})`, state, error: null,
    startedAt: '2026-11-01T10:00:00Z', finishedAt: null,
    steps: [
      { index: 0, title: 'Create file', command: 'truncate', state: 'done', message: null },
      { index: 1, title: 'Create target', command: 'tgtadm', state: 'pending', message: null },
    ],
    verification: null, leftover: [], parentJobId: null, recoverable: ['interrupted', 'rollback-failed', 'verification-failed'].includes(state),
    ...patch,
  };
}

describe('job state words', () => {
  it('has a label and a summary for every state', () => {
    for (const s of JobStateSchema.options) {
      expect(jobStateLabel(s)).toMatch(/\w/);
      expect(jobSummary(job(s)).title).toMatch(/\w/);
    }
  });

  it('succeeded keeps the "All N steps done" wording the wizards show', () => {
    expect(jobSummary(job('succeeded', { verification: { ok: true, reason: null } }))).toMatchObject({ severity: 'success', title: 'All 2 steps done.' });
  });

  it('verification-failed says it was applied, why the read-back disagrees', () => {
    const s = jobSummary(job('verification-failed', { verification: { ok: false, reason: 'LUN 1 is 0 bytes', found: { lun: 1, size: 0 } } }));
    expect(s.severity).toBe('error');
    expect(s.title).toBe('Applied, but the read-back disagrees with the plan: LUN 1 is 0 bytes.');
    expect(formatFound({ lun: 1, size: 0 })).toContain('"size": 0');
    expect(formatFound('as text')).toBe('as text');
    expect(formatFound(undefined)).toBeNull();
  });

  it('failed says it was rolled back; rollback-failed points at what is left', () => {
    const f = jobSummary(job('failed', { error: 'Step 2 failed: boom. Everything it had done was undone.', steps: [{ index: 0, title: 'a', command: 'a', state: 'undone', message: null }] }));
    expect(f.title).toContain('Everything it had done was undone');
    expect(f.lines[0]).toMatch(/^Rolled back: 1 step undone/);
    const r = jobSummary(job('rollback-failed', { error: 'Step 2 failed: boom. Rollback incomplete: on stor1: rm -f /srv/x — denied', leftover: ['on stor1: rm -f /srv/x — denied'] }));
    expect(r.title).toMatch(/rollback is incomplete/);
    expect(r.lines[0]).toBe('Step 2 failed: boom.');
  });

  it('rolled-back names the rollback job by what people see, not its id', () => {
    const s = jobSummary(job('rolled-back', { error: 'Rolled back by job fba7c7d4-f839-400d-bc70-3df257f8efc7.' }));
    expect(s.lines.join(' ')).not.toContain('fba7c7d4');
    expect(s.lines[0]).toContain('"Roll back …"');
    expect(jobSummary(job('succeeded', { parentJobId: 'x' })).lines[0]).toMatch(/rollback is complete/);
  });

  it('interrupted counts the steps in doubt and says nothing changed at start', () => {
    const s = jobSummary(job('interrupted', { steps: [{ index: 0, title: 'a', command: 'a', state: 'in-doubt', message: 'x' }] }));
    expect(s.lines[0]).toMatch(/^1 step is in doubt/);
    expect(s.lines[1]).toMatch(/Nothing was changed on any server at start/);
  });
});

describe('which jobs need the admin', () => {
  it('lists interrupted first, then incomplete rollbacks and unverified jobs, then the rest in order', () => {
    const list = [job('succeeded', { id: 'a' }), job('verification-failed', { id: 'b' }), job('interrupted', { id: 'c' }), job('failed', { id: 'd' }), job('rollback-failed', { id: 'e' })];
    expect(sortForAttention(list).map((j) => j.id)).toEqual(['c', 'e', 'b', 'a', 'd']);
    expect(interruptedJobs(list).map((j) => j.id)).toEqual(['c']);
    expect(interruptedJobs(undefined)).toEqual([]);
  });

  it('a rollback job that stopped half-way is finished from the job it rolled back', () => {
    const child = job('rollback-failed', { id: 'rb', parentJobId: 'orig', recoverable: false });
    expect(rollbackSource(child)).toBe('orig');
    expect(needsAttention(child)).toBe(false);
    expect(rollbackSource(job('interrupted'))).toBe('j-interrupted');
    expect(rollbackSource(job('succeeded'))).toBeNull();
    expect(rollbackSource(job('running'))).toBeNull();
    expect(canResume(job('interrupted'))).toBe(true);
    expect(canResume(job('verification-failed'))).toBe(false);
  });

  it('the banner counts in good English', () => {
    expect(interruptedBannerText(1)).toBe('1 job was interrupted when the console stopped.');
    expect(interruptedBannerText(3)).toBe('3 jobs were interrupted when the console stopped.');
  });
});

describe('plan gate', () => {
  const now = Date.parse('2026-11-01T10:00:00Z');
  const later = '2026-11-01T10:29:30Z';
  it('a plain plan may be applied until it expires', () => {
    expect(planGate({ dangers: [], expiresAt: later }, false, now)).toEqual({ expired: false, needsConfirm: false, canApply: true, blocked: null });
    const g = planGate({ dangers: [], expiresAt: later }, false, Date.parse(later));
    expect(g).toMatchObject({ expired: true, canApply: false });
    expect(g.blocked).toBe(`${EXPIRED_LABEL}.`);
  });
  it('a plan that lowers protection needs the box ticked', () => {
    expect(planGate({ dangers: ['Removes CHAP'], expiresAt: later }, false, now)).toMatchObject({ needsConfirm: true, canApply: false });
    expect(planGate({ dangers: ['Removes CHAP'], expiresAt: later }, true, now)).toMatchObject({ needsConfirm: false, canApply: true });
  });
  it('says how long main keeps the plan', () => {
    expect(expiryText(later, now, 'en-GB')).toMatch(/^until \d\d:\d\d \(29 min left\)$/);
    expect(expiryText(later, Date.parse(later) - 20_000, 'en-GB')).toMatch(/less than a minute left/);
    expect(expiryText(later, Date.parse(later) + 1, 'en-GB')).toMatch(/^expired at /);
  });
});
