#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds, runs every test; then builds again with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs every test once more.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh --with-test-tools
tools/build.sh build
ctest --test-dir build -j2 --output-on-failure
# Under the sanitizers only what the tests run: the CLI and the test binary (not the benchmarks).
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRANTLEDGER_SANITIZE=ON >/dev/null
cmake --build build-asan -j2 --target grantledger grantledger_tests
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan -j2 --output-on-failure
