"""Pelican adapter: trips are pages read from their own folder, with their own URLs,
template and listing, so that every multilingual feature (hreflang, switcher, sitemap,
translation report) applies to them unchanged."""

from __future__ import annotations

import json
import os
from functools import partial
from typing import Any

from pelican import signals
from pelican.contents import Page
from pelican.generators import Generator

from .. import core
from ..build import Build
from ..cache_files import replacing
from ..multilingual import model
from ..pages import write_localized
from ..structured_data.meta import plain_text
from ..urls import absolute
from .model import parse_trip

OFFERS_FILE = "booking/trips.json"  # read by the service: which trips can be requested


def _is_trip(content: Any, build: Build) -> bool:
    if not isinstance(content, Page) or not content.source_path:
        return False
    folder = os.path.join(os.path.abspath(build.settings["PATH"]), build.config.trips_dir)
    return os.path.abspath(content.source_path).startswith(folder + os.sep)


def on_initialized(pelican: Any) -> None:
    folder = Build.of(pelican).config.trips_dir
    paths = list(pelican.settings.get("PAGE_PATHS", []))
    if folder not in paths:
        pelican.settings["PAGE_PATHS"] = [*paths, folder]
    excludes = list(pelican.settings.get("ARTICLE_EXCLUDES", []))
    if folder not in excludes:
        pelican.settings["ARTICLE_EXCLUDES"] = [*excludes, folder]


def on_content_init(content: Any) -> None:
    build = Build.of(content)
    if not _is_trip(content, build):
        return
    url = f"{build.home_urls.get(content.lang, '')}trips/{content.slug}/"
    content.override_url, content.override_save_as = url, f"{url}index.html"
    if content.template == "page":
        content.template = "trip"
    trip, problems = parse_trip(content.metadata, build.config.currency)
    for field_name, problem, fix in problems:
        build.find(content.source_path, problem, fix, field_name)
    content.luotsi_trip = trip


def trip_groups(build: Build) -> list[model.Group]:
    return [g for g in build.page_groups.values()
            if any(getattr(i, "luotsi_trip", None) for i in g.values())]


def on_all_generators_finalized(generators: list[Generator]) -> None:
    """Trips are known once pages are grouped; only then does the menu get its link.

    The dict is filled in place: templates got it at generator init, before pages were read."""
    build = Build.of(generators[0])
    build.trips_urls.clear()
    groups = trip_groups(build)
    if groups:
        build.trips_urls.update({lang: f"{home}trips/" for lang, home in build.home_urls.items()})
    siteurl = build.settings.get("SITEURL", "")
    build.trip_offers.clear()
    for key, group in sorted(build.page_groups.items()):
        for lang, item in sorted(group.items()):
            trip = getattr(item, "luotsi_trip", None)
            if trip and getattr(item, "status", "published") == "published":
                item.luotsi_offer = trip.offer(key, lang, plain_text(item.title),
                                               absolute(siteurl, item.url))
                build.trip_offers.append(item.luotsi_offer)


def trips_in(build: Build, lang: str) -> list[Any]:
    """The trips a visitor in ``lang`` is shown, cheapest first: each in ``lang`` when it is
    translated, else in its original language."""
    default_lang, languages = build.settings["DEFAULT_LANG"], build.config.languages
    trips = [g.get(lang) or model.original_of(g, default_lang, languages)
             for g in trip_groups(build)]
    return sorted((t for t in trips if t.luotsi_trip),
                  key=lambda t: (t.luotsi_trip.price, t.title))


class TripsGenerator(Generator):
    """Writes each language's list of trips (the trip pages themselves are Pelican pages)."""

    def generate_context(self) -> None:
        pass

    def generate_output(self, writer: Any) -> None:
        build = Build.of(self)
        if not build.trips_urls:
            return
        for lang in build.config.languages:
            write_localized(self, writer, build, "trips", build.trips_urls, lang, "trips",
                            trips=trips_in(build, lang))
        if build.config.feedback and build.config.booking is not None:
            write_offers(build)


def write_offers(build: Build) -> None:
    """Every trip's bookable facts per language, for the service (which never reads the
    content): rewritten by every build, and re-read by the service when it changes."""
    path = os.path.join(build.settings["OUTPUT_PATH"], OFFERS_FILE)
    data = {"trips": [offer.to_json() for offer in build.trip_offers]}
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=0, sort_keys=True)


def on_generator_init(generator: Generator) -> None:
    build = Build.of(generator)
    booking = build.config.booking if build.config.feedback else None
    generator.env.globals.update(LUOTSI_TRIPS_URLS=build.trips_urls,
                                 luotsi_trips=partial(trips_in, build),
                                 luotsi_booking=booking)


def on_get_generators(_pelican: Any) -> type[Generator]:
    return TripsGenerator


def register() -> None:
    from ..multilingual.plugin import register as multilingual

    multilingual()  # trip pages are per language: they need the language model
    core.register()
    signals.initialized.connect(on_initialized)
    signals.content_object_init.connect(on_content_init)
    signals.generator_init.connect(on_generator_init)
    signals.get_generators.connect(on_get_generators)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
