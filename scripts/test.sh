#!/usr/bin/env bash
# 一条命令：安装并运行全部测试 / One command: install everything and run the whole suite:
# ruff (lint + format), then pytest on SQLite, then pytest on a real PostgreSQL started here on loopback.
set -euo pipefail
export HEZHANG_PIP_EXTRAS="[test]"
export HEZHANG_EXTRA_APT=""
command -v chromium >/dev/null 2>&1 || HEZHANG_EXTRA_APT+=" chromium fonts-noto-cjk"
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || HEZHANG_EXTRA_APT+=" postgresql"
source "$(dirname "$0")/install.sh"

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "== migrations are complete"
.venv/bin/hezhang makemigrations --check --dry-run >/dev/null || {
  echo "models changed without a migration: run .venv/bin/hezhang makemigrations" >&2; exit 1; }

echo "== pytest on SQLite"
unset DATABASE_URL
.venv/bin/pytest -q "$@"

echo "== pytest on PostgreSQL"
source scripts/postgres.sh
start_postgres
trap stop_postgres EXIT
DATABASE_URL="$PG_URL" .venv/bin/pytest -q "$@"
echo "== all green"
