"""Checks a page's JSON-LD graph against what search engines need, before it is published.

Google's structured-data rules are checked where they can be checked offline: required and
promised properties per type, references that resolve, absolute URLs, dates with a time
zone, prices as numbers with a real currency. A rich result lost in production costs far
more than a finding at build time. The rules are listed in the README.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from babel.numbers import list_currencies

from ..cache_files import read_kept, write_kept
from ..digests import sha1

# Properties each type must carry: Google's required ones plus those the README promises.
REQUIRED: dict[str, tuple[str, ...]] = {
    "TravelAgency": ("name", "url", "address", "telephone", "email", "knowsLanguage"),
    "PostalAddress": ("streetAddress", "addressLocality", "postalCode", "addressCountry"),
    "WebSite": ("name", "url", "inLanguage", "publisher"),
    "WebPage": ("url", "name", "description", "inLanguage", "isPartOf", "breadcrumb"),
    "BreadcrumbList": ("itemListElement",),
    "BlogPosting": ("headline", "description", "image", "datePublished", "dateModified",
                    "author", "publisher", "inLanguage", "mainEntityOfPage"),
    "Person": ("name", "url", "worksFor"),
    "TouristTrip": ("name", "description", "provider", "offers", "inLanguage"),
    "Offer": ("price", "priceCurrency", "availability", "url"),
    "Question": ("name", "acceptedAnswer"),
    "Answer": ("text",),
}
for _subtype in ("CollectionPage", "ContactPage", "AboutPage", "FAQPage"):
    REQUIRED[_subtype] = REQUIRED["WebPage"]
REQUIRED["ProfilePage"] = (*REQUIRED["WebPage"], "mainEntity")
REQUIRED["Article"] = REQUIRED["BlogPosting"]

URL_KEYS = {"@id", "url", "item", "image", "sameAs", "logo", "availability"}
DATE_KEYS = {"datePublished", "dateModified", "validFrom", "validThrough",
             "availabilityStarts", "availabilityEnds"}
EMBEDDED_WORKS = {"translationOfWork", "workTranslation"}  # pointers to other pages' nodes
HEADLINE_MAX = 110
_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

Problem = tuple[str, str, str]  # where (type and property), problem, fix
# What the build validated of a page's JSON-LD: the hash of the exact text it wrote and the
# problems found, so that the audit of the written page does not validate the same graph again.
Known = tuple[str, list[Problem]]


class Memo:
    """The problems of every page graph validated by the last build, by the hash of its text,
    kept in the cache: a rebuild validates only the graphs that changed.

    A page's problems are a function of its text alone (the site-wide nodes, excluded from
    the page's check, are validated on every build), and the memo is thrown away whenever
    this module changes. Only what this build saw is written back, so the file never grows
    beyond the site."""

    def __init__(self, path: str):
        self.path = path
        self.version = _module_version()
        self.now: dict[str, list[Problem]] = {}
        try:
            self.before: dict[str, list[Problem]] = {
                k: [tuple(p) for p in v] for k, v in read_kept(path, self.version, _KEPT).items()}
        except (TypeError, ValueError):  # a damaged memo: validate everything
            self.before = {}

    def problems(self, digest: str, document: dict[str, Any],
                 checked: frozenset[int]) -> list[Problem]:
        found = self.before.get(digest)
        if found is None:
            found = validate(document, checked)
        self.now[digest] = found
        return found

    def save(self) -> None:
        write_kept(self.path, self.version, _KEPT, self.now)


_KEPT = "graphs"


def _module_version() -> str:
    with open(__file__, "rb") as handle:
        return sha1(handle.read()).hexdigest()


def _dicts(value: Any, key: str = "", embedded: bool = False
           ) -> Iterator[tuple[str, dict[str, Any], bool]]:
    if isinstance(value, dict):
        yield key, value, embedded
        for k, v in value.items():
            yield from _dicts(v, k, embedded or k in EMBEDDED_WORKS)
    elif isinstance(value, list):
        for v in value:
            yield from _dicts(v, key, embedded)


def _absolute(url: Any) -> bool:
    return isinstance(url, str) and _absolute_text(url)


@functools.lru_cache(maxsize=256)
def _absolute_text(url: str) -> bool:
    """Cached: every page names the same company, site and logo URLs. Those few stay in a
    small cache, as every page asks again; the page's own URLs, asked once, pass through it
    (16,384 entries held 1.9 MB of them in the build's process at its largest moment)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _url_values(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        for v in value:
            yield from _url_values(v)
    elif isinstance(value, dict):
        if "url" in value and value.get("@type") == "ImageObject":
            yield value["url"]
    else:
        yield value


def validate(document: dict[str, Any], checked: frozenset[int] = frozenset()
             ) -> list[Problem]:
    """Every problem in ``document`` (a JSON-LD ``@graph``); an empty list means valid.

    ``checked`` holds the ``id()`` of top-level nodes validated already (the company and the
    website, shared by every page): their ids still count for references, but their
    properties are not checked again on every page."""
    problems: list[Problem] = []
    graph = document.get("@graph")
    if document.get("@context") != "https://schema.org" or not isinstance(graph, list):
        return [("document", "is not a schema.org @graph",
                 "build it with luotsi.structured_data.graph.page_graph")]
    ids = [node.get("@id") for node in graph if isinstance(node, dict)]
    for dup in sorted({i for i in ids if i and ids.count(i) > 1}):
        problems.append((dup, "is the @id of more than one node", "give each node its own @id"))
    defined = {i for _, node, _ in _dicts(graph) for i in [node.get("@id")]
               if i and len(node) > 1}
    for key, node, embedded in _dicts([n for n in graph if id(n) not in checked]):
        kind = node.get("@type", key or "node")
        if set(node) == {"@id"}:
            if node["@id"] not in defined:
                problems.append((f"{key}", f"refers to {node['@id']}, which is not in the graph",
                                 "add that node to the page's graph or embed it"))
            continue
        if not embedded:
            problems += _required(kind, node)
        problems += _values(kind, node)
    return problems


def _required(kind: str, node: dict[str, Any]) -> list[Problem]:
    problems = []
    for prop in REQUIRED.get(kind, ()):
        value = node.get(prop)
        if value is None or value == "" or value == []:
            problems.append((f"{kind}.{prop}", "is missing",
                             f"give the page what {prop} is made from (see the README's "
                             "structured data table)"))
    if kind in ("BlogPosting", "Article") and len(str(node.get("headline", ""))) > HEADLINE_MAX:
        problems.append((f"{kind}.headline", f"is longer than {HEADLINE_MAX} characters, which "
                         "Google cuts off", "shorten the Title"))
    if kind == "BreadcrumbList":
        for n, item in enumerate(node.get("itemListElement", []), start=1):
            if item.get("position") != n or not item.get("name") or not item.get("item"):
                problems.append((f"{kind}.itemListElement[{n}]",
                                 "needs position, name and item", "fix the breadcrumb trail"))
    return problems


def _ends_before(start: Any, end: Any) -> bool:
    """Both are dates with a time zone (checked apart) and the end comes first."""
    try:
        return dt.datetime.fromisoformat(end) < dt.datetime.fromisoformat(start)
    except (TypeError, ValueError):
        return False


def _values(kind: str, node: dict[str, Any]) -> list[Problem]:
    problems = []
    for prop, value in node.items():
        if prop in URL_KEYS:
            for url in _url_values(value):
                if isinstance(url, str) and not _absolute(url):
                    problems.append((f"{kind}.{prop}", f"URL {url!r} is not absolute",
                                     "set SITEURL to the site's https:// address"))
        if prop in DATE_KEYS and not (isinstance(value, str) and _ISO_DATETIME.match(value)):
            problems.append((f"{kind}.{prop}", f"{value!r} is not an ISO 8601 date and time "
                             "with a time zone", "set TIMEZONE and write dates as YYYY-MM-DD"))
        if prop == "inLanguage":
            for lang in value if isinstance(value, list) else [value]:
                if not (isinstance(lang, str) and _LANG.match(lang)):
                    problems.append((f"{kind}.inLanguage", f"{lang!r} is not a language code",
                                     "use codes such as fi, en, sv"))
    if kind == "Offer":
        price = node.get("price")
        if isinstance(price, bool) or not isinstance(price, int | float) or price < 0:
            problems.append(("Offer.price", f"{price!r} is not a number",
                             "write Price: as a number, e.g. 1290"))
        if node.get("priceCurrency") not in list_currencies():
            problems.append(("Offer.priceCurrency",
                             f"{node.get('priceCurrency')!r} is not an ISO 4217 code",
                             "write Currency: as EUR, SEK, USD, …"))
        for start, end in (("validFrom", "validThrough"),
                           ("availabilityStarts", "availabilityEnds")):
            if _ends_before(node.get(start), node.get(end)):
                problems.append((f"Offer.{end}", f"is before {start}",
                                 "correct Valid-From, Valid-Through or Departures"))
    return problems
