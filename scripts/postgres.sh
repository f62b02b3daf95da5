# A throwaway PostgreSQL server on loopback in a temporary directory, for the test suite.
pg_bin() {
  local b
  b=$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
  dirname "$b"
}

start_postgres() {
  local bin; bin=$(pg_bin)
  PG_DIR=$(mktemp -d /tmp/hezhang-pg.XXXXXX)
  PG_PORT=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root; the cluster belongs to the postgres (or nobody) account instead.
    local owner=postgres; id postgres >/dev/null 2>&1 || owner=nobody
    chown "$owner" "$PG_DIR"
    run=(runuser -u "$owner" --)
  fi
  "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -F" start >/dev/null
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/hezhang"
  PG_RUN=("${run[@]}")
  PG_BIN="$bin"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
}

stop_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
