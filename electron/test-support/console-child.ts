// Test support: the console as a real child process, for the fault matrix's "console killed"
// cases. It opens the services on a data folder, adds the lab storage server the way the Hosts
// page does, builds one targets plan and applies it with the JobRunner; PORTICO_FAILPOINTS (read by
// createServices) makes the process SIGKILL itself while operation N runs. Input as JSON in
// PORTICO_CHILD: { dataDir, host, call, input }. Prints one JSON line per event on stdout.
import { loadLab } from '../../e2e/lab/labinfo';
import { openLabTargets } from './lab-targets';

interface ChildInput {
  dataDir: string;
  host: string;
  call: 'planCreate' | 'planLunAdd' | 'planAccess' | 'planDelete' | 'planReconcile';
  input: Record<string, unknown>;
}

async function main(): Promise<void> {
  const lab = loadLab();
  if (!lab) throw new Error('the lab is not up');
  const c = JSON.parse(process.env.PORTICO_CHILD ?? '') as ChildInput;
  const t = await openLabTargets(lab, c.host, { dataDir: c.dataDir });
  const view = await t.plan(c.call, c.input);
  console.log(JSON.stringify({ event: 'planned', planId: view.id, hostId: t.hostId }));
  const job = await t.apply(view.id);
  // Reached only when no failpoint killed the process.
  console.log(JSON.stringify({ event: 'finished', jobId: job.id, state: job.state, error: job.error }));
  await t.close();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.log(JSON.stringify({ event: 'error', message: e instanceof Error ? e.message : String(e) }));
    process.exit(1);
  },
);
