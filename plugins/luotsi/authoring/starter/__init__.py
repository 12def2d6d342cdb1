"""What ``luotsi init`` writes: the site's files (``site/``, Jinja2 templates filled with the
answers) and its starter content (``texts/<lang>/``, one folder per language the theme has
catalogs for).

The starter texts are real texts in the voice of a small tour company, so that the new site
reads well from its first build; where only the company knows the facts (prices, deadlines,
the insurer, the business ID, opening hours), they carry a ``TODO:`` marker, which the trust
audit reports until it is replaced. A language without its own texts gets the English ones
as a copy waiting for translation (:func:`..markdown.untranslated_copy`).
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

from babel import Locale
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..init import DEV_SERVICE_URL, DEV_SITEURL, settings_of
from ..markdown import untranslated_copy
from ..photo import placeholder_portrait

FOLDER = Path(__file__).parent
TRANSLATED = tuple(sorted(p.name for p in (FOLDER / "texts").iterdir() if p.is_dir()))
FALLBACK = "en"

STAFF_ID = "owner"
# Starter text → where it goes, per language ({lang}).
CONTENT = {
    **{page: f"content/pages/{page}/{{lang}}.md" for page in
       ("about", "contact", "privacy", "booking-terms", "cancellation", "faq")},
    "post": "content/posts/welcome/{lang}.md",
    "staff": f"content/staff/{STAFF_ID}/{{lang}}.md",
    "trip": "content/trips/day-trip/{lang}.md",
}
SITE_TEMPLATES = ("pelicanconf.py", "publishconf.py", "Makefile", "feedback.toml", "README.md")
# Copied as they are (the theme files are Jinja2 templates of the site itself).
SITE_FILES = {"gitignore": ".gitignore", "theme/templates/base.html": "theme/templates/base.html",
              "theme/static/css/brand.css": "theme/static/css/brand.css"}
RETENTION_DAYS = 365  # in feedback.toml, and stated by the privacy policy


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(FOLDER)), undefined=StrictUndefined,
                      keep_trailing_newline=True, autoescape=False)
    env.filters["py"] = lambda value: json.dumps(value, ensure_ascii=False)  # a Python literal
    return env


def english_name(lang: str) -> str:
    return Locale.parse(lang.replace("-", "_")).get_display_name("en") or lang


def _text_context(answers: dict[str, Any], lang: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "lang": lang, "company": answers["company"], "legal_name": answers["legal_name"],
        "street": answers["street"], "postal_code": answers["postal_code"],
        "locality": answers["locality"], "phone": answers["phone"], "email": answers["email"],
        "country_name": Locale.parse(lang).territories.get(answers["country"],
                                                           answers["country"]),
        "phone_link": "+" + "".join(c for c in answers["phone"] if c.isdigit()),
        "now": now.strftime("%Y-%m-%d %H:%M"), "staff_id": STAFF_ID,
        "site_languages": ", ".join(answers["languages"]), "retention_days": RETENTION_DAYS,
    }


def _source(lang: str) -> str:
    return lang if lang in TRANSLATED else FALLBACK


def _render(env: Environment, name: str, lang: str, answers: dict[str, Any],
            now: dt.datetime) -> str:
    source = _source(lang)
    return env.get_template(f"texts/{source}/{name}").render(
        _text_context(answers, source, now))


def starter_text(env: Environment, name: str, lang: str, answers: dict[str, Any],
                 now: dt.datetime) -> str:
    """One starter text in ``lang``; in a language without texts, the English one waiting for
    its translation."""
    text = _render(env, name, lang, answers, now)
    return text if _source(lang) == lang else untranslated_copy(text, lang, english_name(lang))


def site_files(answers: dict[str, Any], now: dt.datetime) -> dict[str, str | bytes]:
    """Every file of the new site: relative path → content."""
    env = _environment()
    languages = list(answers["languages"])
    settings = settings_of(answers)
    names = [english_name(lang) for lang in languages]
    context = {
        **answers, "languages": languages,
        "subtitles": {lang: tomllib.loads(_render(env, "site.toml", lang, answers, now))[
            "subtitle"] for lang in languages},
        "currency": settings.get("LUOTSI_CURRENCY", "EUR"), "dev_siteurl": DEV_SITEURL,
        "dev_service_url": DEV_SERVICE_URL, "company_facts": settings["LUOTSI_COMPANY"],
        "language_names": " and ".join([", ".join(names[:-1]), names[-1]] if names[:-1]
                                       else names),
        "language_names_by_code": dict(zip(languages, names, strict=True)),
        "retention_days": RETENTION_DAYS,
    }
    files: dict[str, str | bytes] = {}
    for name in SITE_TEMPLATES:
        files[name] = env.get_template(f"site/{name}.jinja").render(context)
    for source, target in SITE_FILES.items():
        files[target] = (FOLDER / "site" / source).read_text(encoding="utf-8")
    for lang in languages:
        for name, target in CONTENT.items():
            files[target.format(lang=lang)] = starter_text(env, f"{name}.md", lang, answers, now)
    files[f"content/staff/{STAFF_ID}/photo.jpg"] = placeholder_portrait()
    return files


def write(directory: Path, files: dict[str, str | bytes], force: bool = False
          ) -> tuple[list[str], list[str]]:
    """Write the files; with ``force`` an existing file is kept, never overwritten.
    Returns (written, kept)."""
    written, kept = [], []
    for relpath, content in files.items():
        path = directory / relpath
        if path.exists():
            if not force:
                raise FileExistsError(path)
            kept.append(relpath)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        written.append(relpath)
    return written, kept
