#!/usr/bin/env bash
# Runs a benchmark on demand (never part of ./test.sh) and writes its result table to bench/results/.
#   ./bench.sh ingest [--rows N]          FOCUS import with full validation vs DuckDB's own read_csv (default 1,000,000 rows)
#   ./bench.sh ingest-memory [--rows N]   peak RSS of our import (default 2,000,000 rows; goal < 500 MB)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name="${1:-ingest}"; shift || true
if [ "$name" = "ingest-memory" ] && [[ " $* " != *" --rows "* ]]; then set -- --rows 2000000 "$@"; fi
dotnet build "$ROOT/bench/Dwcp.Bench/Dwcp.Bench.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly -p:DwcpSkipWeb=true
exec dotnet "$ROOT/bench/Dwcp.Bench/bin/Release/net10.0/Dwcp.Bench.dll" "$name" "$@"
