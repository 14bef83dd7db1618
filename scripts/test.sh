#!/usr/bin/env bash
# Quick start 2: install what is missing, build, and run every test. Tests that need PostgreSQL start their own
# server on loopback through CTest fixtures and stop it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)"
