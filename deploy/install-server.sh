#!/usr/bin/env bash
# Installs the API server (run as root; docs/operations.md "A new installation"):
#   deploy/install-server.sh [BINARY]     (default: .build/release/immoflow-compliance; build it with
#                                          `swift build -c release --product immoflow-compliance`)
# Settings (environment):
#   PREFIX    where the program goes (default /usr/local): PREFIX/bin/immoflow-compliance and
#             PREFIX/share/immoflow-compliance/{migrations,openapi.yaml,gdpdu}, where the binary finds them
#   DESTDIR   install below this root instead of / (packaging, tests): no user, no systemctl, no chown
# Creates the system user `immoflow`, /etc/immoflow-compliance/server.env (from the example, only when
# absent), the token pepper and the Ed25519 signing key (0600 root, only when absent, never printed),
# and the systemd unit. The database roles are a separate, documented step (roles.sql, migrate, grants.sql).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
BINARY=${1:-$repo/.build/release/immoflow-compliance}
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
die() { echo "deploy/install-server.sh: $*" >&2; exit "${2:-1}"; }
case "$PREFIX" in /*) ;; *) die "PREFIX must be an absolute path, got '$PREFIX'" 64 ;; esac
[ -x "$BINARY" ] || die "no executable at $BINARY (swift build -c release --product immoflow-compliance, or pass its path)"
"$BINARY" --version >/dev/null 2>&1 || die "$BINARY does not run (--version failed)"
[ -z "$DESTDIR" ] && [ "$(id -u)" -ne 0 ] && die "run as root (or set DESTDIR)" 64
command -v openssl >/dev/null || die "openssl is needed for the pepper and the signing key (apt-get install openssl)"

share=$DESTDIR$PREFIX/share/immoflow-compliance
etc=$DESTDIR/etc/immoflow-compliance
install -d -m 0755 "$DESTDIR$PREFIX/bin" "$share" "$share/migrations" "$share/gdpdu"
install -m 0755 "$BINARY" "$DESTDIR$PREFIX/bin/immoflow-compliance"
install -m 0644 "$repo"/migrations/*.sql "$share/migrations/"
install -m 0644 "$repo/openapi.yaml" "$share/openapi.yaml"
install -m 0644 "$repo"/share/gdpdu/* "$share/gdpdu/"
install -d -m 0755 "$share/postgresql"
install -m 0644 "$here/postgresql/roles.sql" "$here/postgresql/grants.sql" "$share/postgresql/"

if [ -z "$DESTDIR" ] && ! id immoflow >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /var/lib/immoflow-compliance --no-create-home --shell /usr/sbin/nologin immoflow
fi
install -d -m 0750 "$etc"
[ -z "$DESTDIR" ] && chown root:immoflow "$etc"
if [ ! -e "$etc/server.env" ]; then
    install -m 0640 "$here/server.env.example" "$etc/server.env"
    [ -z "$DESTDIR" ] && chown root:immoflow "$etc/server.env"
fi
# Secrets: created once, 0600 root (systemd's LoadCredential= reads them as root); never printed.
umask 077
if [ ! -e "$etc/token-pepper" ]; then
    openssl rand -base64 48 > "$etc/token-pepper.tmp" && mv "$etc/token-pepper.tmp" "$etc/token-pepper"
fi
if [ ! -e "$etc/signing.pem" ]; then
    openssl genpkey -algorithm ed25519 -out "$etc/signing.pem.tmp" 2>/dev/null && mv "$etc/signing.pem.tmp" "$etc/signing.pem"
fi
chmod 0600 "$etc/token-pepper" "$etc/signing.pem"
umask 022

unit=$DESTDIR/etc/systemd/system/immoflow-compliance.service
install -d -m 0755 "$(dirname "$unit")"
sed "s#@PREFIX@#$PREFIX#g" "$here/systemd/immoflow-compliance.service" > "$unit.tmp"
chmod 0644 "$unit.tmp" && mv "$unit.tmp" "$unit"
if grep -q '@[A-Z_]*@' "$unit"; then die "unrendered placeholder in $unit"; fi
if [ -z "$DESTDIR" ]; then
    systemctl daemon-reload
    systemctl enable immoflow-compliance.service
fi
cat >&2 <<NEXT
installed $PREFIX/bin/immoflow-compliance ($("$BINARY" --version)) ${DESTDIR:+below $DESTDIR }
next (docs/operations.md):
  1. sudo -u postgres psql -v ON_ERROR_STOP=1 -f $PREFIX/share/immoflow-compliance/postgresql/roles.sql
     and set both roles' passwords (\\password immoflow_owner, \\password immoflow_app)
  2. DATABASE_URL=postgresql://immoflow_owner@localhost/immoflow $PREFIX/bin/immoflow-compliance migrate
  3. psql postgresql://immoflow_owner@localhost/immoflow -f $PREFIX/share/immoflow-compliance/postgresql/grants.sql
  4. fill in /etc/immoflow-compliance/server.env, then: systemctl start immoflow-compliance
  5. IMMOFLOW_SIGNING_KEY_FILE=/etc/immoflow-compliance/signing.pem $PREFIX/bin/immoflow-compliance audit public-key
     (the public key auditors verify packages with)
NEXT
