"""Staff profiles: photos rotated and stripped, vCards that parse, bylines, bad input."""

from __future__ import annotations

import pytest
from luotsi import images as photos
from luotsi.background import Background
from luotsi.staff.vcard import vcard
from PIL import Image

from .conftest import parse


def unfold(text: str) -> dict[str, str]:
    lines = text.replace("\r\n ", "").split("\r\n")
    return {line.split(":", 1)[0]: line.split(":", 1)[1] for line in lines if ":" in line}


def test_demo_photos_are_upright_and_carry_no_metadata(demo):
    output, _ = demo
    files = sorted((output / "images/staff").iterdir())
    assert len(files) >= 20
    for path in files:
        with Image.open(path) as image:
            assert not image.getexif(), path
            assert "exif" not in image.info and "icc_profile" not in image.info, path
    # Aino's source is stored sideways (1500×1200) with Orientation 6: output is portrait.
    doc = parse(output / "staff/aino-korhonen/index.html")
    img = doc.xpath("//article//picture//img")[0]  # lxml nests img inside source
    assert int(img.get("height")) > int(img.get("width"))
    assert not list(output.rglob("photo.jpg")), "an original upload was published"


def test_picture_has_modern_format_jpeg_sizes_and_lazy_loading(demo):
    output, _ = demo
    doc = parse(output / "en/staff/index.html")
    cards = doc.xpath("//li[contains(@class, 'person-card')]")
    assert len(cards) == 5
    sources = doc.xpath("//picture//source/@type")
    assert set(sources) == {photos.FORMATS[photos.modern_format("avif")][1]}
    imgs = doc.xpath("//picture//img")
    assert all(i.get("width") and i.get("height") and i.get("alt") for i in imgs)
    assert [i.get("loading") for i in imgs][2:] == ["lazy"] * 3  # below the fold


def test_vcard_parses_back(demo):
    output, _ = demo
    card = (output / "en/staff/aino-korhonen/aino-korhonen.vcf").read_bytes().decode()
    assert card.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n") and card.endswith("END:VCARD\r\n")
    fields = unfold(card)
    assert fields["FN"] == "Aino Korhonen"
    assert fields["N"] == "Korhonen;Aino;;;"
    assert fields["TITLE"] == "Managing director and aurora guide"
    assert fields["ORG"] == "Revontuli Travel Oy"
    assert fields["EMAIL;TYPE=work"] == "aino@revontuli.example"
    assert fields["TEL;VALUE=uri;TYPE=work,voice"] == "tel:+358405550143"
    photo_url = fields["PHOTO;MEDIATYPE=image/jpeg"]
    assert (output / photo_url.split("8000/", 1)[1]).exists()


def test_vcard_escapes_and_folds_utf8_safely():
    card = vcard("Ääni Öljy", "Opas; kuljettaja, " + "ä" * 60, "Firma Oy", "a@b.fi",
                 "+358 40 1", "https://x.example/")
    for line in card.split("\r\n"):
        assert len(line.encode()) <= 75
    assert unfold(card)["TITLE"] == "Opas\\; kuljettaja\\, " + "ä" * 60


def test_bylines_link_to_author_pages_which_list_their_posts(demo):
    output, _ = demo
    post = parse(output / "en/blog/a-day-on-a-husky-safari/index.html")
    author = post.xpath('//div[@class="byline"]//a[@rel="author"]')[0]
    assert author.get("href") == "http://127.0.0.1:8000/en/staff/aino-korhonen/"
    photo = post.xpath('//div[@class="byline"]//img')[0]  # the author's face, not just a name
    assert (output / photo.get("src").split("8000/", 1)[1]).is_file()
    page = parse(output / "en/staff/aino-korhonen/index.html").text_content()
    assert "A day on a husky safari" in page
    assert "Päivä huskysafarilla" not in page  # only posts in the page's language


def test_photo_cache_skips_unchanged_photos(tmp_path, monkeypatch):
    source = tmp_path / "p.jpg"
    Image.new("RGB", (800, 1000), (10, 20, 30)).save(source)
    first = photos.process(str(source), photos.Recipe((320, 640)), str(tmp_path / "cache"))
    monkeypatch.setattr(photos, "render", lambda *a: pytest.fail("re-rendered"))
    assert photos.process(str(source), photos.Recipe((320, 640)), str(tmp_path / "cache")) == first


def test_photos_are_planned_at_once_made_in_the_background_and_keep_orientation(tmp_path):
    """The variants are known from each header (pages name them before a pixel is
    decoded); the pipeline then makes exactly those, on other cores."""
    sources = {}
    for n, orientation in enumerate((1, 6, 8)):
        exif = Image.Exif()
        exif[0x0112] = orientation
        path = tmp_path / f"{n}.jpg"
        Image.new("RGB", (4000, 3000), (n * 40, 90, 120)).save(path, exif=exif)
        sources[str(n)] = str(path)
    sources["missing"] = str(tmp_path / "missing.jpg")
    background = Background()
    pipeline = photos.Pipeline(photos.Recipe((320, 960)), str(tmp_path / "cache"), background)
    results = {name: pipeline.add(source) for name, source in sources.items()}
    assert isinstance(results.pop("missing"), photos.ImageError)
    assert pipeline.finish() == {} and pipeline.made == 3
    background.close()
    sizes = {name: [(v.width, v.height) for v in variants] for name, variants in results.items()}
    assert sizes["0"] == [(320, 240), (960, 720)]  # decoded at reduced scale, still ≥ 960
    assert sizes["1"] == sizes["2"] == [(320, 427), (960, 1280)]  # turned upright
    for variants in results.values():
        for variant in variants:  # the files made are exactly the sizes planned
            with Image.open(tmp_path / "cache" / variant.jpeg) as made:
                assert made.size == (variant.width, variant.height)


def test_staff_photos_are_queued_before_any_post_is_read(site, monkeypatch):
    """A worker encodes the photos while the build's process is small: before the posts are
    read (the photos set the build's peak memory)."""
    from pelican.generators import ArticlesGenerator

    (site.content / "staff/aino").mkdir(parents=True)
    Image.new("RGB", (800, 1000), (40, 90, 160)).save(site.content / "staff/aino/photo.jpg")
    site.write("staff/aino/fi.md", "Title: Aino\nLang: fi\nRole: Opas\n"
               "Photo: staff/aino/photo.jpg\n\nTeksti.\n")
    site.post("posts/a.md", "Kirjoitus", "fi")
    events = []
    add, read = photos.Pipeline.add, ArticlesGenerator.generate_context

    def adding(self, source, recipe=None):
        events.append("photo")
        return add(self, source, recipe)

    def reading(self):
        events.append("posts")
        return read(self)

    monkeypatch.setattr(photos.Pipeline, "add", adding)
    monkeypatch.setattr(ArticlesGenerator, "generate_context", reading)
    site.build()
    assert events == ["photo", "posts"]


def test_bad_staff_input_is_reported_not_crashed(site):
    bomb = site.content / "staff/huge/photo.png"
    bomb.parent.mkdir(parents=True)
    Image.new("1", (9000, 5000)).save(bomb)  # 45 megapixels, a few kilobytes on disk
    site.write("staff/huge/fi.md", "Title: Iso Kuva\nLang: fi\nRole: Opas\n"
               "Email: iso@fixture.example\nPhone: +358 40 123 4567\n"
               "Photo: staff/huge/photo.png\n\nTeksti.\n")
    site.write("staff/bad/fi.md", "Title: Huono Tieto\nLang: fi\nRole: Opas\n"
               "Email: not-an-address\nPhone: 040 123 4567\nPhoto: staff/bad/missing.jpg\n\n"
               "Teksti.\n")
    broken = site.content / "staff/broken/photo.jpg"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"\xff\xd8\xff\xe0 this is not really a JPEG")
    site.write("staff/broken/fi.md", "Title: Rikki Kuva\nLang: fi\nRole: Opas\n"
               "Email: rikki@fixture.example\nPhone: +358 40 123 4568\n"
               "Photo: staff/broken/photo.jpg\n\nTeksti.\n")
    site.post("posts/a.md", "Kirjoitus", "fi", author="nobody")
    messages = [str(f) for f in site.build().findings]
    assert "content/staff/bad/fi.md:4: 'not-an-address' is not an e-mail address — write it " \
           "as name@example.com" in messages
    assert any(m.startswith("content/staff/bad/fi.md:5: phone '040 123 4567' is not in "
                            "international form") for m in messages)
    assert any(m.startswith("content/staff/bad/fi.md:6: photo 'staff/bad/missing.jpg' does not "
                            "exist") for m in messages)
    assert any(m.startswith("content/staff/huge/fi.md:6: image is 9000×5000 pixels, over the "
                            "40-megapixel limit") for m in messages)
    assert any(m.startswith("content/staff/broken/fi.md:6: not a readable image")
               for m in messages)
    assert any(m.startswith("content/posts/a.md:4: author 'nobody' has no staff file")
               for m in messages)
    assert (site.output / "staff/huge/index.html").exists()  # the page still builds


PERSON = ("Title: Aila Aalto\nLang: {lang}\nRole: Opas\nEmail: aila@fixture.example\n"
          "Phone: +358 40 765 4321\n\nTeksti.\n")


def test_obfuscated_email_hides_address_from_raw_html_but_links_work(site):
    site.write("staff/aila/fi.md", PERSON.format(lang="fi"))
    site.build(LUOTSI_OBFUSCATE_EMAIL=True)
    for page in ("staff/aila/index.html", "staff/index.html"):
        raw = (site.output / page).read_text(encoding="utf-8")
        assert "aila@" not in raw and "@fixture.example" not in raw
        assert "info@fixture.example" not in raw  # the company address in the footer too
        doc = site.html(page)
        link = doc.xpath('//main//a[starts-with(@href, "mailto:")]')[0]
        assert link.get("href") == "mailto:aila@fixture.example"  # no JavaScript needed
        # What a visitor sees (the decoy is hidden) reads as the real address.
        for hidden in link.xpath(".//*[@hidden]"):
            hidden.drop_tree()
        assert link.text_content() == "aila@fixture.example"
        footer = doc.xpath('//footer//a[starts-with(@href, "mailto:")]')[0]
        assert footer.get("href") == "mailto:info@fixture.example"


def test_plain_email_by_default(site):
    site.write("staff/aila/fi.md", PERSON.format(lang="fi"))
    site.build()
    assert 'href="mailto:aila@fixture.example">aila@fixture.example</a>' in (
        site.output / "staff/aila/index.html").read_text(encoding="utf-8")


def test_staff_plugin_alone_builds_per_language_pages(site):
    """Staff pages are per language, so enabling staff alone brings multilingual with it."""
    site.write("staff/aila/fi.md", PERSON.format(lang="fi"))
    site.write("staff/aila/en.md", PERSON.format(lang="en"))
    site.post("posts/a.md", "Kirjoitus", "fi", author="aila")
    site.build_alone(["luotsi.staff"], LUOTSI_CACHE_DIR=str(site.root / "cache"))
    assert (site.output / "staff/aila/index.html").exists()
    assert (site.output / "en/staff/aila/aila.vcf").exists()
    byline = site.html("blog/kirjoitus/index.html").xpath('//a[contains(@href, "staff/aila/")]')
    assert byline
