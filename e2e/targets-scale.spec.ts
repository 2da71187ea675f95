// 1,000 targets on stor2 (made straight with one tgtadm loop, removed after): the list counts,
// filters and sorts them, stays virtualised, and scrolls top to bottom under the mouse wheel; the
// browser records every frame's time (requestAnimationFrame deltas) and the test reports them.
import { expect, test } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { labSkipReason, requireLab } from './lab/labinfo';
import { execOnHost } from './lab/hosts';
import { ConsolePage } from './pages/console';
import { TargetsPage } from './pages/targets';
import { ensureLabHost } from './support/lab-hosts';
import { screen } from './support/screens';

const reason = labSkipReason();
const N = 1000;
const FIRST_TID = 2100;

// One shell loop on stor2: tids FIRST_TID+1..FIRST_TID+N, IQNs iqn.2026-11.test.scale:tI; every
// tenth open to ALL (a count the filters must show).
const script = (op: 'new' | 'delete') =>
  op === 'new'
    ? `i=1; while [ $i -le ${N} ]; do tid=$((i+${FIRST_TID})); tgtadm --lld iscsi --op new --mode target --tid $tid -T iqn.2026-11.test.scale:t$i || exit 1; ` +
      `if [ $((i % 10)) -eq 0 ]; then tgtadm --lld iscsi --op bind --mode target --tid $tid -I ALL || exit 1; fi; i=$((i+1)); done`
    : `i=1; while [ $i -le ${N} ]; do tgtadm --lld iscsi --op delete --force --mode target --tid $((i+${FIRST_TID})) 2>/dev/null; i=$((i+1)); done; exit 0`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

test.describe('targets at scale', () => {
  test.skip(!!reason, reason ?? '');

  test('1,000 targets: counts, filters, sort, selection, and a mouse-wheel scroll with frame times', async ({ page }) => {
    test.setTimeout(240_000);
    const lab = requireLab();
    const stor2 = lab.hosts.stor2;
    await execOnHost(stor2, ['sh', '-c', script('delete')]);
    const t0 = Date.now();
    const made = await execOnHost(stor2, ['sh', '-c', script('new')], { timeoutMs: 120_000 });
    expect(made.code, made.stderr).toBe(0);
    console.log(`made ${N} targets on stor2 in ${Date.now() - t0} ms`);
    try {
      await new ConsolePage(page).open();
      await ensureLabHost(page, lab, 'stor2', ['Storage server']);
      const targets = await new TargetsPage(page).open();
      await targets.pickServer('stor2');
      const list = targets.list();
      await expect(list).toHaveAttribute('aria-rowcount', /^\d{4,}$/, { timeout: 60_000 });
      const total = Number(await list.getAttribute('aria-rowcount'));
      expect(total).toBeGreaterThanOrEqual(N);
      // Only what is on screen (plus overscan) is in the DOM.
      expect(await list.getByRole('row').count()).toBeLessThan(40);
      // The IQN sort is numeric: t2 right after t1, not t10.
      await targets.search('test.scale:t');
      await expect(list).toHaveAttribute('aria-rowcount', String(N));
      await expect(list.getByRole('row').nth(0)).toHaveAttribute('aria-label', 'iqn.2026-11.test.scale:t1');
      await expect(list.getByRole('row').nth(1)).toHaveAttribute('aria-label', 'iqn.2026-11.test.scale:t2');
      await targets.search('');

      // The counts double as filters: every tenth is open to ALL.
      await targets.filterBy('Open to ALL');
      const open = Number(await list.getAttribute('aria-rowcount'));
      expect(open).toBeGreaterThanOrEqual(N / 10);
      await expect(targets.row('iqn.2026-11.test.scale:t10')).toBeVisible();
      await expect(targets.row('iqn.2026-11.test.scale:t11')).toHaveCount(0);
      await targets.filterBy('Open to ALL');
      await targets.search('scale:t77');
      await expect(list).toHaveAttribute('aria-rowcount', '11');
      // Selection: three rows, then the bar offers one plan for all of them.
      for (const i of [77, 770, 771]) await targets.row(`iqn.2026-11.test.scale:t${i}`).getByRole('checkbox').check();
      await expect(page.getByRole('toolbar', { name: 'Selected targets' })).toContainText('3 selected');
      await screen(page, 'targets-scale-selection');
      await page.getByRole('button', { name: 'Clear selection' }).click();
      await targets.search('');
      await expect(list).toHaveAttribute('aria-rowcount', String(total));

      // Mouse-wheel scroll from top to bottom, frames timed in the page.
      await list.hover();
      await page.evaluate(() => {
        const w = window as unknown as { __frames: number[]; __stop: boolean };
        w.__frames = [];
        w.__stop = false;
        let last = performance.now();
        const tick = (now: number) => {
          w.__frames.push(now - last);
          last = now;
          if (!w.__stop) requestAnimationFrame(tick);
        };
        requestAnimationFrame((now) => {
          last = now;
          requestAnimationFrame(tick);
        });
      });
      const box = (await list.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const atBottom = () => list.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 2);
      let wheels = 0;
      while (!(await atBottom()) && wheels < 2000) {
        await page.mouse.wheel(0, 400);
        wheels++;
      }
      const frames = await page.evaluate(() => {
        const w = window as unknown as { __frames: number[]; __stop: boolean };
        w.__stop = true;
        return w.__frames.slice(1);
      });
      await expect(targets.row(`iqn.2026-11.test.scale:t${N}`)).toBeVisible();
      await screen(page, 'targets-scale-bottom');
      const sorted = [...frames].sort((a, b) => a - b);
      const p50 = percentile(sorted, 50);
      const p95 = percentile(sorted, 95);
      const max = sorted.at(-1)!;
      const over50 = frames.filter((f) => f > 50).length;
      const line = `${N} targets, ${wheels} wheel steps of 400 px: ${frames.length} frames, p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${max.toFixed(1)} ms, ${over50} frame(s) over 50 ms`;
      console.log(`frame times: ${line}`);
      writeFileSync('artifacts/targets-scale-frames.txt', line + '\n');
      expect(frames.length).toBeGreaterThan(20);
      // Headless Chromium without a GPU on a shared 2-CPU lab machine (measured: p95 33 ms, none over
      // 50 ms); the bound leaves room for load and still fails the baseline (p95 167 ms, 30 of 87 over 50 ms).
      expect(p95).toBeLessThan(100);
      expect(over50 / frames.length).toBeLessThan(0.1);
    } finally {
      await execOnHost(stor2, ['sh', '-c', script('delete')], { timeoutMs: 120_000 });
    }
  });
});
