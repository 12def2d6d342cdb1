"""Runs every check over the finished output and scores it per language."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..background import Background
from ..cache_files import replacing
from ..digests import blake2b, sha256
from ..structured_data.validate import Known
from . import checks

REPORT_DIR = "audit"


@dataclass
class Context:
    output: str
    siteurl: str
    company: dict[str, Any]
    policy_urls: dict[str, set[str]]  # role → site-relative paths in any language
    languages: tuple[str, ...]
    stale_months: int
    today: dt.date
    skip: tuple[str, ...] = ()
    sponsored: set[str] = field(default_factory=set)  # site-relative URLs of sponsored posts


@dataclass
class Report:
    pages: int = 0
    findings: list[checks.Finding] = field(default_factory=list)
    per_language: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def score(self) -> int:
        """Pages without findings, in percent; each site-wide gap counts as a failed page."""
        failed = len({f[0] for f in self.findings if f[0] != "(site)"})
        failed += sum(1 for f in self.findings if f[0] == "(site)")
        return max(0, checks.score(self.pages, min(failed, self.pages)))

    def as_json(self) -> dict[str, Any]:
        return {"score": self.score, "pages": self.pages, "languages": self.per_language,
                "findings": [{"page": p, "check": c, "problem": pr, "fix": fx}
                             for p, c, pr, fx in self.findings]}


def _files(output: str) -> set[str]:
    """Every file of the output, relative to it (without ``relpath``: a second per 10,000)."""
    root = os.path.join(output, "")
    found = set()
    for folder, _, names in os.walk(output):
        prefix = os.path.join(folder, "")[len(root):]
        found.update(prefix + name for name in names)
    return found


def check_pages(batch: list[tuple[Context, str, Known | None, bytes]]
                ) -> list[tuple[str, str, str, list[Any], list[Any]]]:
    """Per page: (path, its cache key, language, findings of the page alone, its local
    links). ``Known`` is what the build already validated of the page's JSON-LD: it is not
    validated twice. The key is the hash of the page's bytes after the site's fingerprint,
    made here from the bytes read for the check."""
    results = []
    for context, path, known, fingerprint in batch:
        data = _read(context.output, path)
        page = checks.load_page(context.output, path, data)
        if page is None:
            continue
        key = _key(fingerprint, data)
        noindex = page.head.noindex
        found = [*checks.check_head(page, known), *checks.check_images(page),
                 *checks.check_feedback_privacy(page), *checks.check_todo(page)]
        if not noindex:  # service pages (reports, thanks) need not carry the trust footer
            found += [*checks.check_contact(page, context.company),
                      *checks.check_policies(page, context.policy_urls),
                      *checks.check_post(page, context.stale_months, context.today,
                                         context.sponsored)]
        results.append((path, key, page.lang, found,
                        checks.local_links(page, context.siteurl)))
    return results


def check_pages_packed(batch: list[tuple[Context, str, Known | None, bytes]]) -> bytes:
    """:func:`check_pages`, its results pickled and compressed where they are made. The
    build keeps each batch's results as these bytes until its workers have ended, and only
    then unpacks them (:func:`unpack`): the results of 5,135 pages are about 11 MB as Python
    objects, which the build's process held beside the worker (its largest moment, at the
    end of a build), 4.8 MB pickled, and 0.9 MB compressed (22 ms to compress them all at
    zlib's fastest level, 16 ms to decompress)."""
    return zlib.compress(pickle.dumps(check_pages(batch), pickle.HIGHEST_PROTOCOL), 1)


def unpack(packed: bytes) -> list[tuple[str, str, str, list[Any], list[Any]]]:
    """What :func:`check_pages_packed` packed."""
    return pickle.loads(zlib.decompress(packed))


def _read(output: str, path: str) -> bytes:
    with open(os.path.join(output, path), "rb") as handle:
        return handle.read()


def _key(fingerprint: bytes, data: bytes) -> str:
    """A page's key in the cache: its bytes and what else its findings depend on."""
    return blake2b(fingerprint + data, digest_size=32).hexdigest()


def _fingerprint(context: Context) -> str:
    """What, besides a page's own bytes, its findings depend on."""
    facts = [context.siteurl, context.company, sorted((k, sorted(v)) for k, v in
                                                      context.policy_urls.items()),
             context.stale_months, context.today.isoformat(), sorted(context.sponsored),
             _VERSION]
    return sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()


_VERSION = "4"  # bumped when a check changes: cached results are redone
_CACHE_FORMAT = 3  # how the cache file is laid out (another layout is not read)


class Audit:
    """An audit that checks each page as soon as it is written, on another core, so that it
    overlaps with the writing of the others; :meth:`finish` collects the results, checks the
    pages nobody announced, the links and the site as a whole.

    A page whose bytes (and the site facts it is checked against) are unchanged since the
    last build reuses its cached results. Links are always checked against the files the
    output holds at the end."""

    def __init__(self, context: Context, cache_file: str | None = None,
                 background: Background | None = None):
        self.context, self.cache_file = context, cache_file
        self.background = background or Background()
        self.background.low_priority(check_pages_packed)
        self.fingerprint = _fingerprint(context).encode()
        self.cached: dict[str, Any] = {}  # key → [language, problem numbers, link numbers]
        self.cached_problems: list[tuple[str, str, str]] = []
        self.cached_links: list[tuple[str, str]] = []
        if cache_file and os.path.exists(cache_file):
            with open(cache_file, encoding="utf-8") as handle:
                stored = json.load(handle)
            if isinstance(stored, dict) and stored.get("format") == _CACHE_FORMAT:
                self.cached = stored["pages"]
                self.cached_problems = [(check, problem, fix)
                                        for check, problem, fix in stored["problems"]]
                self.cached_links = [(value, target) for value, target in stored["links"]]
        self.keys: dict[str, str] = {}
        self.results: dict[str, Any] = {}
        self.checked = 0  # pages not found in the cache

    def page(self, path: str, known: Known | None = None) -> None:
        """A page of the output (written just now): its cached results, or a check queued."""
        rel = os.path.relpath(path, self.context.output)
        if not rel.endswith(".html") or rel.startswith(self.context.skip):
            return
        self.results.pop(rel, None)
        # With nothing cached there is nothing to look up: the worker that checks the page
        # reads it and names its key.
        key = _key(self.fingerprint, _read(self.context.output, rel)) if self.cached else ""
        self.keys[rel] = key
        if key in self.cached:
            lang, problems, links = self.cached[key]
            self.results[rel] = [lang, [(rel, *self.cached_problems[n]) for n in problems],
                                 [self.cached_links[int(n)] for n in links.split()]]
        else:
            self.checked += 1
            self.background.batch(check_pages_packed,
                                  (self.context, rel, known, self.fingerprint))

    def finish(self) -> Report:
        existing = _files(self.context.output)
        paths = sorted(p for p in existing
                       if p.endswith(".html") and not p.startswith(self.context.skip))
        for path in paths:  # pages not written through Pelican's writer
            if path not in self.keys:
                self.page(os.path.join(self.context.output, path))
        # Pages share most links; one copy of each, rather than one per page and batch, keeps
        # the build's memory to what the site's distinct links take.
        one: dict[tuple[str, str], tuple[str, str]] = {}
        # The last results close the pool (Background.results): unpacked once it has.
        for packed in self.background.results(check_pages_packed):
            for path, key, lang, found, links in unpack(packed):
                self.keys[path] = key
                self.results[path] = [lang, found, [one.setdefault(link, link) for link in links]]
        # A rebuild that found every page in the cache, and no page gone, would write the
        # same file again (4 MB at 5,000 pages, 60 ms).
        unchanged = not self.checked and \
            {self.keys[path] for path in paths if path in self.results} == self.cached.keys()
        if self.cache_file and not unchanged:
            self._save(paths, self.cache_file)
        return self._report(paths, existing)

    def _save(self, paths: list[str], cache_file: str) -> None:
        """Every page's results by its key: its problems as numbers in one table of the
        site's problems, its links as numbers in one table of the site's links.

        Pages share most links and most problems, and a rebuild keeps what it loads until
        the report is written. With a list of numbers per page and each problem written out
        on every page (its path, check, problem and fix), the file at 5,135 pages was
        14.4 MB as Python objects (4.2 of them the numbers); one string of numbers per page
        and one copy of each problem take a third of that. A page's problems are about the
        page itself (every check names ``page.path``), so the path is not written: a page
        whose bytes recur at another path is reported at its own.

        Written page by page: the whole file as one string (4 MB at 5,000 pages), its UTF-8
        copy and the table built for it added 10 MB to the build's largest moment."""
        problems: dict[tuple[str, ...], int] = {}
        numbers: dict[tuple[str, str], int] = {}
        with replacing(cache_file) as tmp, open(tmp, "w", encoding="utf-8") as handle:
            handle.write(f'{{"format": {_CACHE_FORMAT}, "pages": {{')
            separator = ""
            for path in paths:
                if path in self.results:
                    lang, found, links = self.results[path]
                    entry = [lang, [problems.setdefault(f[1:], len(problems)) for f in found],
                             " ".join(str(numbers.setdefault(link, len(numbers)))
                                      for link in links)]
                    handle.write(f"{separator}{json.dumps(self.keys[path])}: "
                                 f"{json.dumps(entry)}")
                    separator = ", "
            handle.write(f'}}, "problems": {json.dumps(list(problems))}, '
                         f'"links": {json.dumps(list(numbers))}}}')

    def _report(self, paths: list[str], existing: set[str]) -> Report:
        report = Report()
        targets = checks.Targets(existing)
        per_lang: dict[str, dict[str, int]] = defaultdict(lambda: {"pages": 0, "failed": 0})
        for path in paths:
            if path not in self.results:
                continue
            lang, found, links = self.results[path]  # findings are tuples, as checks yield them
            found = [*found, *checks.broken_links(path, links, targets)]
            report.pages += 1
            per_lang[lang]["pages"] += 1
            if found:
                per_lang[lang]["failed"] += 1
            report.findings += found
        report.findings += site_findings(self.context)
        report.findings.sort()
        report.per_language = {lang: {**v, "score": checks.score(v["pages"], v["failed"])}
                               for lang, v in sorted(per_lang.items())}
        return report


def audit(context: Context, cache_file: str | None = None) -> Report:
    """Check every page of a finished output and the site as a whole, on all cores."""
    with Background() as background:
        return Audit(context, cache_file, background).finish()


def site_findings(context: Context) -> list[checks.Finding]:
    """What the site as a whole must have: policies in every language, a staff page."""
    found = []
    for role, urls in context.policy_urls.items():
        if not urls:
            found.append(("(site)", "policies", f"there is no {role} page",
                          f"write it and name it in LUOTSI_POLICY_PAGES['{role}']"))
    staff = os.path.join(context.output, "staff", "index.html")
    page = checks.load_page(context.output, "staff/index.html") if os.path.exists(staff) \
        else None
    cards = page.doc.xpath(checks.has_class("li", "card")) if page is not None else []
    if not cards:
        found.append(("(site)", "staff", "there is no staff page with people on it",
                      "add content/staff/<person>/<lang>.md with a photo"))
    elif any(not card.xpath(".//picture") for card in cards):
        found.append(("staff/index.html", "staff", "not every person on the staff page has a "
                      "photo", "give every person a Photo:"))
    return found
