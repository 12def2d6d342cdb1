"""Pelican adapter for staff profiles: a generator reading ``content/staff/<id>/<lang>.md``,
author bylines on posts, and the directory, person pages, photos and vCards it writes."""

from __future__ import annotations

import os
from typing import Any

from pelican import signals
from pelican.contents import Page
from pelican.generators import ArticlesGenerator, Generator

from .. import core, images
from ..build import Build
from ..pages import write_localized
from ..urls import absolute, save_as
from .model import Person, check_profile, split_list
from .vcard import vcard

PHOTO_DIR = "images/staff"
PORTRAIT = (4, 5)  # every staff photo is cropped to this, so cards and pages frame them alike


class StaffGenerator(Generator):
    """Reads staff profiles, then writes their pages, photos and contact cards.

    The profiles are read, and their photos queued, as soon as the generator is made, before
    Pelican reads any post: a worker encodes a camera photo's variants with up to 50 MB, and
    the build's own process is then 70-80 MB rather than the 90-100 MB it has grown to once
    the posts are read (measured). The photos had set the build's peak memory."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_profiles()

    def generate_context(self) -> None:
        """Read already (see the class)."""

    def _read_profiles(self) -> None:
        build = Build.of(self)
        folder = build.config.staff_dir
        self.people: dict[str, dict[str, Person]] = {}
        self._photo_source: dict[str, str] = {}
        for rel in self.get_files([folder]):
            path = os.path.join(self.path, rel)
            try:
                item = self.readers.read_file(base_path=self.path, path=rel, content_class=Page,
                                              context=self.context)
            except Exception as error:  # Pelican's readers raise anything; report, go on
                build.find(path, f"could not be read ({error})", "check the header lines")
                continue
            meta = item.metadata
            for field_name, problem, fix in check_profile(meta, path, self.path):
                build.find(path, problem, fix, field_name)
            person_id = os.path.basename(os.path.dirname(path))
            lang = item.lang
            url = f"{build.home_urls.get(lang, '')}staff/{person_id}/"
            self.people.setdefault(person_id, {})[lang] = Person(
                id=person_id, lang=lang, name=item.title, role=str(meta.get("role", "")),
                responsibilities=split_list(meta.get("responsibilities")),
                languages=split_list(meta.get("languages")), email=str(meta.get("email", "")),
                phone=str(meta.get("phone", "")), social=split_list(meta.get("social")),
                intro=item.content, url=url, vcard_url=f"{url}{person_id}.vcf",
                source_path=path)
            if meta.get("photo"):
                self._photo_source[person_id] = os.path.join(self.path, str(meta["photo"]))
        build.staff = self.people
        build.staff_photo_sources = list(self._photo_source.values())
        self._process_photos(build)

    def _process_photos(self, build: Build) -> None:
        """Photos are planned while reading, so that bylines written by other generators
        name them; their pixels are made on other cores while pages are written."""
        sources = {pid: src for pid, src in self._photo_source.items() if os.path.isfile(src)}
        recipe = images.Recipe(build.config.photo_widths, build.config.image_format, PORTRAIT)
        build.staff_photos = images.Pipeline(recipe, os.path.join(build.config.cache_dir,
                                                                  "photos"), build.background)
        self._photos: dict[str, list[images.Variant]] = {}
        for person_id, source in sources.items():
            result = build.staff_photos.add(source)
            if isinstance(result, images.ImageError):
                first = next(iter(self.people[person_id].values()))
                build.find(first.source_path, str(result),
                           "use a JPEG or PNG portrait under 40 megapixels", "photo")
                continue
            self._photos[person_id] = result
            for person in self.people[person_id].values():
                person.photo = images.Picture(tuple(result), PHOTO_DIR, person.name,
                                              images.FORMATS[recipe.fmt][1])

    def person(self, person_id: str, lang: str) -> Person | None:
        versions = self.people.get(person_id) or {}
        default = self.settings["DEFAULT_LANG"]
        return versions.get(lang) or versions.get(default) or next(iter(versions.values()), None)

    def generate_output(self, writer: Any) -> None:
        build = Build.of(self)
        build.staff_photo_variants = [v for vs in self._photos.values() for v in vs]
        self._write_pages(writer, build)

    def _write_pages(self, writer: Any, build: Build) -> None:
        siteurl = self.settings.get("SITEURL", "")
        company = build.config.company
        directory_urls = {lang: f"{home}staff/" for lang, home in build.home_urls.items()}
        for lang in build.config.languages:
            people = [p for p in (self.person(pid, lang) for pid in sorted(self.people)) if p]
            write_localized(self, writer, build, "staff_directory", directory_urls, lang,
                            "directory", people=people, PHOTO_DIR=PHOTO_DIR)
        for versions in self.people.values():
            urls = {lang: p.url for lang, p in versions.items()}
            for lang, person in versions.items():
                photo = person.photo
                card = vcard(person.name, person.role, company.get("legal_name") or
                             company["name"], person.email, person.phone,
                             absolute(siteurl, person.url),
                             absolute(siteurl, f"{PHOTO_DIR}/{photo.fallback.jpeg}")
                             if photo else None, lang)
                card_path = os.path.join(self.output_path, save_as(person.url))
                os.makedirs(os.path.dirname(card_path), exist_ok=True)
                with open(os.path.join(os.path.dirname(card_path), f"{person.id}.vcf"), "w",
                          encoding="utf-8", newline="") as handle:
                    handle.write(card)
                write_localized(self, writer, build, "staff_person", urls, lang, "person",
                                person=person, PHOTO_DIR=PHOTO_DIR)


def on_initialized(pelican: Any) -> None:
    build = Build.of(pelican)
    build.add_finalizer(20, publish_photos)
    folder = build.config.staff_dir
    for key in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES"):
        excludes = list(pelican.settings.get(key, []))
        if folder not in excludes:
            pelican.settings[key] = [*excludes, folder]


def on_content_init(content: Any) -> None:
    """No author known yet: given as the post is made, as a name added to every post later
    would cost each one a dict of its own (see :func:`luotsi.multilingual.plugin.attach`)."""
    content.luotsi_author = None


def on_all_generators_finalized(generators: list[Generator]) -> None:
    staff = next((g for g in generators if isinstance(g, StaffGenerator)), None)
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if staff is None or articles is None:
        return
    build = Build.of(staff)
    for article in list(articles.articles) + list(articles.translations):
        author = getattr(article, "author", None)
        if author is None:
            continue
        person = staff.person(author.slug, article.lang)
        if person is None:
            build.find(article.source_path, f"author {author.name!r} has no staff file",
                       f"add {build.config.staff_dir}/{author.slug}/{article.lang}.md, or "
                       f"write the folder name of an existing staff member in Author:",
                       "author")
            continue
        article.luotsi_author = person
        if person.lang == article.lang:
            person.posts.append(article)
    for versions in staff.people.values():
        for person in versions.values():
            person.posts.sort(key=lambda a: a.date, reverse=True)


def publish_photos(build: Build) -> None:
    """The photos made while pages were written, into the output; never the originals."""
    if build.staff_photos is None:
        return
    for source, problem in build.staff_photos.finish().items():
        build.find(source, problem, "use a JPEG or PNG portrait under 40 megapixels")
    images.publish(build.staff_photo_variants, build.staff_photos.cache_dir,
                   os.path.join(build.settings["OUTPUT_PATH"], PHOTO_DIR))
    images.remove_copies(build.staff_photo_sources, build.settings["PATH"],
                         build.settings["OUTPUT_PATH"])


def on_generator_init(generator: Generator) -> None:
    generator.env.globals["LUOTSI_HAS_STAFF"] = True


def on_get_generators(_pelican: Any) -> type[Generator]:
    return StaffGenerator


def register() -> None:
    from ..multilingual.plugin import register as multilingual

    multilingual()  # staff pages are per language: they need the language model
    core.register()
    signals.initialized.connect(on_initialized)
    signals.generator_init.connect(on_generator_init)
    signals.content_object_init.connect(on_content_init)
    signals.get_generators.connect(on_get_generators)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
