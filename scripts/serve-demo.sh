#!/usr/bin/env bash
# The demo, all of it on loopback: the site on :8000, rebuilt whenever a file under content/,
# the theme or pelicanconf.py is saved (Pelican's --autoreload --listen), the feedback service
# on :8001 and a mail sink on :8025 that prints every mail the service sends (no real mail
# leaves). `luotsi serve` runs them and stops them together; sites made with `luotsi init`
# use the same command.
set -euo pipefail
BIN=${BIN:-.venv/bin}
exec "$BIN/luotsi" serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" --admin demo
