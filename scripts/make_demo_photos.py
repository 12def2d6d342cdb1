"""Draws the demo's staff portraits (illustrations made for the demo, no real people) and the
company logo.

One is stored sideways with an EXIF Orientation tag and carries GPS coordinates, so the
photo pipeline's rotation and metadata stripping are exercised by the demo itself.
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "content" / "staff"
PEOPLE = [  # id, size, background, skin, hair, sideways-with-exif
    ("aino-korhonen", (1200, 1500), (38, 70, 110), (240, 205, 180), (120, 70, 40), True),
    ("mikko-lahti", (1600, 1200), (20, 90, 70), (225, 190, 160), (60, 40, 30), False),
    ("elina-aikio", (1000, 1250), (110, 40, 60), (230, 195, 170), (30, 25, 25), False),
    ("jussi-niemi", (1200, 1200), (70, 60, 120), (235, 200, 175), (200, 170, 90), False),
    ("laura-heikkinen", (900, 1200), (30, 100, 120), (215, 175, 145), (90, 50, 30), False),
]


def portrait(size, background, skin, hair) -> Image.Image:
    w, h = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    for y in range(h):  # a soft vertical gradient, like a studio backdrop
        shade = int(40 * y / h)
        draw.line([(0, y), (w, y)], fill=tuple(max(0, c - shade) for c in background))
    cx, cy, r = w // 2, int(h * 0.42), int(min(w, h) * 0.2)
    draw.ellipse([cx - int(r * 1.1), cy - int(r * 1.25), cx + int(r * 1.1), cy + int(r * 0.6)],
                 fill=hair)
    draw.ellipse([cx - r, cy - r, cx + r, cy + int(r * 1.2)], fill=skin)
    draw.ellipse([cx - int(r * 2.2), cy + int(r * 1.5), cx + int(r * 2.2), h + r * 2],
                 fill=(235, 235, 240))
    for dx in (-0.38, 0.38):
        ex = cx + int(r * dx)
        draw.ellipse([ex - r // 10, cy - r // 10, ex + r // 10, cy + r // 10], fill=(40, 40, 50))
    draw.arc([cx - r // 2, cy + r // 4, cx + r // 2, cy + int(r * 0.75)], 20, 160,
             fill=(150, 60, 60), width=max(3, r // 18))
    return image


def logo() -> Image.Image:
    """A square mark: an aurora arc over a fell, in the theme's colours."""
    image = Image.new("RGB", (512, 512), (14, 42, 71))
    draw = ImageDraw.Draw(image)
    for n, colour in enumerate([(120, 220, 170), (90, 190, 200), (150, 120, 210)]):
        draw.arc([60 + n * 30, 90 + n * 30, 452 - n * 30, 482 - n * 30], 200, 340,
                 fill=colour, width=22)
    draw.polygon([(40, 440), (200, 250), (290, 350), (350, 290), (472, 440)],
                 fill=(235, 240, 245))
    return image


def main() -> None:
    images = OUT.parent / "images"
    images.mkdir(parents=True, exist_ok=True)
    logo().save(images / "logo.png", optimize=True)
    OUT.mkdir(parents=True, exist_ok=True)
    for person_id, size, background, skin, hair, sideways in PEOPLE:
        image = portrait(size, background, skin, hair)
        exif = Image.Exif()
        exif[0x010F] = "DemoCam"  # Make
        if sideways:
            # Stored rotated; Orientation 6 tells viewers to turn it 90° clockwise.
            image = image.transpose(Image.Transpose.ROTATE_90)
            exif[0x0112] = 6
            exif[0x8825] = {1: "N", 2: (66.0, 30.0, 7.56), 3: "E", 4: (25.0, 43.0, 45.84)}
        (OUT / person_id).mkdir(parents=True, exist_ok=True)
        image.save(OUT / person_id / "photo.jpg", "JPEG", quality=85, exif=exif)


if __name__ == "__main__":
    main()
