#!/usr/bin/env bash
# Debian packages the test suites use beyond what the lab installs for itself (tasks/lab/up.ts): Chromium and
# tmux (the status/diagram suite), MariaDB (hellogopher's Go tests; test/support/mariadb.sh also checks),
# busybox-static (the hellogopher base image). Installs the missing ones when run as root on Debian; elsewhere
# says what is missing and exits 0 (the suite that needs it then fails, saying why).
set -euo pipefail
want=(mariadb-server mariadb-client busybox-static chromium tmux)
command -v dpkg-query >/dev/null || { echo "test packages: not a Debian-like machine; the suites need: ${want[*]}"; exit 0; }
need=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "test packages: missing ${need[*]} — as root: apt-get install -y ${need[*]}"
  exit 0
fi
echo "test packages: apt-get install ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
