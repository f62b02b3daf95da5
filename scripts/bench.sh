#!/usr/bin/env bash
# Runs every benchmark in bench/ (each prints its figure beside a reference measured in the same run).
set -euo pipefail
source "$(dirname "$0")/install.sh"
exec .venv/bin/python -m bench "$@"
