// Sums the JSON reports of vitest and Playwright into one closing line: "N passed, N failed, N skipped".
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'artifacts/reports';
let passed = 0, failed = 0, skipped = 0;
for (const f of ['unit.json', 'integration.json']) {
  const p = join(dir, f);
  if (!existsSync(p)) { console.log(`${f}: no report (that stage did not run)`); failed++; continue; }
  const r = JSON.parse(readFileSync(p, 'utf8'));
  // A file whose setup failed fails without failing a test: count such files too.
  const brokenFiles = (r.testResults ?? []).filter((t) => t.status === 'failed' && !(t.assertionResults ?? []).some((a) => a.status === 'failed')).length;
  passed += r.numPassedTests; failed += r.numFailedTests + brokenFiles; skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  console.log(`${f}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped${brokenFiles ? `, ${brokenFiles} file(s) failed outside any test` : ''}`);
}
const e2e = join(dir, 'e2e.json');
if (existsSync(e2e)) {
  const report = JSON.parse(readFileSync(e2e, 'utf8'));
  const s = report.stats;
  // Errors outside tests (global setup or teardown) fail the run as well.
  const errors = (report.errors ?? []).length;
  passed += s.expected; failed += s.unexpected + (s.flaky ?? 0) + errors; skipped += s.skipped;
  console.log(`e2e.json: ${s.expected} passed, ${s.unexpected} failed, ${s.skipped} skipped${errors ? `, ${errors} error(s) outside tests` : ''}`);
} else { console.log('e2e.json: no report (that stage did not run)'); failed++; }
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
