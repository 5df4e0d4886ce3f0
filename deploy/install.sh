#!/usr/bin/env bash
# Installs the backup schedule and its configuration from deploy/ (run as root):
#   deploy/install.sh [systemd|cron]        (default: systemd — its timers say UTC themselves)
# Settings (environment):
#   PG_VERSION   the PostgreSQL major version, the one place it is set (default 15); it is
#                rendered into every file that names a PostgreSQL path (@PG_VERSION@)
#   DESTDIR      install below this root instead of / (packaging, tests)
# Secrets are never written here: backup.env is installed only when absent, from the example,
# and must be filled in by hand (0640 root:postgres).
set -euo pipefail
cd "$(dirname "$0")"
MODE=${1:-systemd}
PG_VERSION=${PG_VERSION:-15}
DESTDIR=${DESTDIR:-}
case "$MODE" in systemd|cron) ;; *) echo "usage: deploy/install.sh [systemd|cron]" >&2; exit 64 ;; esac
[[ "$PG_VERSION" =~ ^[0-9]{2}$ ]] || { echo "deploy/install.sh: PG_VERSION must be a major version like 15, got '$PG_VERSION'" >&2; exit 64; }
owner() { [ -z "$DESTDIR" ] && [ "$(id -u)" -eq 0 ] && echo "-o $1 -g $2" || true; }

# render SOURCE TARGET MODE [OWNER GROUP]: installs SOURCE with @PG_VERSION@ replaced.
render() {
    local source=$1 target=$DESTDIR$2 mode=$3
    install -d "$(dirname "$target")"
    sed "s/@PG_VERSION@/$PG_VERSION/g" "$source" > "$target.tmp"
    chmod "$mode" "$target.tmp"
    [ -n "${4:-}" ] && [ -z "$DESTDIR" ] && chown "$4:$5" "$target.tmp"
    mv "$target.tmp" "$target"
    if grep -q '@[A-Z_]*@' "$target"; then echo "deploy/install.sh: unrendered placeholder in $target" >&2; exit 1; fi
}

render pgbackrest/pgbackrest.conf /etc/pgbackrest/pgbackrest.conf 0640 postgres postgres
render postgresql/archiving.conf "/etc/postgresql/$PG_VERSION/main/conf.d/archiving.conf" 0644
render systemd/postgresql@.service.d/pgbackrest.conf /etc/systemd/system/postgresql@.service.d/pgbackrest.conf 0644
if [ ! -e "$DESTDIR/etc/immoflow-compliance/backup.env" ]; then
    render pgbackrest/backup.env.example /etc/immoflow-compliance/backup.env 0640 root postgres
fi
if [ ! -e "$DESTDIR/etc/immoflow-compliance/export.env" ]; then
    render export.env.example /etc/immoflow-compliance/export.env 0640 root postgres
fi
install -d $(owner postgres postgres) -m 0700 "$DESTDIR/var/spool/immoflow-compliance"
install -d $(owner postgres postgres) -m 0750 "$DESTDIR/var/log/immoflow-compliance"
install -d -m 0755 "$DESTDIR/usr/local/lib/immoflow-compliance"
install -m 0755 ../tools/dr_restore_test.sh ../tools/dr_full_exercise.sh "$DESTDIR/usr/local/lib/immoflow-compliance/"
if [ "$MODE" = systemd ]; then
    for unit in systemd/immoflow-backup-* systemd/immoflow-export-* systemd/immoflow-restore-test.* systemd/immoflow-dr-exercise.*; do render "$unit" "/etc/systemd/system/$(basename "$unit")" 0644; done
    if [ -z "$DESTDIR" ]; then
        systemctl daemon-reload
        systemctl enable --now immoflow-backup-{full,diff,weekly,offsite,expire,ingest}.timer immoflow-export-monthly.timer immoflow-restore-test.timer immoflow-dr-exercise.timer
    fi
else
    render cron/immoflow-backup /etc/cron.d/immoflow-backup 0644
    render cron/immoflow-export /etc/cron.d/immoflow-export 0644
    render cron/immoflow-restore-test /etc/cron.d/immoflow-restore-test 0644
    render cron/immoflow-dr-exercise /etc/cron.d/immoflow-dr-exercise 0644
    [ "$(date +%z)" = +0000 ] || echo "deploy/install.sh: warning: this host's time zone is $(date +%Z); the cron schedule is UTC: timedatectl set-timezone UTC" >&2
fi
echo "installed ($MODE, PostgreSQL $PG_VERSION${DESTDIR:+, below $DESTDIR}); fill in /etc/immoflow-compliance/backup.env and export.env" >&2
