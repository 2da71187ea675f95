#!/usr/bin/env bash
# Installs the Debian packages the tests need when run as root; otherwise prints the one
# apt-get line to run (the lab-backed tests then skip, each saying why).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t pkgs < <(cat scripts/apt-packages.txt e2e/lab/packages.txt 2>/dev/null | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} Debian packages present"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Lab daemons are started by the lab itself, never by the package's service scripts.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "install-deps: done"
else
  echo "install-deps: not root; to run every test, first run:"
  echo "  sudo apt-get install -y ${missing[*]}"
fi
