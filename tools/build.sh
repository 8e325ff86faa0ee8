#!/usr/bin/env bash
# Configures and builds grantledger (Release) in build/.
# Usage: tools/build.sh [BUILD_DIR] [cmake args...] [-- TARGET...]   (all targets when none given)
# Compiles through ccache when it is installed; the cache is keyed on paths relative to this
# checkout, so a fresh clone in another folder (as CI makes) reuses what an earlier build compiled.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build}"
shift || true
cmake_args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  cmake_args+=("$1")
  shift
done
[ $# -gt 0 ] && shift  # the "--"
targets=("$@")

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="$PWD"  # absolute paths below the checkout are hashed as relative ones
  export CCACHE_NOHASHDIR=true  # ... and so is the working directory of builds with -g
fi
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" "${cmake_args[@]}" >/dev/null
if [ ${#targets[@]} -gt 0 ]; then
  cmake --build "$dir" -j2 --target "${targets[@]}"
else
  cmake --build "$dir" -j2
fi
