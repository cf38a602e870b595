#!/usr/bin/env bash
# A throwaway MariaDB for hellogopher's database tests.
#
#   eval "$(test/support/mariadb.sh start)"   # start (idempotent) and export TEST_MYSQL_*
#   test/support/mariadb.sh env               # print the exports again
#   test/support/mariadb.sh stop              # stop it (data stays for the next start)
#
# It listens on 127.0.0.1 only, runs from ${TMPDIR:-/tmp}/learn-k8s-easy-mariadb,
# and uses a fixed, test-only root password. Only the export line goes to stdout;
# all progress goes to stderr.
set -euo pipefail

PORT="${LAB_MARIADB_PORT:-3307}"
PASSWORD="lab-test-pw" # test-only; never a real secret
BASE="${TMPDIR:-/tmp}/learn-k8s-easy-mariadb"
DATA="$BASE/data"
SOCK="$BASE/mysqld.sock"
PIDFILE="$BASE/mysqld.pid"
LOGFILE="$BASE/mysqld.log"
INITFILE="$BASE/init.sql"
WAIT_SECONDS=30

say() { echo "mariadb.sh: $*" >&2; }
die() { say "$*"; exit 1; }

exports() {
  echo "export TEST_MYSQL_HOST=127.0.0.1 TEST_MYSQL_PORT=$PORT TEST_MYSQL_USER=root TEST_MYSQL_PASSWORD=$PASSWORD"
}

find_prog() { # first of the names found in PATH or /usr/sbin, /usr/bin
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    for dir in /usr/sbin /usr/bin; do
      if [[ -x "$dir/$name" ]]; then echo "$dir/$name"; return 0; fi
    done
  done
  return 1
}

ensure_installed() {
  if find_prog mariadbd mysqld >/dev/null && find_prog mariadb mysql >/dev/null &&
    find_prog mariadb-install-db mysql_install_db >/dev/null; then
    return 0
  fi
  [[ $(id -u) -eq 0 ]] || die "MariaDB is not installed; as root run: apt-get update && apt-get install -y mariadb-server mariadb-client"
  say "installing mariadb-server and mariadb-client (apt-get)"
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mariadb-server mariadb-client >&2
}

client() { # run SQL through the TCP port with the test password (password via env, not argv)
  MYSQL_PWD="$PASSWORD" "$(find_prog mariadb mysql)" --no-defaults --protocol=tcp -h 127.0.0.1 -P "$PORT" \
    -u root --connect-timeout=2 -N -B "$@"
}

answering() { client -e 'SELECT 1' >/dev/null 2>&1; }

running_pid() { # pid of our server, if alive
  local pid
  [[ -f "$PIDFILE" ]] || return 1
  pid="$(cat "$PIDFILE" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

write_init_file() { # applied at every start: root can log in with the test password over TCP
  local old_umask
  old_umask="$(umask)"
  umask 077
  {
    for host in localhost 127.0.0.1 ::1; do
      echo "CREATE USER IF NOT EXISTS 'root'@'$host' IDENTIFIED BY '$PASSWORD';"
      echo "ALTER USER 'root'@'$host' IDENTIFIED BY '$PASSWORD';"
      echo "GRANT ALL PRIVILEGES ON *.* TO 'root'@'$host' WITH GRANT OPTION;"
    done
    echo "FLUSH PRIVILEGES;"
  } >"$INITFILE"
  umask "$old_umask"
}

start() {
  if answering; then
    say "already running on 127.0.0.1:$PORT"
    exports
    return 0
  fi
  ensure_installed
  mkdir -p "$BASE"
  local user_args=()
  [[ $(id -u) -eq 0 ]] && user_args=(--user=root)

  if ! running_pid >/dev/null; then
    rm -f "$PIDFILE" "$SOCK"
    if [[ ! -d "$DATA/mysql" ]]; then
      say "initialising $DATA"
      rm -rf "$DATA"
      "$(find_prog mariadb-install-db mysql_install_db)" --no-defaults "${user_args[@]}" --datadir="$DATA" \
        --auth-root-authentication-method=normal --skip-test-db >"$BASE/install.log" 2>&1 ||
        { tail -n 20 "$BASE/install.log" >&2; die "mariadb-install-db failed (log: $BASE/install.log)"; }
    fi
    write_init_file
    say "starting MariaDB on 127.0.0.1:$PORT (log: $LOGFILE)"
    nohup "$(find_prog mariadbd mysqld)" --no-defaults "${user_args[@]}" \
      --datadir="$DATA" --socket="$SOCK" --pid-file="$PIDFILE" \
      --port="$PORT" --bind-address=127.0.0.1 --skip-name-resolve \
      --init-file="$INITFILE" --log-error="$LOGFILE" \
      --innodb-buffer-pool-size=32M --performance-schema=OFF \
      </dev/null >>"$LOGFILE" 2>&1 &
    local launched=$!
    # mariadbd writes its pid file itself a moment later; record ours meanwhile.
    sleep 0.2
    [[ -s "$PIDFILE" ]] || echo "$launched" >"$PIDFILE"
  else
    say "server process is up, waiting for it to answer"
  fi

  local deadline=$((SECONDS + WAIT_SECONDS))
  until answering; do
    if ! running_pid >/dev/null; then
      tail -n 20 "$LOGFILE" >&2 || true
      die "MariaDB exited during start (log: $LOGFILE)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 20 "$LOGFILE" >&2 || true
      die "MariaDB did not answer on 127.0.0.1:$PORT within ${WAIT_SECONDS}s (log: $LOGFILE)"
    fi
    sleep 0.5
  done
  say "MariaDB answering on 127.0.0.1:$PORT ($(client -e 'SELECT VERSION()'))"
  exports
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    say "not running (no live pid in $PIDFILE)"
    rm -f "$PIDFILE"
    return 0
  fi
  say "stopping MariaDB (pid $pid)"
  kill "$pid"
  local deadline=$((SECONDS + WAIT_SECONDS))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || die "pid $pid did not exit within ${WAIT_SECONDS}s"
    sleep 0.5
  done
  rm -f "$PIDFILE"
  say "stopped"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
env)
  answering || say "warning: nothing answers on 127.0.0.1:$PORT yet; run: $0 start"
  exports
  ;;
*)
  echo "usage: $0 start|stop|env" >&2
  exit 2
  ;;
esac
