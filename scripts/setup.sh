#!/usr/bin/env bash
# setup.sh: the README's two commands.
#   scripts/setup.sh serve   install what is missing, build, start folio with the
#                            sample site on http://$FOLIO_LISTEN (default
#                            127.0.0.1:8080; the port is checked first)
#   scripts/setup.sh test    the same set-up, then the whole test suite: a normal
#                            build and an AddressSanitizer+UBSan build, each running
#                            every test, then the fuzzers for a bounded time
# Run as root or with sudo available (apt-get). Debian 12.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
mode=${1:-}
jobs=$(nproc 2>/dev/null || echo 2)
# Tests at once: twice the cores. An integration test spends most of its time
# waiting (a server starting, a PostgreSQL database made, a request answered,
# a second to pass for an HTTP date), each on its own ports, directories and
# databases; two per core keep the cores busy (docs/building.md, "How long
# the suite takes").
test_jobs=$((jobs * 2))

# What folio needs to build and run, and what its tests and benchmark drive.
# libpq-dev: the PostgreSQL store (--db postgresql://...); postgresql: the
# throw-away cluster the tests run it against (tests/pg/cluster.sh).
build_packages="build-essential cmake pkg-config libsqlite3-dev libfcgi-dev libmicrohttpd-dev
  libcmark-dev libsodium-dev libjansson-dev libxml2-dev libgumbo-dev libpq-dev
  libcurl4-openssl-dev"
test_packages="nginx spawn-fcgi python3 clang libclang-rt-14-dev wrk chromium curl postgresql"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
}

build() {  # build DIR [cmake args...]
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

browser_deps() {
  # Node.js may come from elsewhere than Debian (NodeSource bundles npm, and
  # Debian's npm conflicts with it): install Debian's only when none is there.
  # Debian 12's is Node.js 18, which the pinned playwright-core accepts.
  local need=()
  command -v node >/dev/null || need+=(nodejs)
  command -v npm >/dev/null || need+=(npm)
  [ ${#need[@]} -eq 0 ] || install_missing "${need[@]}"
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  # Whatever node and chromium are found, are they what the driver needs?
  # One line each on what is wrong (tests/browser/tools.mjs), not a stack
  # trace from inside the test run.
  node tests/browser/tools.mjs || exit 1
}

# The HOST and PORT of HOST:PORT or [V6]:PORT.
listen_host() { local h=${1%:*}; h=${h#[}; echo "${h%]}"; }
listen_port() { echo "${1##*:}"; }

# Refuses a busy or malformed FOLIO_LISTEN before anything is installed, built
# or created: something that accepts a connection there means the port is taken.
check_listen() {
  local listen=$1 host port
  host=$(listen_host "$listen")
  port=$(listen_port "$listen")
  if [[ $listen != *:* ]] || [ -z "$host" ] || ! [[ $port =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
    echo "setup: FOLIO_LISTEN=$listen is not HOST:PORT (for example 127.0.0.1:8080)" >&2
    exit 2
  fi
  case $host in 0.0.0.0) host=127.0.0.1 ;; ::) host=::1 ;; esac
  if timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then
    echo "setup: $listen is already in use; choose another with FOLIO_LISTEN=HOST:PORT" >&2
    exit 1
  fi
}

case "$mode" in
  serve)
    listen=${FOLIO_LISTEN:-127.0.0.1:8080}
    check_listen "$listen"
    # shellcheck disable=SC2086
    install_missing $build_packages
    build build -DCMAKE_BUILD_TYPE=Release
    db=${FOLIO_DB:-folio.db}
    build/folio init --demo --db "$db"
    echo "setup: folio is starting on http://$listen (Ctrl-C stops it)"
    exec build/folio serve --db "$db" --listen "$listen"
    ;;
  test)
    # shellcheck disable=SC2086
    install_missing $build_packages $test_packages
    browser_deps
    echo "setup: normal build"
    # The same Release build that `serve` makes (gcc -O3 warns where -O2
    # does not, and warnings are errors), so the tests run what users run.
    build build -DCMAKE_BUILD_TYPE=Release
    (cd build && ctest --output-on-failure -j "$test_jobs")
    echo "setup: AddressSanitizer + UndefinedBehaviorSanitizer build"
    build build-asan -DCMAKE_BUILD_TYPE=Debug -DFOLIO_SANITIZE=ON
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
       UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j "$test_jobs")
    if [ -x tests/fuzz/run.sh ]; then
      echo "setup: fuzzing (bounded)"
      tests/fuzz/run.sh "${FOLIO_FUZZ_SECONDS:-20}"
    fi
    echo "setup: all tests passed"
    ;;
  *)
    echo "usage: scripts/setup.sh serve|test" >&2
    exit 2
    ;;
esac
