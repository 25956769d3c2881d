#!/usr/bin/env bash
# Prints a config.d file that defines a ClickHouse cluster of one-replica shards (remote_servers), for Distributed
# tables. Put the same file into config.d/ of every server of the cluster.
#
# Usage: cluster-config.sh CLUSTER_NAME HOST:TCP_PORT [HOST:TCP_PORT ...]   > config.d/dwcp_cluster.xml
#   e.g. cluster-config.sh dwcp 127.0.0.1:19001 127.0.0.1:19002
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 CLUSTER_NAME HOST:TCP_PORT [HOST:TCP_PORT ...]" >&2
  exit 2
fi

NAME=$1
shift
if ! [[ $NAME =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
  echo "cluster-config.sh: cluster name '$NAME' must be letters, digits and underscores." >&2
  exit 2
fi

echo '<?xml version="1.0"?>'
echo '<yandex>'
echo '    <remote_servers>'
echo "        <$NAME>"
for hp in "$@"; do
  host=${hp%:*} port=${hp##*:}
  if [[ $host == "$hp" ]] || ! [[ $port =~ ^[0-9]+$ ]]; then
    echo "cluster-config.sh: '$hp' is not HOST:TCP_PORT." >&2
    exit 2
  fi
  echo '            <shard>'
  echo '                <replica>'
  echo "                    <host>$host</host>"
  echo "                    <port>$port</port>"
  echo '                </replica>'
  echo '            </shard>'
done
echo "        </$NAME>"
echo '    </remote_servers>'
echo '</yandex>'
