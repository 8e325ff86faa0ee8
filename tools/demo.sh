#!/usr/bin/env bash
# The main job: installs dependencies, builds, and runs the demo scenario on demo-data/.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh build
build/grantledger demo --data "${1:-demo-data}"
