"""The audit's checks, as pure functions over parsed pages of the finished output.

Each check looks at one page (or the site as a whole) and returns findings as
``(page, problem, fix)``. Structured data is checked with the same validator the build uses.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

from ..cache_files import text_hash
from ..structured_data.validate import Known, validate

# Both kinds start with a digit: the look-ahead lets the search skip every other character
# at once, three times faster on a post's text (12 against 35 µs) for the same matches.
PRICE_OR_DATE = re.compile(r"(?=\d)(?:\d+[.,]?\d*\s?(?:€|(?i:eur|euro|sek|kr|usd)|\$|円)|"
                           r"\b20\d\d\b)")


@dataclass
class Page:
    path: str  # relative to the output folder
    url: str  # site-relative URL
    doc: Any
    lang: str
    kind: str  # article, page, person, listing, ...
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    jsonld_texts: list[str] = field(default_factory=list)
    # False when the page's bytes hold no TODO marker: nothing to look for
    may_have_todo: bool = True

    @functools.cached_property
    def head(self) -> Head:
        """What the head says, in one pass over its elements (rather than an XPath search of
        the whole page for each: the audit reads thousands of pages)."""
        found = Head()
        head = self.doc.find("head")
        for element in head.iterchildren() if head is not None else ():
            tag, name, rel = element.tag, element.get("name"), element.get("rel")
            if tag == "title" and not found.title:
                found.title = (element.text or "").strip()
            elif tag == "meta" and name == "description" and element.get("content") is not None:
                found.description = True
            elif tag == "meta" and name == "robots" and "noindex" in element.get("content", ""):
                found.noindex = True
            elif tag == "link" and rel == "canonical" and element.get("href") is not None:
                found.canonical = True
            elif tag == "link" and rel == "alternate" and element.get("hreflang") is not None:
                found.hreflangs.append(element.get("hreflang"))
        return found

    @functools.cached_property
    def text(self) -> str:
        """The page's text, whitespace collapsed (several checks read it)."""
        return " ".join(self.doc.xpath("string()").split())

    @functools.cached_property
    def links(self) -> list[str]:
        """Every ``<a href>``, in order."""
        return self.references[0]

    @functools.cached_property
    def references(self) -> tuple[list[str], list[str], list[str]]:
        """(every ``<a href>``; every link, image and script reference; every ``srcset``),
        in document order, from one walk over the page's elements."""
        anchors: list[str] = []
        refs: list[str] = []
        srcsets: list[str] = []
        for element in self.doc.iter("a", "link", "img", "script", "source"):
            tag = element.tag
            value = element.get("src" if tag in ("img", "script") else "href")
            if value is not None and tag != "source":
                refs.append(value)
                if tag == "a":
                    anchors.append(value)
            srcset = element.get("srcset")
            if srcset is not None and tag in ("img", "source"):
                srcsets.append(srcset)
        return anchors, refs, srcsets


Finding = tuple[str, str, str, str]  # page, check, problem, fix


@dataclass
class Head:
    """The head elements the checks look at."""

    title: str = ""
    description: bool = False
    canonical: bool = False
    noindex: bool = False
    hreflangs: list[str] = field(default_factory=list)



@functools.cache
def _lxml() -> tuple[Any, Any, Any, Any]:
    """lxml's parse, and the parsers and query the checks use, loaded at the first page.

    The build's process checks pages only once its own are written; loaded as the plugins
    registered, lxml took 4.3 MB of it from the start (measured), while the staff photos
    were encoded beside it, one of the build's two largest moments."""
    import lxml.etree

    # No table of the page's ids: no check looks an element up by id, and the table cost
    # about a tenth of checking a page (0.54-0.58 against 0.60-0.62 ms, 5,135 pages).
    # A page that opens as the theme's pages do, its head's first element declaring UTF-8, is
    # parsed as UTF-8 from the start: left to find out, libxml2 took 170 rather than 130 µs
    # for a 19 KB post, for the same tree. Any other page (a charset named later, in a
    # comment, in another meta's text, or none) is left to the parser to read, as before.
    # The whole document's scripts: text after ``</html>`` becomes a second top element.
    return (lxml.etree.fromstring, lxml.etree.HTMLParser(collect_ids=False),
            lxml.etree.HTMLParser(collect_ids=False, encoding="utf-8"),
            lxml.etree.XPath('//script[@type="application/ld+json"]'))


_OPENS_AS_UTF8 = re.compile(rb"(?:\xef\xbb\xbf)?\s*(?:<!doctype[^>]*>\s*)?<html(?:\s[^>]*)?>\s*"
                            rb"<head(?:\s[^>]*)?>\s*<meta\s+charset\s*=\s*([\"']?)utf-?8\1\s*/?>",
                            re.IGNORECASE)


def declares_utf8(data: bytes) -> bool:
    """Whether the page's head opens by declaring UTF-8 (every page the theme writes)."""
    return _OPENS_AS_UTF8.match(data) is not None


def load_page(output: str, path: str, data: bytes | None = None) -> Page | None:
    """The page at ``path`` under ``output`` (``data``: its bytes, read already), parsed."""
    if data is None:
        with open(os.path.join(output, path), "rb") as handle:
            data = handle.read()
    if not data.strip():
        return None
    # The plain HTML parser: lxml.html's element classes cost more than the parse, and the
    # checks use nothing but XPath.
    parse, parser, utf8_parser, json_ld = _lxml()
    doc = parse(data, utf8_parser if declares_utf8(data) else parser)
    blocks, texts = [], []
    for script in json_ld(doc):
        texts.append(script.text or "")
        try:
            blocks.append(json.loads(script.text or ""))
        except ValueError:
            blocks.append({"invalid": True})
    types = {n.get("@type") for b in blocks for n in b.get("@graph", []) if isinstance(n, dict)}
    kind = ("article" if "BlogPosting" in types else "person" if "ProfilePage" in types
            else "trip" if "TouristTrip" in types else "page")
    url = path[:-len("index.html")] if path.endswith("index.html") else path
    return Page(path, url, doc, doc.get("lang", ""), kind, blocks, texts,
                may_have_todo=TODO.encode() in data)


def has_class(tag: str, name: str) -> str:
    """XPath of ``tag`` elements whose class list holds ``name`` (among other classes)."""
    return f"//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"


# The links every page shares (menus, footer, language switcher) stay in the caches, being
# asked for on every page; a site's other links appear on a page or two each. Room for all of
# them (26,600 at 1,000 posts × 4 languages) took about 17 MB in each process that checks
# pages, for the same speed (0.04-0.10 ms a page either way, measured on 2,600 pages); 4,096
# entries 2.2 MB more than 1,024, also for the same speed (0.67-0.81 against 0.66-0.67 ms a
# page, all 5,135 pages in one process), and the build's process checks pages at its largest.
_LINK_CACHE = 1024


@functools.lru_cache(maxsize=64)
def _digits_pattern(telephone: str) -> re.Pattern[str] | None:
    """The number's digits with anything but digits between them: it matches the page's text
    wherever the digits of the text alone would contain the number, however it is spaced."""
    digits = re.sub(r"\D", "", telephone)
    return re.compile(r"\D*".join(digits)) if digits else None


@functools.lru_cache(maxsize=_LINK_CACHE)
def _split(url: str) -> SplitResult:
    """Pages share most of their links (menus, footer, language switcher)."""
    return urlsplit(url)


def check_contact(page: Page, company: dict[str, Any]) -> Iterable[Finding]:
    text = page.text
    phone = _digits_pattern(company.get("telephone", ""))
    links = " ".join(page.links)
    for label, ok in (("company name", company.get("name", "") in text),
                      ("street address", company.get("street_address", "") in text),
                      ("phone number", phone is not None and bool(phone.search(text))),
                      ("e-mail address", f"mailto:{company.get('email', '')}" in unquote(
                          links.replace("&#64;", "@")))):
        if not ok:
            yield (page.path, "contact", f"the {label} is not on the page",
                   "keep partials/contact.html in the footer of every template")


def check_policies(page: Page, policy_urls: dict[str, set[str]]) -> Iterable[Finding]:
    links = {_split(href).path for href in page.links}
    for role, urls in policy_urls.items():
        if not links & urls:
            yield (page.path, "policies", f"no link to the {role} page",
                   f"write the {role} page (LUOTSI_POLICY_PAGES) and keep the footer links")


def check_head(page: Page, known: Known | None = None) -> Iterable[Finding]:
    head = page.head
    if not head.title:
        yield page.path, "seo", "no <title>", "give the page a Title:"
    if not head.description:
        yield page.path, "seo", "no meta description", "write a Summary: or Description:"
    if not head.canonical:
        yield page.path, "seo", "no canonical URL", "keep base.html's head"
    if "x-default" not in head.hreflangs or page.lang not in head.hreflangs:
        yield (page.path, "seo", "the hreflang set lacks the page itself or x-default",
               "keep base.html's head")
    if not page.jsonld:
        if not head.noindex:
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
    if not page.may_have_todo:
        return
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
    base = _split(siteurl)
    _, written, srcsets = page.references
    refs = list(written)
    for srcset in srcsets:
        refs += [part.strip().split(" ")[0] for part in srcset.split(",") if part.strip()]
    folder = os.path.dirname("/" + page.url)
    links = (_local_link(str(value), folder, base) for value in dict.fromkeys(refs))
    return [link for link in links if link is not None]


class Targets:
    """The output's files, and whether a link target is one of them, decided once per target:
    most links recur on every page."""

    def __init__(self, existing: set[str]):
        self.existing = existing
        self._resolves: dict[str, bool] = {}

    def resolve(self, target: str) -> bool:
        found = self._resolves.get(target)
        if found is None:
            found = self._resolves[target] = target in self.existing or \
                f"{target.rstrip('/')}/index.html".lstrip("/") in self.existing
        return found


def broken_links(path: str, links: Iterable[tuple[str, str]], targets: Targets
                 ) -> Iterable[Finding]:
    for value, target in links:
        if not targets.resolve(target):
            yield (path, "links", f"broken internal link: {value}",
                   "fix the link or write the page it points to")


_RELATIVE = ("", "")  # a link to resolve against the page's folder


def _local_link(value: str, folder: str, base: SplitResult) -> tuple[str, str] | None:
    """(``value``, the output path it leads to from a page in ``folder``), or None if it
    leaves the site. Most links recur on every page: the same tuple for each is returned,
    and so sent back from the worker once per batch (pickle shares repeated objects)."""
    link = _site_link(value, base)
    return _relative_link(value, folder, base) if link is _RELATIVE else link


@functools.lru_cache(maxsize=_LINK_CACHE)
def _site_link(value: str, base: SplitResult) -> tuple[str, str] | None:
    parts = _split(value)
    if parts.scheme in ("mailto", "tel", "data", "javascript") or value.startswith("#"):
        return None
    if parts.netloc and (parts.netloc != base.netloc):
        return None  # another site: not checkable offline
    path = unquote(parts.path)
    if not parts.netloc and not path.startswith("/"):
        return _RELATIVE
    return value, _within(path, base)


@functools.lru_cache(maxsize=_LINK_CACHE)
def _relative_link(value: str, folder: str, base: SplitResult) -> tuple[str, str]:
    path = "/" + os.path.normpath(os.path.join(folder, unquote(_split(value).path)))
    return value, _within(path, base)


def _within(path: str, base: SplitResult) -> str:
    """``path`` relative to the output folder (the site may live below the host's root)."""
    prefix = base.path.rstrip("/")
    if prefix and path.startswith(prefix):
        path = path[len(prefix):]
    return path.lstrip("/")


def score(checked: int, failed: int) -> int:
    """Share of pages without findings, in percent."""
    return 100 if not checked else 100 * (checked - failed) // checked
