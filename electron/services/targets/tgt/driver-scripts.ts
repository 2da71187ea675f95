// The driver's remote scripts: fixed text, values only as arguments (on stdin, through runScript).
// Each says what it prints; driver.ts parses that.

/**
 * Batch runner. Args: entries `MODE N ARG1..ARGN`; MODE c = change (after a failure the remaining
 * changes are skipped), r = read or loose change (always runs). Output per entry: \x1e IDX RC \x1f OUTPUT.
 */
export const BATCH_SCRIPT = `i=0; failed=
while [ $# -gt 0 ]; do
  m=$1; n=$2; shift 2
  cmd=("\${@:1:$n}"); shift "$n"
  if [ "$m" = c ] && [ -n "$failed" ]; then printf '\\036%d -\\037' "$i"; i=$((i+1)); continue; fi
  out=$("\${cmd[@]}" 2>&1 </dev/null); rc=$?
  printf '\\036%d %d\\037%s' "$i" "$rc" "$out"
  [ $rc -eq 0 ] || [ "$m" = r ] || failed=1
  i=$((i+1))
done`;

/** Reads files: per path "F <base64>" or "N". pipefail: a failed read is an error, never an empty file. */
export const READ_FILES_SCRIPT = `set -o pipefail
for f; do if [ -f "$f" ]; then printf 'F '; base64 -w0 < "$f" || exit 4; echo; else echo N; fi; done`;

/** Per path: "F SHA256" or "N". */
export const DIGEST_SCRIPT = `set -o pipefail
for f; do if [ -e "$f" ]; then printf 'F %s\\n' "$(sha256sum < "$f" | cut -d' ' -f1)" || exit 4; else echo N; fi; done`;

/** Stat: per path "path\\ttype\\tsize\\tblocks\\tblocksize" or "path\\tmissing". */
export const STAT_SCRIPT = `for f; do
  if [ -b "$f" ]; then printf '%s\\tblock\\t%s\\t0\\t0\\n' "$f" "$(blockdev --getsize64 "$f" 2>/dev/null || echo 0)"
  elif [ -e "$f" ]; then printf '%s\\t' "$f"; stat -c '%F	%s	%b	%B' -- "$f" || exit 4
  else printf '%s\\tmissing\\n' "$f"; fi
done`;

export const LIST_SCRIPT = `set -o pipefail; [ -e "$1" ] || exit 0; find "$1" -mindepth 1 -maxdepth 1 -printf '%p\\t%y\\t%s\\t%b\\n' | LC_ALL=C sort`;

/** Free space: the nearest existing folder at or above $1 (line 1), then df's avail, size, type, source and mount point of it. */
export const SPACE_SCRIPT = `set -o pipefail; p=$1
while [ ! -e "$p" ] && [ "$p" != / ]; do p=$(dirname -- "$p"); done
[ -d "$p" ] || { echo "$p is not a folder" >&2; exit 3; }
printf '%s\\n' "$p"
df -B1 --output=avail,size,fstype,source,target -- "$p" | tail -n 1`;

/** Sparse files: args PATH BYTES pairs, in order; refuses existing paths; stops at the first failure. Per file: "K" or "E reason". */
export const SPARSE_SCRIPT = `while [ $# -gt 0 ]; do f=$1; n=$2; shift 2
  if [ -e "$f" ]; then echo "E already exists: $f"; exit 0; fi
  if err=$(truncate -s "$n" -- "$f" 2>&1); then echo K; else echo "E truncate failed: $f: $err"; exit 0; fi
done`;

/** Every *.conf of a folder: \\x1e PATH \\x1f CONTENT. A failed read is an error. */
export const CONF_LIST_SCRIPT = `set -o pipefail
for f in "$1"/*.conf; do [ -f "$f" ] || continue; printf '\\036%s\\037' "$f"; cat -- "$f" || exit 4; done`;

/**
 * The systemd unit that starts tgtd: "UNIT\nFILE" for the first of tgt.service, tgtd.service that
 * systemd has a unit file for (`show` prints an empty FragmentPath for an unknown unit); where
 * systemd is installed but not running (a chroot, the lab's namespaces), the unit files on disk in
 * systemd's own search order. Nothing when neither exists.
 */
export const TGT_SERVICE_SCRIPT = `if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  for u in tgt.service tgtd.service; do p=$(systemctl show -p FragmentPath --value "$u" 2>/dev/null); if [ -n "$p" ] && [ -e "$p" ]; then printf '%s\\n%s\\n' "$u" "$p"; exit 0; fi; done
else
  for u in tgt.service tgtd.service; do for d in /etc/systemd/system /usr/lib/systemd/system /lib/systemd/system; do if [ -f "$d/$u" ]; then printf '%s\\n%s\\n' "$u" "$d/$u"; exit 0; fi; done; done
fi`;
