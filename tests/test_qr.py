"""QR codes read back with a real decoder (Debian's zbarimg; SVG rendered by rsvg-convert),
contact cards parsed back, the cache, posters, and the counted short links on the service."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from luotsi.qr import payload
from PIL import Image

from .conftest import parse
from .servers import Service, SmtpSink

SITE = "http://127.0.0.1:8000"


def decode(path: Path) -> str:
    if path.suffix == ".svg":
        png = path.with_suffix(".render.png")
        subprocess.run(["rsvg-convert", "-w", "600", "-b", "white", "-o", str(png), str(path)],
                       check=True)
        path = png
    done = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True)
    return done.stdout.decode("utf-8").rstrip("\n")


def qr_of(output: Path, page: str) -> tuple[str, str]:
    """(the page's SVG code file, the link printed beside it)."""
    html = (output / page).read_text(encoding="utf-8")
    svg = re.search(r'href="[^"]*/(qr/[0-9a-f]{16}\.svg)"', html).group(1)
    shown = re.search(r'<span class="qr-link">([^<]+)</span>', html).group(1)
    return svg, shown


@pytest.mark.parametrize("page", [
    "en/blog/a-day-on-a-husky-safari/index.html", "yhteystiedot/index.html",
    "ja/trips/aurora-photography-week/index.html", "staff/mikko-lahti/index.html"])
def test_page_codes_decode_to_the_counted_short_link_of_their_page(demo, tmp_path, page):
    output, _ = demo
    svg, shown = qr_of(output, page)
    copy = tmp_path / "code.svg"  # decoding writes a rendering beside the file
    copy.write_bytes((output / svg).read_bytes())
    assert decode(copy) == shown
    inline = tmp_path / "inline.svg"  # the code printed with the page is the same
    inline.write_text(re.search(r'<aside class="qr-print">\s*(<svg.*?</svg>)',
                                (output / page).read_text(encoding="utf-8"), re.S).group(1))
    assert decode(inline) == shown
    code = shown.rsplit("/q/", 1)[1]
    target = json.loads((output / "qr/codes.json").read_text())["codes"][code]
    canonical = parse(output / page).xpath('//link[@rel="canonical"]/@href')[0]
    assert target == (canonical + "?utm_source=print&utm_medium=qr&utm_campaign=print")


def boxes(path: str) -> list[tuple[int, int, int]]:
    """(x, y, width) of every dark run a code's path draws: ``M x y`` starts a row, ``m dx 0``
    moves along it, ``h w v1 h-w z`` fills a run and returns to its corner."""
    x = y = 0
    found = []
    for command, a, b in re.findall(r"([MmhvHz])(-?\d*)(?: (-?\d+))?", path):
        if command == "M":
            x, y = int(a), int(b)
        elif command == "m":
            x, y = x + int(a), y + int(b)
        elif command == "h" and not a.startswith("-"):
            found.append((x, y, int(a)))
    return found


def test_codes_have_the_quiet_zone_and_alt_text(demo):
    output, _ = demo
    svg, _ = qr_of(output, "en/blog/a-day-on-a-husky-safari/index.html")
    text = (output / svg).read_text(encoding="utf-8")
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', text).group(1))
    assert (size - 8 - 21) % 4 == 0  # versions grow by 4 modules: the border is 4 each side
    dark = boxes(text.split('<path d="', 1)[1].split('"', 1)[0])
    assert min(x for x, _, _ in dark) == 4 and min(y for _, y, _ in dark) == 4
    assert max(x + w for x, _, w in dark) == size - 4
    assert max(y for _, y, _ in dark) == size - 5
    svg = parse(output / "en/blog/a-day-on-a-husky-safari/index.html").xpath(
        '//aside[@class="qr-print"]/svg')[0]
    assert svg.get("role") == "img" and svg.get("aria-label") == "QR code that opens this page"


def test_staff_contact_card_code_imports_as_a_vcard(demo):
    output, _ = demo
    html = (output / "en/staff/aino-korhonen/index.html").read_text(encoding="utf-8")
    figure = re.search(r'<figure class="qr-contact">(.*?)</figure>', html, re.S).group(1)
    svg = output.parent / "contact.svg"
    svg.write_text(figure.split("<figcaption>")[0].strip(), encoding="utf-8")
    card = decode(svg)
    fields = dict(line.split(":", 1) for line in card.splitlines() if ":" in line)
    assert fields["BEGIN"] == "VCARD" and fields["VERSION"] == "3.0"
    assert fields["FN"] == "Aino Korhonen" and fields["N"] == "Korhonen;Aino;;;"
    assert fields["TEL;TYPE=WORK,VOICE"] == "+358405550143"
    assert fields["EMAIL;TYPE=INTERNET,WORK"] == "aino@revontuli.example"
    assert fields["ORG"] == "Revontuli Travel Oy"


def test_without_the_service_codes_carry_the_url_with_page_campaign(site):
    site.post("posts/a.md", "Talvi", "fi", qr_campaign="winter-brochure", qr_source="poster",
              poster="yes")
    run = site.build()
    assert run.qr_made >= 1
    svg, shown = qr_of(site.output, "blog/talvi/index.html")
    url = decode(site.output / svg)
    assert shown == "https://fixture.example/blog/talvi/"
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == shown
    assert parse_qs(parts.query) == {"utm_source": ["poster"], "utm_medium": ["qr"],
                                     "utm_campaign": ["winter-brochure"]}
    poster = re.search(r'href="[^"]*/(qr/poster-[0-9a-f]{16}\.png)"',
                       (site.output / "blog/talvi/index.html").read_text()).group(1)
    with Image.open(site.output / poster) as image:
        assert image.size == (1240, 1754)
        code = image.convert("L").crop((240, 560, 1000, 1320))  # where the code is pasted
        assert code.getextrema() == (0, 255)
        assert all(code.getpixel((x, 30)) == 255 for x in range(760))  # quiet zone stays white
    assert decode(site.output / poster) == url
    assert site.build().qr_made == 0  # cached by payload: nothing re-encoded
    site.post("posts/a.md", "Talvi", "fi", qr_campaign="spring")
    assert site.build().qr_made == 1


def test_codes_made_ahead_in_a_worker_equal_the_build_s_own_and_are_made_once(tmp_path):
    from luotsi.qr import render

    codes = [render.Code(f"https://x.example/{n}/?utm_medium=qr") for n in range(3)]
    made_here = render.cached_svg(codes[0], str(tmp_path))  # the build wrote this page first
    assert render.make_batch([(code, str(tmp_path)) for code in codes]) == 2
    assert render.make_batch([(code, str(tmp_path)) for code in codes]) == 0
    assert render.cached_svg(codes[0], str(tmp_path)) == made_here
    for code in codes:
        svg = tmp_path / f"{code.name}.svg"
        assert svg.read_text(encoding="utf-8") == render.svg_text(code)
        assert decode(svg) == code.payload
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".png") == \
        sorted(f"{code.name}.svg" for code in codes)  # no temporary file left behind


def test_short_codes_are_stable_and_readable():
    code = payload.short_code("https://x.example/a/?utm_medium=qr")
    assert code == payload.short_code("https://x.example/a/?utm_medium=qr")
    assert re.fullmatch(r"[2-9a-km-z]{8}", code) and not set(code) & set("01lo")
    assert payload.campaign_url("https://x.example/a/?ref=1", {"utm_medium": "qr"}) == \
        "https://x.example/a/?ref=1&utm_medium=qr"


@pytest.mark.parametrize("url, expected", [
    ("https://x.example/a/", "https://x.example/a/?utm_medium=qr&utm_campaign=x+y%2F%C3%A4%26"),
    ("https://x.example/a/#ask",
     "https://x.example/a/?utm_medium=qr&utm_campaign=x+y%2F%C3%A4%26#ask"),
    ("https://x.example/a/#", "https://x.example/a/?utm_medium=qr&utm_campaign=x+y%2F%C3%A4%26"),
    ("HTTPS://x.example/a/?utm_medium=print",
     "https://x.example/a/?utm_medium=print&utm_campaign=x+y%2F%C3%A4%26")])
def test_campaign_parameters_go_before_the_fragment_and_never_replace_the_page_s(url, expected):
    params = {"utm_medium": "qr", "utm_source": "", "utm_campaign": "x y/ä&"}
    assert payload.campaign_url(url, params) == expected


@pytest.mark.xdist_group("feedback")
def test_scan_is_counted_then_redirected_and_unknown_codes_get_404(tmp_path):
    smtp = SmtpSink().start()
    service = Service(tmp_path / "svc", smtp.port)
    (tmp_path / "svc" / "qr").mkdir()
    target = "http://127.0.0.1:8000/en/?utm_source=print&utm_medium=qr&utm_campaign=print"
    (tmp_path / "svc" / "qr" / "codes.json").write_text(json.dumps({"codes": {"abcd2345":
                                                                                target}}))
    service.cli("feedback", "add-admin", "aino", "--password-stdin", stdin="a-long-password\n")
    service.start()
    try:
        with service.client(follow_redirects=False) as client:
            for _ in range(3):
                scan = client.get("/q/abcd2345")
                assert scan.status_code == 302 and scan.headers["location"] == target
            unknown = client.get("/q/nope")
            assert unknown.status_code == 404
            assert "Tämä koodi ei ole käytössä." in unknown.text
        with service.client(headers={"Origin": service.url}) as admin:
            admin.post("/admin/login", data={"user": "aino", "password": "a-long-password"})
            page = admin.get("/admin/report").text
            assert re.search(r"<td>abcd2345</td><td>[^<]+</td><td>3</td>", page)
        report = service.cli("qr", "report").stdout
        assert re.search(r"\d{4}-\d\d-\d\d\s+abcd2345\s+3\s+" + re.escape(target), report)
    finally:
        service.stop()
        smtp.stop()
