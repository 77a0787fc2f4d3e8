# Shared by tools/hub and t/run-tests: where things are, the packages the
# project needs, the build, and the private httpd's configuration.

HUB_TOP=${HUB_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
HUB_BUILD_DIR=${HUB_BUILD_DIR:-$HUB_TOP/build}
HUB_MODULES_DIR=$HUB_BUILD_DIR/mods

# Debian packages: build, run and test (PLATFORM.md).
HUB_PACKAGES="apache2 apache2-dev libaprutil1-dbd-pgsql postgresql libpq-dev
    libjansson-dev libcurl4-openssl-dev libssl-dev autoconf automake libtool
    pkg-config libjwt-dev libargon2-dev argon2 make gcc perl wrk
    debhelper dpkg-dev fakeroot"

hub_say() { printf '%s\n' "hub: $*" >&2; }
hub_die() { hub_say "$*"; exit 1; }

# Install what is missing; quiet and quick when nothing is.
hub_deps() {
    local missing=() p
    for p in $HUB_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' \
            || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || hub_die "missing packages: ${missing[*]} (run as root to install)"
    hub_say "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# Configure (once) and build out of tree in build/; the four modules are
# gathered in build/mods so configuration can name one directory.
hub_build() {
    if [ ! -x "$HUB_TOP/configure" ]; then
        (cd "$HUB_TOP" && autoreconf -fi >/dev/null 2>&1) || hub_die "autoreconf failed"
    fi
    mkdir -p "$HUB_BUILD_DIR"
    if [ ! -f "$HUB_BUILD_DIR/Makefile" ]; then
        (cd "$HUB_BUILD_DIR" && "$HUB_TOP/configure" -q) || hub_die "configure failed"
    fi
    make -C "$HUB_BUILD_DIR" -s -j"$(nproc)" all "$@" >/dev/null \
        || make -C "$HUB_BUILD_DIR" all "$@" || hub_die "build failed"
    hub_link_modules
}

hub_link_modules() {
    local m
    mkdir -p "$HUB_MODULES_DIR"
    for m in auth servers analytics workflows; do
        ln -sf "$HUB_BUILD_DIR/modules/$m/.libs/mod_hub_$m.so" "$HUB_MODULES_DIR/"
    done
}

# The real MCP peers the tests talk to (t/mcp/package.json, locked), from
# the npm registry into build/node; again only when the lock changed.
hub_npm() {
    local dir=$HUB_BUILD_DIR/node
    command -v npm >/dev/null || HUB_PACKAGES="nodejs npm" hub_deps
    mkdir -p "$dir"
    if ! cmp -s "$HUB_TOP/t/mcp/package-lock.json" "$dir/package-lock.json" \
       || [ ! -d "$dir/node_modules/@modelcontextprotocol/server-everything" ]; then
        cp "$HUB_TOP/t/mcp/package.json" "$HUB_TOP/t/mcp/package-lock.json" "$dir/"
        (cd "$dir" && npm ci --no-audit --no-fund --silent >/dev/null) \
            || hub_die "npm ci failed (is the npm registry reachable?)"
    fi
}

# hub_httpd_conf OUT RUNTIME_DIR PORT HTDOCS DBD_PARAMS LOGLEVEL [EXTRA]
hub_httpd_conf() {
    local out=$1 rt=$2 port=$3 htdocs=$4 dbd=$5 level=$6 extra=${7:-}
    local sysmods; sysmods=$(apxs -q LIBEXECDIR)
    perl -pe '
        BEGIN { %v = @ARGV[0..$#ARGV]; @ARGV = () }
        s/@([A-Z_]+)@/exists $v{$1} ? $v{$1} : $&/ge
    ' RUNTIME_DIR "$rt" PORT "$port" HTDOCS "$htdocs" DBD_PARAMS "$dbd" \
      LOGLEVEL "$level" EXTRA "$extra" MODULES_DIR "$HUB_MODULES_DIR" \
      SYSTEM_MODULES_DIR "$sysmods" CONF_DIR "$HUB_TOP/conf" \
      <"$HUB_TOP/conf/httpd-local.conf.in" >"$out"
}

# hub_swagger_ui: the Swagger UI files of the documentation pages
# (HubSwaggerUi), from tools/swagger-ui's lock into
# $HUB_BUILD_DIR/swagger-ui; prints their directory.  Install scripts are
# not run (swagger-ui-dist's dependency would report the install home).
hub_swagger_ui() {
    local dir=$HUB_BUILD_DIR/swagger-ui
    command -v npm >/dev/null || HUB_PACKAGES="nodejs npm" hub_deps
    mkdir -p "$dir"
    if ! cmp -s "$HUB_TOP/tools/swagger-ui/package-lock.json" "$dir/package-lock.json" \
       || [ ! -f "$dir/node_modules/swagger-ui-dist/swagger-ui-bundle.js" ]; then
        cp "$HUB_TOP/tools/swagger-ui/package.json" "$HUB_TOP/tools/swagger-ui/package-lock.json" "$dir/"
        (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --silent >/dev/null) \
            || hub_die "npm ci of swagger-ui-dist failed (is the npm registry reachable?)"
    fi
    chmod -R a+rX "$dir"
    echo "$dir/node_modules/swagger-ui-dist"
}
