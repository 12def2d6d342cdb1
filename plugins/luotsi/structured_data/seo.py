"""What one page's head says to search engines and social networks: title, description,
canonical URL, OpenGraph and Twitter tags, and the JSON-LD graph, validated as it is built.

Built at render time from the page's template context (rather than per content object), so
that the pages Luotsi generates itself — listings, staff, trips — get the same treatment as
posts and pages. One :class:`SeoBuilder` per build: the nodes that are the same on every page
are built and checked once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from ..build import Build
from ..cache_files import text_hash
from ..i18n import og_locale
from ..multilingual import model
from ..pictures.model import wanted
from ..urls import absolute
from . import graph, meta, share_image
from .validate import Memo, validate

SHARE_DIR = "images/share"
_FAQ_HEADING = re.compile(r"<h[23][^>]*>(.*?)</h[23]>", re.S)
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


@dataclass
class Seo:
    """What ``base.html`` writes into the head."""

    title: str
    description: str
    canonical: str
    og: list[tuple[str, str]]
    twitter: list[tuple[str, str]]
    jsonld: Markup
    noindex: bool


def json_for_script(document: Mapping[str, Any], hide_addresses: bool = False) -> Markup:
    """JSON that cannot end its ``<script>`` element early, whatever a title contains.

    With ``hide_addresses`` the ``@`` of e-mail addresses is written as ``\\u0040``: a JSON
    parser reads the same address, a harvester's regular expression does not. Keywords
    such as ``"@id"`` keep their ``@``, which always follows a quote.
    """
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    text = re.sub(r"[<>&]", lambda m: _SCRIPT_UNSAFE[m.group()], text)
    if hide_addresses:
        text = re.sub(r'(?<!")@', r"\\u0040", text)
    return Markup(text)


def faq_pairs(html: str) -> list[tuple[str, str]]:
    """(question, answer) pairs from an FAQ page: each h2/h3 heading and the text after it."""
    parts = _FAQ_HEADING.split(html or "")
    return [(meta.plain_text(q), meta.plain_text(a)) for q, a in zip(parts[1::2], parts[2::2],
                                                                        strict=True)
            if meta.plain_text(q) and meta.plain_text(a)]


class SeoBuilder:
    """Turns one template context into an :class:`Seo`; one per build."""

    def __init__(self, build: Build):
        self.build = build
        self.settings = build.settings
        self.siteurl = self.settings.get("SITEURL", "").rstrip("/")
        self.site_name = self.settings.get("SITENAME", "")
        self.tz = ZoneInfo(self.settings.get("TIMEZONE") or "UTC")
        company = build.config.company
        logo = company.get("logo")
        if logo and not os.path.isfile(os.path.join(self.settings["PATH"], logo)):
            build.find("LUOTSI_COMPANY", f"logo {logo!r} is not a file under the content folder",
                     "put the logo there (and its folder in STATIC_PATHS) or fix the path",
                     area="structured-data")
        self.company = graph.CompanyFacts(company, build.config.same_as,
                                          absolute(self.siteurl, logo) if logo else "")
        if build.share_cards is None:
            build.share_cards = share_image.ShareCards(
                build.background, os.path.join(build.config.cache_dir, "share"))
        self.cards = build.share_cards
        # The company and website nodes are the same on every page: built and checked once.
        self.site_nodes = (graph.organization(self.company, self.siteurl, build.config.languages),
                           graph.website(self.siteurl, self.site_name, build.config.languages))
        self.site_problems = validate({"@context": "https://schema.org",
                                       "@graph": list(self.site_nodes)})
        for where, problem, fix in self.site_problems:
            build.find("LUOTSI_COMPANY", f"structured data: {where} {problem}", fix,
                       area="structured-data")
        self.checked = frozenset(id(node) for node in self.site_nodes)
        self.memo = Memo(os.path.join(build.config.cache_dir, "jsonld-validated.json"))

    def subtitle(self, lang: str) -> str:
        own = self.build.config.subtitles.get(lang)
        if own or lang != self.settings["DEFAULT_LANG"]:
            return own or ""
        return self.settings.get("SITESUBTITLE") or ""

    def url(self, path: str) -> str:
        return absolute(self.siteurl, path)

    def person_facts(self, person: Any) -> graph.PersonFacts:
        versions = self.build.staff.get(person.id, {})
        stable = versions.get(self.settings["DEFAULT_LANG"]) or next(
            iter(versions.values()), person)
        photo = person.photo
        return graph.PersonFacts(
            url=self.url(person.url), id_url=self.url(stable.url), name=person.name,
            job_title=person.role,
            image=self.url(f"{photo.folder}/{photo.fallback.jpeg}") if photo else "",
            email=person.email, telephone=person.phone.replace(" ", ""),
            knows_language=person.languages, same_as=person.social)

    def picture(self, picture: Any) -> meta.Image:
        """A processed picture as networks and search engines get it: the variant of about
        1200 px in JPEG, which every one of them reads."""
        variant = picture.share_variant()
        return meta.Image(self.url(f"{picture.folder}/{variant.jpeg}"), variant.width,
                          variant.height, alt=picture.alt)

    def image(self, item: Any, person: Any, title: str, lang: str, kind: str
              ) -> meta.Image | None:
        """The page's own picture (a post's, a trip's, the home page's hero, a person's
        photo), else a share card drawn for it."""
        own = getattr(item, "luotsi_picture", None) if item is not None else None
        if own is None and kind == "home":
            own = self.build.hero.get(lang)
        if own is None and person is not None:
            own = person.photo
        if own is not None:
            return self.picture(own)
        if not self.build.config.share_images:
            return None
        if kind in ("article", "page", "trip", "contact", "faq", "about", "person"):
            card = self.card(title, lang)
        else:  # listings share the language's site card
            card = self.card(self.subtitle(lang) or self.site_name, lang)
        self.cards.want(card)
        return meta.Image(self.url(f"{SHARE_DIR}/{card.name}"), share_image.WIDTH,
                          share_image.HEIGHT, alt=card.title)

    def card(self, title: str, lang: str) -> share_image.Card:
        """The share card of a page titled ``title`` (plain text) in ``lang``."""
        return share_image.Card(title, self.company.company["name"], lang)

    def card_ahead(self, post: Any) -> None:
        """Queue, as ``post`` is read, the card its page will ask for: a post without a
        picture of its own gets one (:meth:`image`)."""
        if self.build.config.share_images and \
                wanted(post.metadata, self.settings["PATH"])[0] is None:
            self.cards.ahead_of_pages(self.card(meta.plain_text(post.title), post.lang))

    def aware(self, value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return None
        return value if value.tzinfo else value.replace(tzinfo=self.tz)

    def trip_facts(self, trip: Any) -> graph.TripFacts:
        def at(day: dt.date | None, time: dt.time) -> str:
            return graph.iso(dt.datetime.combine(day, time, self.tz)) if day else ""

        start, end = dt.time(0, 0), dt.time(23, 59, 59)
        departures = [(at(day, start), at(day + dt.timedelta(days=trip.days - 1), end))
                      for day in trip.departures]
        first = trip.valid_from or (trip.departures[0] if trip.departures else None)
        last = trip.valid_through or (trip.departures[-1] + dt.timedelta(days=trip.days - 1)
                                      if trip.departures else None)
        return graph.TripFacts(trip.price_number, trip.currency, trip.availability,
                               trip.itinerary, at(trip.valid_from, start),
                               at(trip.valid_through, end), trip.duration,
                               (at(first, start), at(last, end)) if first and last else None,
                               departures)

    def translations(self, item: Any) -> tuple[tuple[str, str] | None, list[tuple[str, str]]]:
        group = self.build.group_of(item)
        original = model.original_of(group, self.settings["DEFAULT_LANG"],
                                     self.build.config.languages) if group else None
        if original is None:
            return None, []
        if original is not item:
            return (self.url(original.url), original.lang), []
        return None, [(self.url(other.url), other.lang) for other in group.values()
                      if other is not item]

    def breadcrumbs(self, ctx: Mapping[str, Any], kind: str, name: str, lang: str,
                    canonical: str, labels: Mapping[str, str]) -> list[tuple[str, str]]:
        home = self.build.home_urls.get(lang, "")
        crumbs = [(labels.get("home") or self.site_name, self.url(home))]
        if kind == "home":
            return crumbs
        article = ctx.get("article")
        if kind == "article" and getattr(article, "category", None):
            crumbs.append((str(article.category),
                           self.url(f"{home}category/{article.category.slug}/")))
        elif kind == "person":
            crumbs.append((labels.get("staff", ""), self.url(f"{home}staff/")))
        elif kind == "trip":
            crumbs.append((labels.get("trips", ""), self.url(f"{home}trips/")))
        crumbs.append((name, canonical))
        return crumbs

    def head(self, ctx: Mapping[str, Any], kind: str, page_lang: str, canonical_path: str,
              alternates: Sequence[Any], title: str, description: str,
              labels: Mapping[str, str]) -> Seo:
        """The head of one page of ``kind`` (article, page, trip, contact, faq, about, person,
        home, listing, directory, trips, report, testimonials, thanks)."""
        build = self.build
        article, person = ctx.get("article"), ctx.get("person")
        item = article or ctx.get("page")
        number = ctx.get("page_number") or 1
        subtitle = self.subtitle(page_lang)
        if kind == "home" and subtitle:
            title, description = f"{title} — {subtitle}", subtitle
        if number > 1 and labels.get("page"):
            title = f"{title} — {labels['page']}"
            description = f"{description} ({labels['page']})"
        description = meta.trim(description or subtitle or title)
        canonical = self.url(canonical_path)
        name = meta.plain_text(getattr(item, "title", "")) if item is not None else (
            person.name if person is not None else title)
        image = self.image(item, person, name, page_lang, kind)
        published = modified = None
        if item is not None and kind in ("article", "trip", "page", "contact", "faq", "about"):
            published = self.aware(getattr(item, "date", None))
            modified = self.aware(getattr(item, "modified", None))
        original, translations = self.translations(item) if item is not None else (None, [])
        author = getattr(article, "luotsi_author", None) if article is not None else None
        facts = graph.PageFacts(
            siteurl=self.siteurl, url=canonical, lang=page_lang,
            languages=build.config.languages, kind=kind, title=name, description=description,
            breadcrumbs=self.breadcrumbs(ctx, kind, name, page_lang, canonical, labels),
            image=image.url if image else "", published=published if kind == "article" else None,
            modified=modified if kind == "article" else None,
            author=self.person_facts(author) if author else None,
            person=self.person_facts(person) if person is not None else None,
            trip=self.trip_facts(item.luotsi_trip) if kind == "trip" else None,
            original=original, translations=translations,
            faq=faq_pairs(item.content) if kind == "faq" else [])
        document = graph.page_graph(facts, self.company, self.site_name, self.site_nodes)
        source = (getattr(item, "source_path", None) or getattr(person, "source_path", None)
                  or f"{canonical_path or '/'} (a page Luotsi generates)")
        jsonld = json_for_script(document, build.config.obfuscate_email)
        digest = text_hash(jsonld)
        problems = self.memo.problems(digest, document, self.checked)
        for where, problem, fix in problems:
            build.find(source, f"structured data: {where} {problem}", fix,
                       area="structured-data")
        og_type = {"article": "article", "person": "profile"}.get(kind, "website")
        tags = meta.meta_tags(
            title=title, description=description, canonical=canonical, og_type=og_type,
            site_name=self.site_name, locale=og_locale(page_lang),
            alternate_locales=[og_locale(a.hreflang) for a in alternates
                               if a.hreflang != "x-default"],
            image=image, published=published, modified=modified)
        noindex = bool(ctx.get("luotsi_noindex")) or (
            item is not None and getattr(item, "status", "") == "draft")
        # the audit reads these pages: it need not validate again (nothing kept without it)
        if ctx.get("output_file") and build.auditor is not None:
            build.validated_jsonld[ctx["output_file"]] = (digest, [*self.site_problems, *problems])
        return Seo(tags.title, tags.description, canonical, tags.og, tags.twitter, jsonld,
                   noindex)
