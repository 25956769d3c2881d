#!/usr/bin/env bash
# Starts one ClickHouse server on 127.0.0.1 with all of its state (config, data, logs) under STATE_DIR, waits until it
# answers GET /ping, and prints its PID on stdout (nothing else goes to stdout).
#
# Usage: start.sh STATE_DIR HTTP_PORT TCP_PORT [INTERSERVER_PORT]
#
# - The configuration is a copy of /etc/clickhouse-server/{config,users}.xml (install.sh puts them there) with the
#   paths moved under STATE_DIR, the ports changed, listening on 127.0.0.1 only and the server time zone set to UTC.
# - Files already in STATE_DIR/config.d/ (e.g. a cluster definition written by cluster.sh) are merged by the server.
# - Starting again on an existing STATE_DIR keeps its data (a restart).
# - Stop it with stop.sh STATE_DIR (or kill -TERM PID). The PID is also written to STATE_DIR/server.pid.
# Environment: CLICKHOUSE_SERVER (default /usr/sbin/clickhouse-server), CLICKHOUSE_CONFIG_DIR (default
# /etc/clickhouse-server), CLICKHOUSE_START_TIMEOUT seconds (default 30).
set -euo pipefail

if [[ $# -lt 3 || $# -gt 4 ]]; then
  echo "usage: $0 STATE_DIR HTTP_PORT TCP_PORT [INTERSERVER_PORT]" >&2
  exit 2
fi

STATE=$1 HTTP_PORT=$2 TCP_PORT=$3 INTER_PORT=${4:-}
SERVER=${CLICKHOUSE_SERVER:-/usr/sbin/clickhouse-server}
SRC=${CLICKHOUSE_CONFIG_DIR:-/etc/clickhouse-server}
TIMEOUT=${CLICKHOUSE_START_TIMEOUT:-30}

for p in "$HTTP_PORT" "$TCP_PORT" ${INTER_PORT:+"$INTER_PORT"}; do
  if ! [[ $p =~ ^[0-9]+$ ]] || (( p < 1 || p > 65535 )); then
    echo "start.sh: '$p' is not a port number (1-65535)." >&2
    exit 2
  fi
done

if [[ ! -x $SERVER || ! -f $SRC/config.xml || ! -f $SRC/users.xml ]]; then
  echo "start.sh: ClickHouse is not installed ($SERVER, $SRC/config.xml); run tools/clickhouse/install.sh first." >&2
  exit 1
fi

mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
if [[ -f $STATE/server.pid ]] && kill -0 "$(cat "$STATE/server.pid")" 2>/dev/null; then
  echo "start.sh: a server is already running for $STATE (PID $(cat "$STATE/server.pid")); stop it with stop.sh $STATE." >&2
  exit 1
fi

mkdir -p "$STATE/data" "$STATE/tmp" "$STATE/user_files" "$STATE/format_schemas" "$STATE/log" "$STATE/config.d"
cp "$SRC/users.xml" "$STATE/users.xml"

# Paths under STATE, our ports, 127.0.0.1 only, UTC, and no interserver port unless one is given.
sed -e "s#/var/lib/clickhouse/format_schemas/#$STATE/format_schemas/#g" \
    -e "s#/var/lib/clickhouse/user_files/#$STATE/user_files/#g" \
    -e "s#/var/lib/clickhouse/tmp/#$STATE/tmp/#g" \
    -e "s#/var/lib/clickhouse/#$STATE/data/#g" \
    -e "s#/var/log/clickhouse-server/#$STATE/log/#g" \
    -e "s#<http_port>[0-9]*</http_port>#<http_port>$HTTP_PORT</http_port>#" \
    -e "s#<tcp_port>[0-9]*</tcp_port>#<tcp_port>$TCP_PORT</tcp_port>\\n    <listen_host>127.0.0.1</listen_host>#" \
    -e "s#<!-- <timezone>Europe/Moscow</timezone> -->#<timezone>UTC</timezone>#" \
    "$SRC/config.xml" > "$STATE/config.xml.tmp"
if [[ -n $INTER_PORT ]]; then
  sed -i -e "s#<interserver_http_port>[0-9]*</interserver_http_port>#<interserver_http_port>$INTER_PORT</interserver_http_port>#" "$STATE/config.xml.tmp"
else
  sed -i -e "s#<interserver_http_port>[0-9]*</interserver_http_port>##" "$STATE/config.xml.tmp"
fi
mv "$STATE/config.xml.tmp" "$STATE/config.xml"

if ! grep -q "<http_port>$HTTP_PORT</http_port>" "$STATE/config.xml" || ! grep -q "<tcp_port>$TCP_PORT</tcp_port>" "$STATE/config.xml"; then
  echo "start.sh: could not set the ports in $STATE/config.xml (unexpected $SRC/config.xml layout)." >&2
  exit 1
fi

# setsid: the server outlives this script and does not hold the caller's terminal or pipes.
setsid nohup "$SERVER" --config-file="$STATE/config.xml" </dev/null >"$STATE/log/stdout.log" 2>&1 &
PID=$!
echo "$PID" > "$STATE/server.pid"

ping_ok() {
  if command -v curl >/dev/null 2>&1; then
    [[ $(curl -s --max-time 1 "http://127.0.0.1:$HTTP_PORT/ping" 2>/dev/null) == "Ok." ]]
  else
    exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT" 2>/dev/null || return 1
    printf 'GET /ping HTTP/1.0\r\n\r\n' >&3
    local reply
    reply=$(timeout 1 cat <&3 || true)
    exec 3>&-
    [[ $reply == *"Ok."* ]]
  fi
}

deadline=$((SECONDS + TIMEOUT))
until ping_ok; do
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "start.sh: clickhouse-server exited during start-up (state $STATE, http $HTTP_PORT, tcp $TCP_PORT). Last log lines:" >&2
    tail -n 20 "$STATE/log/stdout.log" "$STATE/log/clickhouse-server.err.log" 2>/dev/null >&2 || true
    rm -f "$STATE/server.pid"
    exit 1
  fi
  if (( SECONDS >= deadline )); then
    echo "start.sh: clickhouse-server (PID $PID) did not answer http://127.0.0.1:$HTTP_PORT/ping within ${TIMEOUT}s; stopping it." >&2
    kill -TERM "$PID" 2>/dev/null || true
    tail -n 20 "$STATE/log/clickhouse-server.err.log" 2>/dev/null >&2 || true
    rm -f "$STATE/server.pid"
    exit 1
  fi
  sleep 0.1
done

echo "$PID"
