#!/usr/bin/env bash
# Install into .venv and serve on the embedded defaults (config.toml: SQLite in instance/,
# a preview printer). Extra arguments go to server.py, e.g. --port 8080.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
setup_runtime
exec .venv/bin/python server.py "$@"
