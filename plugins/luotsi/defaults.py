"""Luotsi's defaults for Pelican's own settings, so that a short ``pelicanconf.py`` builds a
whole multilingual site.

Pelican's defaults suit a blog in one language (``{slug}.html``, ASCII slugs, "A Pelican
Blog"); every Luotsi site wants one URL space per language and slugs in its own script, and
copying fifteen URL patterns out of the demo is where new sites went wrong. A setting counts
as *given* when the site's settings hold a value other than Pelican's own default, so a site
that writes Pelican's default explicitly still gets Luotsi's. Given values always win, and
are checked: a URL whose page is written somewhere else, or a language URL without
``{lang}``, breaks links without any error from Pelican.

Pure, without Pelican: the build applies it at ``initialized`` and the feedback service's
:mod:`luotsi.site_settings` applies it to the same file, so both see the same site.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from .settings import SettingsError
from .urls import save_as

# Luotsi's URL patterns; each has its *_SAVE_AS twin (``blog/{slug}/index.html``).
URL_PATTERNS: dict[str, str] = {
    "ARTICLE_URL": "blog/{slug}/",
    "ARTICLE_LANG_URL": "{lang}/blog/{slug}/",
    "PAGE_URL": "{slug}/",
    "PAGE_LANG_URL": "{lang}/{slug}/",
    "DRAFT_URL": "drafts/{slug}/",
    "DRAFT_LANG_URL": "drafts/{lang}/{slug}/",
    "DRAFT_PAGE_URL": "drafts/pages/{slug}/",
    "DRAFT_PAGE_LANG_URL": "drafts/pages/{lang}/{slug}/",
}

# Pelican 4's defaults for the settings above (checked against pelican.settings.DEFAULT_CONFIG
# by the tests, so that a Pelican release that changes them is noticed).
PELICAN_DEFAULTS: dict[str, Any] = {
    "ARTICLE_URL": "{slug}.html", "ARTICLE_SAVE_AS": "{slug}.html",
    "ARTICLE_LANG_URL": "{slug}-{lang}.html", "ARTICLE_LANG_SAVE_AS": "{slug}-{lang}.html",
    "PAGE_URL": "pages/{slug}.html", "PAGE_SAVE_AS": "pages/{slug}.html",
    "PAGE_LANG_URL": "pages/{slug}-{lang}.html",
    "PAGE_LANG_SAVE_AS": "pages/{slug}-{lang}.html",
    "DRAFT_URL": "drafts/{slug}.html", "DRAFT_SAVE_AS": "drafts/{slug}.html",
    "DRAFT_LANG_URL": "drafts/{slug}-{lang}.html",
    "DRAFT_LANG_SAVE_AS": "drafts/{slug}-{lang}.html",
    "DRAFT_PAGE_URL": "drafts/pages/{slug}.html", "DRAFT_PAGE_SAVE_AS": "drafts/pages/{slug}.html",
    "DRAFT_PAGE_LANG_URL": "drafts/pages/{slug}-{lang}.html",
    "DRAFT_PAGE_LANG_SAVE_AS": "drafts/pages/{slug}-{lang}.html",
    "SLUGIFY_USE_UNICODE": False,
    "SITENAME": "A Pelican Blog",
}

_ABSENT = object()


def given(settings: Mapping[str, Any], name: str) -> bool:
    """Whether the site set ``name`` to something other than Pelican's default."""
    return settings.get(name, _ABSENT) not in (_ABSENT, PELICAN_DEFAULTS.get(name, _ABSENT))


def _save_key(url_key: str) -> str:
    return url_key.removesuffix("_URL") + "_SAVE_AS"


def _url_pair(settings: Mapping[str, Any], url_key: str) -> tuple[str, str]:
    """(URL, SAVE_AS) of one pattern: the site's, completed from each other, else Luotsi's."""
    save_key = _save_key(url_key)
    url, saved = settings.get(url_key), settings.get(save_key)
    url_given, save_given = given(settings, url_key), given(settings, save_key)
    for key, value, is_given in ((url_key, url, url_given), (save_key, saved, save_given)):
        if is_given and (not isinstance(value, str) or value.startswith("/")):
            raise SettingsError(
                f"{key} = {value!r} is not valid: expected a site-relative pattern such as "
                f"{URL_PATTERNS[url_key]!r} (no leading /). Fix it in pelicanconf.py (or remove "
                f"it to use Luotsi's default).")
    if not url_given and not save_given:
        return URL_PATTERNS[url_key], save_as(URL_PATTERNS[url_key])
    if not save_given:
        return url, save_as(url)
    if not url_given:
        return saved.removesuffix("index.html"), saved
    if saved and save_as(url) != saved:  # an empty SAVE_AS means "do not write these"
        raise SettingsError(
            f"{save_key} = {saved!r} does not match {url_key} = {url!r}: pages would be linked "
            f"at one address and written at another. Set {save_key} = {save_as(url)!r} in "
            f"pelicanconf.py, or remove both to use Luotsi's defaults.")
    return url, saved


def apply(settings: MutableMapping[str, Any]) -> dict[str, Any]:
    """Fill in the settings the site did not give and check those it gave; return what was
    set (for the README's list and the tests)."""
    values: dict[str, Any] = {}
    for url_key in URL_PATTERNS:
        url, saved = _url_pair(settings, url_key)
        if "_LANG_" in url_key and "{lang}" not in url:
            raise SettingsError(
                f"{url_key} = {url!r} has no {{lang}}: two language versions with the same "
                f"slug would be written to the same file. Write it like "
                f"{URL_PATTERNS[url_key]!r} in pelicanconf.py, or remove it to use Luotsi's "
                f"default.")
        values[url_key], values[_save_key(url_key)] = url, saved
    if not given(settings, "SLUGIFY_USE_UNICODE"):
        values["SLUGIFY_USE_UNICODE"] = True  # Japanese and Greek titles keep their own slugs
    elif not isinstance(settings["SLUGIFY_USE_UNICODE"], bool):
        raise SettingsError(f"SLUGIFY_USE_UNICODE = {settings['SLUGIFY_USE_UNICODE']!r} is not "
                            "valid: expected True or False. Fix it in pelicanconf.py.")
    company = settings.get("LUOTSI_COMPANY")
    if not given(settings, "SITENAME") and isinstance(company, Mapping) and company.get("name"):
        values["SITENAME"] = company["name"]  # titles, feeds and mails name the company
    changed = {key: value for key, value in values.items() if settings.get(key) != value}
    settings.update(changed)
    return changed
