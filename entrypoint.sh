#!/bin/sh
# Laneway's entry point: the Docker image's ENTRYPOINT, and what `npm run start:prod` runs.
#
#   entrypoint.sh [server]   check the configuration, wait for PostgreSQL, apply the migrations,
#                            then run the HTTP + WebSocket server (the default)
#   entrypoint.sh worker     the same, then run the background-job worker
#   entrypoint.sh migrate    the same, then exit 0
#   entrypoint.sh backup [FILE|-]
#                            check the configuration, wait for PostgreSQL, then write one archive
#                            of the database (pg_dump) and UPLOAD_DIR to FILE (default
#                            DATA_DIR/backups/laneway-<time>.tar; `-`: stdout) (docs/backup.md)
#   entrypoint.sh restore [--force] FILE|-
#                            the same checks, then restore such an archive into an empty
#                            database and UPLOAD_DIR, and apply the newer migrations
#   entrypoint.sh CMD ARG…   anything else runs as it is, with none of the above (`sh`,
#                            `node db/src/seed.ts`, …)
#
# DB_WAIT_SECONDS (default 60) bounds the wait for PostgreSQL; past it, or at once on a wrong
# password or a missing database, the script exits 1 with the reason. Migrations run under the
# advisory lock (db/src/migrate.ts), so any number of containers may start at once. The server
# and the worker are exec'd: they become this process and receive SIGTERM themselves.
set -eu

# Relative FILEs of backup and restore are the caller's; everything else runs from here.
LANEWAY_CALLER_DIR=$(pwd)
cd "$(dirname "$0")"

log() { printf 'entrypoint: %s\n' "$*"; }
die() {
  printf 'entrypoint: %s\n' "$*" >&2
  exit 1
}

# A signal during the checks below stops the script once the current step has returned.
trap 'exit 143' TERM
trap 'exit 130' INT

# Prints `external` or `embedded`; on a bad configuration prints the server's own one-line
# message (server/src/env.ts, which also refuses production without DATABASE_URL) and fails.
check_config() {
  node --input-type=module -e '
    import { ConfigError, loadConfig } from "./server/src/env.ts";
    try {
      console.log(loadConfig(process.env).databaseUrl ? "external" : "embedded");
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(error.message);
      process.exit(1);
    }
  '
}

# One connection attempt to the configured database, resolved the way migrate-cli resolves it.
# Exit 0: it answers; 1: not reachable (yet); 2: reachable but refusing us (password, database
# name), which waiting will not fix. Prints the reason, without the password.
probe_database() {
  node --input-type=module -e '
    import postgres from "postgres";
    import { databaseUrlFromEnv, redactUrl } from "./db/src/url.ts";
    const url = databaseUrlFromEnv();
    const fail = (code, reason) => {
      console.log("PostgreSQL at " + redactUrl(url) + ": " + reason);
      process.exit(code);
    };
    setTimeout(() => fail(1, "no answer within 5 s"), 5000).unref();
    const sql = postgres(url, { max: 1, connect_timeout: 4, onnotice: () => {} });
    try {
      await sql.unsafe("select 1");
      await sql.end({ timeout: 1 });
    } catch (error) {
      // 28xxx: authentication; 3D000: no such database.
      fail(/^(28|3D000)/.test(error.code ?? "") ? 2 : 1, error.message || error.code);
    }
  '
}

wait_for_database() {
  deadline=$(($(date +%s) + DB_WAIT_SECONDS))
  announced=''
  while :; do
    status=0
    reason=$(probe_database) || status=$?
    [ "$status" -eq 0 ] && return 0
    [ "$status" -eq 2 ] && die "$reason"
    [ "$(date +%s)" -lt "$deadline" ] || die "${reason} (gave up after DB_WAIT_SECONDS=${DB_WAIT_SECONDS} s)"
    if [ -z "$announced" ]; then
      log "waiting up to ${DB_WAIT_SECONDS} s for the database: ${reason}"
      announced=1
    fi
    sleep 1
  done
}

command=${1:-server}
case $command in
  server | worker | migrate | backup | restore) [ $# -eq 0 ] || shift ;;
  *) exec "$@" ;;
esac

# `backup -` writes the archive to stdout: keep stdout as fd 3 for it, and send everything this
# script prints to stderr.
case $command in
  backup | restore) exec 3>&1 1>&2 ;;
esac

: "${DB_WAIT_SECONDS:=60}"
case $DB_WAIT_SECONDS in
  *[!0-9]*) die "Invalid configuration: DB_WAIT_SECONDS: must be a whole number of seconds" ;;
esac

database=$(check_config) || exit 1
# The embedded database is started by the migration step itself (and again by the server).
[ "$database" = embedded ] || wait_for_database

# No migrations first: a backup takes the database as it is, and restore needs it empty.
case $command in
  backup | restore)
    export LANEWAY_CALLER_DIR
    exec node db/src/backup-cli.ts "$command" "$@" 1>&3 3>&-
    ;;
esac

node db/src/migrate-cli.ts || exit 1

case $command in
  server) exec node server/src/main.ts "$@" ;;
  worker) exec node workers/src/index.ts "$@" ;;
  migrate) exit 0 ;;
esac
