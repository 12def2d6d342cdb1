"""Pelican adapter: once every page's canonical URL is known, compute each page's QR payload,
and give templates ``luotsi_qr(url)``; a code is made when its page is written (in well under
a millisecond), and posters at the end."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator

from .. import cache_files, core
from ..build import Build
from ..drawing import find_fonts_for_workers
from ..urls import absolute
from . import payload, poster, render

QR_DIR = "qr"


@dataclass(slots=True)
class PageCode:
    """A page's code as templates use it."""

    code: render.Code
    target: str  # where a scan ends up: the canonical URL with campaign parameters
    shown: str  # the link printed beside the code (short link, or the page's URL)
    short: str = ""  # the /q/ code, when the service counts scans
    poster: str = ""  # output path of the A4 poster, when the page asked for one
    poster_code: PageCode | None = None  # a trip poster's own code, to its booking form
    cache_dir: str = field(default="", repr=False)

    @property
    def svg_url(self) -> str:
        return f"{QR_DIR}/{self.code.file}"

    def inline(self, label: str) -> Markup:
        return Markup(render.inline_svg(self.code, self.cache_dir, str(Markup.escape(label))))


def all_codes_of(pages: dict[str, PageCode], cards: dict[str, PageCode]) -> list[render.Code]:
    """Every code to make and publish: pages', posters' and contact cards'."""
    return [*(p.code for p in pages.values()),
            *(p.poster_code.code for p in pages.values() if p.poster_code),
            *(c.code for c in cards.values())]


def _items(build: Build, generators: list[Generator]) -> list[Any]:
    found = []
    for generator in generators:
        for name in ("translations", "articles", "pages"):  # the order Pelican writes them
            # the published posts and pages, linked to their translations (not drafts)
            found += [i for i in getattr(generator, name, []) if build.group_of(i)]
    return found


def on_initialized(pelican: Any) -> None:
    Build.of(pelican).add_finalizer(10, publish)


def on_all_generators_finalized(generators: list[Generator]) -> None:
    build = Build.of(generators[0])
    config = build.config
    if not config.qr:
        return
    siteurl = build.settings.get("SITEURL", "")
    cache = os.path.join(config.cache_dir, "qr")
    service = config.feedback["service_url"] if config.feedback and config.qr_short_links \
        else ""
    error = config.qr_error.lower()
    pages: dict[str, PageCode] = {}
    codes: dict[str, str] = {}

    def code_for(url: str, params: dict[str, str]) -> PageCode:
        target = payload.campaign_url(url, params)
        short = payload.short_code(target) if service else ""
        shown = f"{service}/q/{short}" if short else url.partition("#")[0]
        if short:
            codes[short] = target
        return PageCode(render.Code(shown if short else target, error), target, shown, short,
                        cache_dir=cache)

    def campaign(meta: dict[str, Any]) -> dict[str, str]:
        params = dict(config.qr_campaign)
        if meta.get("qr-source") or meta.get("qr_source"):
            params["utm_source"] = str(meta.get("qr-source") or meta.get("qr_source"))
        if meta.get("qr-campaign") or meta.get("qr_campaign"):
            params["utm_campaign"] = str(meta.get("qr-campaign") or meta.get("qr_campaign"))
        return params

    def add(path: str, meta: dict[str, Any]) -> PageCode:
        pages[path] = code_for(absolute(siteurl, path), campaign(meta))
        return pages[path]

    booking = bool(config.feedback) and config.booking is not None
    for item in _items(build, generators):
        if getattr(item, "status", "published") != "published":
            continue
        page = add(item.url, item.metadata)
        if str(item.metadata.get("poster", "")).lower() in ("yes", "true", "1"):
            page.poster = "pending"
            if booking and getattr(item, "luotsi_trip", None):
                # A trip's poster leads to its booking form, as a campaign of its own, so
                # that the report can set the poster's scans against the requests it brought.
                page.poster_code = code_for(
                    absolute(siteurl, item.url) + "#ask",
                    {**campaign(item.metadata),
                     "utm_campaign": f"poster-{item.translation_key}"})
    company = config.company
    cards: dict[str, PageCode] = {}
    for versions in build.staff.values():
        for person in versions.values():
            add(person.url, {})
            card = payload.contact_card(person.name, person.role,
                                        company.get("legal_name") or company["name"],
                                        person.phone, person.email,
                                        absolute(siteurl, person.url))
            code = render.Code(card, error)
            cards[person.url] = PageCode(code, card, person.name, cache_dir=cache)
    made = cache_files.listing(cache)
    missing = [c for c in dict.fromkeys(all_codes_of(pages, cards)) if c.file not in made]
    build.qr_made = len(missing)
    for code in missing:  # made on other cores while the first pages are written
        build.background.batch(render.make_batch, (code, cache), size=64)
    build.background.flush(render.make_batch)  # the last codes too, not after every page
    build.qr_pages, build.qr_cards, build.qr_short_codes = pages, cards, codes
    contact = " · ".join(filter(None, (company.get("legal_name") or company["name"],
                                       company.get("telephone"), company.get("email"))))
    for item in _items(build, generators):
        page = pages.get(item.url)
        if page and page.poster == "pending":
            shown = page.poster_code or page
            png = os.path.join(cache, f"{shown.code.name}-{config.qr_png_scale}.png")
            drawn = poster.Poster(item.title, shown.shown, contact, shown.code, png)
            page.poster = f"{QR_DIR}/{drawn.name}"
            build.qr_posters.append(drawn)


def on_generator_init(generator: Generator) -> None:
    build = Build.of(generator)
    # Posters are drawn by the build's process at its end: its fonts are found while it is
    # small, as the workers start (see drawing.find_fonts_for_workers). Here rather than at
    # `initialized`, so that every run under autoreload, a build of its own, asks too.
    build.background.before_start(find_fonts_for_workers)

    def luotsi_qr(path: str, kind: str = "page") -> PageCode | None:
        table = build.qr_cards if kind == "contact" else build.qr_pages
        return (table or {}).get(path)

    generator.env.globals["luotsi_qr"] = luotsi_qr


def publish(build: Build) -> None:
    """Codes, posters and the short-link table into the output."""
    pages = build.qr_pages
    if pages is None:
        return
    cache = os.path.join(build.config.cache_dir, "qr")
    out = os.path.join(build.settings["OUTPUT_PATH"], QR_DIR)
    build.background.results(render.make_batch)
    render.publish(all_codes_of(pages, build.qr_cards), cache, out)
    posters = build.qr_posters
    for drawn in posters:
        cached = os.path.join(cache, drawn.name)
        if not os.path.exists(cached):
            if not os.path.exists(drawn.qr_png):
                render.png(drawn.code, build.config.qr_png_scale, drawn.qr_png)
            poster.render(drawn, cached)
    cache_files.publish((drawn.name for drawn in posters), cache, out)
    with open(os.path.join(out, "codes.json"), "w", encoding="utf-8") as handle:
        json.dump({"codes": build.qr_short_codes}, handle, indent=0,
                  sort_keys=True)


def register() -> None:
    from ..multilingual.plugin import register as multilingual

    multilingual()  # codes point at canonical URLs, which the language model sets
    core.register()
    signals.initialized.connect(on_initialized)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.generator_init.connect(on_generator_init)
