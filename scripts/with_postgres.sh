#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server:
#   scripts/with_postgres.sh <command> [args...]
# Starts a private server (initdb in a temporary directory, trust auth, loopback only, a free
# port, fsync off), exports HERALD_TEST_PG_URL=postgresql://postgres@127.0.0.1:<port>/postgres,
# runs the command, then stops the server and deletes the directory whatever happens. Exits with
# the command's exit code.
#
# When no server can be started (no initdb, no postgres user to run it as root, ...), prints one
# line to stderr and runs the command without HERALD_TEST_PG_URL, so PostgreSQL tests skip.
# When HERALD_TEST_PG_URL is already set, the command runs against that server instead.
# HERALD_PG_BINDIR overrides where initdb/pg_ctl are looked for. Needs no stdin (CI=true).
set -uo pipefail

if (($# == 0)); then
  echo "usage: scripts/with_postgres.sh <command> [args...]" >&2
  exit 2
fi

# unavailable <reason> <command> [args...]: says why, then runs the command without a server.
unavailable() {
  local why="$1"
  shift
  echo "with_postgres: PostgreSQL unavailable (${why}): PostgreSQL tests will skip" >&2
  unset HERALD_TEST_PG_URL
  "$@"
}

if [[ -n "${HERALD_TEST_PG_URL:-}" ]]; then
  echo "with_postgres: using HERALD_TEST_PG_URL from the environment" >&2
  exec "$@"
fi

find_bindir() {
  local d best=""
  if [[ -n "${HERALD_PG_BINDIR:-}" && -x "${HERALD_PG_BINDIR}/initdb" ]]; then
    echo "$HERALD_PG_BINDIR"
    return 0
  fi
  # pg_config --bindir often names the client-only directory (/usr/bin): prefer the server's.
  if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
    echo /usr/lib/postgresql/15/bin
    return 0
  fi
  while read -r d; do
    [[ -x "$d/initdb" ]] && best="$d"
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
  if [[ -n "$best" ]]; then
    echo "$best"
    return 0
  fi
  if command -v pg_config >/dev/null 2>&1; then
    d="$(pg_config --bindir 2>/dev/null)"
    if [[ -x "$d/initdb" ]]; then
      echo "$d"
      return 0
    fi
  fi
  d="$(command -v initdb 2>/dev/null)" && { dirname "$d"; return 0; }
  return 1
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' &&
      return 0
  fi
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    # A refused connection means nobody listens there.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

bindir="$(find_bindir)" || { unavailable "no initdb found" "$@"; exit $?; }

# PostgreSQL refuses to run as root: run the server as the postgres user then.
as_pg=()
if [[ "$(id -u)" == 0 ]]; then
  if ! id postgres >/dev/null 2>&1; then
    unavailable "running as root and there is no postgres user" "$@"
    exit $?
  fi
  if command -v runuser >/dev/null 2>&1; then
    as_pg=(runuser -u postgres --)
  else
    # shellcheck disable=SC2016  # expanded by the inner shell
    as_pg=(su postgres -s /bin/sh -c '"$0" "$@"' --)
  fi
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/herald-pg.XXXXXX")" || { unavailable "cannot create a temporary directory" "$@"; exit $?; }
started=0
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  if ((started)); then
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate -w stop </dev/null >/dev/null 2>&1
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ((${#as_pg[@]})); then
  chown postgres: "$tmp"
  if ! "${as_pg[@]}" test -w "$tmp" </dev/null; then
    unavailable "the postgres user cannot write to $tmp" "$@"
    exit $?
  fi
fi

if ! "${as_pg[@]}" "$bindir/initdb" -D "$tmp/data" --auth=trust -U postgres --encoding=UTF8 \
  --locale=C --no-sync </dev/null >"$tmp/initdb.log" 2>&1; then
  unavailable "initdb failed: $(tail -n 1 "$tmp/initdb.log")" "$@"
  exit $?
fi

port=""
for _ in 1 2 3 4 5; do
  port="$(free_port)" || break
  if "${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start </dev/null >/dev/null 2>&1; then
    started=1
    break
  fi
  # Most likely another process took the port between our check and the server's bind.
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate -w stop </dev/null >/dev/null 2>&1
done
if ((!started)); then
  unavailable "the server did not start: $(tail -n 1 "$tmp/postgres.log" 2>/dev/null)" "$@"
  exit $?
fi

export HERALD_TEST_PG_URL="postgresql://postgres@127.0.0.1:${port}/postgres"
echo "with_postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:${port}" >&2
"$@"
rc=$?
exit "$rc"
