"""The service's configuration: a TOML file, then ``LUOTSI_FEEDBACK_*`` environment variables.

Secrets (the signing key, the SMTP password, admin password hashes) never sit in the
repository: the key comes from the environment or from a file the service creates on its
first start, the SMTP password from the environment, admins from a file of argon2 hashes
written by ``luotsi feedback add-admin``. The site's own facts (languages, topics, company,
URLs) are read from its Pelican settings, so the form and the service cannot disagree.
"""

from __future__ import annotations

import math
import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import settings as luotsi_settings
from .. import site_settings
from ..urls import lang_prefix, origin


class ConfigError(ValueError):
    """The service cannot start; the message names the setting and the fix."""


DEFAULTS: dict[str, Any] = {
    "site_settings": "pelicanconf.py",
    "database": "sqlite:///feedback.db",
    "host": "127.0.0.1",
    "port": 8001,
    "secret_file": "feedback-secret",
    "admins_file": "feedback-admins",
    "smtp_host": "127.0.0.1",
    "smtp_port": 25,
    "smtp_starttls": False,
    "smtp_ssl": False,
    "smtp_username": "",
    "smtp_password": "",
    "mail_from": "",
    "rate_limit": 5,  # messages per client address …
    "rate_window_seconds": 600,  # … per this many seconds
    "min_seconds": 2.0,  # a form sent sooner than this after it was issued is a bot
    "max_seconds": 86400.0,  # a token older than this has expired
    "retention_days": 365,
    "trusted_proxies": ["127.0.0.1", "::1"],
    "extra_origins": [],
    "secure_cookies": None,  # None: on when the service's public URL is https
    "mail_retry_max_seconds": 3600,
    "mail_max_attempts": 5,  # a mail the server keeps refusing fails after this many tries
    "mail_per_second": 20,  # the mailer's pace: a relay's own limit, and CPU left to visitors
    "qr_codes": "output/qr/codes.json",  # written by the build: which /q/ code goes where
    "booking_trips": "output/booking/trips.json",  # written by the build: bookable trips
    "invite_days_after": 3,  # invite this many days after the trip ends
    "invite_cap_days": 180,  # at most one invitation per customer in this many days
    "invite_reminder_days": 0,  # 0: never a reminder; else one reminder after this many days
}
SECRET_KEYS = ("secret", "smtp_password")


@dataclass
class Site:
    """What the service needs to know about the site it serves."""

    url: str
    origin: str
    name: str
    languages: tuple[str, ...]
    default_lang: str
    home_urls: dict[str, str]
    topics: dict[str, str]
    topic_labels: dict[str, dict[str, str]]
    answer_within_hours: int
    question: bool
    service_url: str
    company: dict[str, Any]
    privacy_urls: dict[str, str] = field(default_factory=dict)
    timezone: str = "UTC"
    booking: dict[str, str] | None = None  # LUOTSI_BOOKING: reference prefix, payment page

    def page_url(self, lang: str, path: str) -> str:
        return f"{self.url}/{self.home_urls.get(lang, '')}{path}"

    def thanks_url(self, lang: str) -> str:
        return self.page_url(lang, "feedback/thanks/")


@dataclass
class Config:
    site: Site
    database: str
    host: str
    port: int
    secret: bytes
    admins: dict[str, str]
    admins_file: str
    smtp_host: str
    smtp_port: int
    smtp_starttls: bool
    smtp_ssl: bool
    smtp_username: str
    smtp_password: str
    mail_from: str
    rate_limit: int
    rate_window_seconds: int
    min_seconds: float
    max_seconds: float
    retention_days: int
    trusted_proxies: tuple[str, ...]
    allowed_origins: tuple[str, ...]
    secure_cookies: bool
    mail_retry_max_seconds: int
    mail_max_attempts: int
    mail_per_second: float
    qr_codes: str
    booking_trips: str
    invite_days_after: int
    invite_cap_days: int
    invite_reminder_days: int


def site_from_settings(path: str, override: Mapping[str, Any] | None = None) -> Site:
    """The site's facts from its Pelican settings file (validated like a build does)."""
    if not os.path.isfile(path):
        raise ConfigError(f"site_settings: {path!r} does not exist — point it at the site's "
                          "pelicanconf.py (or publishconf.py)")
    values = site_settings.read(path, override)
    config = luotsi_settings.load(values)
    feedback = config.feedback
    if not feedback:
        raise ConfigError(f"{path} has no LUOTSI_FEEDBACK setting — add one with the "
                          "service's 'url' (see the README)")
    siteurl = values["SITEURL"].rstrip("/")
    if not origin(siteurl):
        raise ConfigError(f"SITEURL in {path} is {siteurl!r} — the service needs the site's "
                          "absolute URL to check where forms come from")
    default = values["DEFAULT_LANG"]
    homes = {lang: lang_prefix(lang, default, config.lang_prefix) for lang in config.languages}
    return Site(url=siteurl, origin=origin(siteurl), name=values["SITENAME"],
                languages=config.languages, default_lang=default, home_urls=homes,
                topics=feedback["topics"], topic_labels=feedback["topic_labels"],
                answer_within_hours=feedback["answer_within_hours"],
                question=feedback["question"], service_url=feedback["service_url"],
                company=config.company, timezone=values.get("TIMEZONE") or "UTC",
                booking=config.booking)


def _coerce(key: str, value: str, default: Any) -> Any:
    if isinstance(default, bool) or (default is None and key == "secure_cookies"):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    if isinstance(default, list):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


def read_admins(path: str) -> dict[str, str]:
    admins = {}
    if os.path.isfile(path):
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            name, _, hashed = line.strip().partition(":")
            if name and hashed.startswith("$argon2"):
                admins[name] = hashed
    return admins


def _secret(values: Mapping[str, Any], base: Path) -> bytes:
    if values.get("secret"):
        secret = str(values["secret"]).encode()
        if len(secret) < 32:
            raise ConfigError("secret: LUOTSI_FEEDBACK_SECRET must be at least 32 characters — "
                              "generate one with: python -c 'import secrets; "
                              "print(secrets.token_urlsafe(48))'")
        return secret
    path = base / str(values["secret_file"])
    if not path.exists():  # first start: make a key that only this server knows
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip().encode()


def load(path: str | None = None, env: Mapping[str, str] | None = None,
         site_override: Mapping[str, Any] | None = None) -> Config:
    """Read the TOML file at ``path`` (optional), then the environment; validate it all."""
    env = os.environ if env is None else env
    values: dict[str, Any] = dict(DEFAULTS)
    base = Path(path).resolve().parent if path else Path.cwd()
    if path:
        try:
            with open(path, "rb") as handle:
                from_file = tomllib.load(handle)
        except FileNotFoundError:
            raise ConfigError(f"configuration file {path!r} does not exist") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: {error} — fix the TOML syntax") from None
        unknown = sorted(set(from_file) - set(DEFAULTS))
        if unknown:
            raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)} — known keys are "
                              f"{', '.join(sorted(DEFAULTS))}")
        if any(key in from_file for key in SECRET_KEYS):
            raise ConfigError(f"{path}: secrets do not belong in a file that may be committed "
                              "— set LUOTSI_FEEDBACK_SECRET / LUOTSI_FEEDBACK_SMTP_PASSWORD in "
                              "the environment instead")
        values.update(from_file)
    for key in (*DEFAULTS, *SECRET_KEYS):
        name = f"LUOTSI_FEEDBACK_{key.upper()}"
        if name in env:
            try:
                values[key] = _coerce(key, env[name], DEFAULTS.get(key, ""))
            except ValueError:
                raise ConfigError(f"{name}={env[name]!r} is not a valid "
                                  f"{type(DEFAULTS[key]).__name__}") from None
    site_path = str(values["site_settings"])
    site = site_from_settings(site_path if os.path.isabs(site_path) else str(base / site_path),
                              site_override)
    database = str(values["database"])
    if database.startswith("sqlite:///") and not database.startswith("sqlite:////"):
        database = f"sqlite:///{base / database.removeprefix('sqlite:///')}"
    if not database.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise ConfigError(f"database: {database!r} — use sqlite:///path/feedback.db or "
                          "postgresql://user@host/dbname")
    admins_file = str(base / str(values["admins_file"]))
    secure = values["secure_cookies"]
    if secure is None:
        secure = site.service_url.startswith("https://")
    for key in ("rate_limit", "rate_window_seconds", "retention_days", "port",
                "mail_max_attempts"):
        if int(values[key]) < 1:
            raise ConfigError(f"{key}: must be a positive whole number")
    try:
        pace = float(values["mail_per_second"])
    except (TypeError, ValueError):
        pace = 0.0
    if not (math.isfinite(pace) and pace > 0):
        raise ConfigError(f"mail_per_second: {values['mail_per_second']!r} — must be a number "
                          "of mails a second above 0, e.g. 20")
    if not 0 <= float(values["min_seconds"]) < float(values["max_seconds"]):
        raise ConfigError("min_seconds must be below max_seconds")
    company_email = site.company.get("email", "")
    origins = tuple(dict.fromkeys([site.origin, origin(site.service_url),
                                   *map(str, values["extra_origins"])]))
    return Config(
        site=site, database=database, host=str(values["host"]), port=int(values["port"]),
        secret=_secret(values, base), admins=read_admins(admins_file), admins_file=admins_file,
        smtp_host=str(values["smtp_host"]), smtp_port=int(values["smtp_port"]),
        smtp_starttls=bool(values["smtp_starttls"]), smtp_ssl=bool(values["smtp_ssl"]),
        smtp_username=str(values["smtp_username"]),
        smtp_password=str(values.get("smtp_password", "")),
        mail_from=str(values["mail_from"] or company_email),
        rate_limit=int(values["rate_limit"]),
        rate_window_seconds=int(values["rate_window_seconds"]),
        min_seconds=float(values["min_seconds"]), max_seconds=float(values["max_seconds"]),
        retention_days=int(values["retention_days"]),
        trusted_proxies=tuple(map(str, values["trusted_proxies"])),
        allowed_origins=tuple(o for o in origins if o), secure_cookies=bool(secure),
        mail_retry_max_seconds=int(values["mail_retry_max_seconds"]),
        mail_max_attempts=int(values["mail_max_attempts"]),
        mail_per_second=pace,
        qr_codes=str(base / str(values["qr_codes"])),
        booking_trips=str(base / str(values["booking_trips"])),
        invite_days_after=int(values["invite_days_after"]),
        invite_cap_days=int(values["invite_cap_days"]),
        invite_reminder_days=int(values["invite_reminder_days"]))
