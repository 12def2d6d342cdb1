"""Load benchmark of the feedback service: accepted submissions per second and latency.

Starts the real service (SQLite, WAL, synchronous=FULL: every accepted message is on disk
before the answer) and a real SMTP sink, then drives it with wrk at 1, 8 and 32 concurrent
connections: feedback messages, and booking requests (each with its reference from the
year's counter, its timeline, its status link and two mails, in the same group commit). The
baseline, measured in the same run, is the token endpoint, which answers without touching
the database; the ratio shows what the durable write costs. The mailer runs beside it at the
service's default pace (``mail_per_second``), as in production; the last line says how many
mails it sent while the rows ran.

    python bench/feedback.py --seconds 10
Target (issue 5): p99 under 50 ms at 32 concurrent clients on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from luotsi.forms import tokens
from luotsi.service.config import DEFAULTS

from tests.servers import SECRET, Service, SmtpSink

LUA = """
wrk.method = "{method}"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.headers["Origin"] = "{origin}"
"""


def unit(value: str) -> float:
    """wrk's '1.23ms' / '450.00us' / '1.02s' in milliseconds."""
    number, suffix = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[suffix]


def run_wrk(url: str, script: Path, connections: int, seconds: int) -> dict[str, float]:
    done = subprocess.run(["wrk", "-t", str(min(connections, 2)), "-c", str(connections),
                           "-d", f"{seconds}s", "--latency", "-s", str(script), url],
                          capture_output=True, text=True, check=True)
    out = done.stdout
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": unit(percentiles["50"]), "p99": unit(percentiles["99"]),
            "errors": float(errors.group(1)) if errors else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: run scripts/install-system-deps.sh")
    root = Path(tempfile.mkdtemp(prefix="luotsi-bench-feedback-"))
    smtp = SmtpSink(parse=False).start()
    service = Service(root / "svc", smtp.port, rate_limit=10**9, max_seconds=10**6,
                      min_seconds=0.0, mail_per_second=DEFAULTS["mail_per_second"]).start()
    try:
        token = tokens.issue(SECRET.encode(), at=time.time() - 5)[0]
        body = urlencode({"lang": "fi", "topic": "booking", "name": "Bench",
                          "email": "bench@example.com", "consent": "yes",
                          "message": "Onko huskyretkellä tilaa? " * 8, "token": token})
        post = root / "post.lua"
        post.write_text(LUA.format(method="POST", body=body, origin=service.site))
        request = urlencode({"lang": "fi", "trip": "aurora", "adults": "2", "children": "1",
                             "departure": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
                             "name": "Bench", "email": "bench@example.com", "consent": "yes",
                             "page": f"{service.site}/trips/aurora/?utm_campaign=poster-x",
                             "message": "Kasvisruokaa, kiitos. " * 4, "token": token})
        book = root / "book.lua"
        book.write_text(LUA.format(method="POST", body=request, origin=service.site))
        get = root / "get.lua"
        get.write_text(LUA.format(method="GET", body="", origin=service.site))
        print(f"feedback service, SQLite WAL synchronous=FULL, {os.cpu_count()} cores, "
              f"wrk {args.seconds} s per row")
        print(f"{'clients':>7}  {'endpoint':<22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'errors':>6}")
        for clients in (1, 8, 32):
            base = run_wrk(f"{service.url}/feedback/token", get, clients, args.seconds)
            rows = [("GET token (baseline)", base),
                    ("POST message (stored)",
                     run_wrk(f"{service.url}/feedback", post, clients, args.seconds)),
                    ("POST booking (stored)",
                     run_wrk(f"{service.url}/booking", book, clients, args.seconds))]
            for name, row in rows:
                print(f"{clients:>7}  {name:<22} {row['rps']:>8.0f} {row['p50']:>8.2f} "
                      f"{row['p99']:>8.2f} {row['errors']:>6.0f}")
            for name, row in rows[1:]:
                print(f"{'':>7}  {name.split()[1]}: stored/baseline throughput "
                      f"{row['rps'] / base['rps']:.2f}×"
                      + ("   p99 target < 50 ms: " + ("met" if row["p99"] < 50 else "MISSED")
                         if clients == 32 else ""))
        with sqlite3.connect(root / "svc" / "feedback.db") as conn:
            stored = conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
            requests = conn.execute("SELECT COUNT(*) FROM booking_requests").fetchone()[0]
        print(f"stored durably during the run: {stored} messages, {requests} booking requests; "
              f"mails accepted by the SMTP sink so far: {smtp.count}")
    finally:
        service.stop()
        smtp.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
