// Test support: an iscsiadm TEST DOUBLE (not open-iscsi) for the bond kinds' shell scripts, as a
// bash script in a temp folder put first on PATH. It keeps ifaces and node records in files laid
// out like open-iscsi's (nodes/<iqn>/<addr>,<port>,<tpgt>/<iface>, "key = value" lines, 0600) and
// answers with open-iscsi's exit codes: 21 no records / no session, 15 session exists. Sessions
// are files too; `-m session -P 1` prints open-iscsi's layout. Every argv it gets is logged.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = String.raw`#!/bin/bash
R="$FAKE_ISCSI_ROOT"; printf '%s\n' "$*" >> "$R/argv.log"
m= T= p= I= op= n= v= act=; P=
while [ $# -gt 0 ]; do case "$1" in
  -m) m=$2; shift;; -T) T=$2; shift;; -p) p=$2; shift;; -I) I=$2; shift;; -o) op=$2; shift;; -n) n=$2; shift;; -v) v=$2; shift;;
  -P) P=$2; shift;; --login) act=login;; --logout) act=logout;; *) echo "iscsiadm: unknown $1" >&2; exit 7;; esac; shift; done
case "$m" in
iface)
  f="$R/ifaces/$I"
  case "$op" in
    '') [ -f "$f" ] || { echo "iscsiadm: Could not read iface $I (6)" >&2; exit 21; }; cat "$f";;
    new) mkdir -p "$R/ifaces"; printf 'iface.iscsi_ifacename = %s\niface.net_ifacename = <empty>\n' "$I" > "$f";;
    update) [ -f "$f" ] || exit 21; grep -v "^$n = " "$f" > "$f.t"; printf '%s = %s\n' "$n" "$v" >> "$f.t"; mv "$f.t" "$f";;
    delete) [ -f "$f" ] || exit 21; rm -f "$f";;
  esac;;
node)
  d="$R/nodes/$T/\${p/:/,}"; f="$d/$I"
  case "$act" in
    login) [ -f "$f" ] || exit 21; s="$R/sessions/$T \${p%,*} $I"; [ -e "$s" ] && { echo "iscsiadm: session exists" >&2; exit 15; }; mkdir -p "$R/sessions"; : > "$s"; exit 0;;
    logout) s="$R/sessions/$T \${p%,*} $I"; [ -e "$s" ] || { echo "iscsiadm: No matching sessions found" >&2; exit 21; }; rm -f "$s"; exit 0;;
  esac
  case "$op" in
    '') [ -f "$f" ] || { echo "iscsiadm: No records found" >&2; exit 21; }; cat "$f";;
    new) mkdir -p "$d"; (umask 077; printf 'node.name = %s\nnode.tpgt = %s\niface.iscsi_ifacename = %s\nnode.startup = automatic\nnode.session.auth.authmethod = None\n' "$T" "\${p##*,}" "$I" > "$f");;
    update) [ -f "$f" ] || exit 21; grep -v "^$n = " "$f" > "$f.t"; printf '%s = %s\n' "$n" "$v" >> "$f.t"; mv "$f.t" "$f";;
    delete) [ -f "$f" ] || exit 21; rm -f "$f";;
  esac;;
session)
  shopt -s nullglob; for s in "$R"/sessions/*; do b=\${s##*/}; set -- $b; printf 'Target: %s (non-flash)\n\tCurrent Portal: %s,1\n\tPersistent Portal: %s,1\n\t\t**********\n\t\tInterface:\n\t\t**********\n\t\tIface Name: %s\n' "$1" "$2" "$2" "$3"; done;;
esac
`;

export interface FakeIscsiadm {
  root: string;
  /** Undoes the PATH/env changes and removes the folder. */
  dispose(): void;
  argv(): string[];
  nodeFile(iqn: string, portal: string, iface: string): string | null;
  iface(name: string): string | null;
  sessions(): string[];
  /** From now on every --login fails with this stderr and exit code (24 = authorization failure). */
  failLogins(message: string, code: number): void;
}

export function fakeIscsiadm(): FakeIscsiadm {
  const root = mkdtempSync(join(tmpdir(), 'portico-fake-iscsiadm-'));
  mkdirSync(join(root, 'bin'));
  writeFileSync(join(root, 'argv.log'), '');
  writeFileSync(join(root, 'bin', 'iscsiadm'), SCRIPT.replace(/\\\$\{/g, '${'));
  chmodSync(join(root, 'bin', 'iscsiadm'), 0o755);
  const saved = { PATH: process.env.PATH, root: process.env.FAKE_ISCSI_ROOT, dirs: process.env.PORTICO_ISCSI_NODE_DIRS };
  process.env.PATH = `${join(root, 'bin')}:${process.env.PATH}`;
  process.env.FAKE_ISCSI_ROOT = root;
  process.env.PORTICO_ISCSI_NODE_DIRS = join(root, 'nodes');
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return null;
    }
  };
  return {
    root,
    dispose() {
      process.env.PATH = saved.PATH;
      for (const [k, v] of [['FAKE_ISCSI_ROOT', saved.root], ['PORTICO_ISCSI_NODE_DIRS', saved.dirs]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(root, { recursive: true, force: true });
    },
    argv: () => readFileSync(join(root, 'argv.log'), 'utf8').split('\n').filter(Boolean),
    nodeFile: (iqn, portal, iface) => read(join(root, 'nodes', iqn, portal.replace(':', ','), iface)),
    iface: (name) => read(join(root, 'ifaces', name)),
    failLogins(message, code) {
      const f = join(root, 'bin', 'iscsiadm');
      writeFileSync(f, readFileSync(f, 'utf8').replace('login) [ -f "$f" ] || exit 21;', `login) echo '${message.replace(/'/g, '')}' >&2; exit ${code};`));
    },
    sessions: () => {
      try {
        return readdirSync(join(root, 'sessions')).sort();
      } catch {
        return [];
      }
    },
  };
}
