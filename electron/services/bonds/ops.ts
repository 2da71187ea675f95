// The bond plan's own operation kinds. Plain Linux hosts: open-iscsi's iface bound to a netdev,
// node records (CHAP written into the record file from stdin, never on a command line), login and
// logout, each with its idempotent inverse. Portico's record of the paths a job applied
// (bonds.recordPaths) is an operation too, so a rolled-back job also rolls back the record.
// VDSM hosts use the shared vdsm.connectStorageServer / disconnectStorageServer kinds.
import { z } from 'zod';
import type { OperationKind, VerifyOutcome } from '../jobs/operation';
import { runScript, type RemoteHosts } from '../remote/script';
import { portalArg } from '../../../shared/domain/bond-rules';
import type { AppliedPath, BondStore } from './store';

export const RECORD = 'bonds.recordPaths';
export const IFACE = 'iscsiadm.iface';
export const IFACE_DELETE = 'iscsiadm.ifaceDelete';
export const NODE = 'iscsiadm.node';
export const NODE_DELETE = 'iscsiadm.nodeDelete';
export const LOGIN = 'iscsiadm.login';
export const LOGOUT = 'iscsiadm.logout';

const Nic = z.string().min(1).max(15).regex(/^[A-Za-z0-9_.@-]+$/);
const Iface = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.@-]+$/);
const Iqn = z.string().min(1).max(223).regex(/^[a-z0-9.:-]+$/i);
const Addr = z.string().min(1).max(255).regex(/^[A-Za-z0-9.:-]+$/);
const Port = z.number().int().min(1).max(65535);
const Tpgt = z.number().int().min(0).max(65535);

const PathSchema = z
  .object({
    hostId: z.string(), networkId: z.string().nullable(), connectionId: z.string(), nic: z.string().nullable(), netIfaceName: z.string().nullable(),
    iqn: z.string(), address: z.string(), port: z.number().int(), tpgt: z.number().int(), vdsmId: z.string(), kind: z.enum(['vdsm', 'linux']), chapUser: z.string().nullable(),
  })
  .strict();
export const RecordSchema = z.object({ bondId: z.string().min(1), add: z.array(z.object({ key: z.string(), path: PathSchema }).strict()), remove: z.array(z.object({ key: z.string(), path: PathSchema }).strict()) }).strict();
export type RecordP = z.infer<typeof RecordSchema>;

export const IfaceSchema = z.object({ iface: Iface, nic: Nic }).strict();
export const IfaceDeleteSchema = z.object({ iface: Iface }).strict();
export const NodeSchema = z.object({ iqn: Iqn, address: Addr, port: Port, tpgt: Tpgt, iface: Iface, chapUser: z.string().max(255).nullable(), chapSecret: z.string().max(255).nullable() }).strict();
export const NodeRefSchema = z.object({ iqn: Iqn, address: Addr, port: Port, tpgt: Tpgt, iface: Iface }).strict();
type IfaceP = z.infer<typeof IfaceSchema>;
type NodeP = z.infer<typeof NodeSchema>;
type NodeRef = z.infer<typeof NodeRefSchema>;

const node = (p: NodeRef) => `-m node -T ${p.iqn} -p ${portalArg(p)} -I ${p.iface}`;
const errText = (r: { stdout: string; stderr: string; code: number | null }) => (r.stderr.trim() || r.stdout.trim() || `exit ${r.code}`).split('\n').slice(-3).join(' ');

/** iscsiadm missing is the common case on a host Portico only checks: say so plainly. */
const PRELUDE = 'command -v iscsiadm >/dev/null || { echo "iscsiadm is not installed on this host (install open-iscsi)" >&2; exit 127; }\n';

// $1 iface $2 nic. Exit 3 = the iface exists bound to another netdev (VDSM answers 473 for that).
const IFACE_SCRIPT = `${PRELUDE}cur=$(iscsiadm -m iface -I "$1" 2>/dev/null | sed -n 's/^iface.net_ifacename = //p')
if [ -n "$cur" ] && [ "$cur" != "<empty>" ]; then [ "$cur" = "$2" ] && { echo existed; exit 0; }; echo "iface $1 is bound to $cur, not $2" >&2; exit 3; fi
iscsiadm -m iface -I "$1" >/dev/null 2>&1 || iscsiadm -m iface -I "$1" -o new >/dev/null || exit $?
iscsiadm -m iface -I "$1" -o update -n iface.net_ifacename -v "$2" >/dev/null || exit $?
echo created`;
const IFACE_DELETE_SCRIPT = `${PRELUDE}iscsiadm -m iface -I "$1" >/dev/null 2>&1 || exit 0
iscsiadm -m iface -I "$1" -o delete`;
const IFACE_READ_SCRIPT = `${PRELUDE}iscsiadm -m iface -I "$1" 2>/dev/null | sed -n 's/^iface.net_ifacename = //p'`;

// $1 iqn $2 portal,tpgt $3 iface $4 chap user (empty: none); the CHAP secret is the first line of
// stdin. The record file is rewritten with bash builtins only (read/printf), so the secret appears
// in no argv; it stays 0600 like iscsiadm's own. open-iscsi keeps records in /etc/iscsi/nodes
// (Debian) or /var/lib/iscsi/nodes (RHEL); PORTICO_ISCSI_NODE_DIRS overrides that for tests (sudo
// resets the environment on a host, so there it is always the default).
const NODE_SCRIPT = `${PRELUDE}IFS= read -r secret || true
if iscsiadm -m node -T "$1" -p "$2" -I "$3" >/dev/null 2>&1; then echo existed; else iscsiadm -m node -T "$1" -p "$2" -I "$3" -o new >/dev/null || exit $?; echo created; fi
iscsiadm -m node -T "$1" -p "$2" -I "$3" -o update -n node.startup -v manual >/dev/null || exit $?
[ -z "$4" ] && exit 0
f=
for d in \${PORTICO_ISCSI_NODE_DIRS:-/etc/iscsi/nodes /var/lib/iscsi/nodes}; do [ -f "$d/$1/\${2/:/,}/$3" ] && f="$d/$1/\${2/:/,}/$3"; done
[ -n "$f" ] || { echo "node record file for $1 $2 ($3) not found" >&2; exit 4; }
umask 077; t="$f.portico.$$"
{ while IFS= read -r l; do case "$l" in node.session.auth.authmethod*|node.session.auth.username\\ *|node.session.auth.password\\ *) ;; *) printf '%s\\n' "$l";; esac; done < "$f"
  printf 'node.session.auth.authmethod = CHAP\\nnode.session.auth.username = %s\\nnode.session.auth.password = %s\\n' "$4" "$secret"; } > "$t" && mv -f "$t" "$f"`;
const NODE_DELETE_SCRIPT = `${PRELUDE}iscsiadm -m node -T "$1" -p "$2" -I "$3" >/dev/null 2>&1 || exit 0
iscsiadm -m node -T "$1" -p "$2" -I "$3" -o delete`;
const NODE_READ_SCRIPT = `${PRELUDE}iscsiadm -m node -T "$1" -p "$2" -I "$3" >/dev/null 2>&1 && echo yes || echo no`;
// rc 15: session exists (counts as logged in, and the undo leaves it).
const LOGIN_SCRIPT = `${PRELUDE}iscsiadm -m node -T "$1" -p "$2" -I "$3" --login >/dev/null 2>/tmp/.portico-login.$$; rc=$?
err=$(cat /tmp/.portico-login.$$); rm -f /tmp/.portico-login.$$
[ $rc -eq 15 ] && { echo existed; exit 0; }; [ $rc -eq 0 ] && { echo created; exit 0; }; echo "$err" >&2; exit $rc`;
const LOGOUT_SCRIPT = `${PRELUDE}iscsiadm -m node -T "$1" -p "$2" -I "$3" --logout >/dev/null 2>/tmp/.portico-logout.$$; rc=$?
err=$(cat /tmp/.portico-logout.$$); rm -f /tmp/.portico-logout.$$
# 21: no session (already logged out)
[ $rc -eq 0 ] || [ $rc -eq 21 ] && exit 0; echo "$err" >&2; exit $rc`;
// Sessions through this iface to this portal and target: "tcp: [n] addr:port,tpgt iqn (non-flash)" lines of iscsiadm -m session -P 1 are per iface.
const SESSION_READ_SCRIPT = `${PRELUDE}iscsiadm -m session -P 1 2>/dev/null | awk -v iqn="$1" -v portal="$2" -v iface="$3" '
/^Target: /{t=$2} /Current Portal: /{p=$3} /Iface Name: /{ if (t==iqn && p==portal && $3==iface) f=1 } END{print f?"yes":"no"}'`;

export function bondKinds(hosts: RemoteHosts, store: BondStore) {
  const run = async (host: string, script: string, args: string[], input?: string) => {
    const r = await runScript(hosts.runner(host), script, args, { sudo: true, input, timeoutMs: 60_000 });
    return r;
  };
  const must = async (host: string, what: string, script: string, args: string[], input?: string) => {
    const r = await run(host, script, args, input);
    if (r.code !== 0) throw new Error(`${what}: ${errText(r)}`);
    return r.stdout.trim();
  };
  const nodeArgs = (p: NodeRef) => [p.iqn, portalArg(p), p.iface];

  const record: OperationKind<RecordP> = {
    kind: RECORD,
    schema: RecordSchema,
    describe: (p) => `record in Portico: bond paths +${p.add.length} -${p.remove.length}${p.add.length ? ` (${p.add.map((a) => a.key).join('; ')})` : ''}`,
    async apply(p) {
      store.tx(() => {
        for (const r of p.remove) store.removeApplied(p.bondId, r.key);
        for (const a of p.add) store.addApplied(p.bondId, a.key, a.path as AppliedPath);
      });
      return { added: p.add.length, removed: p.remove.length };
    },
    inverse: (p, host) => [{ kind: RECORD, host, params: { bondId: p.bondId, add: p.remove, remove: p.add } }],
    async verify(p): Promise<VerifyOutcome> {
      const ok = p.add.every((a) => store.hasApplied(p.bondId, a.key)) && p.remove.every((r) => !store.hasApplied(p.bondId, r.key));
      return { applied: ok };
    },
  };

  const iface: OperationKind<IfaceP> = {
    kind: IFACE,
    schema: IfaceSchema,
    describe: (p) => `iscsiadm -m iface -I ${p.iface} -o new\niscsiadm -m iface -I ${p.iface} -o update -n iface.net_ifacename -v ${p.nic}`,
    async apply(p, host) {
      return { created: (await must(host, `iface ${p.iface}`, IFACE_SCRIPT, [p.iface, p.nic])) === 'created' };
    },
    inverse: (p, host, out) => ((out as { created?: boolean } | undefined)?.created === false ? [] : [{ kind: IFACE_DELETE, host, params: { iface: p.iface } }]),
    async verify(p, host) {
      return { applied: (await must(host, `iface ${p.iface}`, IFACE_READ_SCRIPT, [p.iface])) === p.nic };
    },
  };
  const ifaceDelete: OperationKind<z.infer<typeof IfaceDeleteSchema>> = {
    kind: IFACE_DELETE,
    schema: IfaceDeleteSchema,
    describe: (p) => `iscsiadm -m iface -I ${p.iface} -o delete`,
    async apply(p, host) {
      await must(host, `iface ${p.iface}`, IFACE_DELETE_SCRIPT, [p.iface]);
    },
    inverse: () => null,
    async verify(p, host) {
      const r = await run(host, IFACE_READ_SCRIPT, [p.iface]);
      return { applied: r.code === 0 && r.stdout.trim() === '' };
    },
  };

  const nodeNew: OperationKind<NodeP> = {
    kind: NODE,
    schema: NodeSchema,
    sensitive: ['chapSecret'],
    describe: (p) => {
      const l = [`iscsiadm ${node(p)} -o new`, `iscsiadm ${node(p)} -o update -n node.startup -v manual`];
      if (p.chapUser) l.push(`node record: node.session.auth.authmethod = CHAP, node.session.auth.username = ${p.chapUser}, node.session.auth.password = ******`);
      return l.join('\n');
    },
    async apply(p, host) {
      if (p.chapUser && !p.chapSecret) throw new Error(`node ${p.iqn}: CHAP user ${p.chapUser} has no stored secret; set it on the connection again`);
      return { created: (await must(host, `node ${p.iqn} ${portalArg(p)}`, NODE_SCRIPT, [...nodeArgs(p), p.chapUser ?? ''], `${p.chapSecret ?? ''}\n`)).startsWith('created') };
    },
    inverse: (p, host, out) => ((out as { created?: boolean } | undefined)?.created === false ? [] : [{ kind: NODE_DELETE, host, params: { iqn: p.iqn, address: p.address, port: p.port, tpgt: p.tpgt, iface: p.iface } }]),
    async verify(p, host) {
      return { applied: (await must(host, 'node', NODE_READ_SCRIPT, nodeArgs(p))) === 'yes' };
    },
  };
  const nodeDelete: OperationKind<NodeRef> = {
    kind: NODE_DELETE,
    schema: NodeRefSchema,
    describe: (p) => `iscsiadm ${node(p)} -o delete`,
    async apply(p, host) {
      await must(host, 'node delete', NODE_DELETE_SCRIPT, nodeArgs(p));
    },
    // The record's CHAP is gone with it: a re-create is the forward plan's job, not an undo.
    inverse: () => null,
    irreversible: true,
    async verify(p, host) {
      return { applied: (await must(host, 'node', NODE_READ_SCRIPT, nodeArgs(p))) === 'no' };
    },
  };

  const login: OperationKind<NodeRef> = {
    kind: LOGIN,
    schema: NodeRefSchema,
    describe: (p) => `iscsiadm ${node(p)} --login`,
    async apply(p, host) {
      return { created: (await must(host, `login to ${p.iqn} at ${portalArg(p)} through ${p.iface}`, LOGIN_SCRIPT, nodeArgs(p))) === 'created' };
    },
    inverse: (p, host, out) => ((out as { created?: boolean } | undefined)?.created === false ? [] : [{ kind: LOGOUT, host, params: p }]),
    async verify(p, host) {
      return { applied: (await must(host, 'sessions', SESSION_READ_SCRIPT, [p.iqn, `${p.address}:${p.port},${p.tpgt}`, p.iface])) === 'yes' };
    },
  };
  const logout: OperationKind<NodeRef> = {
    kind: LOGOUT,
    schema: NodeRefSchema,
    describe: (p) => `iscsiadm ${node(p)} --logout`,
    async apply(p, host) {
      await must(host, `logout of ${p.iqn} at ${portalArg(p)} through ${p.iface}`, LOGOUT_SCRIPT, nodeArgs(p));
    },
    inverse: (p, host) => [{ kind: LOGIN, host, params: p }],
    async verify(p, host) {
      return { applied: (await must(host, 'sessions', SESSION_READ_SCRIPT, [p.iqn, `${p.address}:${p.port},${p.tpgt}`, p.iface])) === 'no' };
    },
  };

  return { record, iface, ifaceDelete, nodeNew, nodeDelete, login, logout };
}

export type BondKinds = ReturnType<typeof bondKinds>;
export const allBondKinds = (k: BondKinds) => Object.values(k) as unknown as OperationKind<never>[];
