import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../db';
import { emptySetupProgress, parseHostList, SetupProgressSchema } from '../../../shared/features/setup';
import { SetupStore } from './setup-store';
import { ThresholdStore } from './thresholds';

describe('SetupStore', () => {
  it('keeps the step and what each step produced across a reopen of the database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-setup-'));
    try {
      const file = join(dir, 'portico.sqlite');
      const db = openDb(file);
      const store = new SetupStore(db);
      expect(store.get()).toEqual(emptySetupProgress());
      const p = emptySetupProgress();
      p.current = 'hypervisors';
      p.steps.servers = { status: 'done', note: 'stor1 added' };
      p.steps.target = { status: 'done', note: null };
      p.steps.settings = { status: 'skipped', note: 'defaults kept' };
      p.serverIds = ['h1'];
      p.targetServerId = 'h1';
      p.targetIqn = 'iqn.2026-12.com.example:stor1:first';
      store.save(p);
      new ThresholdStore(db).set('h1', { overcommitPct: 150, minFreePct: 5 });
      db.close();
      const again = openDb(file);
      expect(new SetupStore(again).get()).toEqual(p);
      expect(new ThresholdStore(again).get('h1')).toEqual({ overcommitPct: 150, minFreePct: 5 });
      expect(new ThresholdStore(again).get('other')).toEqual({ overcommitPct: 100, minFreePct: 10 });
      expect(new SetupStore(again).reset()).toEqual(emptySetupProgress());
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a progress with an unknown step, naming the field', () => {
    const r = SetupProgressSchema.safeParse({ ...emptySetupProgress(), current: 'nowhere' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toMatch(/^current: one of servers/);
  });
});

describe('parseHostList', () => {
  it('reads name, user, address and port per line, skipping blanks and comments', () => {
    expect(parseHostList('hv1 root@192.0.2.21\n\n# lab\n198.51.100.7:2222\nhv3 [2001:db8::3]:22\n')).toEqual({
      hosts: [
        { name: 'hv1', address: '192.0.2.21', port: 22, user: 'root' },
        { name: '198.51.100.7', address: '198.51.100.7', port: 2222, user: null },
        { name: 'hv3', address: '2001:db8::3', port: 22, user: null },
      ],
      errors: [],
    });
  });
  it('names each bad line and how to write it', () => {
    const r = parseHostList('hv1 a b\nhv2 10.0.0.2:99999\nhv1 10.0.0.1\nhv1 10.0.0.3\nhv4 bad;addr');
    expect(r.hosts.map((h) => h.name)).toEqual(['hv1']);
    expect(r.errors).toHaveLength(4);
    expect(r.errors[0]).toMatch(/^line 1 \(hv1 a b\): too many words; write one host a line/);
    expect(r.errors[1]).toContain('port 99999 is outside 1-65535');
    expect(r.errors[2]).toContain('"hv1" is listed twice');
    expect(r.errors[3]).toContain('"bad;addr" is not an address');
  });
});
