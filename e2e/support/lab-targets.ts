// Test cleanup on a lab storage server: a spec leaves no target of its own behind, even when a
// step failed half-way (what tgt runs, then the target's files).
import { execOnHost } from '../lab/hosts';

type Host = Parameters<typeof execOnHost>[0];

/**
 * Force-deletes the running target with this IQN (if any) and the CHAP accounts it had that no
 * other target uses (a spec's accounts would otherwise outlive it in tgtd), then removes the files.
 */
export async function removeTarget(host: Host, iqn: string, files: string[] = []): Promise<void> {
  const show = await execOnHost(host, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target']);
  const m = new RegExp(`^Target (\\d+): ${iqn.replace(/\./g, '\\.')}$`, 'm').exec(show.stdout);
  if (m) {
    const accounts = (await boundAccounts(host, iqn)).map((a) => a.replace(/ \(outgoing\)$/, ''));
    await execOnHost(host, ['tgtadm', '--lld', 'iscsi', '--op', 'delete', '--force', '--mode', 'target', '--tid', m[1]]);
    const after = (await execOnHost(host, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target'])).stdout;
    const stillBound = new Set([...after.matchAll(/\n\s*Account information:\n([\s\S]*?)\n\s*ACL information:/g)].flatMap((x) => x[1].split('\n').map((l) => l.trim().replace(/ \(outgoing\)$/, ''))));
    for (const user of accounts.filter((a) => !stillBound.has(a))) {
      await execOnHost(host, ['tgtadm', '--lld', 'iscsi', '--op', 'delete', '--mode', 'account', '--user', user], { allowFail: true });
    }
  }
  if (files.length) await execOnHost(host, ['sh', '-c', `rm -f ${files.join(' ')}`]);
}

export interface LiveLun {
  lun: number;
  /** tgt's decimal MB. */
  sizeMb: number;
  readonly: boolean;
  path: string | null;
}

/** The target's block of `tgtadm --op show --mode target` (tgtd's own word), or null when it does not run. */
export async function targetBlock(host: Host, iqn: string): Promise<string | null> {
  const show = (await execOnHost(host, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target'])).stdout;
  const start = show.indexOf(`: ${iqn}\n`);
  if (start < 0) return null;
  const next = show.indexOf('\nTarget ', start);
  return show.slice(start, next < 0 ? undefined : next);
}

/** The target's LUNs (not LUN 0, the controller) as tgtd lists them. */
export async function liveLuns(host: Host, iqn: string): Promise<LiveLun[]> {
  const block = await targetBlock(host, iqn);
  if (!block) return [];
  return block.split(/\n\s*LUN: /).slice(1).map((b) => ({
    lun: Number(/^(\d+)/.exec(b)![1]),
    sizeMb: Number(/Size: (\d+) MB/.exec(b)?.[1] ?? NaN),
    readonly: /Readonly: Yes/.test(b),
    path: /Backing store path: (\S+)/.exec(b)?.[1] ?? null,
  })).filter((l) => l.lun !== 0);
}

/** CHAP accounts bound to the target, as tgtd lists them (`name` or `name (outgoing)`). */
export async function boundAccounts(host: Host, iqn: string): Promise<string[]> {
  const block = (await targetBlock(host, iqn)) ?? '';
  const m = /\n\s*Account information:\n([\s\S]*?)\n\s*ACL information:/.exec(block);
  return m ? m[1].split('\n').map((l) => l.trim()).filter(Boolean) : [];
}
