#!/usr/bin/env bash
# Installs what grantledger needs from Debian 12's packages (run as root). Idempotent: skips
# apt-get entirely when everything is already installed.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  librocksdb-dev capnproto libcapnp-dev libssl-dev libspdlog-dev
  catch2 nlohmann-json3-dev libcli11-dev libxml2-dev libcpp-httplib-dev
  libpq-dev
  libsqlite3-dev
  libjemalloc-dev
  ccache
)
# The tests also read our exported journal with two independent accounting tools, and check a
# checkpoint signature with the openssl command line as the README shows.
# The sanitizer, fuzzing and ThreadSanitizer builds use clang 14 with its runtimes (libFuzzer)
# and llvm-symbolizer for readable stack traces. The web page's tests drive a real headless
# Chromium through ChromeDriver.
# The [postgres] tests start a real PostgreSQL 15 (initdb, pg_ctl; psql comes with it) in a
# temporary directory, as user nobody through runuser (util-linux, always installed).
if [ "${1:-}" = "--with-test-tools" ]; then
  packages+=(hledger ledger openssl clang-14 libclang-rt-14-dev llvm-14 rocksdb-tools chromium chromium-driver postgresql-15)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
