#!/usr/bin/env bash
# Stops a server started by start.sh: SIGTERM, then SIGKILL if it has not exited after CLICKHOUSE_STOP_TIMEOUT seconds
# (default 20). Only signals the PID if that process is a clickhouse-server using this state folder.
#
# Usage: stop.sh STATE_DIR        (reads STATE_DIR/server.pid)
#        stop.sh STATE_DIR PID    (stops that PID, after the same check)
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 STATE_DIR [PID]" >&2
  exit 2
fi

STATE=$(cd "$1" 2>/dev/null && pwd) || { echo "stop.sh: no state folder $1" >&2; exit 1; }
PID=${2:-$(cat "$STATE/server.pid" 2>/dev/null || true)}
TIMEOUT=${CLICKHOUSE_STOP_TIMEOUT:-20}

if [[ -z $PID ]]; then
  echo "stop.sh: no server.pid in $STATE; nothing to stop." >&2
  exit 0
fi

if ! kill -0 "$PID" 2>/dev/null; then
  rm -f "$STATE/server.pid"
  exit 0
fi

# Never signal a recycled PID: the process must be the server started on this state folder.
if ! tr '\0' ' ' < "/proc/$PID/cmdline" 2>/dev/null | grep -q -- "--config-file=$STATE/config.xml"; then
  echo "stop.sh: PID $PID is not the clickhouse-server of $STATE; not signalling it." >&2
  exit 1
fi

kill -TERM "$PID"
deadline=$((SECONDS + TIMEOUT))
while kill -0 "$PID" 2>/dev/null; do
  if (( SECONDS >= deadline )); then
    echo "stop.sh: PID $PID did not exit within ${TIMEOUT}s of SIGTERM; sending SIGKILL." >&2
    kill -KILL "$PID" 2>/dev/null || true
    break
  fi
  sleep 0.1
done
rm -f "$STATE/server.pid"
