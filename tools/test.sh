#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds (Release), runs every test; builds again
# with AddressSanitizer + UndefinedBehaviorSanitizer and runs every test once more; runs the
# concurrent tests under ThreadSanitizer; last, each fuzz target briefly from its seeds
# (tools/fuzz.sh). Compiles through ccache (tools/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh --with-test-tools
tools/build.sh build
ctest --test-dir build -j2 --output-on-failure

# Under the sanitizers only what the tests run: the CLI and the test binary (not the benchmarks).
# GCC, not clang-14: clang 14 lacks some C++20 that GCC 12 has (lambdas capturing structured
# bindings), so only the fuzz targets, which need libFuzzer, are built with clang.
tools/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRANTLEDGER_SANITIZE=ON -- grantledger grantledger_tests
# The kill -9 loops (tests/robustness/crash_test.cc) run in the Release pass only: they test what
# survives a killed process, which the sanitizers do not change, and take minutes under them.
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan -j2 --output-on-failure -E "^crash: "

# ThreadSanitizer: the tests tagged [concurrency], in a binary of just their files. tests/tsan.supp
# silences only libraries that are not built with TSan; a report in our code fails the run.
tools/build.sh build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRANTLEDGER_TSAN=ON -- grantledger_concurrency_tests
TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1" \
  build-tsan/grantledger_concurrency_tests "[concurrency]"

# Last, so that a crash it finds does not hide the results above.
tools/fuzz.sh 15

if command -v ccache >/dev/null; then ccache --show-stats | sed -n '1,6p'; fi
