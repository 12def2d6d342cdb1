"""Real Pelican builds: the demo site and small fixture sites, asserted on their output."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from luotsi.findings import LuotsiBuildError

from .conftest import html_pages, parse
from .site_checks import check_hreflang, check_sitemap, file_of, hreflangs

SITEURL = "http://127.0.0.1:8000"
LANGS = ["fi", "en", "sv", "de", "ja"]


def test_every_page_has_lang_canonical_and_reciprocal_hreflang(demo):
    output, _ = demo
    assert len(check_hreflang(output, SITEURL, LANGS)) > 80


def test_switcher_lands_on_same_post_or_on_home_notice(demo):
    output, _ = demo
    doc = parse(output / "en/blog/packing-list-for-a-winter-trip-to-lapland/index.html")
    targets = {a.get("hreflang"): a for a in doc.xpath('//nav[@class="langs"]//a')}
    assert targets["fi"].get("href") == f"{SITEURL}/blog/pakkauslista-talvimatkalle-lappiin/"
    assert targets["sv"].get("href").startswith(f"{SITEURL}/sv/blog/")
    assert targets["ja"].get("href") == f"{SITEURL}/ja/#untranslated"
    assert "untranslated" in targets["ja"].get("class")
    home = parse(output / "ja/index.html")
    notice = home.xpath('//*[@id="untranslated"]')[0]
    assert "翻訳されていない" in notice.text_content()
    css = (output / "theme/css/luotsi.css").read_text()
    assert ".notice:target{display:block}" in css


def test_each_language_lists_its_own_posts_with_fallback_notes(demo):
    output, _ = demo
    en = parse(output / "en/index.html")
    cards = "//article[contains(@class, 'post-card')]"
    titles = [a.text for a in en.xpath(f"{cards}//h3/a")]
    assert "How to read an aurora forecast" in titles
    fallback = en.xpath(f"{cards}[@lang='fi']")
    assert fallback, "a Finnish-only post is listed with its language marked"
    assert "Not available in English" in fallback[0].text_content()
    # Listing pages: 6 per page → page 2 exists, noindex, linked rel=next
    assert en.xpath('//a[@rel="next"]/@href') == [f"{SITEURL}/en/page/2/"]
    page2 = parse(output / "en/page/2/index.html")
    assert page2.xpath('//meta[@name="robots"]/@content') == ["noindex, follow"]
    ja_tag = output / "ja/tag/オーロラ/index.html"
    assert ja_tag.exists()
    assert "sv/category/kultur/index.html" in {
        p.relative_to(output).as_posix() for p in html_pages(output)}
    # the English-only post is not listed in Finnish categories, but is on the fi home
    fi_titles = " ".join(parse(p).text_content() for p in output.glob("category/*/index.html"))
    assert "Snowshoeing for beginners" not in fi_titles


def test_dates_are_formatted_for_each_locale(demo):
    output, _ = demo
    fi = parse(output / "blog/lapissa-lasten-kanssa/index.html")
    assert "Julkaistu 10. toukokuuta 2026" in fi.text_content()
    de = parse(output / "de/blog/packliste-für-eine-winterreise-nach-lappland/index.html")
    assert "Veröffentlicht am 20. November 2025" in de.text_content()
    ja = parse(output / "ja/index.html")
    assert "2026年10月5日" in ja.text_content()


def test_modified_date_and_theme_strings_translated(demo):
    output, _ = demo
    doc = parse(output / "blog/revontulet-näin-onnistut-kuvaamaan-taivaan-tulet/index.html")
    text = doc.text_content()
    assert "Päivitetty 2. maaliskuuta 2026" in text
    assert doc.xpath('//a[@class="skip"]')[0].text == "Siirry sisältöön"
    assert doc.xpath('//footer//a[text()="Tietosuojaseloste"]')


def test_per_language_atom_feeds(demo):
    output, _ = demo
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for lang, prefix in [("fi", ""), ("en", "en/"), ("ja", "ja/")]:
        feed = ET.parse(output / f"{prefix}feed.atom.xml").getroot()
        links = [e.find("a:link", ns).get("href") for e in feed.findall("a:entry", ns)]
        assert links, lang
        for link in links:
            target = file_of(output, link)
            assert parse(target).get("lang") == lang, link


def test_a_language_without_posts_has_a_feed_dated_by_the_newest_post(site):
    site.post("posts/a.md", "Vanha", "fi", date="2026-03-01 10:00")
    site.post("posts/b.md", "Uusi", "fi", date="2026-05-12 10:00")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    updated = []
    for _ in range(2):
        site.build()
        feed = ET.parse(site.output / "ja/feed.atom.xml").getroot()
        assert not feed.findall("a:entry", ns)
        updated.append(feed.findtext("a:updated", namespaces=ns))
    # not the clock's time of each build: two builds of the same site are the same
    assert updated == ["2026-05-12T10:00:00+03:00"] * 2


def test_sitemap_lists_pages_with_href_alternates_including_self(demo):
    output, _ = demo
    assert len(check_sitemap(output, SITEURL)) > 60


def test_translation_report_json_and_html(demo):
    output, _ = demo
    lines = (output / "translation-report/report.json").read_text().splitlines()
    data = json.loads("\n".join(lines))
    assert len(lines) == len(data["items"]) + 2  # one item a line, readable and diffable
    assert set(data) == {"languages", "summary", "items"}
    items = {i["key"]: i for i in data["items"]}
    assert items["northern-lights"]["stale"] == ["en", "sv", "de", "ja"]
    assert items["ice-fishing"]["missing"] == ["en", "sv", "de", "ja"]
    assert items["snowshoe-beginners"]["original"] == "en"
    assert items["snowshoe-beginners"]["status"]["fi"] == "missing"
    assert items["privacy"]["missing"] == []
    assert data["summary"]["stale"] == 4
    html = parse(output / "translation-report/index.html")
    assert html.xpath('//meta[@name="robots"]/@content') == ["noindex, follow"]
    assert html.xpath('//td[@class="s-stale"]')


def test_sponsored_post_has_disclosure_and_sponsored_links(demo):
    output, _ = demo
    doc = parse(output / "en/blog/visiting-a-reindeer-farm-at-palojärvi/index.html")
    disclosure = doc.xpath('//p[@class="disclosure"]')[0].text_content()
    assert "Porotila Palojärvi Oy" in disclosure
    link = doc.xpath("//div[contains(@class, 'body')]//a[contains(@href, "
                     "'palojarvi-reindeer')]")[0]
    assert set(link.get("rel").split()) >= {"sponsored"}


def test_no_listing_files_of_pelican_itself(demo):
    output, _ = demo
    assert not (output / "feeds").exists()
    assert not (output / "authors.html").exists()
    assert not (output / "categories.html").exists()


# ----- fixture sites: content mistakes are reported with file, line and fix ----------------


def test_content_mistakes_are_reported_with_line_and_fix(site):
    site.post("posts/a/fi.md", "Hei", "fi")
    site.post("posts/a/en.md", "Hello", "en")
    site.post("posts/a/en2.md", "Hello again", "en", translation_key="a")
    site.post("posts/b.md", "Bonjour", "xx")
    site.post("posts/c.md", "Orpo", "en", translation="true", translation_key="nothing")
    site.write("posts/d.md", "Title: Päivämäärä\nDate: 31.13.2026\nLang: fi\n\nText.\n")
    run = site.build()
    messages = sorted(str(f) for f in run.findings)
    assert any(m.startswith("content/posts/b.md:3: unknown language code 'xx' — use one of fi, "
                            "en, ja") for m in messages), messages
    assert any(m.startswith("content/posts/a/en2.md:3: a second 'en' version of 'a'")
               for m in messages), messages
    assert any(m.startswith("content/posts/c.md:4: marked as a translation but no other "
                            "language version has translation key 'nothing'")
               for m in messages), messages
    assert any(m.startswith("content/posts/d.md:2: malformed Date '31.13.2026' — write it as "
                            "YYYY-MM-DD") for m in messages), messages
    assert len(messages) == 4, messages


def test_strict_mode_fails_listing_every_finding(site):
    site.post("posts/b.md", "Bonjour", "xx")
    site.write("posts/d.md", "Title: X\nDate: tomorrow\nLang: fi\n\nText.\n")
    with pytest.raises(LuotsiBuildError) as info:
        site.build(LUOTSI_STRICT=True)
    text = str(info.value)
    assert "2 finding(s)" in text
    assert "content/posts/b.md:3: unknown language code 'xx'" in text
    assert "content/posts/d.md:2: malformed Date 'tomorrow'" in text


def test_omit_policy_and_japanese_slugs(site):
    site.post("posts/a/fi.md", "Revontulet", "fi", date="2026-01-01")
    site.post("posts/a/ja.md", "オーロラの夜", "ja", date="2026-01-02")
    site.post("posts/only-fi.md", "Vain suomeksi", "fi", date="2026-01-03")
    run = site.build(LUOTSI_MISSING_TRANSLATION="omit")
    assert run.findings == []
    ja_post = site.output / "ja/blog/オーロラの夜/index.html"
    assert ja_post.exists()
    links = hreflangs(parse(ja_post))
    assert links["fi"] == "https://fixture.example/blog/revontulet/"
    assert links["ja"] == "https://fixture.example/ja/blog/オーロラの夜/"
    ja_home = site.html("ja/index.html").text_content()
    assert "オーロラの夜" in ja_home and "Vain suomeksi" not in ja_home
    en_home = site.html("en/index.html")
    assert en_home.xpath('//article[@class="entry"]') == []


def test_one_pelican_run_reads_each_file_once(site, monkeypatch):
    from pelican.readers import Readers

    calls: list[str] = []
    original = Readers.read_file

    def counting(self, base_path, path, *args, **kwargs):
        calls.append(path)
        return original(self, base_path, path, *args, **kwargs)

    monkeypatch.setattr(Readers, "read_file", counting)
    for lang in ("fi", "en", "ja"):
        site.post(f"posts/a/{lang}.md", f"Title {lang}", lang)
    site.build()
    assert sorted(calls) == ["posts/a/en.md", "posts/a/fi.md", "posts/a/ja.md"]


def test_multilingual_alone_builds_with_the_theme(site):
    """Each capability can be enabled alone: the theme then writes plain head tags. (A fresh
    process: Pelican's signals stay connected for the life of a process.)"""
    site.post("posts/a/fi.md", "Yksin", "fi")
    site.post("posts/a/en.md", "Alone", "en")
    site.build_alone(["luotsi.multilingual"])
    doc = site.html("en/blog/alone/index.html")
    assert doc.findtext(".//title") == "Alone — Fixture Travel"
    assert doc.xpath('//link[@rel="canonical"]/@href') == ["https://fixture.example/en/blog/alone/"]
    assert not doc.xpath('//script[@type="application/ld+json"]')
    assert len(doc.xpath('//link[@hreflang]')) == 3
