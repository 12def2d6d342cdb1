"""Paints the demo's landscape pictures: Lapland skies, aurora, fells, snow, spruces, lakes.

Pictures made for the demo (no photograph, no licence to track), deterministic (each scene
has its own seed), written under ``content/images/pictures/``. Run it again after changing a
scene; the build's picture pipeline makes the responsive variants.

    python scripts/make_demo_pictures.py
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parent.parent / "content" / "images" / "pictures"
Color = tuple[int, int, int]
W, H = 1600, 1000


def gradient(size: tuple[int, int], stops: Sequence[tuple[float, Color]]) -> Image.Image:
    """A vertical gradient through colour stops at relative heights 0…1."""
    w, h = size
    column = Image.new("RGB", (1, h))
    pixels = column.load()
    for y in range(h):
        t = y / max(1, h - 1)
        for (t0, c0), (t1, c1) in pairwise(stops):
            if t0 <= t <= t1:
                k = (t - t0) / max(1e-9, t1 - t0)
                pixels[0, y] = tuple(round(a + (b - a) * k) for a, b in zip(c0, c1, strict=True))
                break
    return column.resize((w, h), Image.Resampling.BILINEAR)


def glow(image: Image.Image, center: tuple[int, int], radius: int, color: Color,
         strength: float) -> Image.Image:
    """A soft light (a low sun, a fire, the glow of a town) added around ``center``."""
    # radial_gradient holds the distance from its centre (128 at the middle of each edge):
    # fall off smoothly to nothing at the radius, so no square edge ever shows.
    mask = Image.radial_gradient("L").resize((radius * 2, radius * 2))
    mask = mask.point(lambda v: int(255 * strength * max(0.0, 1 - v / 128) ** 2))
    layer = Image.new("RGB", image.size, (0, 0, 0))
    alpha = Image.new("L", image.size, 0)
    alpha.paste(mask, (center[0] - radius, center[1] - radius))
    layer.paste(Image.new("RGB", image.size, color), (0, 0), alpha)
    return ImageChops.add(image, layer)


def stars(image: Image.Image, rng: random.Random, count: int, top: float = 0.6) -> None:
    draw = ImageDraw.Draw(image)
    for _ in range(count):
        x, y = rng.randrange(image.width), rng.randrange(int(image.height * top))
        v = rng.randint(150, 255)
        r = 1 if rng.random() < 0.9 else 2
        draw.ellipse([x, y, x + r, y + r], fill=(v, v, min(255, v + 20)))


def aurora(image: Image.Image, rng: random.Random, base: float, colors: Sequence[Color],
           amplitude: float = 0.08, height: float = 0.35) -> Image.Image:
    """Curtains of light: vertical streaks along a wavy line, brightest at their foot."""
    w, h = image.size
    layer = Image.new("RGB", (w, h), (0, 0, 0))
    draw = ImageDraw.Draw(layer)
    phase, freq = rng.uniform(0, 6.28), rng.uniform(1.2, 2.4)
    for band, color in enumerate(colors):
        offset = band * 0.05
        for x in range(0, w, 2):
            t = x / w
            foot = h * (base + offset + amplitude * math.sin(freq * 6.28 * t + phase)
                        + 0.03 * math.sin(7.1 * t + band))
            length = h * height * (0.55 + 0.45 * math.sin(13 * t + phase + band) ** 2)
            bright = 0.55 + 0.45 * math.sin(31 * t + band * 2.3) ** 2
            steps = 24
            for k in range(steps):
                y0 = foot - length * k / steps
                fade = (1 - k / steps) ** 1.6 * bright
                c = tuple(int(v * fade) for v in color)
                draw.line([(x, y0), (x, y0 - length / steps)], fill=c, width=2)
    layer = layer.filter(ImageFilter.GaussianBlur(6))
    return ImageChops.screen(image, layer)


def ridge(w: int, rng: random.Random, base: float, amplitude: float, h: int,
          roughness: int = 7) -> list[tuple[float, float]]:
    """The outline of a fell range: a few sines of falling size, as rounded Lapland fells."""
    waves = [(rng.uniform(0.5, 1.5) * (k + 1), rng.uniform(0, 6.28), amplitude / (k + 1) ** 1.3)
             for k in range(roughness)]
    points = []
    for x in range(0, w + 8, 8):
        t = x / w
        y = base * h - sum(a * h * (0.5 + 0.5 * math.sin(f * 3.14 * t + p)) for f, p, a in waves)
        points.append((x, y))
    return [(0, h), *points, (w, h)]


def fells(image: Image.Image, rng: random.Random, layers: Sequence[tuple[float, float, Color]]
          ) -> None:
    draw = ImageDraw.Draw(image)
    for base, amplitude, color in layers:
        draw.polygon(ridge(image.width, rng, base, amplitude, image.height), fill=color)


def spruce(draw: ImageDraw.ImageDraw, x: float, foot: float, height: float, color: Color,
           snow: Color | None = None, rng: random.Random | None = None) -> None:
    """A slender northern spruce: a narrow spire of drooping, ragged branches; in winter,
    snow lies on the upper side of each branch."""
    rng = rng or random.Random(int(x * 1000 + foot))
    branches = max(6, int(height / 9))
    draw.line([(x, foot), (x, foot - height)], fill=color, width=max(1, int(height / 60)))
    for k in range(branches):
        t = k / branches  # 0 at the top
        y = foot - height + height * t * 0.95
        reach = height * (0.03 + 0.13 * t ** 0.8) * rng.uniform(0.7, 1.15)
        droop = height * 0.05 * rng.uniform(0.6, 1.2)
        for side in (-1, 1):
            tip = (x + side * reach, y + droop)
            draw.polygon([(x, y - height * 0.02), tip, (x, y + height * 0.035)], fill=color)
            if snow and rng.random() < 0.85:
                draw.polygon([(x, y - height * 0.022), (x + side * reach * 0.85, y + droop * 0.7),
                              (x + side * reach * 0.5, y + droop * 0.35)], fill=snow)


def forest(image: Image.Image, rng: random.Random, line: float, count: int, size: float,
           color: Color, snow: Color | None = None, spread: float = 0.04) -> None:
    """Spruces from the back row to the front, the back rows paler and smaller (air between
    them and the viewer), so that nearer trees always stand in front."""
    draw = ImageDraw.Draw(image)
    w, h = image.size
    trees = sorted((rng.uniform(0, 1), rng.uniform(-20, w + 20)) for _ in range(count))
    for depth, x in trees:
        foot = h * (line + depth * spread)
        near = 0.55 + 0.45 * depth if spread > 0.05 else 1.0
        tint = tuple(round(c + (220 - c) * (1 - near) * 0.5) for c in color)
        spruce(draw, x, foot, h * size * near * rng.uniform(0.7, 1.2), tint, snow, rng)


def ground(image: Image.Image, top: float, stops: Sequence[tuple[float, Color]],
           rng: random.Random, wave: float = 0.01) -> None:
    """Snow or land from ``top`` down, with a gentle rolling edge."""
    w, h = image.size
    fill = gradient((w, h - int(h * top) + 40), stops)
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)
    phase = rng.uniform(0, 6.28)
    edge = [(x, h * (top + wave * math.sin(x / w * 5 + phase))) for x in range(0, w + 8, 8)]
    draw.polygon([(0, h), *edge, (w, h)], fill=255)
    canvas = Image.new("RGB", (w, h))
    canvas.paste(fill, (0, int(h * top) - 40))
    image.paste(canvas, (0, 0), mask)


def lake(image: Image.Image, top: float, bottom: float, tint: Color, blur: int = 3) -> None:
    """Still water: the scene above mirrored, darkened and tinted."""
    w, h = image.size
    y0, y1 = int(h * top), int(h * bottom)
    above = image.crop((0, max(0, 2 * y0 - y1), w, y0)).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    above = above.resize((w, y1 - y0)).filter(ImageFilter.GaussianBlur(blur))
    water = Image.blend(above, Image.new("RGB", above.size, tint), 0.35)
    draw = ImageDraw.Draw(water)
    for y in range(0, water.height, 9):  # faint ripples
        draw.line([(0, y), (w, y)], fill=tuple(min(255, c + 12) for c in tint), width=1)
    image.paste(Image.blend(water, above, 0.5), (0, y0))


def grain(image: Image.Image, rng: random.Random, amount: float = 0.035) -> Image.Image:
    noise = Image.effect_noise(image.size, 40).convert("RGB")
    return Image.blend(image, ImageChops.overlay(image, noise), amount * 4)


def animals(image: Image.Image, rng: random.Random, kind: str, count: int, foot: float,
            size: float, color: Color) -> None:
    """Small silhouettes in the distance: reindeer, or huskies pulling a sled."""
    draw = ImageDraw.Draw(image)
    w, h = image.size
    x = w * rng.uniform(0.2, 0.35)
    for n in range(count):
        s = h * size * rng.uniform(0.85, 1.1)
        y = h * foot + rng.uniform(-4, 4)
        if kind == "reindeer":
            x = w * rng.uniform(0.1, 0.9)
            draw.ellipse([x, y - s * 0.9, x + s * 1.4, y - s * 0.45], fill=color)
            for lx in (0.15, 0.35, 1.0, 1.2):
                draw.line([(x + s * lx, y - s * 0.55), (x + s * lx, y)], fill=color,
                          width=max(2, int(s / 12)))
            draw.polygon([(x + s * 1.25, y - s * 0.8), (x + s * 1.55, y - s * 1.2),
                          (x + s * 1.75, y - s * 1.05), (x + s * 1.4, y - s * 0.6)], fill=color)
            for dx in (0.05, 0.2):
                draw.line([(x + s * (1.5 + dx), y - s * 1.15), (x + s * (1.35 + dx * 3),
                          y - s * 1.7)], fill=color, width=max(2, int(s / 14)))
        else:  # a husky team running right: the sled and its driver, then the dogs
            if n == 0:
                draw.polygon([(x, y - s * 0.6), (x + s * 1.3, y - s * 0.6),
                              (x + s * 1.4, y - s * 0.05), (x - s * 0.1, y - s * 0.05)],
                             fill=color)
                draw.ellipse([x + s * 0.05, y - s * 2.05, x + s * 0.45, y - s * 1.65],
                             fill=color)
                draw.polygon([(x, y - s * 1.7), (x + s * 0.5, y - s * 1.7),
                              (x + s * 0.45, y - s * 0.6), (x + s * 0.05, y - s * 0.6)],
                             fill=color)
                draw.line([(x + s * 1.3, y - s * 0.45), (x + s * (2.2 + 1.55 * (count - 1)),
                           y - s * 0.45)], fill=color, width=2)
                x += s * 2.2
            body = [(x, y - s * 0.5), (x + s * 0.9, y - s * 0.55), (x + s * 1.0, y - s * 0.35),
                    (x + s * 0.05, y - s * 0.3)]
            draw.polygon(body, fill=color)
            draw.polygon([(x + s * 0.85, y - s * 0.55), (x + s * 1.05, y - s * 0.8),
                          (x + s * 1.1, y - s * 0.95), (x + s * 1.18, y - s * 0.78),
                          (x + s * 1.32, y - s * 0.62), (x + s * 1.0, y - s * 0.45)], fill=color)
            draw.line([(x, y - s * 0.48), (x - s * 0.2, y - s * 0.8)], fill=color,
                      width=max(2, int(s / 9)))  # the tail, curled up
            for lx, ly in ((0.1, 0.0), (0.3, 0.05), (0.8, 0.0), (0.95, 0.05)):
                draw.line([(x + s * lx, y - s * 0.33), (x + s * (lx + 0.08), y - ly * s)],
                          fill=color, width=max(2, int(s / 12)))
            x += s * 1.55


def kota(image: Image.Image, x: float, foot: float, size: float, color: Color,
         fire: bool) -> Image.Image:
    """A Lappish hut: a cone of poles, smoke above, a warm door when a fire burns."""
    draw = ImageDraw.Draw(image)
    w, h = image.size
    s = h * size
    draw.polygon([(w * x - s * 0.75, h * foot), (w * x, h * foot - s),
                  (w * x + s * 0.75, h * foot)], fill=color)
    for dx in (-0.12, 0.0, 0.1):
        draw.line([(w * x, h * foot - s * 0.95), (w * x + s * dx * 1.5, h * foot - s * 1.15)],
                  fill=color, width=3)
    if fire:
        draw.polygon([(w * x - s * 0.12, h * foot), (w * x, h * foot - s * 0.35),
                      (w * x + s * 0.12, h * foot)], fill=(255, 170, 70))
        image = glow(image, (int(w * x), int(h * foot - s * 0.15)), int(s * 1.1),
                     (120, 60, 10), 0.9)
    return image


# -- scenes ------------------------------------------------------------------------------------
def aurora_night(seed: int, size: tuple[int, int] = (W, H), hue: str = "green") -> Image.Image:
    rng = random.Random(seed)
    image = gradient(size, [(0, (4, 9, 26)), (0.55, (10, 32, 58)), (0.78, (22, 58, 80)),
                            (1, (30, 60, 80))])
    stars(image, rng, 900)
    colors = [(40, 255, 140), (60, 200, 170)] if hue == "green" else [(60, 240, 150),
                                                                        (210, 80, 200)]
    image = aurora(image, rng, 0.52, colors)
    fells(image, rng, [(0.72, 0.14, (24, 36, 56)), (0.8, 0.1, (16, 24, 38))])
    ground(image, 0.84, [(0, (120, 150, 185)), (1, (70, 95, 130))], rng)
    forest(image, rng, 0.8, 70, 0.12, (8, 14, 20), (90, 120, 150))
    return grain(image, rng)


def winter_day(seed: int, size: tuple[int, int] = (W, H), trail: bool = False
               ) -> Image.Image:
    rng = random.Random(seed)
    image = gradient(size, [(0, (120, 150, 200)), (0.5, (235, 190, 190)),
                            (0.68, (255, 205, 160)), (1, (255, 220, 190))])
    image = glow(image, (int(size[0] * rng.uniform(0.3, 0.7)), int(size[1] * 0.66)),
                 int(size[1] * 0.5), (90, 50, 20), 0.8)
    fells(image, rng, [(0.62, 0.16, (200, 205, 225)), (0.7, 0.12, (175, 185, 210))])
    ground(image, 0.72, [(0, (240, 242, 250)), (1, (200, 210, 235))], rng, 0.02)
    if trail:  # a sled track winding off towards the fells, under the trees
        w, h = size
        ImageDraw.Draw(image).line([(0, h * 0.95), (w * 0.3, h * 0.86), (w * 0.55, h * 0.82),
                                    (w, h * 0.8)], fill=(205, 212, 232), width=14)
    forest(image, rng, 0.7, 45, 0.2, (30, 45, 50), (245, 247, 252), spread=0.2)
    return grain(image, rng)


def midnight_sun(seed: int, size: tuple[int, int] = (W, H)) -> Image.Image:
    rng = random.Random(seed)
    image = gradient(size, [(0, (70, 110, 170)), (0.35, (250, 180, 120)),
                            (0.55, (255, 215, 150)), (1, (255, 230, 180))])
    sun = (int(size[0] * rng.uniform(0.55, 0.75)), int(size[1] * 0.47))
    image = glow(image, sun, int(size[1] * 0.45), (120, 70, 10), 1.0)
    ImageDraw.Draw(image).ellipse([sun[0] - 22, sun[1] - 22, sun[0] + 22, sun[1] + 22],
                                  fill=(255, 245, 215))
    fells(image, rng, [(0.5, 0.12, (110, 95, 120)), (0.56, 0.08, (60, 60, 75))])
    forest(image, rng, 0.56, 120, 0.07, (25, 35, 30))
    lake(image, 0.585, 1.0, (40, 50, 70))
    return grain(image, rng)


def ruska(seed: int, size: tuple[int, int] = (W, H)) -> Image.Image:
    rng = random.Random(seed)
    image = gradient(size, [(0, (90, 140, 200)), (0.6, (190, 215, 235)), (1, (220, 230, 240))])
    clouds = Image.new("L", size, 0)
    draw = ImageDraw.Draw(clouds)
    for _ in range(7):  # long, thin autumn clouds, blurred into wisps
        cx, cy = rng.uniform(0, size[0]), rng.uniform(0.05, 0.35) * size[1]
        for _ in range(12):
            r = rng.uniform(40, 110)
            dx, dy = rng.uniform(-200, 200), rng.uniform(-12, 12)
            draw.ellipse([cx + dx - r, cy + dy - r * 0.22, cx + dx + r, cy + dy + r * 0.22],
                         fill=int(rng.uniform(120, 200)))
    clouds = clouds.filter(ImageFilter.GaussianBlur(14))
    image.paste(Image.new("RGB", size, (248, 248, 250)), (0, 0), clouds)
    fells(image, rng, [(0.55, 0.18, (150, 120, 110)), (0.65, 0.14, (190, 90, 40)),
                       (0.75, 0.1, (200, 130, 30))])
    ground(image, 0.78, [(0, (170, 60, 30)), (0.5, (140, 70, 20)), (1, (90, 50, 20))], rng, 0.02)
    forest(image, rng, 0.74, 60, 0.13, (20, 50, 35), spread=0.2)
    return grain(image, rng)


def frozen_lake(seed: int, size: tuple[int, int] = (W, H)) -> Image.Image:
    rng = random.Random(seed)
    image = gradient(size, [(0, (150, 170, 195)), (0.55, (215, 222, 232)), (1, (230, 235, 242))])
    fells(image, rng, [(0.52, 0.08, (165, 175, 195))])
    forest(image, rng, 0.55, 200, 0.06, (45, 60, 65), (220, 228, 238), spread=0.01)
    ground(image, 0.57, [(0, (225, 232, 242)), (1, (245, 248, 252))], rng, 0.0)
    draw = ImageDraw.Draw(image)
    for _ in range(9):  # wind-swept ice and a few fishers' holes
        x, y = rng.uniform(0, size[0]), rng.uniform(0.62, 0.95) * size[1]
        draw.ellipse([x - 140, y - 9, x + 140, y + 9], fill=(185, 205, 225))
    for _ in range(3):
        x, y = rng.uniform(0.2, 0.8) * size[0], rng.uniform(0.7, 0.9) * size[1]
        draw.ellipse([x - 14, y - 5, x + 14, y + 5], fill=(40, 60, 80))
        draw.rectangle([x + 24, y - 60, x + 42, y - 20], fill=(120, 40, 40))
        draw.ellipse([x + 22, y - 78, x + 44, y - 58], fill=(60, 50, 50))
        draw.line([(x + 26, y - 40), (x + 2, y - 6)], fill=(30, 30, 30), width=2)
    return grain(image, rng)


def sled_trail(seed: int, size: tuple[int, int] = (W, H)) -> Image.Image:
    image = winter_day(seed, size, trail=True)
    animals(image, random.Random(seed + 1), "husky", 6, 0.84, 0.04, (40, 35, 40))
    return image


def reindeer_dusk(seed: int, size: tuple[int, int] = (W, H)) -> Image.Image:
    rng = random.Random(seed)
    image = gradient(size, [(0, (40, 60, 110)), (0.55, (190, 140, 170)),
                            (0.7, (245, 170, 130)), (1, (240, 200, 180))])
    fells(image, rng, [(0.62, 0.1, (110, 100, 140)), (0.7, 0.06, (80, 80, 110))])
    ground(image, 0.72, [(0, (210, 205, 225)), (1, (160, 165, 200))], rng, 0.015)
    forest(image, rng, 0.7, 40, 0.14, (30, 35, 50), (200, 200, 220), spread=0.05)
    for _ in range(7):
        animals(image, rng, "reindeer", 1, rng.uniform(0.8, 0.92), 0.05, (45, 35, 45))
    return grain(image, rng)


def kota_night(seed: int, size: tuple[int, int] = (W, H)) -> Image.Image:
    rng = random.Random(seed)
    image = gradient(size, [(0, (6, 10, 28)), (0.7, (25, 45, 75)), (1, (40, 60, 90))])
    stars(image, rng, 700)
    image = aurora(image, rng, 0.45, [(30, 200, 120)], amplitude=0.05, height=0.25)
    fells(image, rng, [(0.7, 0.08, (20, 30, 45))])
    ground(image, 0.76, [(0, (90, 110, 140)), (1, (50, 65, 90))], rng, 0.01)
    forest(image, rng, 0.74, 50, 0.12, (6, 10, 16), (70, 90, 115), spread=0.03)
    image = kota(image, 0.55, 0.86, 0.22, (30, 25, 25), fire=True)
    return grain(image, rng)


def snowy_forest(seed: int, size: tuple[int, int] = (W, H)) -> Image.Image:
    rng = random.Random(seed)
    image = gradient(size, [(0, (140, 170, 210)), (0.6, (220, 228, 240)), (1, (240, 243, 250))])
    ground(image, 0.55, [(0, (235, 240, 250)), (1, (205, 215, 235))], rng, 0.03)
    forest(image, rng, 0.5, 35, 0.35, (35, 55, 50), (250, 250, 255), spread=0.35)
    draw = ImageDraw.Draw(image)
    w, h = size
    for k in range(16):  # snowshoe tracks winding into the forest
        t = k / 16
        x, y = w * (0.5 + 0.12 * math.sin(t * 6)), h * (0.98 - 0.4 * t)
        r = 16 * (1 - t * 0.7)
        draw.ellipse([x - r, y - r * 0.5, x + r, y + r * 0.5], fill=(195, 205, 228))
        draw.ellipse([x + r * 2.2 - r, y - 10 - r * 0.5, x + r * 2.2 + r, y - 10 + r * 0.5],
                     fill=(195, 205, 228))
    return grain(image, rng)


SCENES: dict[str, tuple[Callable[..., Image.Image], int, dict[str, object]]] = {
    "hero-aurora": (aurora_night, 7, {"size": (2400, 1200)}),
    "aurora-forecast": (aurora_night, 11, {}),
    "northern-lights": (aurora_night, 12, {"hue": "pink"}),
    "aurora-week-1": (aurora_night, 13, {}),
    "aurora-week-2": (kota_night, 14, {}),
    "aurora-week-3": (aurora_night, 15, {"hue": "pink"}),
    "autumn-colours": (ruska, 21, {}),
    "sami-culture": (ruska, 22, {}),
    "husky-safari": (sled_trail, 31, {}),
    "husky-day-1": (sled_trail, 32, {}),
    "husky-day-2": (winter_day, 33, {}),
    "ice-fishing": (frozen_lake, 41, {}),
    "lapland-food": (kota_night, 51, {}),
    "lapland-with-kids": (winter_day, 61, {}),
    "midnight-sun-hiking": (midnight_sun, 71, {}),
    "midnight-sun-hike-1": (midnight_sun, 72, {}),
    "midnight-sun-hike-2": (ruska, 73, {}),
    "reindeer-farm": (reindeer_dusk, 81, {}),
    "snowshoe-beginners": (snowy_forest, 91, {}),
    "sustainable-travel": (midnight_sun, 101, {}),
    "winter-packing-list": (snowy_forest, 111, {}),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (scene, seed, options) in SCENES.items():
        image = scene(seed, **options)
        image.save(OUT / f"{name}.jpg", "JPEG", quality=85, optimize=True, progressive=True)
        print(f"{name}.jpg {image.width}×{image.height}")


if __name__ == "__main__":
    main()
