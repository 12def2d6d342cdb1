"""The theme as the build writes it: what a page weighs, that hidden stays hidden, dates and
titles in each page's language, and the site's own brand layered over Luotsi's theme."""

from __future__ import annotations

import re
from pathlib import Path

import brotli
from luotsi.theme_path import THEME_DIR

from .conftest import ROOT, parse

SITEURL = "http://127.0.0.1:8000"


def _local(output: Path, url: str) -> Path:
    return output / url.removeprefix(SITEURL + "/").split("?")[0]


def test_a_post_with_its_picture_weighs_under_60_kb_before_images(demo):
    """HTML, stylesheets and scripts as a browser fetches them, brotli-compressed as the
    publish build serves them; pictures load after (and lazily below the fold)."""
    output, _ = demo
    page = output / "blog" / "päivä-huskysafarilla" / "index.html"
    doc = parse(page)
    assert doc.xpath("//figure[contains(@class, 'post-picture')]//img")  # it has its picture
    assets = [*doc.xpath("//link[@rel='stylesheet']/@href"), *doc.xpath("//script/@src")]
    files = [page, *(_local(output, url) for url in assets)]
    sizes = {f.name: len(brotli.compress(f.read_bytes(), quality=11)) for f in files}
    assert sum(sizes.values()) < 60 * 1024, sizes


def test_hidden_elements_stay_hidden_whatever_a_rule_says():
    css = (Path(THEME_DIR) / "static" / "css" / "luotsi.css").read_text(encoding="utf-8")
    assert "[hidden]{display:none!important}" in css


def test_home_titles_carry_each_languages_subtitle(demo):
    output, _ = demo
    titles = {lang: parse(output / prefix / "index.html").findtext(".//title")
              for lang, prefix in (("fi", ""), ("en", "en"), ("ja", "ja"))}
    assert len(set(titles.values())) == 3
    assert titles["en"] == "Revontuli Travel — Small-group trips into Lapland's nature from " \
        "Rovaniemi"


def test_testimonial_dates_are_in_the_pages_language(demo):
    output, _ = demo
    home = parse(output / "index.html")
    shown = home.xpath("//section[contains(@class, 'testimonials')]//time/text()")
    assert shown and not any(re.fullmatch(r"\d{4}-\d\d-\d\d", t) for t in shown)
    assert all(re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", t) for t in shown), shown


def test_the_demo_brands_itself_with_its_own_theme_folder(demo):
    """Brand variables in theme/static/css/brand.css, linked by the one block the demo
    overrides in theme/templates/base.html; Luotsi's own stylesheet stays first."""
    output, _ = demo
    links = parse(output / "index.html").xpath("//link[@rel='stylesheet']/@href")
    assert [link.rsplit("/", 1)[1] for link in links] == ["luotsi.css", "brand.css"]
    brand = (output / "theme" / "css" / "brand.css").read_text(encoding="utf-8")
    assert brand == (ROOT / "theme" / "static" / "css" / "brand.css").read_text("utf-8")
    declared = set(re.findall(r"(--[a-z-]+):", brand))
    theme_css = (Path(THEME_DIR) / "static" / "css" / "luotsi.css").read_text(encoding="utf-8")
    assert declared <= set(re.findall(r"(--[a-z-]+):", theme_css))  # it overrides, adds nothing
    assert declared == {"--brand", "--brand-contrast", "--accent", "--accent-contrast",
                        "--font-body", "--font-heading"}


def test_opening_hours_are_written_for_the_page_language(demo):
    output, _ = demo
    hours = {lang: parse(output / prefix / "index.html").xpath("//span[@class='hours']/text()")
             for lang, prefix in (("fi", ""), ("ja", "ja"), ("de", "de"))}
    assert hours["fi"] == ["ma–pe 9.00–17.00", "la 10.00–14.00"]
    assert hours["ja"] == ["月–金 9:00–17:00", "土 10:00–14:00"]
    assert hours["de"] == ["Mo.–Fr. 09:00–17:00", "Sa. 10:00–14:00"]
