#!/usr/bin/env bash
# 一条命令：安装并运行演示 / One command: install everything and run the demo on http://127.0.0.1:8000
set -euo pipefail
source "$(dirname "$0")/install.sh"
exec .venv/bin/hezhang demo "$@"
