#!/usr/bin/env bash
# Runs a benchmark on demand (never part of ./test.sh) and writes its result table to bench/results/.
#   ./bench.sh ingest [--rows N]          FOCUS import with full validation vs DuckDB's own read_csv (default 1,000,000 rows)
#   ./bench.sh ingest-memory [--rows N]   peak RSS of our import (default 2,000,000 rows; goal < 500 MB)
#   ./bench.sh ingest-formats [--rows N]  rows/s per billing format (FOCUS, AWS CUR, Azure EA, GCP) as a ratio to FOCUS (default 200,000 rows)
#   ./bench.sh cur-memory [--size-mb N]   peak RSS of importing a generated 1 GiB legacy CUR CSV (goal < 1 GB)
#   ./bench.sh forecast-eval [...]         forecast accuracy vs Naive1/sNaive/Naive2/Theta (bench/Dwcp.Bench.Forecast eval)
#   ./bench.sh forecast-speed [...]        series/s per model and for the ensemble (bench/Dwcp.Bench.Forecast speed)
#   ./bench.sh forecast-cost [...]         30/60/90-day cost forecasts on the demo data vs the held-out actuals (bench/Dwcp.Bench.Forecast cost)
#   ./bench.sh nab [...]                   NAB scores of the online anomaly ensemble (bench/Dwcp.Bench.Nab)
#   ./bench.sh streaming [--events N]      in-process engine vs a LINQ GroupBy baseline (bench/Dwcp.Bench.Streaming)
#   ./bench.sh store [--rows N] [--runs N] DuckDB vs ClickHouse load and dashboard queries, raw vs rollup (default 10,000,000 rows)
#   ./bench.sh streaming-http [--events N] [--senders N] [--event-minutes M]   NDJSON over HTTP through a real `dwcp serve` child process (M minutes of event time, default 30)
#   ./bench.sh streaming-kafka [--events N] Kafka (librdkafka mock via kcat) through the source into the engine
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name="${1:-ingest}"; shift || true
case "$name" in
  forecast-eval) exec dotnet run -c Release --project "$ROOT/bench/Dwcp.Bench.Forecast" -- eval "$@" ;;
  forecast-speed) exec dotnet run -c Release --project "$ROOT/bench/Dwcp.Bench.Forecast" -- speed "$@" ;;
  forecast-cost) exec dotnet run -c Release --project "$ROOT/bench/Dwcp.Bench.Forecast" -- cost "$@" ;;
  nab) exec dotnet run -c Release --project "$ROOT/bench/Dwcp.Bench.Nab" -- "$@" ;;
  streaming) exec dotnet run -c Release --project "$ROOT/bench/Dwcp.Bench.Streaming" -- "$@" ;;
  store) exec dotnet run -c Release --project "$ROOT/bench/Dwcp.Bench.Store" -- "$@" ;;
  streaming-http) "$ROOT/dwcp" --help >/dev/null   # builds the CLI into .build/cli when the sources changed
    exec dotnet run -c Release --project "$ROOT/bench/Dwcp.Bench.Streaming" -- http --cli "$ROOT/dwcp" "$@" ;;
  streaming-kafka) exec dotnet run -c Release --project "$ROOT/bench/Dwcp.Bench.Streaming" -- kafka "$@" ;;
esac
if [ "$name" = "ingest-memory" ] && [[ " $* " != *" --rows "* ]]; then set -- --rows 2000000 "$@"; fi
dotnet build "$ROOT/bench/Dwcp.Bench/Dwcp.Bench.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly -p:DwcpSkipWeb=true
exec dotnet "$ROOT/bench/Dwcp.Bench/bin/Release/net10.0/Dwcp.Bench.dll" "$name" "$@"
