"""Pelican adapter: once every page is read, make the pictures pages ask for (in parallel,
cached by content hash), give each page its ``luotsi_picture`` and ``luotsi_gallery``, the
templates the hero, and put the variants into the output at the end."""

from __future__ import annotations

import os
from typing import Any

from pelican import signals
from pelican.generators import Generator

from .. import core, images
from ..build import Build
from . import model

PICTURE_DIR = "images/pictures"
HERO_PORTRAIT = (4, 5)  # the hero's box on a phone held upright is about this shape


def on_initialized(pelican: Any) -> None:
    Build.of(pelican).add_finalizer(15, publish)


def on_generator_init(generator: Generator) -> None:
    # Lower case: Pelican renders with its settings as context, and LUOTSI_HERO there is the
    # setting (path and text), not the picture made from it.
    generator.env.globals["luotsi_hero"] = Build.of(generator).hero


def _items(generators: list[Generator]) -> list[Any]:
    names = ("articles", "translations", "drafts", "drafts_translations", "pages",
             "hidden_pages", "draft_pages", "hidden_translations", "draft_translations")
    return [item for g in generators for name in names for item in getattr(g, name, [])]


def on_all_generators_finalized(generators: list[Generator]) -> None:
    build = Build.of(generators[0])
    content = build.settings["PATH"]
    asked: list[tuple[Any, model.Wanted | None, list[model.Wanted]]] = []
    for item in _items(generators):
        main, gallery, problems = model.wanted(item.metadata, content)
        for field_name, problem, fix in problems:
            build.find(item.source_path, problem, fix, field_name)
        if main or gallery:
            asked.append((item, main, gallery))
    hero = build.config.hero
    hero_path = os.path.join(content, hero["image"].lstrip("/")) if hero else ""
    if hero and not os.path.isfile(hero_path):
        build.find("LUOTSI_HERO", f"the hero picture {hero['image']!r} does not exist",
                   "put it under the content folder or fix LUOTSI_HERO['image']", area="settings")
    wanted = [w for _, main, gallery in asked for w in (main, *gallery) if w]
    sources = {w.path: w.path for w in wanted if os.path.isfile(w.path)}
    if hero and os.path.isfile(hero_path):
        sources[hero_path] = hero_path
    recipe = images.Recipe(build.config.image_widths, build.config.image_format)
    build.pictures = images.Pipeline(recipe, os.path.join(build.config.cache_dir, "pictures"),
                                     build.background)
    made = {source: build.pictures.add(source) for source in sources}
    mime = images.FORMATS[recipe.fmt][1]
    portrait = build.pictures.add(hero_path, images.Recipe(recipe.widths, recipe.fmt,
                                                           HERO_PORTRAIT)) \
        if isinstance(made.get(hero_path), list) else None

    def picture(wanted: model.Wanted, item: Any) -> images.Picture | None:
        result = made.get(wanted.path)
        if isinstance(result, images.ImageError):
            build.find(item.source_path, f"{os.path.relpath(wanted.path, content)}: {result}",
                       "use a JPEG or PNG under 40 megapixels", wanted.field)
            return None
        return images.Picture(tuple(result), PICTURE_DIR, wanted.alt, mime) if result else None

    for item, main, gallery in asked:
        item.luotsi_picture = picture(main, item) if main else None
        item.luotsi_gallery = [p for p in (picture(w, item) for w in gallery) if p]
    build.hero.clear()
    if hero and isinstance(made.get(hero_path), list):
        upright = images.Picture(tuple(portrait), PICTURE_DIR, "", mime) \
            if isinstance(portrait, list) else None
        for lang in build.config.languages:
            build.hero[lang] = images.Picture(tuple(made[hero_path]), PICTURE_DIR,
                                              _in(hero["alt"], lang, build), mime, upright)
    build.picture_variants = [v for result in (*made.values(), portrait)
                              if isinstance(result, list) for v in result]
    build.picture_sources = list(sources)


def _in(text: str | dict[str, str], lang: str, build: Build) -> str:
    """A text given once or per language, in ``lang`` (else the default language's)."""
    if isinstance(text, str):
        return text
    return text.get(lang) or text.get(build.settings["DEFAULT_LANG"]) or next(iter(text.values()))


def publish(build: Build) -> None:
    """The pictures made while pages were written, into the output; never the originals."""
    if build.pictures is None:
        return
    for source, problem in build.pictures.finish().items():
        build.find(source, problem, "use a JPEG or PNG under 40 megapixels")
    output = build.settings["OUTPUT_PATH"]
    images.publish(build.picture_variants, build.pictures.cache_dir,
                   os.path.join(output, PICTURE_DIR))
    images.remove_copies(build.picture_sources, build.settings["PATH"], output)


def register() -> None:
    core.register()
    signals.initialized.connect(on_initialized)
    signals.generator_init.connect(on_generator_init)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
