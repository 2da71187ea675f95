// Test support: the console as a real child process for the hosted-engine fault matrix
// (hosted-engine/fault-matrix.int.test.ts). It builds createServices on PORTICO_DATA_DIR, adds the
// lab's hv1 as an oVirt host through the router (as the Hosts page does), walks the wizard (discover,
// log in, list LUNs, plan) and prints `PLANNED <json>`; on a line "GO" on stdin it applies the plan
// (PORTICO_FAILPOINTS makes it SIGKILL itself during operation k) and prints `DONE <json>`.
// Config: HE_FM_CONFIG (JSON, see FmConfig). Never used by the product.
import { contractCaller } from './services';
import { createInterface } from 'node:readline';
import { createServices } from '../services/app';
import { PassphraseCipher } from '../services/secrets';
import type { AddHostResult, HostView } from '../../shared/features/hosts';
import type { HeLunsResult } from '../../shared/domain/hosted-engine-views';
import type { PlanView } from '../../shared/plan';

export interface FmConfig {
  passphrase: string;
  hv1: { address: string; port: number; keyPath: string };
  portals: { address: string; port: number }[];
  target: { iqn: string; tpgt: string; portals: { address: string; port: number }[] };
  loginChap: { user: string; password: string };
  writeConf: boolean;
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.env.HE_FM_CONFIG ?? '{}') as FmConfig;
  const svc = createServices({ dataDir: process.env.PORTICO_DATA_DIR!, mode: 'browser', cipher: (db) => new PassphraseCipher(db, cfg.passphrase) });
  const call = contractCaller(svc);
  const added = await call<AddHostResult>('hosts.add', { name: 'hv1', address: cfg.hv1.address, port: cfg.hv1.port, user: 'root', auth: { kind: 'key', keyPath: cfg.hv1.keyPath }, sudo: false, roles: ['ovirt-host'] });
  const host = await call<HostView>('hosts.acceptKey', { hostId: added.host.id, fingerprint: added.hostKey!.fingerprint });
  const hostId = host.id;
  await call('he.discover', { hostId, portals: cfg.portals, discoveryChap: { user: '', password: '' } });
  await call('he.connect', { hostId, target: cfg.target, loginChap: cfg.loginChap });
  const luns = await call<HeLunsResult>('he.luns', { hostId, iqn: cfg.target.iqn, diskSizeGiB: 58, portals: cfg.target.portals });
  const lun = luns.rows.find((r) => r.eligible);
  if (!lun) throw new Error(`no eligible LUN: ${JSON.stringify(luns)}`);
  const plan = await call<PlanView>('he.plan', {
    storage: { storageType: 'iscsi', hostId, portals: cfg.portals, discoveryChap: { user: '', password: '' }, loginChap: cfg.loginChap, target: cfg.target, lunGuid: lun.guid },
    writeConf: cfg.writeConf,
  });
  process.stdout.write(`PLANNED ${JSON.stringify({ planId: plan.id, hostId, lunGuid: lun.guid, ops: plan.steps.flatMap((s) => s.ops.map((o) => o.kind)) })}\n`);
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) if (line.trim() === 'GO') break;
  const { done } = await svc.jobs.apply(plan.id);
  const job = await done;
  process.stdout.write(`DONE ${JSON.stringify({ state: job.state, error: job.error, jobId: job.id })}\n`);
  await svc.close();
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`[hosted-engine-console] ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
