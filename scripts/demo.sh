#!/usr/bin/env bash
# Quick start 1: install what is missing, build, and run the demo pipeline into crmsync.db (embedded SQLite).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
"$BUILD_DIR/bin/crmsync" validate pipelines/demo.yaml
"$BUILD_DIR/bin/crmsync" run pipelines/demo.yaml
