#!/usr/bin/env bash
# Install everything the tests need (Python packages, Debian's chromium for the browser
# tests) and run the whole suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
setup_runtime
setup_tests
exec .venv/bin/python -m pytest "$@"
