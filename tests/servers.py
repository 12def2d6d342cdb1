"""Real servers for the tests, on loopback: an SMTP sink, the feedback service in its own
process (so it can be killed), and a throw-away PostgreSQL cluster."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from email import message_from_string
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller
from luotsi.forms.booking import TripOffer

ROOT = Path(__file__).resolve().parent.parent
SECRET = "test-secret-" + "x" * 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


@dataclass
class Received:
    """One mail as the SMTP server got it: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    message: EmailMessage


class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps every message it receives, with its envelope.
    ``refuse``: recipients it answers 550 for; ``smtputf8``: whether it offers SMTPUTF8."""

    def __init__(self, port: int | None = None, parse: bool = True,
                 refuse: frozenset[str] = frozenset(), smtputf8: bool = False):
        self.port = port or free_port()
        self.messages: list = []
        self.received: list[Received] = []
        self.count = 0
        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address in refuse:
                    return "550 5.1.1 No such user here"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                sink.count += 1
                if parse:  # a benchmark only counts, so that the sink costs little CPU
                    message = message_from_string(
                        envelope.content.decode("utf-8", "replace"), policy=default)
                    sink.messages.append(message)
                    sink.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                                  envelope.content, message))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port,
                                     enable_SMTPUTF8=smtputf8)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 15.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


SITE_SETTINGS = """
import luotsi
SITENAME = "Fixture Travel"
SITEURL = "http://127.0.0.1:{site_port}"
DEFAULT_LANG = "fi"
THEME = luotsi.THEME
PLUGINS = ["luotsi"]
LUOTSI_LANGUAGES = ["fi", "en", "ja"]
LUOTSI_COMPANY = {{"name": "Fixture Travel", "street_address": "Katu 1", "postal_code": "00100",
                  "locality": "Helsinki", "country": "FI", "telephone": "+358 9 123 4567",
                  "email": "info@fixture.example"}}
LUOTSI_FEEDBACK = {{"url": "{service_url}", "question": {question},
                   "topics": {{"general": "info@fixture.example",
                              "booking": "bookings@fixture.example"}}}}
"""


class Service:
    """The feedback service, started with ``luotsi feedback serve`` in its own process."""

    def __init__(self, root: Path, smtp_port: int, database: str | None = None,
                 question: bool = False, site_port: int = 8000, **settings: object):
        self.root, self.port = root, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.site = f"http://127.0.0.1:{site_port}"
        root.mkdir(parents=True, exist_ok=True)
        (root / "pelicanconf.py").write_text(SITE_SETTINGS.format(
            site_port=site_port, service_url=self.url, question=question), encoding="utf-8")
        values = {"site_settings": "pelicanconf.py",
                  "database": database or "sqlite:///feedback.db", "port": self.port,
                  "smtp_port": smtp_port, "min_seconds": 0.5, "mail_retry_max_seconds": 1,
                  "mail_per_second": 1000,  # tests wait for hundreds of mails
                  "qr_codes": "qr/codes.json", "booking_trips": "booking/trips.json",
                  **settings}
        lines = [f"{k} = {v!r}".replace("'", '"') if not isinstance(v, bool) else
                 f"{k} = {str(v).lower()}" for k, v in values.items()]
        (root / "feedback.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        write_trips(root, self.site)
        self.process: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "LUOTSI_FEEDBACK_SECRET": SECRET, "PYTHONUNBUFFERED": "1"}

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "luotsi.cli", "--config", "feedback.toml",
                               *args], cwd=self.root, env=self.env, input=stdin, text=True,
                              capture_output=True, check=True)

    def cli_result(self, *args: str) -> subprocess.CompletedProcess:
        """Like :meth:`cli`, but returns a failing command's result instead of raising."""
        return subprocess.run([sys.executable, "-m", "luotsi.cli", "--config", "feedback.toml",
                               *args], cwd=self.root, env=self.env, text=True,
                              capture_output=True)

    def start(self) -> Service:
        self.log = open(self.root / "service.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "luotsi.cli", "--config", "feedback.toml", "feedback",
             "serve"], cwd=self.root, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(self.port)
        except TimeoutError:
            self.stop()
            raise RuntimeError((self.root / "service.log").read_text()) from None
        return self

    def stop(self, kill: bool = False) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.process.wait(timeout=20)
        if getattr(self, "log", None):
            self.log.close()

    def client(self, **kwargs: object) -> httpx.Client:
        headers = {"Origin": self.site}
        headers.update(kwargs.pop("headers", {}))  # type: ignore[arg-type]
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)


def trip_offers(site: str, today: dt.date | None = None) -> list[TripOffer]:
    """The trips the fixture site offers, with dates counted from ``today`` so that they stay
    in the future: one with fixed departures and a group size, one bookable any day of its
    season, one sold out (a waiting list), one no longer offered."""
    today = today or dt.date.today()

    def day(n: int) -> dt.date:
        return today + dt.timedelta(days=n)

    facts = {
        "aurora": dict(price=Decimal(1490), availability="LimitedAvailability", days=5,
                       valid_from=today, valid_through=day(200),
                       departures=(day(30), day(60)), group_size=6),
        "husky": dict(price=Decimal("189.50"), availability="InStock", days=1,
                      valid_from=day(1), valid_through=day(120), group_size=8),
        "hike": dict(price=Decimal(890), availability="SoldOut", days=4, valid_from=day(80),
                     valid_through=day(100), departures=(day(90),), group_size=10),
        "gone": dict(price=Decimal(50), availability="Discontinued", days=1),
    }
    titles = {"fi": "Matka", "en": "Trip", "ja": "旅行"}
    return [TripOffer(key, lang, f"{titles[lang]} {key}",
                      f"{site}/{'' if lang == 'fi' else lang + '/'}trips/{key}/",
                      currency="EUR", **values)
            for key, values in facts.items() for lang in titles
            if key != "gone" or lang == "fi"]


def write_trips(root: Path, site: str, offers: list[TripOffer] | None = None) -> None:
    """``booking/trips.json`` as a build writes it, for the service in ``root``."""
    path = root / "booking" / "trips.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"trips": [o.to_json() for o in (offers or trip_offers(site))]}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def postgres_binaries() -> Path | None:
    for version in ("17", "16", "15", "14", "13"):
        path = Path(f"/usr/lib/postgresql/{version}/bin")
        if (path / "initdb").exists():
            return path
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class Postgres:
    """A PostgreSQL cluster in a temporary folder, on a free loopback port."""

    def __init__(self, root: Path):
        self.bin = postgres_binaries()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed: run scripts/install-system-deps.sh")
        self.root, self.port = root, free_port()
        self.data = root / "data"
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> Postgres:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.user:
            shutil.chown(self.root, self.user)
            os.chmod(self.root, 0o755)
            for parent in self.root.parents:  # the server user must reach its folder
                if parent == Path("/"):
                    break
                os.chmod(parent, os.stat(parent).st_mode | 0o005)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8")
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                   f"-c unix_socket_directories={self.root} -c fsync=on")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-w", "-l",
                  str(self.root / "log"), "start")
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
