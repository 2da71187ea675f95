// Page object for the Activity page (jobs, recovery of interrupted jobs, audit log) and the
// interrupted-jobs banner the shell shows on every page.
import { expect, type Page } from '@playwright/test';
import { NavPage } from './console';

export class ActivityPage extends NavPage {
  protected readonly label = 'Activity' as const;

  /** The shell's banner while jobs are interrupted (any page). */
  static banner(page: Page) {
    return page.getByRole('status', { name: 'Interrupted jobs' });
  }

  /** Opens Activity through the banner's link. */
  static async openFromBanner(page: Page): Promise<ActivityPage> {
    await ActivityPage.banner(page).getByRole('button', { name: 'Open Activity' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Activity' })).toBeVisible();
    return new ActivityPage(page);
  }

  /** One job of the list, by its title (a string: the whole title; a RegExp: matched against it). */
  job(title: string | RegExp) {
    return this.page.getByTestId('job').filter({ has: this.page.getByTestId('job-title').getByText(title, { exact: true }) }).first();
  }

  /** The "Needs your decision" group heading (present while a job waits for the admin). */
  needsDecision() {
    return this.page.getByRole('heading', { name: 'Needs your decision' });
  }

  /** Expects the job's state (data-job-state, the JobView state) and its label in words. */
  async expectState(title: string | RegExp, state: string, words: string): Promise<void> {
    await expect(this.job(title)).toHaveAttribute('data-job-state', state, { timeout: 30_000 });
    await expect(this.job(title)).toContainText(words);
  }

  /** The dialog holding a rollback or resume plan. */
  recoveryDialog() {
    return this.page.getByRole('dialog');
  }

  /** "Review rollback" on a job: main builds the rollback plan; the dialog shows it for review. */
  async reviewRollback(title: string | RegExp): Promise<void> {
    await this.job(title).getByRole('button', { name: /^Review (rollback|the plan to finish the rollback)$/ }).click();
    await expect(this.recoveryDialog().getByLabel('Plan steps')).toBeVisible({ timeout: 30_000 });
  }

  async resume(title: string | RegExp): Promise<void> {
    await this.job(title).getByRole('button', { name: 'Resume' }).click();
  }

  /** Applies the plan in the dialog and waits for its job to end well. */
  async applyRecovery(label = 'Apply rollback'): Promise<void> {
    const d = this.recoveryDialog();
    await d.getByRole('button', { name: label }).click();
    await expect(d.getByText(/All \d+ steps done/)).toBeVisible({ timeout: 60_000 });
  }

  async closeRecovery(): Promise<void> {
    await this.recoveryDialog().getByRole('button', { name: 'Close' }).click();
    await expect(this.recoveryDialog()).toBeHidden();
  }
}
