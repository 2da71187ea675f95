// Test cleanup on a lab storage server: a spec leaves no target of its own behind, even when a
// step failed half-way (what tgt runs, then the target's files).
import { execOnHost } from '../lab/hosts';

type Host = Parameters<typeof execOnHost>[0];

/** Force-deletes the running target with this IQN (if any), then removes the given files. */
export async function removeTarget(host: Host, iqn: string, files: string[] = []): Promise<void> {
  const show = await execOnHost(host, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target']);
  const m = new RegExp(`^Target (\\d+): ${iqn.replace(/\./g, '\\.')}$`, 'm').exec(show.stdout);
  if (m) await execOnHost(host, ['tgtadm', '--lld', 'iscsi', '--op', 'delete', '--force', '--mode', 'target', '--tid', m[1]]);
  if (files.length) await execOnHost(host, ['sh', '-c', `rm -f ${files.join(' ')}`]);
}
