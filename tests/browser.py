"""Debian's Chromium as Playwright and the command-line tools start it: headless, offline,
with the flags that keep it from calling home."""

from __future__ import annotations

import os
from http.server import SimpleHTTPRequestHandler

CHROMIUM = os.environ.get("LUOTSI_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
