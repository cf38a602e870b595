#!/bin/bash
# Entrypoint of localhost/lab/mysql-compat:mariadb-10.11 — Debian bookworm's MariaDB behind the
# environment contract of the official `mysql` image, so the tutorial's Deployment works unchanged:
#
#   MYSQL_ROOT_PASSWORD         password of 'root'@'localhost' and of 'root'@'%' (MYSQL_ROOT_HOST)
#   MYSQL_ALLOW_EMPTY_PASSWORD  yes: allow an empty root password (otherwise an empty one is refused)
#   MYSQL_ROOT_HOST             host part of the remote root account (default '%'; 'localhost' = none)
#   MYSQL_DATABASE              database created at initialisation (optional)
#   MYSQL_USER, MYSQL_PASSWORD  account created at initialisation, with all rights on MYSQL_DATABASE
#
# The variables are read only when /var/lib/mysql is empty (first start), like the official image.
# Passwords are never printed and never put on a command line: SQL reaches the client on stdin.
set -euo pipefail

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock

log() { printf 'entrypoint: %s\n' "$*" >&2; }
die() {
  printf 'entrypoint: error: %s\n' "$*" >&2
  exit 1
}

# `docker run IMAGE --some-option` passes options to the server.
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then set -- mariadbd "$@"; fi
case "$1" in
  mariadbd | mysqld) shift ;;
  *) exec "$@" ;; # anything else (bash, mysql, ...) runs as given
esac
for a in "$@"; do
  case "$a" in --help | --version | -V | '-?') exec mariadbd "$@" ;; esac # no server, no initialisation
done

# A string literal / identifier for SQL: quote doubled, backslash escaped.
sql_str() {
  local s=${1//\\/\\\\}
  s=${s//\'/\'\'}
  printf "'%s'" "$s"
}
sql_id() { printf '`%s`' "${1//\`/\`\`}"; }

user_opt=()
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$DATADIR" /run/mysqld
  chown mysql:mysql /run/mysqld
  # A fresh volume is owned by root; only touch what is not already the server's.
  find "$DATADIR" \! -user mysql -exec chown mysql:mysql {} +
  user_opt=(--user=mysql)
fi

if [ ! -d "$DATADIR/mysql" ]; then
  case "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" in
    yes | YES | Yes | true | 1) allow_empty=1 ;;
    *) allow_empty= ;;
  esac
  if [ -z "${MYSQL_ROOT_PASSWORD:-}" ] && [ -z "$allow_empty" ]; then
    die "database is uninitialised and MYSQL_ROOT_PASSWORD is empty — set MYSQL_ROOT_PASSWORD (or MYSQL_ALLOW_EMPTY_PASSWORD=yes)"
  fi
  if [ -n "${MYSQL_USER:-}" ] && [ "${MYSQL_USER}" = root ]; then
    die "MYSQL_USER=root is not allowed: root is configured by MYSQL_ROOT_PASSWORD"
  fi

  log "initialising $DATADIR"
  out=$(mktemp)
  if ! mariadb-install-db "${user_opt[@]}" --datadir="$DATADIR" --skip-test-db --skip-name-resolve \
    --cross-bootstrap --auth-root-authentication-method=normal >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    die "mariadb-install-db failed"
  fi
  rm -f "$out"

  log "starting a temporary server on $SOCKET (no network)"
  mariadbd "${user_opt[@]}" --datadir="$DATADIR" --skip-networking --socket="$SOCKET" \
    --skip-name-resolve &
  pid=$!
  client=(mariadb --no-defaults --protocol=socket --socket="$SOCKET" -uroot)
  for i in $(seq 60); do
    if "${client[@]}" -e 'SELECT 1' >/dev/null 2>&1; then break; fi
    kill -0 "$pid" 2>/dev/null || die "the temporary server exited during initialisation"
    [ "$i" = 60 ] && die "the temporary server did not answer within 60s"
    sleep 1
  done

  root_host=${MYSQL_ROOT_HOST:-%}
  pw=$(sql_str "${MYSQL_ROOT_PASSWORD:-}")
  # printf and echo are bash builtins: the passwords go down the pipe, never into an argv.
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    # install-db also makes root@127.0.0.1 and root@::1 (passwordless): only root@localhost stays
    echo "DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1', ''@'localhost';"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $pw;"
    if [ "$root_host" != localhost ]; then
      echo "CREATE USER 'root'@$(sql_str "$root_host") IDENTIFIED BY $pw;"
      echo "GRANT ALL PRIVILEGES ON *.* TO 'root'@$(sql_str "$root_host") WITH GRANT OPTION;"
    fi
    if [ -n "${MYSQL_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS $(sql_id "$MYSQL_DATABASE");"
    fi
    if [ -n "${MYSQL_USER:-}" ]; then
      if [ -n "${MYSQL_PASSWORD:-}" ]; then
        echo "CREATE USER $(sql_str "$MYSQL_USER")@'%' IDENTIFIED BY $(sql_str "$MYSQL_PASSWORD");"
        if [ -n "${MYSQL_DATABASE:-}" ]; then
          echo "GRANT ALL PRIVILEGES ON $(sql_id "$MYSQL_DATABASE").* TO $(sql_str "$MYSQL_USER")@'%';"
        fi
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | "${client[@]}" || {
    kill "$pid" 2>/dev/null || true
    die "setting up users and databases failed"
  }
  if [ -n "${MYSQL_DATABASE:-}" ]; then log "created database $MYSQL_DATABASE"; fi
  if [ -n "${MYSQL_USER:-}" ]; then
    if [ -n "${MYSQL_PASSWORD:-}" ]; then
      log "created user $MYSQL_USER"
    else
      log "warning: MYSQL_USER is set but MYSQL_PASSWORD is empty; user $MYSQL_USER not created"
    fi
  fi

  # SIGTERM is mariadbd's clean shutdown.
  kill "$pid"
  wait "$pid" || die "the temporary server did not shut down cleanly"
  log "initialisation done"
else
  log "$DATADIR is already initialised; starting"
fi

exec mariadbd "${user_opt[@]}" --bind-address=0.0.0.0 --port=3306 --skip-name-resolve "$@"
