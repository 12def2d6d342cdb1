#!/usr/bin/env bash
# The demo, all of it on loopback: the site (Pelican) on :8000, the feedback service on :8001,
# and a mail sink on :8025 that prints every mail the service sends (no real mail leaves).
set -euo pipefail
BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
if [ ! -s feedback-admins ]; then
  echo "== a staff account for the feedback admin (http://127.0.0.1:8001/admin/):"
  "$BIN/luotsi" feedback add-admin demo
fi
"$BIN/python" -m aiosmtpd -n -l 127.0.0.1:8025 -c aiosmtpd.handlers.Debugging & pids+=($!)
"$BIN/luotsi" feedback serve & pids+=($!)
echo "== site: http://$HOST:$PORT/   feedback admin: http://127.0.0.1:8001/admin/"
"$BIN/pelican" --listen -o output -b "$HOST" -p "$PORT"
