#!/usr/bin/env bash
# Installs clickhouse-server and clickhouse-client from the distribution's apt repository if they are missing.
# Usage: bash tools/clickhouse/install.sh
# Needs root (or sudo). Does not start any service: use tools/clickhouse/start.sh for a server under a state folder.
set -euo pipefail

if [[ -x /usr/sbin/clickhouse-server && -f /etc/clickhouse-server/config.xml ]] && command -v clickhouse-client >/dev/null 2>&1; then
  echo "clickhouse already installed: $(clickhouse-client --version 2>/dev/null || echo unknown version)"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install.sh: installing clickhouse needs root; run it as root or install sudo." >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# The Debian package's post-install script may try to start a service; there is no systemd in containers, so a
# failure there is harmless as long as the files are in place (checked below).
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq clickhouse-server clickhouse-client || true

if [[ ! -x /usr/sbin/clickhouse-server || ! -f /etc/clickhouse-server/config.xml ]]; then
  echo "install.sh: clickhouse-server is still missing after apt-get install; see the apt output above." >&2
  exit 1
fi

echo "installed: $(clickhouse-client --version 2>/dev/null || echo clickhouse)"
