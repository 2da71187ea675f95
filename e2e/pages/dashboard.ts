// Page object for the dashboard.
import { NavPage } from './console';

export class DashboardPage extends NavPage {
  protected readonly label = 'Dashboard' as const;

  /** The warnings shown for a code ("overcommit", "conf-drift", ...), optionally naming `text`. */
  warnings(code: string, text?: string) {
    const all = this.page.getByRole('region', { name: 'Warnings' }).locator(`[data-code="${code}"]`);
    return text ? all.filter({ hasText: text }) : all;
  }

  server(name: string) {
    return this.page.getByRole('region', { name: `Storage server ${name}` });
  }

  hosts() {
    return this.page.getByRole('region', { name: 'Hosts' });
  }

  /** Waits for a background refresh to start and end (the page never blanks meanwhile). */
  async refresh(): Promise<void> {
    await this.page.reload();
    await this.page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  }
}
