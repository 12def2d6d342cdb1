"""What every built Luotsi site must satisfy, as search engines read it: reciprocal hreflang,
a sitemap of existing pages with their alternates, one valid JSON-LD graph per page. The demo
is checked with these, and so is a site made by ``luotsi init``."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import extruct
from luotsi.structured_data.validate import validate

from .conftest import html_pages, parse


def page_url(output: Path, path: Path, siteurl: str) -> str:
    rel = path.relative_to(output).as_posix()
    rel = rel[: -len("index.html")] if rel.endswith("index.html") else rel
    return f"{siteurl}/{rel}"


def file_of(output: Path, url: str) -> Path:
    path = unquote(urlsplit(url).path).lstrip("/")
    return output / (path + "index.html" if path.endswith("/") or not path else path)


def hreflangs(doc) -> dict[str, str]:
    return {link.get("hreflang"): unquote(link.get("href"))
            for link in doc.xpath('//head/link[@rel="alternate"][@hreflang]')}


def jsonld(path: Path) -> list[dict]:
    """Every JSON-LD document of a page, as extruct (the extractor crawlers use) reads it."""
    data = extruct.extract(path.read_text(encoding="utf-8"), syntaxes=["json-ld"],
                           uniform=False)
    return data["json-ld"]


def bare_refs(value) -> list[str]:
    if isinstance(value, dict):
        if set(value) == {"@id"}:
            return [value["@id"]]
        return [r for v in value.values() for r in bare_refs(v)]
    if isinstance(value, list):
        return [r for v in value for r in bare_refs(v)]
    return []


def defined_ids(value) -> set[str]:
    if isinstance(value, dict):
        own = {value["@id"]} if "@id" in value and len(value) > 1 else set()
        return own.union(*(defined_ids(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(defined_ids(v) for v in value)) if value else set()
    return set()


def check_hreflang(output: Path, siteurl: str, languages: list[str]) -> list[Path]:
    """Every page has its language, one absolute canonical URL, and (unless noindex) an
    hreflang set naming itself and x-default whose every member links back. Returns the
    pages checked."""
    pages = html_pages(output)
    for path in pages:
        doc = parse(path)
        own = page_url(output, path, siteurl)
        assert doc.get("lang") in languages, path
        canonical = doc.xpath('//link[@rel="canonical"]/@href')
        assert len(canonical) == 1 and canonical[0].startswith("http"), path
        links = hreflangs(doc)
        if "noindex" in "".join(doc.xpath('//meta[@name="robots"]/@content')):
            continue
        assert links.get(doc.get("lang")) == unquote(own), path  # self-reference
        assert "x-default" in links, path
        for lang, url in links.items():
            if lang == "x-default":
                continue
            other = file_of(output, url)
            assert other.exists(), (path, url)
            back = hreflangs(parse(other))
            assert back.get(doc.get("lang")) == unquote(own), (path, url)
            assert back.get("x-default") == links["x-default"], (path, url)
    return pages


def check_sitemap(output: Path, siteurl: str) -> list:
    """Every sitemap URL is percent-encoded and exists; its alternates include itself; the
    translation report is not in it; robots.txt points at it. Returns the URLs."""
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = ET.parse(output / "sitemap.xml").getroot().findall("s:url", ns)
    for url in urls:
        loc = url.find("s:loc", ns).text
        assert loc.isascii(), loc
        assert file_of(output, loc).exists(), loc
        alternates = url.findall("x:link", ns)
        if alternates:
            assert all(a.get("href") for a in alternates)
            assert loc in [a.get("href") for a in alternates], loc
    assert "translation-report" not in (output / "sitemap.xml").read_text()
    assert f"Sitemap: {siteurl}/sitemap.xml" in (output / "robots.txt").read_text()
    return urls


def check_jsonld(output: Path) -> list[Path]:
    """Every page has one schema.org graph that passes the build's validator, whose bare
    references resolve, with the company, the site and breadcrumbs, and whose web page is in
    the page's language; no self-serving review markup. Returns the pages checked."""
    pages = html_pages(output)
    for path in pages:
        documents = jsonld(path)
        assert len(documents) == 1, path
        document = documents[0]
        assert document["@context"] == "https://schema.org"
        assert validate(document) == [], path
        assert set(bare_refs(document["@graph"])) <= defined_ids(document["@graph"]), path
        types = {n["@type"] for n in document["@graph"]}
        assert {"TravelAgency", "WebSite", "BreadcrumbList"} <= types, path
        webpage = next(n for n in document["@graph"] if n["@id"].endswith("#webpage"))
        assert webpage["inLanguage"] == parse(path).get("lang"), path
        assert "Review" not in str(types) and "AggregateRating" not in str(document), path
    return pages
