"""``luotsi new post|translation|staff|trip``: a new content file with every field it needs, in
the place the site reads it from.

Writers start from a file that already builds: the header the capability checks (a post's
date, language, category and author; a trip's price and duration; a person's role, contact
and photo), and a ``TODO:`` marker where the writer's own text goes, which the audit reports
until it is written. Each command computes the file (pure functions) and refuses to
overwrite one that exists.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .. import defaults
from .. import settings as luotsi_settings
from ..sources import header_fields
from . import markdown
from .photo import placeholder_portrait
from .starter import english_name


class NewError(ValueError):
    """The file cannot be written; the message says why and what to do."""


@dataclass
class Site:
    """The site's settings as the build sees them: Pelican's, with Luotsi's defaults."""

    settings: dict[str, Any]
    config: luotsi_settings.Config

    @classmethod
    def read(cls, path: str) -> Site:
        from pelican.settings import read_settings

        if not os.path.isfile(path):
            raise NewError(f"{path} does not exist — run this in the site's folder (where "
                           "pelicanconf.py is), or name the settings with --settings")
        try:
            settings = read_settings(path)
            defaults.apply(settings)
            return cls(settings, luotsi_settings.load(settings))
        except (ValueError, luotsi_settings.SettingsError) as error:
            raise NewError(f"{path}: {error}") from None

    @property
    def content(self) -> Path:
        return Path(self.settings["PATH"])

    @property
    def default_lang(self) -> str:
        return self.settings["DEFAULT_LANG"]

    def folder(self, kind: str) -> Path:
        """Where posts, staff and trips live under the content folder."""
        if kind == "posts":
            paths = [p for p in self.settings.get("ARTICLE_PATHS", []) if p]
            return self.content / (paths[0] if paths else "posts")
        return self.content / (self.config.staff_dir if kind == "staff" else
                               self.config.trips_dir)

    def language(self, lang: str | None) -> str:
        lang = lang or self.default_lang
        if lang not in self.config.languages:
            raise NewError(f"language {lang!r} is not one of the site's "
                           f"({', '.join(self.config.languages)}) — use one of them, or add "
                           f"{lang!r} to LUOTSI_LANGUAGES in pelicanconf.py")
        return lang

    def slug(self, text: str) -> str:
        """The folder name of a new post, person or trip, made the way Pelican makes slugs."""
        from pelican.utils import slugify

        slug = slugify(text, regex_subs=self.settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
                       use_unicode=self.settings.get("SLUGIFY_USE_UNICODE", True))
        if not slug:
            raise NewError(f"{text!r} gives an empty folder name — add --slug some-words")
        return slug

    def now(self) -> dt.datetime:
        return dt.datetime.now(ZoneInfo(self.settings.get("TIMEZONE") or "UTC"))

    def staff_ids(self) -> list[str]:
        folder = self.folder("staff")
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and any(
            p.glob("*.md"))) if folder.is_dir() else []


@dataclass
class NewFile:
    """What a command writes: the file (first) and any it needs beside it."""

    path: Path
    text: str
    extra: dict[Path, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _unused(path: Path, other: str = "choose another title or --slug") -> Path:
    if path.exists():
        raise NewError(f"{path} already exists — edit it, or {other}")
    return path


def _author(site: Site, author: str | None) -> tuple[str | None, list[str]]:
    """The post's Author: the given staff id, the only person on the staff, or a TODO."""
    ids = site.staff_ids()
    if author:
        if author not in ids:
            raise NewError(f"there is no staff member {author!r} — use one of "
                           f"{', '.join(ids) or '(none yet)'}, or add one with "
                           f"luotsi new staff \"Name\"")
        return author, []
    if len(ids) == 1:
        return ids[0], []
    if ids:
        return (f"TODO: the writer's folder name in {site.folder('staff').name}/ "
                f"({', '.join(ids)})"), []
    return None, ["the site has no staff yet: add the writer with luotsi new staff \"Name\" "
                  "and name their folder in Author:"]


def _category(site: Site, lang: str) -> str:
    """The category of the newest post in ``lang``, else Pelican's DEFAULT_CATEGORY."""
    newest = ("", site.settings.get("DEFAULT_CATEGORY", "misc"))
    for path in site.folder("posts").rglob("*.md"):
        fields = {name: value for name, (_, value) in header_fields(str(path)).items()}
        if fields.get("lang", site.default_lang) == lang and fields.get("category"):
            newest = max(newest, (fields.get("date", ""), fields["category"]))
    return newest[1]


def new_post(site: Site, title: str, lang: str | None = None, category: str | None = None,
             author: str | None = None, slug: str | None = None) -> NewFile:
    lang = site.language(lang)
    path = _unused(site.folder("posts") / (slug or site.slug(title)) / f"{lang}.md")
    writer, notes = _author(site, author)
    fields = [("Title", title), ("Date", site.now().strftime("%Y-%m-%d %H:%M")),
              ("Lang", lang), ("Category", category or _category(site, lang))]
    fields += [("Author", writer)] if writer else []
    fields += [("Summary", "TODO: one or two sentences that make people want to read the "
                           "post (shown in listings and search results)")]
    body = ("TODO: write the post. Start with what the reader gets out of it; short "
            "paragraphs read best on a phone.")
    return NewFile(path, markdown.join(fields, body), notes=notes)


def new_translation(site: Site, source: str, lang: str) -> NewFile:
    """A copy of ``source`` waiting for its ``lang`` translation, beside it."""
    original = Path(source)
    if not original.is_file():
        raise NewError(f"{source} does not exist — name the file to translate, e.g. "
                       f"{site.folder('posts').relative_to(site.content.parent)}/<post>/"
                       f"{site.default_lang}.md")
    text = original.read_text(encoding="utf-8")
    fields, _ = markdown.split(text)
    from_lang = markdown.get(fields, "Lang") or site.default_lang
    lang = site.language(lang)
    if lang == from_lang:
        raise NewError(f"{source} is already in {lang!r} — name the language to translate "
                       "into with --lang")
    if original.stem == from_lang:  # posts/<key>/<lang>.md: the folder is the key
        path, key = original.with_name(f"{lang}{original.suffix}"), None
    else:  # a file of its own: the copy needs the original's key, by default its slug
        path = original.with_name(f"{original.stem}-{lang}{original.suffix}")
        key = markdown.get(fields, "Translation-Key") or markdown.get(fields, "Slug") or \
            site.slug(markdown.get(fields, "Title") or original.stem)
    return NewFile(_unused(path, "delete it to start the translation again"),
                   markdown.untranslated_copy(text, lang, english_name(lang), key))


def new_staff(site: Site, name: str, lang: str | None = None, slug: str | None = None
              ) -> NewFile:
    lang = site.language(lang)
    folder = site.folder("staff") / (slug or site.slug(name))
    path = _unused(folder / f"{lang}.md")
    photo = folder / "photo.jpg"
    company = site.config.company
    fields = [("Title", name), ("Lang", lang), ("Role", "TODO: job title"), ("Languages", lang),
              ("Email", company.get("email", "")), ("Phone", company.get("telephone", "")),
              ("Photo", photo.relative_to(site.content).as_posix())]
    body = (f"TODO: a few sentences about {name}: what they do on trips and what they love "
            f"about it. Then put their portrait in place of photo.jpg in "
            f"{folder.relative_to(site.content.parent).as_posix()}/, and write their own "
            f"e-mail address and phone number above (the company's for now).")
    return NewFile(path, markdown.join(fields, body),
                   {} if photo.exists() else {photo: placeholder_portrait()},
                   [f"posts name this person with Author: {folder.name}"])


def new_trip(site: Site, title: str, lang: str | None = None, slug: str | None = None
             ) -> NewFile:
    lang = site.language(lang)
    path = _unused(site.folder("trips") / (slug or site.slug(title)) / f"{lang}.md")
    fields = [("Title", title), ("Lang", lang), ("Price", "0"), ("Duration", "P1D"),
              ("Summary", "TODO: one sentence that makes people want the trip (shown in the "
                          "list of trips and in search results)")]
    body = ("TODO: describe the trip: where it goes, what is included and who it suits. Then "
            "write its real price per person in Price: (now 0) and its length in Duration: "
            "(PT4H is four hours, P1D one day, P2W two weeks).")
    return NewFile(path, markdown.join(fields, body))


def write(new: NewFile) -> None:
    new.path.parent.mkdir(parents=True, exist_ok=True)
    new.path.write_text(new.text, encoding="utf-8")
    for path, data in new.extra.items():
        path.write_bytes(data)
