#!/usr/bin/env bash
# Runs every test of DWCP Analytics. Installs what the tests need (Debian Chromium for the browser test, npm packages
# for the dashboard build), builds, runs all test projects, and ends with one summary line: N passed, N failed, N skipped.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
STATE="$(mktemp -d /tmp/dwcp-test.XXXXXX)"
RESULTS="$STATE/results"
mkdir -p "$RESULTS" "$ROOT/artifacts"
PIDS=()
CH_STATES=()
cleanup() {
  for dir in "${CH_STATES[@]:-}"; do [ -n "$dir" ] && bash "$ROOT/tools/clickhouse/stop.sh" "$dir" >/dev/null 2>&1; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null; done
  rm -rf "$STATE"
}
trap cleanup EXIT

log() { printf '\n== %s ==\n' "$*"; }

# 1. System packages the tests use: Debian Chromium (the browser test drives it with Playwright) and kcat (it hosts
#    librdkafka's mock Kafka cluster for the Kafka tests; no Kafka broker package exists in Debian).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v kcat >/dev/null 2>&1 || need+=(kcat)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  log "Installing Debian packages: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || { echo "apt-get install failed" >&2; exit 1; }
  else
    echo "Need ${need[*]} and not root: install them first (apt-get install ${need[*]})." >&2; exit 1
  fi
fi
export CHROMIUM_BIN="${CHROMIUM_BIN:-$(command -v chromium)}"

# ClickHouse (Debian's clickhouse-server) for the scale-out store's contract tests: one server and a 2-shard cluster,
# on free 127.0.0.1 ports, with all state under $STATE; stopped by PID on exit.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
log "Starting ClickHouse (one server and a 2-shard cluster)"
if bash tools/clickhouse/install.sh >/dev/null; then
  h1=$(free_port); t1=$(free_port); h2=$(free_port); t2=$(free_port); h3=$(free_port); t3=$(free_port)
  if bash tools/clickhouse/start.sh "$STATE/ch" "$h1" "$t1" >/dev/null && CH_STATES+=("$STATE/ch") \
     && bash tools/clickhouse/cluster.sh "$STATE/chc" "$h2:$t2" "$h3:$t3" >/dev/null && CH_STATES+=("$STATE/chc/shard1" "$STATE/chc/shard2"); then
    export CLICKHOUSE_TEST_URL="http://127.0.0.1:$h1" CLICKHOUSE_TEST_SHARDS="http://127.0.0.1:$h2,http://127.0.0.1:$h3"
  else
    echo "ClickHouse did not start; its tests will try to start their own servers and fail if they cannot." >&2
  fi
else
  echo "ClickHouse could not be installed; its tests will fail." >&2
fi

# 2. Build everything once (this also runs the dashboard's npm ci + vite build).
log "Building"
if ! dotnet build Dwcp.slnx -c Debug --nologo -v quiet -clp:ErrorsOnly; then
  echo "0 passed, 1 failed"
  echo "The build failed; see the errors above." >&2
  exit 1
fi

# 3. Run every test project (servers they need run in-process on free 127.0.0.1 ports with state in temp folders).
log "Testing"
dotnet test Dwcp.slnx -c Debug --no-build --nologo \
  --logger "trx" --results-directory "$RESULTS" --blame-hang-timeout 300s \
  --logger "console;verbosity=minimal" -- RunConfiguration.TestSessionTimeout=1500000
status=$?

# 4. One summary line across all test projects.
passed=0; failed=0; skipped=0; files=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed); e=$(get error); to=$(get timeout); ab=$(get aborted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${to:-0} + ${ab:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done
if [ "$files" = 0 ] || { [ "$status" != 0 ] && [ "$failed" = 0 ]; }; then
  failed=$((failed + 1))
  echo "dotnet test exited with $status and wrote $files result file(s)." >&2
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$status" = 0 ]
