"""Structured data on the built demo, read back with a real extractor, and the validator's
findings on content that breaks each rule."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import extruct
import pytest
from luotsi.findings import LuotsiBuildError
from luotsi.structured_data import graph, meta
from luotsi.structured_data.seo import faq_pairs, json_for_script
from luotsi.structured_data.validate import validate
from PIL import Image

from .conftest import html_pages, parse
from .site_checks import check_jsonld, jsonld

SITE = "http://127.0.0.1:8000"


def nodes(path: Path) -> dict[str, dict]:
    (document,) = jsonld(path)
    return {n["@type"]: n for n in document["@graph"]}


def test_every_page_has_one_graph_whose_references_resolve(demo):
    output, run = demo
    assert len(check_jsonld(output)) > 150
    assert not [f for f in run.findings if f.area == "structured-data"]


def test_company_node_is_the_same_everywhere_and_comes_from_settings(demo):
    output, _ = demo
    fi = nodes(output / "index.html")["TravelAgency"]
    ja = nodes(output / "ja/staff/index.html")["TravelAgency"]
    assert fi == ja
    assert fi["@id"] == f"{SITE}/#organization"
    assert fi["legalName"] == "Revontuli Travel Oy"
    assert fi["address"]["postalCode"] == "96100"
    assert fi["geo"] == {"@type": "GeoCoordinates", "latitude": 66.5021, "longitude": 25.7294}
    assert fi["knowsLanguage"] == ["fi", "en", "sv", "de", "ja"]
    assert fi["sameAs"][0].startswith("https://www.instagram.com/")
    assert fi["logo"]["url"] == f"{SITE}/images/logo.png"
    assert (output / "images/logo.png").is_file()
    site = nodes(output / "index.html")["WebSite"]
    assert site["publisher"] == {"@id": fi["@id"]} and site["inLanguage"] == fi["knowsLanguage"]


def test_blog_posting_links_author_translations_and_page(demo):
    output, _ = demo
    en = nodes(output / "en/blog/a-day-on-a-husky-safari/index.html")
    post = en["BlogPosting"]
    assert post["headline"] == "A day on a husky safari"
    assert post["inLanguage"] == "en"
    assert re.match(r"^2026-02-08T12:00:00\+02:00$", post["datePublished"])
    assert post["publisher"] == {"@id": f"{SITE}/#organization"}
    assert post["mainEntityOfPage"] == {"@id": en["WebPage"]["@id"]}
    assert re.match(rf"^{SITE}/images/pictures/[0-9a-f]{{16}}-1200\.jpg$", post["image"][0])
    original = post["translationOfWork"]
    assert original["inLanguage"] == "fi" and original["url"].startswith(f"{SITE}/blog/")
    # The author is the same Person node as on their profile page, in any language.
    author_id = post["author"]["@id"]
    profile = nodes(output / "staff/aino-korhonen/index.html")
    assert profile["ProfilePage"]["mainEntity"] == {"@id": author_id}
    assert profile["Person"]["@id"] == author_id
    fi = nodes(output / unquote(original["url"].removeprefix(SITE + "/")) / "index.html")
    assert post["url"] in [w["url"] for w in fi["BlogPosting"]["workTranslation"]]
    crumbs = [i["name"] for i in en["BreadcrumbList"]["itemListElement"]]
    assert crumbs == ["Home", "Experiences", "A day on a husky safari"]


def test_profile_contact_faq_and_trip_pages(demo):
    output, _ = demo
    person = nodes(output / "en/staff/aino-korhonen/index.html")["Person"]
    assert person["jobTitle"] == "Managing director and aurora guide"
    assert person["email"] == "aino@revontuli.example"
    assert person["telephone"] == "+358405550143"
    assert person["worksFor"] == {"@id": f"{SITE}/#organization"}
    assert person["knowsLanguage"] == ["fi", "en", "ja"]
    assert person["image"].startswith(f"{SITE}/images/staff/")
    assert "ContactPage" in nodes(output / "en/contact/index.html")
    faq = nodes(output / "en/faq/index.html")["FAQPage"]
    questions = [q["name"] for q in faq["mainEntity"]]
    assert questions[0] == "Will I definitely see the northern lights?" and len(questions) == 3
    assert faq["mainEntity"][1]["acceptedAnswer"]["text"].startswith("Wool socks")
    trip = nodes(output / "en/trips/aurora-photography-week/index.html")
    offers = trip["TouristTrip"]["offers"]  # one per departure, from its start to its end
    assert offers[0] == {
        "@type": "Offer", "price": 1490, "priceCurrency": "EUR",
        "availability": "https://schema.org/LimitedAvailability",
        "url": f"{SITE}/en/trips/aurora-photography-week/",
        "validFrom": "2026-12-01T00:00:00+02:00", "validThrough": "2027-03-31T23:59:59+03:00",
        "availabilityStarts": "2026-12-07T00:00:00+02:00",
        "availabilityEnds": "2026-12-11T23:59:59+02:00",
    }
    assert [o["availabilityStarts"][:10] for o in offers] == [
        "2026-12-07", "2027-01-11", "2027-02-08", "2027-03-08"]
    husky = nodes(output / "en/trips/husky-safari-day/index.html")["TouristTrip"]["offers"]
    assert (husky["availabilityStarts"], husky["availabilityEnds"]) == (  # the season
        "2026-12-10T00:00:00+02:00", "2027-04-10T23:59:59+03:00")
    assert not [n for n in trip if n == "Event"]  # see the README: departures are no Events
    assert trip["TouristTrip"]["provider"] == {"@id": f"{SITE}/#organization"}
    stops = trip["TouristTrip"]["itinerary"]["itemListElement"]
    assert [s["item"]["name"] for s in stops][:2] == ["Rovaniemi", "Kemijoki riverside"]
    listing = parse(output / "en/trips/index.html")
    assert len(listing.xpath("//article[contains(@class, 'trip-card')]")) == 3
    assert "€1,490.00" in listing.text_content()
    assert "1 490,00 €" in parse(output / "trips/index.html").text_content().replace("\xa0", " ")


def test_meta_tags_are_unique_and_complete(demo):
    output, _ = demo
    titles, descriptions = Counter(), Counter()
    for path in html_pages(output):
        doc = parse(path)
        lang = doc.get("lang")  # the same word in two languages is not a duplicate
        titles[lang, doc.findtext(".//title")] += 1
        (description,) = doc.xpath('//meta[@name="description"]/@content')
        assert 0 < len(description) <= 155, path
        descriptions[lang, description] += 1
        og = {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}
        canonical = doc.xpath('//link[@rel="canonical"]/@href')[0]
        assert og["og:url"] == canonical and canonical.startswith(SITE), path
        for key in ("og:type", "og:title", "og:description", "og:image", "og:site_name",
                    "og:locale", "og:image:width", "og:image:height"):
            assert og.get(key), (path, key)
        assert doc.xpath('//meta[@name="twitter:card"]/@content') == ["summary_large_image"]
    assert max(titles.values()) == 1, [t for t, n in titles.items() if n > 1]
    assert max(descriptions.values()) == 1, [d for d, n in descriptions.items() if n > 1]
    post = parse(output / "en/blog/a-day-on-a-husky-safari/index.html")
    og = {m.get("property"): m.get("content") for m in post.xpath("//meta[@property]")}
    assert og["og:type"] == "article" and og["og:locale"] == "en_US"
    assert og["article:published_time"] == "2026-02-08T12:00:00+02:00"
    alternates = post.xpath('//meta[@property="og:locale:alternate"]/@content')
    assert set(alternates) == {"fi_FI", "de_DE", "ja_JP"}
    noindex = '//meta[@name="robots"][@content="noindex, follow"]'
    assert parse(output / "page/2/index.html").xpath(noindex)
    assert parse(output / "translation-report/index.html").xpath(noindex)
    assert not parse(output / "index.html").xpath(noindex)
    robots = (output / "robots.txt").read_text()
    assert f"Sitemap: {SITE}/sitemap.xml" in robots


@pytest.mark.parametrize("title", [
    "Revontulet Rovaniemellä", "Gjøglund: Åland's ÉÏÜ yjgq, þorp " * 5, "x",
    "北極圏のオーロラ観測ツアー：冬の夜空に揺れる光を見に行こう、そして犬ぞりで森を走る一日",
    "Husky-safari: 北極圏 and back"])
def test_a_card_encoded_by_its_title_band_is_the_card_encoded_whole(title):
    """Only the rows that hold the title are drawn and encoded; the rest comes from the
    background's JPEG. The result must be the very bytes of the card encoded whole."""
    from io import BytesIO

    from luotsi.structured_data import share_image
    from PIL import Image

    card = share_image.Card(title, "Revontuli Travel", "ja" if "北" in title else "en")
    banded = share_image.banded(card)
    assert banded is not None and banded == share_image.whole(card)
    with Image.open(BytesIO(banded)) as image:
        image.load()
        assert image.size == (1200, 630) and image.format == "JPEG"


def test_share_images_are_1200x630_per_language_and_drawn_once(site):
    site.post("posts/a/fi.md", "Revontulet ja husky", "fi")
    site.post("posts/a/ja.md", "オーロラとハスキー", "ja")
    run = site.build()
    assert run.share_images_drawn >= 2
    doc = site.html("ja/blog/オーロラとハスキー/index.html")
    url = doc.xpath('//meta[@property="og:image"]/@content')[0]
    with Image.open(site.output / url.removeprefix("https://fixture.example/")) as image:
        assert image.size == (1200, 630)
    fi_url = site.html("blog/revontulet-ja-husky/index.html").xpath(
        '//meta[@property="og:image"]/@content')[0]
    assert fi_url != url
    assert site.build().share_images_drawn == 0  # cached: nothing drawn again
    site.post("posts/a/fi.md", "Revontulet ja huskyt", "fi")
    assert site.build().share_images_drawn == 1  # only the changed title


def test_cards_queued_as_posts_are_read_are_the_cards_pages_show(site, monkeypatch):
    """With workers converting Markdown, a post's card is queued as the post is read, before
    its page asks for it. What is published is still exactly the cards the pages show, each
    drawn once, and none for a post with a picture of its own."""
    from luotsi import parallel_reading

    monkeypatch.setattr(parallel_reading, "MIN_FILES", 1)  # workers read this small site too
    picture = site.content / "images/husky.jpg"
    picture.parent.mkdir(parents=True)
    Image.new("RGB", (1600, 900), (200, 100, 50)).save(picture)
    site.post("posts/a.md", "Kuvan kanssa", "fi", image="images/husky.jpg",
              image_alt="Huskyja")
    site.post("posts/b/fi.md", "Ilman kuvaa", "fi")
    site.post("posts/b/ja.md", "写真なし", "ja")
    run = site.build(STATIC_PATHS=["images"], LUOTSI_CACHE_DIR=str(site.root / "cache"))
    shown = {url.split("/images/share/")[1] for page in html_pages(site.output)
             for url in parse(page).xpath('//meta[@property="og:image"]/@content')
             if "/images/share/" in url}
    published = {p.name for p in (site.output / "images/share").iterdir()}
    assert published == shown
    assert run.share_images_drawn == len(published)
    queued_ahead = {card.title for card in run.share_cards.cards.values()
                    if card.name in run.share_cards.ahead}
    assert {"Ilman kuvaa", "写真なし"} <= queued_ahead  # as the posts were read
    assert not any(c.title == "Kuvan kanssa" for c in run.share_cards.cards.values())


def test_a_card_queued_ahead_that_no_page_asks_for_is_not_published(tmp_path):
    """A guess gone wrong (a title changed after reading) costs a drawing, not a stray file."""
    from luotsi.background import Background
    from luotsi.structured_data.share_image import Card, ShareCards

    background = Background(workers=1)
    try:
        cards = ShareCards(background, str(tmp_path / "cache"))
        (tmp_path / "cache").mkdir()
        asked, guessed = Card("Asked for", "Yritys", "fi"), Card("Guessed", "Yritys", "fi")
        cards.ahead_of_pages(asked)
        cards.ahead_of_pages(guessed)
        cards.want(asked)
        cards.want(Card("Asked only later", "Yritys", "fi"))
        drawn = cards.finish(str(tmp_path / "out"))
    finally:
        background.close()
    assert drawn == 3  # each card once, the one asked for ahead too
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        asked.name, Card("Asked only later", "Yritys", "fi").name}


def test_no_card_is_queued_ahead_while_the_workers_have_work(tmp_path):
    """Cards queued ahead only fill the workers' idle time: work queued behind them (a staff
    photo, up to 90 MB while it is encoded) would otherwise run later, when the build's own
    process is larger. A card left out is queued when its page asks for it."""
    import time

    from luotsi.background import Background
    from luotsi.structured_data.share_image import AHEAD, Card, ShareCards

    background = Background(workers=1)
    try:
        busy = [background.submit(time.sleep, 1) for _ in range(AHEAD)]
        (tmp_path / "cache").mkdir()
        cards = ShareCards(background, str(tmp_path / "cache"))
        card = Card("Later", "Yritys", "fi")
        cards.ahead_of_pages(card)
        assert not cards.ahead
        for future in busy:
            future.cancel()
        cards.want(card)
        assert cards.finish(str(tmp_path / "out")) == 1
    finally:
        background.close()


def test_own_image_wins_and_a_missing_one_is_a_finding(site):
    picture = site.content / "images/husky.jpg"
    picture.parent.mkdir(parents=True)
    Image.new("RGB", (1600, 900), (200, 100, 50)).save(picture)
    site.post("posts/a.md", "Kuvan kanssa", "fi", image="images/husky.jpg",
              image_alt="Huskyja")
    site.post("posts/b.md", "Kuva puuttuu", "fi", image="images/nope.jpg", image_alt="Ei")
    run = site.build(STATIC_PATHS=["images"], LUOTSI_CACHE_DIR=str(site.root / "cache"))
    og = {m.get("property"): m.get("content") for m in
          site.html("blog/kuvan-kanssa/index.html").xpath("//meta[@property]")}
    assert re.match(r"^https://fixture.example/images/pictures/[0-9a-f]{16}-1200\.jpg$",
                    og["og:image"])  # the processed picture, never the upload
    assert (og["og:image:width"], og["og:image:height"]) == ("1200", "675")
    assert og["og:image:alt"] == "Huskyja"
    assert "content/posts/b.md:4: the picture 'images/nope.jpg' does not exist — put the " \
           "file there or fix the path (relative to the content folder, e.g. " \
           "images/husky.jpg)" in [str(f) for f in run.findings]


TRIP = """Title: {title}
Lang: fi
Price: {price}
Currency: {currency}
Duration: {duration}
Valid-From: {valid_from}

Hyvä matka.
"""


def test_bad_trip_fields_are_findings_with_line_and_fix(site):
    site.write("trips/bad/fi.md", TRIP.format(title="Huono", price="noin 100 €", currency="EUROS",
                                              duration="3 päivää", valid_from="1.12.2026"))
    site.write("trips/good/fi.md", TRIP.format(title="Hyvä", price="89,50", currency="EUR",
                                               duration="P3D", valid_from="2026-12-01"))
    run = site.build()
    messages = [str(f) for f in run.findings]
    expected = [
        "content/trips/bad/fi.md:3: price 'noin 100 €' is not an amount — write the price per "
        "person as a number, e.g. Price: 1290 or Price: 89.50 (no currency sign)",
        "content/trips/bad/fi.md:4: currency 'EUROS' is not an ISO 4217 code — write a "
        "three-letter code such as EUR, SEK or USD",
        "content/trips/bad/fi.md:5: duration '3 PÄIVÄÄ' is not understood — write it in ISO "
        "8601: P3D for three days, P2W for two weeks, PT4H for four hours",
        "content/trips/bad/fi.md:6: Valid-From '1.12.2026' is not a date — write it as "
        "YYYY-MM-DD, e.g. Valid-From: 2026-12-01",
    ]
    for message in expected:
        assert message in messages
    offer = nodes(site.output / "trips/hyvä/index.html")["TouristTrip"]["offers"]
    assert offer["price"] == 89.5 and offer["priceCurrency"] == "EUR"
    assert "89,50" in site.html("trips/index.html").text_content()
    assert (site.output / "trips/huono/index.html").exists()  # still a page, without an offer


def test_departures_and_group_size_are_checked_and_each_departure_is_an_offer(site):
    fields = ("Title: {title}\nLang: fi\nPrice: 990\nDuration: P2D\nValid-From: 2026-12-01\n"
              "Valid-Through: 2027-03-31\nDepartures: {departures}\nGroup-Size: {size}\n\n"
              "Hyvä matka.\n")
    site.write("trips/bad/fi.md", fields.format(
        title="Huono", departures="2026-12-07; 7.1.2027; 2026-12-07; 2028-01-01", size="0"))
    site.write("trips/good/fi.md", fields.format(
        title="Hyvä", departures="2027-01-11; 2026-12-14", size="8"))
    run = site.build()
    messages = [str(f) for f in run.findings]
    for message in (
            "content/trips/bad/fi.md:7: departure '7.1.2027' is not a date — write the start "
            "dates as YYYY-MM-DD separated by ;, e.g. Departures: 2026-12-07; 2026-12-14",
            "content/trips/bad/fi.md:7: departure 2026-12-07 is listed twice — remove one of "
            "them",
            "content/trips/bad/fi.md:7: departure 2028-01-01 is outside the season 2026-12-01 – "
            "2027-03-31 — move it into the season, or correct Valid-From or Valid-Through",
            "content/trips/bad/fi.md:8: group size '0' is not a whole number of at least 1 — "
            "write the most persons one booking may bring, e.g. Group-Size: 6"):
        assert message in messages
    assert not [m for m in messages if "good/" in m]
    offers = nodes(site.output / "trips/hyvä/index.html")["TouristTrip"]["offers"]
    assert [(o["availabilityStarts"], o["availabilityEnds"]) for o in offers] == [
        ("2026-12-14T00:00:00+02:00", "2026-12-15T23:59:59+02:00"),
        ("2027-01-11T00:00:00+02:00", "2027-01-12T23:59:59+02:00")]


def page_facts(**override) -> graph.PageFacts:
    facts = dict(siteurl="https://x.example", url="https://x.example/blog/a/", lang="fi",
                 languages=["fi"], kind="article", title="Otsikko", description="Kuvaus",
                 breadcrumbs=[("Etusivu", "https://x.example/"),
                              ("Otsikko", "https://x.example/blog/a/")],
                 image="https://x.example/a.png",
                 published=dt.datetime(2026, 5, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=3))))
    facts.update(override)
    return graph.PageFacts(**facts)


COMPANY = graph.CompanyFacts({"name": "X", "street_address": "Katu 1", "postal_code": "00100",
                              "locality": "Helsinki", "country": "FI",
                              "telephone": "+358 9 1", "email": "a@x.example"})


def problems(**override) -> list[tuple[str, str, str]]:
    return validate(graph.page_graph(page_facts(**override), COMPANY, "X"))


def test_validator_accepts_a_good_graph_and_names_each_broken_rule():
    assert problems() == []
    assert ("BlogPosting.datePublished", "'2026-05-01T10:00:00' is not an ISO 8601 date and "
            "time with a time zone", "set TIMEZONE and write dates as YYYY-MM-DD") in \
        problems(published=dt.datetime(2026, 5, 1, 10))
    relative = problems(siteurl="", url="/blog/a/")
    assert ("WebPage.url", "URL '/blog/a/' is not absolute",
            "set SITEURL to the site's https:// address") in relative
    assert any(p[0] == "BlogPosting.image" and p[1] == "is missing" for p in problems(image=""))
    assert any(p[0] == "BlogPosting.headline" and "110 characters" in p[1]
               for p in problems(title="x" * 111))
    trip = graph.TripFacts(price=-5, currency="EURO", availability="InStock")
    found = problems(kind="trip", trip=trip)
    assert ("Offer.price", "-5 is not a number", "write Price: as a number, e.g. 1290") in found
    assert ("Offer.priceCurrency", "'EURO' is not an ISO 4217 code",
            "write Currency: as EUR, SEK, USD, …") in found
    backwards = graph.TripFacts(price=5, currency="EUR", availability="InStock",
                                available=("2027-01-02T00:00:00+02:00",
                                           "2027-01-01T23:59:59+02:00"),
                                valid_from="2027-01-01", valid_through="")
    found = problems(kind="trip", trip=backwards)
    assert ("Offer.availabilityEnds", "is before availabilityStarts",
            "correct Valid-From, Valid-Through or Departures") in found
    assert ("Offer.validFrom", "'2027-01-01' is not an ISO 8601 date and time with a time "
            "zone", "set TIMEZONE and write dates as YYYY-MM-DD") in found
    document = graph.page_graph(page_facts(), COMPANY, "X")
    document["@graph"] = [n for n in document["@graph"] if n["@type"] != "WebSite"]
    assert ("isPartOf", "refers to https://x.example/#website, which is not in the graph",
            "add that node to the page's graph or embed it") in validate(document)


def test_structured_data_findings_fail_a_strict_build(site):
    site.post("posts/a.md", "Otsikko", "fi")
    with pytest.raises(LuotsiBuildError) as error:
        site.build(SITEURL="", LUOTSI_STRICT=True)
    assert "structured data: WebPage.url URL '/blog/otsikko/' is not absolute — set " \
           "SITEURL to the site's https:// address" in str(error.value)


def test_json_in_script_cannot_be_broken_out_of_and_can_hide_addresses():
    document = {"@context": "https://schema.org", "name": "</script><script>alert(1)</script>",
                "email": "a@x.example"}
    text = json_for_script(document, hide_addresses=True)
    assert "</script>" not in text and "a@x" not in text and '"@context"' in text
    html = f'<html><head><script type="application/ld+json">{text}</script></head></html>'
    (read,) = extruct.extract(html, syntaxes=["json-ld"], uniform=False)["json-ld"]
    assert read == document


def test_description_is_trimmed_at_a_word_boundary():
    text = "Revontulet näkyvät Rovaniemellä " * 10
    trimmed = meta.trim(text)
    assert len(trimmed) <= 155 and trimmed.endswith("…")
    assert trimmed[:-1].split(" ")[-1] in text.split(" ")  # no word cut in half
    assert meta.trim("オーロラ" * 60).endswith("…")  # no spaces: cut on a character
    assert meta.trim("Lyhyt.") == "Lyhyt."


def test_faq_pairs_come_from_headings_and_the_text_after_them():
    html = "<h2>Voiko?</h2><p>Voi.</p><p>Aina.</p><h3>Miksi?</h3><p>Siksi.</p><h2>Tyhjä</h2>"
    assert faq_pairs(html) == [("Voiko?", "Voi. Aina."), ("Miksi?", "Siksi.")]


def test_drafts_are_noindex_and_get_no_qr_code(site):
    site.post("posts/a.md", "Luonnos", "fi", status="draft")
    site.build()
    (draft,) = list((site.output / "drafts").rglob("*.html"))
    doc = parse(draft)
    assert doc.xpath('//meta[@name="robots"]/@content') == ["noindex, follow"]
    assert not doc.xpath('//aside[@class="qr-print"]')


def test_a_rebuild_validates_only_the_graphs_that_changed(tmp_path, monkeypatch):
    from luotsi.structured_data import validate as checks

    page = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "@id": "https://x.example/#p", "url": "https://x.example/",
         "name": "Home", "inLanguage": "fi"}]}
    broken = {"@context": "https://schema.org", "@graph": [{"@type": "WebPage", "@id": "#p"}]}
    path = str(tmp_path / "memo.json")
    first = checks.Memo(path)
    found = {name: first.problems(name, doc, frozenset()) for name, doc in
             (("page", page), ("broken", broken))}
    assert found == {"page": validate(page), "broken": validate(broken)} and found["broken"]
    first.save()

    calls = []
    monkeypatch.setattr(checks, "validate", lambda *a: calls.append(a) or [])
    again = checks.Memo(path)
    # The same texts: their problems come back (reported again), nothing is validated again.
    assert again.problems("broken", broken, frozenset()) == found["broken"]
    assert again.problems("page", page, frozenset()) == found["page"] and calls == []
    assert again.problems("new", page, frozenset()) == [] and len(calls) == 1
    again.save()
    # Only what the last build saw is kept; another version of the rules forgets it all.
    assert set(json.loads((tmp_path / "memo.json").read_text())["graphs"]) == \
        {"broken", "page", "new"}
    monkeypatch.setattr(checks, "_module_version", lambda: "other rules")
    assert checks.Memo(path).before == {}
