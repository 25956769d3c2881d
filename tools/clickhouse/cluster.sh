#!/usr/bin/env bash
# Starts a cluster of one-replica shards on 127.0.0.1, one server per shard, each with its state under
# STATE_ROOT/shardN and the cluster (default name "dwcp", override with CLICKHOUSE_CLUSTER) defined in its config.d.
# Prints one PID per line, shard 1 first. Stop with: stop.sh STATE_ROOT/shard1; stop.sh STATE_ROOT/shard2; ...
#
# Usage: cluster.sh STATE_ROOT HTTP_PORT:TCP_PORT [HTTP_PORT:TCP_PORT ...]
#   e.g. cluster.sh /tmp/ch-cluster 18124:19001 18125:19002     (a 2-shard cluster)
# The store then uses Urls = http://127.0.0.1:18124, http://127.0.0.1:18125, Shards = 2, Cluster = dwcp.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 STATE_ROOT HTTP_PORT:TCP_PORT [HTTP_PORT:TCP_PORT ...]" >&2
  exit 2
fi

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$1
shift
NAME=${CLICKHOUSE_CLUSTER:-dwcp}

endpoints=()
for pair in "$@"; do
  if ! [[ $pair =~ ^[0-9]+:[0-9]+$ ]]; then
    echo "cluster.sh: '$pair' is not HTTP_PORT:TCP_PORT." >&2
    exit 2
  fi
  endpoints+=("127.0.0.1:${pair#*:}")
done

mkdir -p "$ROOT"
i=0
started=()
for pair in "$@"; do
  i=$((i + 1))
  state="$ROOT/shard$i"
  mkdir -p "$state/config.d"
  "$HERE/cluster-config.sh" "$NAME" "${endpoints[@]}" > "$state/config.d/dwcp_cluster.xml"
  if ! pid=$("$HERE/start.sh" "$state" "${pair%%:*}" "${pair#*:}"); then
    for s in "${started[@]}"; do "$HERE/stop.sh" "$s" || true; done
    exit 1
  fi
  started+=("$state")
  echo "$pid"
done
