# PostgreSQL for the local hub and the tests: a private cluster on a
# loopback port, TCP only, password auth.  Sourced by tools/hub and
# t/run-tests.  initdb refuses root, so the server tools run as `postgres`
# (PLATFORM.md); every function takes the data directory first.

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

# A TCP port nobody listens on, from the kernel.
pg_free_port() {
    perl -MIO::Socket::INET -e \
        'print IO::Socket::INET->new(Listen=>1,LocalAddr=>"127.0.0.1",LocalPort=>0)->sockport'
}

# pg_init DIR PORT PASSFILE [fast]: a new cluster whose superuser `postgres`
# and app role `hub` share the password in PASSFILE; database `hub`.
pg_init() {
    local dir=$1 port=$2 passfile=$3 fast=${4:-}
    mkdir -p "$dir"
    chown postgres: "$dir"
    chmod 700 "$dir"
    # initdb reads the password file as postgres
    local pw; pw=$(mktemp /tmp/hubpw.XXXXXX)
    cp "$passfile" "$pw"; chown postgres: "$pw"
    (cd / && runuser -u postgres -- "$PG_BIN/initdb" -D "$dir" -U postgres \
        --auth=scram-sha-256 --pwfile="$pw" -E UTF8 --locale=C.UTF-8 >/dev/null) \
        || { rm -f "$pw"; return 1; }
    rm -f "$pw"
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = ''"
        echo "max_connections = 200"
        if [ -n "$fast" ]; then
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        fi
    } >>"$dir/postgresql.conf"
}

pg_start() {
    local dir=$1
    (cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" \
        -w -t 60 start >/dev/null)
}

pg_stop() {
    local dir=$1
    [ -f "$dir/postmaster.pid" ] || return 0
    (cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null) || true
}

# pg_psql PORT PASSFILE USER DB ARGS...: psql over TCP
pg_psql() {
    local port=$1 passfile=$2 user=$3 db=$4; shift 4
    PGPASSWORD=$(cat "$passfile") PGOPTIONS='-c client_min_messages=warning' \
        psql -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$port" -U "$user" -d "$db" "$@"
}

# pg_create_app PORT PASSFILE DB: role hub (not superuser) owning DB
pg_create_app() {
    local port=$1 passfile=$2 db=$3
    local pass; pass=$(cat "$passfile")
    pg_psql "$port" "$passfile" postgres postgres -v pass="$pass" <<'SQL'
SELECT format('CREATE ROLE hub LOGIN PASSWORD %L', :'pass')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub')\gexec
SQL
    pg_psql "$port" "$passfile" postgres postgres -v db="$db" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER hub', :'db')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db')\gexec
SQL
}

# hub_migrate SQLDIR PSQL...: apply each numbered file of SQLDIR not yet
# recorded in schema_migrations, each in one transaction with its record,
# under an advisory lock so two hubs starting at once do not both migrate.
# PSQL... is the command that runs psql on the database (pg_psql ... or
# hub_dsn_psql).  Applying twice is a no-op.  Migration files hold no
# BEGIN/COMMIT of their own.  A database that has the hub's tables but no
# schema_migrations (migrated by hand with psql -1 -f, as the README once
# said) is adopted first: see hub_migrate_adopt.
hub_migrate() {
    local sqldir=$1 f version out adopt; shift
    adopt=$("$@" -At -c "SELECT to_regclass('schema_migrations') IS NULL
                            AND to_regclass('tenants') IS NOT NULL") || return 1
    if [ "$adopt" = t ]; then
        hub_migrate_adopt "$sqldir" "$@" || return 1
    fi
    "$@" -c "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version text PRIMARY KEY,
                 applied_at timestamptz NOT NULL DEFAULT now())"
    for f in "$sqldir"/[0-9][0-9][0-9]_*.sql; do
        [ -e "$f" ] || continue
        version=$(basename "$f" .sql)
        out=$("$@" -v version="$version" -v file="$f" <<'SQL'
BEGIN;
SELECT pg_advisory_xact_lock(7243001) AS locked \gset
SELECT NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = :'version')
       AS todo \gset
\if :todo
\i :file
INSERT INTO schema_migrations (version) VALUES (:'version');
\echo applied :version
\endif
COMMIT;
SQL
        ) || { echo "migration $version failed" >&2; return 1; }
        [ -z "$out" ] || echo "$out"
    done
}

# hub_migrate_adopt SQLDIR PSQL...: record the files a database without
# schema_migrations already had applied.  Files were applied in order, so
# the last applied is the newest file all of whose named objects exist
# (tools/lib/migration-objects.pl); it and every file before it are
# recorded, in one transaction.  A newer file with some of its objects
# present and some missing is a half-applied database: refused, nothing
# recorded, so an operator looks before anything runs.
hub_migrate_adopt() {
    local sqldir=$1 f version cond have last= bad=; shift
    local -a versions=()
    for f in "$sqldir"/[0-9][0-9][0-9]_*.sql; do
        [ -e "$f" ] || continue
        version=$(basename "$f" .sql)
        versions+=("$version")
        cond=$(perl "${HUB_LIB:-$HUB_TOP/tools/lib}/migration-objects.pl" "$f")
        [ -n "$cond" ] || continue
        have=$("$@" -At -c "SELECT $cond") || return 1
        case $have in
            t\|t) last=$version bad= ;;
            f\|t) bad="$bad $version" ;;
        esac
    done
    [ -n "$last" ] || { echo "hub_migrate: this database has a tenants table but none of the hub's migrations; not adopted" >&2; return 1; }
    if [ -n "$bad" ]; then
        echo "hub_migrate: migrations after $last look half-applied:$bad; nothing done" >&2
        return 1
    fi
    local v list=
    for v in "${versions[@]}"; do
        [[ "$v" > "$last" ]] && break
        list="$list${list:+,}('$v')"
    done
    "$@" -c "BEGIN; SELECT pg_advisory_xact_lock(7243001);
             CREATE TABLE IF NOT EXISTS schema_migrations (
                 version text PRIMARY KEY,
                 applied_at timestamptz NOT NULL DEFAULT now());
             INSERT INTO schema_migrations (version) VALUES $list
             ON CONFLICT DO NOTHING; COMMIT;" >/dev/null || return 1
    echo "adopted: migrations up to $last were applied without records; recorded them"
}

# pg_migrate PORT PASSFILE DB SQLDIR: hub_migrate on a local cluster as hub
pg_migrate() {
    hub_migrate "$4" pg_psql "$1" "$2" hub "$3"
}

# hub_dsn_psql ARGS...: psql on the database of $HUB_DSN, a libpq
# connection string (the same text as mod_dbd's DBDParams for pgsql)
hub_dsn_psql() {
    PGOPTIONS='-c client_min_messages=warning' \
        psql -X -q -v ON_ERROR_STOP=1 -d "$HUB_DSN" "$@"
}
