"""Pictures of posts, pages and trips through the one image pipeline: responsive, modern
format plus JPEG, metadata stripped, upright, cached, described, and used for sharing."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from luotsi import cache_files, images
from luotsi.background import Background
from luotsi.pictures import model
from PIL import Image


def camera_photo(path, size=(3000, 2000), orientation=6):
    """A JPEG as a phone writes it: sideways with an Orientation tag, and GPS in its EXIF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, (40, 90, 160))
    image.paste((250, 200, 40), (0, 0, size[0] // 4, size[1] // 4))  # a mark: top left
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (66.0, 30.0, 0.0)}
    image.save(path, "JPEG", exif=exif, quality=90)
    return path


def test_wanted_reads_picture_description_and_gallery(tmp_path):
    camera_photo(tmp_path / "images" / "a.jpg")
    main, gallery, problems = model.wanted(
        {"image": "images/a.jpg", "image-alt": "Dogs  on snow",
         "gallery": "images/a.jpg = First; images/b.jpg = ; images/a.jpg"}, str(tmp_path))
    assert main == model.Wanted(str(tmp_path / "images/a.jpg"), "Dogs on snow", "image")
    assert [w.alt for w in gallery] == ["First", "", ""]
    assert [(f, p) for f, p, _ in problems] == [
        ("gallery", "gallery picture 2 ('images/b.jpg') has no description"),
        ("gallery", "gallery picture 3 ('images/a.jpg') has no description"),
        ("gallery", "the picture 'images/b.jpg' does not exist")]


def test_a_picture_without_a_description_is_a_finding_on_its_line(site):
    camera_photo(site.content / "images" / "husky.jpg")
    site.post("posts/a/fi.md", "Eka", "fi", image="images/husky.jpg")
    build = site.build(LUOTSI_CACHE_DIR=str(site.root / "cache"))
    found = [f for f in build.findings if "description" in f.problem]
    assert [(f.path, f.line) for f in found] == [("content/posts/a/fi.md", 4)]
    assert "Image-Alt:" in found[0].fix


def test_post_pictures_are_responsive_stripped_upright_and_shared(site):
    camera_photo(site.content / "images" / "husky.jpg")
    site.post("posts/a/fi.md", "Eka", "fi", image="images/husky.jpg",
              image_alt="Kuusi huskya vetää rekeä")
    build = site.build(LUOTSI_CACHE_DIR=str(site.root / "cache"), STATIC_PATHS=["images"])
    assert not build.findings
    doc = site.html("blog/eka/index.html")
    picture = doc.xpath("//figure[contains(@class, 'post-picture')]/picture")[0]
    source, img = picture.xpath("source")[0], picture.xpath(".//img")[0]  # lxml: in source
    fmt = images.modern_format("avif")
    assert source.get("type") == images.FORMATS[fmt][1]
    widths = [int(part.split()[-1][:-1]) for part in source.get("srcset").split(", ")]
    assert widths == [480, 800, 1200, 1600]  # 2000 is wider than the photo (2000 px, upright)
    assert img.get("alt") == "Kuusi huskya vetää rekeä" and img.get("fetchpriority") == "high"
    assert img.get("loading") is None and img.get("decoding") == "async"
    assert (img.get("width"), img.get("height")) == ("800", "1200")  # upright: portrait
    out = site.output / "images" / "pictures"
    for name in [part.split()[0].rsplit("/", 1)[1] for part in img.get("srcset").split(", ")]:
        with Image.open(out / name) as made:
            assert not made.getexif() and "icc_profile" not in made.info
            assert made.height > made.width  # turned upright from the EXIF orientation
            assert made.getpixel((made.width - 5, 5))[0] > 200  # the mark is now top right
    assert not (site.output / "images" / "husky.jpg").exists()  # the original, with its GPS
    og = dict(zip(doc.xpath("//meta[@property]/@property"),
                  doc.xpath("//meta[@property]/@content"), strict=True))
    assert og["og:image"].endswith("-1200.jpg") and og["og:image:height"] == "1800"
    assert og["og:image:alt"] == "Kuusi huskya vetää rekeä"
    graph = json.loads(doc.xpath('//script[@type="application/ld+json"]')[0].text)["@graph"]
    posting = next(n for n in graph if n["@type"] == "BlogPosting")
    assert posting["image"] == [og["og:image"]]
    assert all(c.title != "Eka" for c in (build.share_cards.cards.values() if build.share_cards
                                           else []))  # no card drawn: it has a picture


def test_pictures_are_made_once_and_then_taken_from_the_cache(tmp_path, monkeypatch):
    source = camera_photo(tmp_path / "a.jpg", orientation=1)
    first = images.process(str(source), images.Recipe((480, 800)), str(tmp_path / "cache"))
    monkeypatch.setattr(images, "render", lambda *a: pytest.fail("made again"))
    assert images.process(str(source), images.Recipe((480, 800)), str(tmp_path / "cache")) == first


@pytest.mark.parametrize("size, orientation", [((4000, 3000), 1), ((3000, 4000), 1),
                                               ((4000, 3000), 6), ((3000, 4000), 8)])
def test_a_portrait_crop_is_never_enlarged(tmp_path, monkeypatch, size, orientation):
    """A landscape photo cropped to a 4:5 portrait was decoded too small for the crop (its
    width alone was asked for), and its widest variant was enlarged: a blurred face."""
    source = camera_photo(tmp_path / "a.jpg", size=size, orientation=orientation)
    resized = []
    resize = Image.Image.resize

    def spy(image, target, *args, **kwargs):
        resized.append((image.size, tuple(target)))
        return resize(image, target, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "resize", spy)
    variants = images.process(str(source), images.Recipe((320, 960), aspect=(4, 5)),
                              str(tmp_path / "cache"))
    assert [(v.width, v.height) for v in variants] == [(320, 400), (960, 1200)]
    assert resized and all(target[0] <= frame[0] and target[1] <= frame[1]
                           for frame, target in resized), resized
    # And the decode stays small: a quarter or half of the camera's size, not all of it.
    assert max(frame[0] * frame[1] for frame, _ in resized) < size[0] * size[1] / 2


@pytest.mark.parametrize("aspect", [None, (4, 5)])
def test_variants_are_encoded_widest_first_with_the_photo_s_pixels_freed(tmp_path, monkeypatch,
                                                                          aspect):
    """The AV1 encoder takes 25-30 MB for a 960 px variant: the decoded photo (12 MB at half
    scale) and its crop were still alive beside it, as ``with`` closes an image's file but
    not its pixels. Every variant is resized first; then the photo is freed and the variants
    are encoded, the widest first, each freed once written."""
    source = camera_photo(tmp_path / "a.jpg", size=(4000, 3000), orientation=6)
    opened, saves = [], []
    open_image, save = Image.open, Image.Image.save

    def spy_open(*args, **kwargs):
        opened.append(open_image(*args, **kwargs))
        return opened[-1]

    pixels = type(Image.new("RGB", (1, 1))._im)

    def freed(image):  # closed (or never decoded: the plan reads the header alone)
        return not isinstance(image._im, pixels)

    def spy_save(image, target, format=None, **options):
        saves.append((image.width, format, [freed(photo) for photo in opened]))
        return save(image, target, format, **options)

    monkeypatch.setattr(Image, "open", spy_open)
    monkeypatch.setattr(Image.Image, "save", spy_save)
    images.process(str(source), images.Recipe((320, 640, 960), aspect=aspect),
                   str(tmp_path / "cache"))
    assert [(width, fmt) for width, fmt, _ in saves] == [
        (960, "AVIF"), (960, "JPEG"), (640, "AVIF"), (640, "JPEG"), (320, "AVIF"),
        (320, "JPEG")] or images.modern_format("avif") != "avif"
    assert opened and all(all(photos) for _, _, photos in saves), saves


def test_the_same_photo_twice_is_made_once_and_workers_never_collide(tmp_path):
    """Two staff members with the same photo (a new site's placeholder) once made two workers
    write one cache file through one temporary name: the slower one found it gone."""
    first = camera_photo(tmp_path / "a" / "photo.jpg", size=(1200, 900), orientation=1)
    second = tmp_path / "b" / "photo.jpg"
    second.parent.mkdir()
    second.write_bytes(first.read_bytes())
    background = Background(2)
    try:
        pipeline = images.Pipeline(images.Recipe((320, 640)), str(tmp_path / "cache"), background)
        assert pipeline.add(str(first)) == pipeline.add(str(second))
        assert pipeline.made == 1 and pipeline.finish() == {}
    finally:
        background.close()
    # The files themselves, made at once by many writers: each ends whole, nothing left over.
    target = tmp_path / "cache" / "same.json"
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: _write_through(str(target), n), range(64)))
    assert json.loads(target.read_text()) in [{"writer": n} for n in range(64)]
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


def _write_through(path: str, writer: int) -> None:
    with cache_files.replacing(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        json.dump({"writer": writer}, handle)


@pytest.mark.skipif(images.modern_format("avif") != "avif", reason="Pillow without AVIF")
def test_a_picture_is_the_same_bytes_whatever_the_machine_s_cores(tmp_path, monkeypatch):
    """Pillow gives the AV1 encoder one thread per core unless told, and one thread writes
    other bytes than two: the same site built on a one-core machine differed."""
    from PIL import AvifImagePlugin

    source = tmp_path / "a.jpg"
    Image.effect_noise((960, 1200), 60).convert("RGB").save(source, "JPEG", quality=90)
    made = []
    for cores in (1, 8):
        monkeypatch.setattr(AvifImagePlugin, "_get_default_max_threads", lambda n=cores: n)
        cache = tmp_path / f"cache-{cores}"
        variants = images.process(str(source), images.Recipe((960,)), str(cache))
        made.append([(cache / v.modern).read_bytes() for v in variants])
    assert made[0] == made[1]


def test_without_avif_in_pillow_the_modern_format_is_webp(monkeypatch):
    images.modern_format.cache_clear()
    monkeypatch.setattr(images.features, "check", lambda name: False)
    try:
        assert images.modern_format("avif") == "webp"
    finally:
        images.modern_format.cache_clear()


def test_a_trip_gallery_and_the_home_hero(site):
    for name in ("a", "b", "hero"):
        camera_photo(site.content / "images" / f"{name}.jpg", orientation=1)
    site.write("trips/husky/fi.md", "Title: Huskypäivä\nLang: fi\nPrice: 190\nDuration: P1D\n"
               "Image: images/a.jpg\nImage-Alt: Valjakko\n"
               "Gallery: images/b.jpg = Järvi jäässä\n\nKoiria.\n")
    site.build(LUOTSI_CACHE_DIR=str(site.root / "cache"),
               LUOTSI_HERO={"image": "images/hero.jpg", "alt": {"fi": "Revontulet"}})
    trip = site.html("trips/huskypäivä/index.html")
    assert trip.xpath("//ul[@class='gallery']//img/@alt") == [""]  # the caption says it
    assert trip.xpath("//ul[@class='gallery']//figcaption/text()") == ["Järvi jäässä"]
    assert trip.xpath("//ul[@class='gallery']//img/@loading") == ["lazy"]
    home = site.html("index.html")
    hero = home.xpath("//section[contains(@class, 'hero')]//img")[0]
    assert hero.get("alt") == "Revontulet" and hero.get("fetchpriority") == "high"
    assert site.html("en/index.html").xpath(
        "//section[contains(@class, 'hero')]//img/@alt") == ["Revontulet"]  # default's text
    # On a phone held upright the hero's box is about 4:5: a crop of that shape is offered
    # there (a 3:2 picture covering it would need a variant 1.9 times the screen's width).
    upright = home.xpath("//section[contains(@class, 'hero')]//source[@media]")
    assert [s.get("type") for s in upright] == ["image/avif", "image/jpeg"]
    assert upright[0].get("media") == "(max-width: 40rem) and (orientation: portrait)"
    names = [part.split()[0].rsplit("/", 1)[1] for part in upright[1].get("srcset").split(", ")]
    assert [part.split()[1] for part in upright[1].get("srcset").split(", ")] == \
        ["480w", "800w", "1200w", "1600w"]  # and the crop's own width, under the widest
    with Image.open(site.output / "images" / "pictures" / names[-1]) as crop:
        assert crop.size == (1600, 2000)  # 4:5 out of 3000×2000
