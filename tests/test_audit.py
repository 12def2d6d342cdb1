"""The trust audit over finished output: the demo passes, and a site missing what customers
look for gets one finding per gap, with the page and the fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from luotsi.findings import LuotsiBuildError
from luotsi.report_json import one_per_line

from .conftest import ROOT, parse, python


def test_demo_passes_the_audit_with_a_report_per_language(demo):
    output, _ = demo
    report = json.loads((output / "audit/report.json").read_text())
    assert report["findings"] == [] and report["score"] == 100
    assert set(report["languages"]) == {"fi", "en", "sv", "de", "ja"}
    assert report["pages"] > 150
    assert "Trust audit: score 100" in (output / "audit/index.html").read_text()
    assert "Disallow: /audit/" in (output / "robots.txt").read_text()


def findings(run) -> list[tuple[str, str, str]]:
    return [(p, c, pr) for p, c, pr, _ in run.audit.findings]


def test_missing_trust_signals_are_found(site):
    site.write("pages/privacy/fi.md", "Title: Tietosuoja\nLang: fi\n\nTeksti.\n")
    site.post("posts/a.md", "Hinnasto", "fi", date="2020-01-01 10:00",
              body="Retki maksaa 120 € vuonna 2020. ![](images/missing.jpg)\n\n"
                   "[rikki](/ei-ole/) <img src=\"/x.png\">")
    site.post("posts/b.md", "Mainos", "fi", sponsored="Partner Oy")
    run = site.build(LUOTSI_AUDIT_STALE_MONTHS=6)
    found = findings(run)
    assert ("(site)", "policies", "there is no booking page") in found
    assert ("(site)", "policies", "there is no cancellation page") in found
    assert ("(site)", "staff", "there is no staff page with people on it") in found
    page = "blog/hinnasto/index.html"
    assert (page, "authors", "the post names no author with a staff page") in found
    assert (page, "links", "broken internal link: /ei-ole/") in found
    assert (page, "links", "broken internal link: images/missing.jpg") in found
    assert (page, "images", "image /x.png has no alt text") in found
    assert any(p == page and c == "freshness" and "last updated" in pr for p, c, pr in found)
    assert not any(c == "sponsored" for _, c, _ in found)  # the theme discloses it
    assert 0 <= run.audit.score < 100
    # The report: each distinct problem once, with every page it was found on; the JSON has
    # every finding, one per line.
    report = parse(site.output / "audit/index.html")
    entries = report.xpath("//ul[@class='findings']/li")
    problems = [(p, c, pr, fx) for p, c, pr, fx in run.audit.findings]
    assert len(entries) == len({(c, pr, fx) for _, c, pr, fx in problems}) < len(problems)
    booking = next(li for li in entries if "no link to the booking page" in li.text_content())
    assert sorted(booking.xpath(".//details//code/text()")) == sorted(
        p for p, _, pr, _ in problems if pr == "no link to the booking page")
    lines = (site.output / "audit/report.json").read_text(encoding="utf-8").splitlines()
    data = json.loads("\n".join(lines))
    assert [tuple(f.values()) for f in data["findings"]] == problems
    assert len(lines) == len(problems) + 2 and data["score"] == run.audit.score


def test_score_below_the_minimum_fails_a_strict_build(site):
    site.post("posts/a.md", "Yksi", "fi")
    with pytest.raises(LuotsiBuildError) as error:
        site.build(LUOTSI_STRICT=True, LUOTSI_AUDIT_MIN_SCORE=100)
    assert "trust audit score" in str(error.value) and "LUOTSI_AUDIT_MIN_SCORE 100" in \
        str(error.value)


def test_audit_command_reports_the_service_health(tmp_path):
    settings = tmp_path / "conf.py"
    settings.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
                        f"from pelicanconf import *  # noqa\nPATH = {str(ROOT / 'content')!r}\n"
                        f"OUTPUT_PATH = {str(tmp_path / 'out')!r}\n"
                        f"LUOTSI_CACHE_DIR = {str(tmp_path / 'cache')!r}\n"
                        "LUOTSI_FEEDBACK = {**LUOTSI_FEEDBACK, 'url': 'http://127.0.0.1:9'}\n")
    done = subprocess.run([sys.executable, "-m", "luotsi.cli", "audit", "--settings",
                           str(settings), "--check-service"], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 1
    assert "fi " in done.stdout and "score 100" in done.stdout
    assert "the feedback service does not answer its health check at http://127.0.0.1:9" in \
        done.stdout


def test_cached_audit_sees_a_changed_page(site):
    site.post("posts/a.md", "Kuva", "fi", body="Teksti.")
    site.build()
    first = findings(site.build())  # the second build takes every page from the cache
    assert not any(c == "images" for _, c, _ in first)
    site.post("posts/a.md", "Kuva", "fi", body='Teksti. <img src="/x.png">')
    assert ("blog/kuva/index.html", "images", "image /x.png has no alt text") in \
        findings(site.build())


def test_the_audit_cache_is_rewritten_only_when_a_page_changed(site):
    """A rebuild that takes every page from the cache leaves the cache file as it was; a
    changed page, and a page gone, are written into it."""
    site.post("posts/a.md", "Kuva", "fi", body="Teksti.")
    site.post("posts/b.md", "Toinen", "fi", body="Teksti.")
    site.build()
    cache = site.output.parent / f"{site.output.name}-luotsi-cache" / "audit.json"
    os.utime(cache, (1, 1))  # the build after this one must not touch it
    site.build()
    assert cache.stat().st_mtime == 1
    pages = json.loads(cache.read_text(encoding="utf-8"))["pages"]
    site.post("posts/a.md", "Kuva", "fi", body="Muutettu teksti.")
    site.build()
    assert cache.stat().st_mtime > 1
    changed = json.loads(cache.read_text(encoding="utf-8"))["pages"]
    assert len(changed) == len(pages) and changed.keys() != pages.keys()
    os.utime(cache, (1, 1))
    (site.content / "posts" / "b.md").unlink()
    (site.output / "blog" / "toinen" / "index.html").unlink()  # as a clean output would
    site.build()
    assert cache.stat().st_mtime > 1
    assert len(json.loads(cache.read_text(encoding="utf-8"))["pages"]) == len(pages) - 1


def test_each_todo_marker_is_a_finding_on_its_own_page():
    """A marker is quoted up to the end of its text (a paragraph, a link); a listing entry
    repeating another page's summary is not reported, and a marker repeated on the page (the
    heading, the byline, the meta description) is reported once."""
    import lxml.html
    from luotsi.audit.checks import Page, check_todo

    doc = lxml.html.fromstring(
        '<html><head><meta name="description" content="TODO: your name: Guide."></head><body>'
        '<main><h1>TODO: your name</h1><p>Open <strong>daily</strong>. TODO: hours, e.g. '
        '9–17.</p><p>By <a href="/s/">TODO: your name</a>, guide</p>'
        '<article class="entry"><p>TODO: a summary of another page</p></article>'
        '<p>Summary: TODO: one sentence</p></main></body></html>')
    found = list(check_todo(Page("a/index.html", "a/", doc, "en", "page")))
    assert [fix for _, _, _, fix in found] == [
        "write what “TODO: your name” asks for, in its place",
        "write what “TODO: hours, e.g. 9–17.” asks for, in its place",
        "write what “TODO: one sentence” asks for, in its place"]
    assert {(page, check, problem) for page, check, problem, _ in found} == {
        ("a/index.html", "todo", "TODO left in the text")}


HEAD = ('<title>A — Site</title><meta name="description" content="About A.">'
        '<link rel="canonical" href="https://x.example/a/">'
        '<link rel="alternate" hreflang="en" href="https://x.example/a/">'
        '<link rel="alternate" hreflang="x-default" href="https://x.example/a/">')


def seo_problems(head: str, body: str = "<p>A</p>") -> list[str]:
    from luotsi.audit.checks import check_head, load_page

    page = load_page("", "a/index.html", (f'<!doctype html><html lang="en"><head>{head}</head>'
                                          f'<body>{body}</body></html>').encode())
    return [problem for _, check, problem, _ in check_head(page) if check == "seo"]


@pytest.mark.parametrize("missing, problem", [
    ("<title>A — Site</title>", "no <title>"),
    ('<meta name="description" content="About A.">', "no meta description"),
    ('<link rel="canonical" href="https://x.example/a/">', "no canonical URL"),
    ('<link rel="alternate" hreflang="x-default" href="https://x.example/a/">',
     "the hreflang set lacks the page itself or x-default"),
    ('<link rel="alternate" hreflang="en" href="https://x.example/a/">',
     "the hreflang set lacks the page itself or x-default")])
def test_each_missing_part_of_the_head_is_a_finding(missing, problem):
    assert seo_problems(HEAD) == ["no JSON-LD graph"]
    assert seo_problems(HEAD.replace(missing, "")) == [problem, "no JSON-LD graph"]


def test_the_head_is_read_from_the_head_and_noindex_pages_need_no_json_ld():
    # an icon's SVG title in the body is not the page's title
    assert "no <title>" in seo_problems(HEAD.replace("<title>A — Site</title>", ""),
                                        '<svg><title>Menu</title></svg>')
    assert seo_problems(HEAD + '<meta name="robots" content="noindex, follow">') == []


@pytest.mark.parametrize("data", [{"score": 90, "findings": []}, {"findings": [1, {"a": "ä"}]},
                                  {"findings": [["p", "c"]], "site": {"pages": [1, 2]}}])
def test_a_report_lists_one_item_a_line_and_reads_back_as_written(data):
    text = one_per_line(data, "findings")
    assert json.loads(text) == data
    assert len(text.splitlines()) == (len(data["findings"]) + 2 if data["findings"] else 1)


@pytest.mark.parametrize("declared, encoding", [
    ('<meta charset="utf-8">', "utf-8"), ("<meta charset=UTF8>", "utf-8"),
    ('<meta http-equiv="Content-Type" content="text/html; charset=utf-8">', "utf-8"),
    ('<meta charset="iso-8859-1">', "latin-1"), ('<meta charset="windows-1252">', "cp1252"),
    # UTF-8 named where it is not the page's declaration: in another meta's text, in a
    # comment, after the real one
    ('<meta name="description" content="Why charset=utf-8 matters"><meta charset="latin1">',
     "latin-1"), ('<!-- <meta charset="utf-8"> --><meta charset="latin1">', "latin-1"),
    ('<meta charset="windows-1252"><meta charset="utf-8">', "cp1252")])
def test_a_page_is_read_in_the_encoding_it_declares(declared, encoding):
    """Pages that open by declaring UTF-8 are parsed as UTF-8 from the start (faster); a page
    in another encoding (a hand-made file in the output) must still read as written."""
    from luotsi.audit.checks import load_page

    html = (f'<!doctype html><html lang="fi"><head>{declared}<title>Ääkköset ja €</title>'
            '</head><body><p>Tervetuloa Äkäslompoloon</p></body></html>')
    page = load_page("", "a/index.html", html.encode(encoding, "xmlcharrefreplace"))
    assert page.head.title == "Ääkköset ja €"
    assert "Tervetuloa Äkäslompoloon" in page.text


def test_the_themes_pages_take_the_utf8_parser(demo):
    """The faster parse is for the theme's pages: every page of the demo opens by declaring
    UTF-8, as base.html and standalone_base.html write it."""
    from luotsi.audit.checks import declares_utf8

    out, _ = demo
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 50
    assert [p.relative_to(out) for p in pages if not declares_utf8(p.read_bytes())] == []
    assert not declares_utf8(b'<html><head><!-- x --><meta charset="utf-8">')
    assert declares_utf8(b'\xef\xbb\xbf<!DOCTYPE html>\n<html lang="ja">\n<head>\n'
                         b"<meta charset='UTF-8' />")


def test_structured_data_after_the_end_of_the_page_is_still_read():
    """Text after ``</html>`` (a template override, another plugin) becomes a second
    top-level element in lxml: the page's JSON-LD is looked for in the whole document."""
    from luotsi.audit.checks import load_page

    graph = '{"@context": "https://schema.org", "@graph": [{"@type": "BlogPosting"}]}'
    page = load_page("", "a/index.html", (
        '<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>A</title></head>'
        f'<body><p>A</p></body></html><script type="application/ld+json">{graph}</script>'
    ).encode())
    assert page.kind == "article"
    assert page.jsonld_texts == [graph]


def test_prices_and_years_are_found_as_the_plain_pattern_finds_them():
    """The freshness check's pattern skips ahead to digits; what it finds must be what the
    plain pattern (its old form) finds, in every script's digits and in any letter case."""
    import random
    import re

    from luotsi.audit.checks import PRICE_OR_DATE

    plain = re.compile(r"(\d+[.,]?\d*\s?(€|EUR|eur|euro|SEK|kr|\$|USD|円))|(\b20\d\d\b)",
                       re.IGNORECASE)
    samples = ["Hinta 1 290 € per henkilö", "from 49.90 EUR", "ab 1.290,50 euro", "299 Kr",
               "Kesällä 2025 ja 2031", "12000円", "year 19999", "room 2024b", "٢٠٢٥ ١٠ USD",
               "２０２５年", "no numbers here", "$ 5", "5 $", "v2.0 sek"]
    chars = "0123456789 .,€$円EeUuRrOoSsKkDd20ab\u0663\uff12\u212a"
    rng = random.Random(14)
    samples += ["".join(rng.choice(chars) for _ in range(rng.randint(0, 16)))
                for _ in range(20000)]
    for text in samples:
        new, old = PRICE_OR_DATE.search(text), plain.search(text)
        assert (new and new.span()) == (old and old.span()), text


def test_the_results_are_unpacked_once_the_workers_have_ended(tmp_path, monkeypatch):
    """A worker's results stay packed in the build until the pool has closed: unpacked as
    they came, they were 11 MB of the build's process beside the worker, at its largest."""
    import datetime as dt

    from luotsi.audit import run_audit
    from luotsi.background import Background

    for n in range(40):
        page = tmp_path / f"p{n}" / "index.html"
        page.parent.mkdir()
        page.write_text(f'<!doctype html><html lang="fi"><head><meta charset="utf-8">'
                        f'<title>P{n}</title></head><body><a href="/p{n + 1}/">next</a>'
                        f"</body></html>", encoding="utf-8")
    context = run_audit.Context(str(tmp_path), "https://example.test", {}, {}, ("fi",), 12,
                                dt.date(2026, 12, 6))
    background = Background(workers=1)
    audit = run_audit.Audit(context, None, background)
    for n in range(40):
        audit.page(str(tmp_path / f"p{n}" / "index.html"))
    unpacked_with_the_pool: list[bool] = []

    unpack = run_audit.unpack

    def watched(data: bytes):
        unpacked_with_the_pool.append(background._pool is not None)
        return unpack(data)

    monkeypatch.setattr(run_audit, "unpack", watched)
    report = audit.finish()
    assert unpacked_with_the_pool and not any(unpacked_with_the_pool)
    assert report.pages == 40
    broken = [f for f in report.findings if f[1] == "links"]
    assert [f[0] for f in broken] == ["p39/index.html"]  # /p40/ does not exist


def test_a_cached_page_s_problems_are_reported_at_its_own_path(tmp_path):
    """The cache keeps a page's results by its bytes, and each problem once for the site:
    two pages with the same bytes at two paths are each reported at their own path when a
    rebuild takes both from the cache, and their shared problem is written once."""
    import datetime as dt

    from luotsi.audit import run_audit
    from luotsi.background import Background

    output = tmp_path / "output"
    same = ('<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>A</title>'
            '</head><body><img src="/x.png"><a href="/gone/">x</a></body></html>')
    for name in ("a", "b"):
        (output / name).mkdir(parents=True)
        (output / name / "index.html").write_text(same, encoding="utf-8")
    context = run_audit.Context(str(output), "https://example.test", {}, {}, ("fi",), 12,
                                dt.date(2026, 12, 7))
    cache = tmp_path / "audit.json"

    def images_and_links() -> list[tuple[str, str, str]]:
        with Background(workers=0) as background:
            report = run_audit.Audit(context, str(cache), background).finish()
        return sorted((path, check, problem) for path, check, problem, _ in report.findings
                      if check in ("images", "links"))

    first = images_and_links()
    assert first == [(page, check, problem) for page in ("a/index.html", "b/index.html")
                     for check, problem in (("images", "image /x.png has no alt text"),
                                            ("links", "broken internal link: /gone/"),
                                            ("links", "broken internal link: /x.png"))]
    stored = json.loads(cache.read_text(encoding="utf-8"))
    assert [p for p in stored["problems"] if p[0] == "images"] == [
        ["images", "image /x.png has no alt text",
         'describe the picture, or alt="" if it is decoration']]
    os.utime(cache, (1, 1))
    assert images_and_links() == first  # every page taken from the cache
    assert cache.stat().st_mtime == 1


def test_the_build_loads_lxml_only_to_check_a_page(tmp_path):
    """The build's process checks pages only once its own are written: lxml, loaded as the
    plugins registered, was 4.3 MB of it while the staff photos were encoded beside it."""
    page = tmp_path / "index.html"
    page.write_text('<!doctype html><html lang="fi"><head><meta charset="utf-8"></head>'
                    "<body><p>Hei</p></body></html>", encoding="utf-8")
    script = (f"import sys, luotsi\nluotsi.register()\nprint('lxml' in sys.modules)\n"
              f"from luotsi.audit import checks\n"
              f"print(checks.load_page({str(tmp_path)!r}, 'index.html').lang, "
              f"'lxml' in sys.modules)\n")
    assert python(script).split() == ["False", "fi", "True"]
