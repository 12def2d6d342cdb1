"""The audit's checks, as pure functions over parsed pages of the finished output.

Each check looks at one page (or the site as a whole) and returns findings as
``(page, problem, fix)``. Structured data is checked with the same validator the build uses.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import lxml.html

from ..structured_data.validate import Known, text_hash, validate

PRICE_OR_DATE = re.compile(r"(\d+[.,]?\d*\s?(€|EUR|eur|euro|SEK|kr|\$|USD|円))|"
                           r"(\b20\d\d\b)", re.IGNORECASE)


@dataclass
class Page:
    path: str  # relative to the output folder
    url: str  # site-relative URL
    doc: Any
    lang: str
    kind: str  # article, page, person, listing, ...
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    jsonld_texts: list[str] = field(default_factory=list)


Finding = tuple[str, str, str, str]  # page, check, problem, fix



def load_page(output: str, path: str) -> Page | None:
    with open(os.path.join(output, path), "rb") as handle:
        data = handle.read()
    if not data.strip():
        return None
    doc = lxml.html.fromstring(data)
    blocks, texts = [], []
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        texts.append(script.text or "")
        try:
            blocks.append(json.loads(script.text or ""))
        except ValueError:
            blocks.append({"invalid": True})
    types = {n.get("@type") for b in blocks for n in b.get("@graph", []) if isinstance(n, dict)}
    kind = ("article" if "BlogPosting" in types else "person" if "ProfilePage" in types
            else "trip" if "TouristTrip" in types else "page")
    url = path[:-len("index.html")] if path.endswith("index.html") else path
    return Page(path, url, doc, doc.get("lang", ""), kind, blocks, texts)


def has_class(tag: str, name: str) -> str:
    """XPath of ``tag`` elements whose class list holds ``name`` (among other classes)."""
    return f"//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"


def _texts(page: Page) -> str:
    return " ".join(page.doc.text_content().split())


def _links(page: Page) -> list[str]:
    return [a.get("href", "") for a in page.doc.xpath("//a[@href]")]


def check_contact(page: Page, company: dict[str, Any]) -> Iterable[Finding]:
    text = _texts(page)
    digits = re.sub(r"\D", "", text)
    phone = re.sub(r"\D", "", company.get("telephone", ""))
    links = " ".join(_links(page))
    for label, ok in (("company name", company.get("name", "") in text),
                      ("street address", company.get("street_address", "") in text),
                      ("phone number", bool(phone) and phone in digits),
                      ("e-mail address", f"mailto:{company.get('email', '')}" in unquote(
                          links.replace("&#64;", "@")))):
        if not ok:
            yield (page.path, "contact", f"the {label} is not on the page",
                   "keep partials/contact.html in the footer of every template")


def check_policies(page: Page, policy_urls: dict[str, set[str]]) -> Iterable[Finding]:
    links = {urlsplit(href).path for href in _links(page)}
    for role, urls in policy_urls.items():
        if not links & urls:
            yield (page.path, "policies", f"no link to the {role} page",
                   f"write the {role} page (LUOTSI_POLICY_PAGES) and keep the footer links")


def check_head(page: Page, known: Known | None = None) -> Iterable[Finding]:
    doc = page.doc
    if not (doc.findtext(".//title") or "").strip():
        yield page.path, "seo", "no <title>", "give the page a Title:"
    if not doc.xpath('//meta[@name="description"]/@content'):
        yield page.path, "seo", "no meta description", "write a Summary: or Description:"
    if not doc.xpath('//link[@rel="canonical"]/@href'):
        yield page.path, "seo", "no canonical URL", "keep base.html's head"
    hreflangs = doc.xpath('//link[@rel="alternate"][@hreflang]/@hreflang')
    if "x-default" not in hreflangs or page.lang not in hreflangs:
        yield (page.path, "seo", "the hreflang set lacks the page itself or x-default",
               "keep base.html's head")
    noindex = doc.xpath('//meta[@name="robots"][contains(@content, "noindex")]')
    if not page.jsonld:
        if not noindex:
            yield page.path, "seo", "no JSON-LD graph", "enable luotsi.structured_data"
        return
    for text, block in zip(page.jsonld_texts, page.jsonld, strict=True):
        problems = known[1] if known and text_hash(text) == known[0] else validate(block)
        for where, problem, fix in problems:
            yield page.path, "structured data", f"{where} {problem}", fix


TODO = "TODO:"
# The marker's text ends with its text node (a paragraph, a heading, a link), so it reads as
# written. Listing entries repeat other pages' summaries: a marker is reported on its own page.
_TODO_TEXTS = ("//main//text()[contains(., 'TODO:')][not(ancestor::*[contains(concat(' ', "
               "@class, ' '), ' entry ')])]", "//meta[@name='description']/@content")


def check_todo(page: Page) -> Iterable[Finding]:
    """Text the company still has to write (starter pages, ``luotsi new …`` files,
    translations waiting) carries a ``TODO:`` marker; published, it would tell customers the
    site is unfinished. One finding per marker, quoting what it asks for; the meta
    description counts too, as search results show it. A marker the page repeats (a name in
    the heading, the byline and the description) is reported once, where it first stands."""
    asked: list[str] = []
    for text in (found for path in _TODO_TEXTS for found in page.doc.xpath(path)):
        for part in " ".join(str(text).split()).split(TODO)[1:]:
            what = part.strip() or "…"
            what = what if len(what) <= 100 else what[:99].rstrip() + "…"
            if not any(what.startswith(a) or a.startswith(what) for a in asked):
                asked.append(what)
    for what in asked:
        yield (page.path, "todo", "TODO left in the text",
               f"write what “TODO: {what}” asks for, in its place")


def check_images(page: Page) -> Iterable[Finding]:
    for img in page.doc.xpath("//img"):
        if img.get("alt") is None:
            yield (page.path, "images", f"image {img.get('src')} has no alt text",
                   "describe the picture, or alt=\"\" if it is decoration")


def check_post(page: Page, stale_months: int, today: dt.date, sponsored: set[str]
               ) -> Iterable[Finding]:
    if page.kind != "article":
        return
    doc = page.doc
    if not doc.xpath("//article//time[@datetime]"):
        yield page.path, "dates", "the post shows no publication date", "keep article.html"
    if not doc.xpath('//article//*[@rel="author"]'):
        yield (page.path, "authors", "the post names no author with a staff page",
               "write Author: with a staff member's folder name")
    posting = next((n for b in page.jsonld for n in b.get("@graph", [])
                    if isinstance(n, dict) and n.get("@type") == "BlogPosting"), {})
    modified = posting.get("dateModified") or posting.get("datePublished")
    if modified and modified != posting.get("datePublished") and not doc.xpath(
            "//article//time[contains(@class, 'modified')]"):
        yield (page.path, "dates", "the post was updated but does not show when",
               "keep article.html's modified date")
    if modified:
        age = (today - dt.date.fromisoformat(modified[:10])).days / 30.44
        body = " ".join(doc.xpath(f"string({has_class('div', 'body')})").split())
        if age > stale_months and PRICE_OR_DATE.search(body):
            yield (page.path, "freshness", f"mentions prices or dates but was last updated "
                   f"{int(age)} months ago", "check the facts and set Modified: to today")
    if unquote(page.url) in sponsored and not doc.xpath("//*[contains(@class, 'disclosure')]"):
        yield page.path, "sponsored", "sponsored post without a disclosure", "keep article.html"


def check_feedback_privacy(page: Page) -> Iterable[Finding]:
    for form in page.doc.xpath(has_class("form", "feedback")):
        if not form.xpath(".//input[@name='consent']/following-sibling::label//a[@href]"):
            yield (page.path, "feedback", "the feedback form does not link the privacy policy",
                   "write the privacy page (LUOTSI_POLICY_PAGES['privacy'])")


def local_links(page: Page, siteurl: str) -> list[tuple[str, str]]:
    """(as written, output-relative target) of every link and image on this site."""
    base = urlsplit(siteurl)
    refs = page.doc.xpath("//a/@href|//link/@href|//img/@src|//script/@src")
    for srcset in page.doc.xpath("//source/@srcset|//img/@srcset"):
        refs += [part.strip().split(" ")[0] for part in srcset.split(",") if part.strip()]
    found = []
    for value in dict.fromkeys(refs):
        target = _local_path(value, page.url, base)
        if target is not None:
            found.append((value, target))
    return found


def broken_links(path: str, links: list[tuple[str, str]], existing: set[str]
                 ) -> Iterable[Finding]:
    for value, target in links:
        if target not in existing and f"{target.rstrip('/')}/index.html".lstrip("/") \
                not in existing:
            yield (path, "links", f"broken internal link: {value}",
                   "fix the link or write the page it points to")


def _local_path(value: str, page_url: str, base: Any) -> str | None:
    parts = urlsplit(value)
    if parts.scheme in ("mailto", "tel", "data", "javascript") or value.startswith("#"):
        return None
    if parts.netloc and (parts.netloc != base.netloc):
        return None  # another site: not checkable offline
    path = unquote(parts.path)
    if not parts.netloc and not path.startswith("/"):
        path = "/" + os.path.normpath(os.path.join(os.path.dirname("/" + page_url), path))
    prefix = base.path.rstrip("/")
    if prefix and path.startswith(prefix):
        path = path[len(prefix):]
    return path.lstrip("/")


def score(checked: int, failed: int) -> int:
    """Share of pages without findings, in percent."""
    return 100 if not checked else 100 * (checked - failed) // checked
