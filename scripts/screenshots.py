"""``make screenshots``: the demo as visitors see it, one PNG per page type × width ×
language (light, plus dark at the narrowest width and the page as printed), and a contact
sheet of them all.

    python scripts/screenshots.py [--out screenshots] [--widths 360,768,1280] [--langs fi,ja]

Builds the demo for a free loopback port into ``<out>/site/``, serves it, and drives Debian's
Chromium. Look at the pictures: no test sees what a person sees.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import build_demo  # noqa: E402
from tests.servers import free_port  # noqa: E402
from tests.visitor import LANGS, WIDTHS, chromium, open_page, page_types, serve  # noqa: E402


def contact_sheet(shots: list[tuple[str, Path]], target: Path, thumb: int = 240) -> None:
    """Every screenshot scaled to ``thumb`` px wide (top 2.2 widths tall), labelled."""
    from PIL import Image, ImageDraw

    columns = 6
    cell_h = int(thumb * 2.2) + 22
    rows = (len(shots) + columns - 1) // columns
    sheet = Image.new("RGB", (columns * (thumb + 10) + 10, rows * (cell_h + 10) + 10),
                      (235, 235, 235))
    draw = ImageDraw.Draw(sheet)
    for n, (label, path) in enumerate(shots):
        with Image.open(path) as shot:
            scaled = shot.resize((thumb, max(1, round(shot.height * thumb / shot.width))))
            scaled = scaled.crop((0, 0, thumb, min(scaled.height, cell_h - 22)))
        x, y = 10 + (n % columns) * (thumb + 10), 10 + (n // columns) * (cell_h + 10)
        draw.text((x, y), label, fill=(20, 20, 20))
        sheet.paste(scaled, (x, y + 18))
    sheet.save(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "screenshots"))
    parser.add_argument("--widths", default=",".join(map(str, WIDTHS)))
    parser.add_argument("--langs", default=",".join(LANGS))
    parser.add_argument("--only", default="", help="page types, comma-separated")
    args = parser.parse_args()
    out = Path(args.out).resolve()  # the demo is built from the repository's root
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    port = free_port()
    (out / "site").mkdir()
    _, output = build_demo(out / "site", port)
    widths = [int(w) for w in args.widths.split(",")]
    only = set(filter(None, args.only.split(",")))
    shots: list[tuple[str, Path]] = []
    with serve(output, port) as base, chromium() as browser:
        for lang in args.langs.split(","):
            for kind, url in page_types(output, lang).items():
                if only and kind not in only:
                    continue
                # every width in light; the narrowest in dark; A4-wide as printed
                variants = [(w, "") for w in widths] + [(widths[0], "dark"), (794, "print")]
                for width, mode in variants:
                    page = open_page(browser, f"{base}/{url}", width, dark=mode == "dark")
                    if mode == "print":
                        page.emulate_media(media="print")
                    name = f"{kind}-{lang}-{width}{'-' + mode if mode else ''}.png"
                    page.screenshot(path=str(out / name), full_page=True)
                    page.context.close()
                    shots.append((name.removesuffix(".png"), out / name))
    contact_sheet(shots, out / "contact-sheet.png")
    print(f"{len(shots)} screenshots and contact-sheet.png in {out}")


if __name__ == "__main__":
    main()
