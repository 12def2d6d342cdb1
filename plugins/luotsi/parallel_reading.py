"""Markdown read on two cores: while the build's own process reads posts from the first one
on, workers convert them from the last one back.

Pelican reads every source file in one process before it writes anything, and on a cold
build of a large site that is seconds during which the machine's other cores sit idle. When
the first post of a generator is about to be read, the Markdown files it will read after it
(those no content cache holds) go to the background pool in batches, the last batch first.
The build reads on from the front; a file whose batch a worker has finished is taken from
there, and a file whose batch is not finished is read here (and its batch cancelled, if no
worker has started it). Build and workers meet wherever their speeds make them meet, and
the build never waits for a worker.

A worker converts each file exactly as Pelican's :class:`MarkdownReader` does, with a fresh
``Markdown`` built from the same ``MARKDOWN`` settings; the build's reader takes the HTML and
the raw metadata from there and turns the metadata into values itself, with Pelican's own
code, so the result is the same byte for byte. A file whose conversion failed in the worker
is read again here, which reports the error as Pelican would.
"""

from __future__ import annotations

import os
import pickle
from concurrent.futures import Future
from typing import Any

from pelican import signals
from pelican.readers import MarkdownReader, Readers
from pelican.utils import file_suffix

from .build import Build, NoBuildError
from .markdown_convert import Converted, convert_batch

# Below this many files to read, starting a worker costs more than it saves.
MIN_FILES = 200
BATCH = 32
# Wait for the workers instead of reading a file whose batch is not done (tests compare
# what the workers made with what the build makes; a small site is read before they start).
WAIT_FOR_WORKERS = False

class _Formatted:
    """Stands in for the ``Markdown`` instance while Pelican's ``_parse_metadata`` runs:
    formatted fields were converted in the worker already."""

    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        self.preprocessors = self

    def deregister(self, name: str) -> None:
        pass

    def reset(self) -> None:
        pass

    def convert(self, text: str) -> str:
        return self.fields[text]


class Prereads:
    """Files sent to a worker, by absolute path: the batch's future and the place in it."""

    def __init__(self, build: Build) -> None:
        self.build = build
        self.pending: dict[str, tuple[Future[list[Converted | None]], int]] = {}
        self.started: set[int] = set()
        self.taken = 0  # files whose conversion came from a worker
        self.sent = 0  # files sent to the workers

    def start(self, generator: Any, paths_setting: str, excludes_setting: str) -> None:
        """Send ``generator``'s Markdown files after the first to the pool (with an empty
        content cache: every file is read)."""
        build = self.build
        if id(generator) in self.started or not build.background.workers:
            return
        self.started.add(id(generator))
        settings = generator.settings
        markdown = settings["MARKDOWN"]
        try:
            pickle.dumps(markdown)
        except Exception:  # extension objects that cannot travel: read here
            return
        readers = generator.readers
        if getattr(readers, "_cache", None) or getattr(generator, "_cache", None):
            # Pelican's content cache holds an earlier build: a rebuild reads little, and
            # looking up every file here would cost more than the workers could save. So
            # every file below is one the build will read.
            return
        files = []
        for name in generator.get_files(settings[paths_setting],
                                        exclude=settings[excludes_setting]):
            path = os.path.abspath(os.path.join(generator.path, name))
            if isinstance(readers.readers.get(file_suffix(path)), PrereadMarkdownReader):
                files.append(path)
        if len(files) < MIN_FILES:
            return
        formatted = frozenset(settings["FORMATTED_FIELDS"])
        later = files[1:]  # the first is being read now
        for end in range(len(later), 0, -BATCH):
            batch = later[max(0, end - BATCH):end]
            future = build.background.submit(convert_batch, batch, markdown, formatted)
            self.sent += len(batch)
            for index, path in enumerate(batch):
                self.pending[path] = (future, index)

    def take(self, path: str) -> Converted | None:
        """The worker's conversion of ``path`` if it is done, or None: read it here."""
        sent = self.pending.pop(path, None)
        if sent is None:
            return None
        future, index = sent
        if not future.done() and not WAIT_FOR_WORKERS:
            future.cancel()  # the build has caught up with the workers: no use for it
            return None
        try:
            done = future.result()[index]
        except Exception:  # a worker that died: read it here
            return None
        self.taken += done is not None
        return done


class PrereadMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, taking a worker's conversion where there is one."""

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        prereads = _prereads(self.settings)
        done = prereads.take(source_path) if prereads is not None else None
        if done is None:
            return super().read(source_path)
        content, meta, fields = done
        self._source_path = source_path
        self._md = _Formatted(fields)
        return content, self._parse_metadata(meta) if meta is not None else {}


def _prereads(holder: Any) -> Prereads | None:
    try:
        build = Build.of(holder)
    except NoBuildError:
        return None
    if build.prereads is None:
        build.prereads = Prereads(build)
    return build.prereads


def on_readers_init(readers: Readers) -> None:
    """Put the preread-aware reader where Pelican's own Markdown reader is (and only
    there: a site's own Markdown reader is left alone)."""
    if _prereads(readers) is None:
        return
    for ext, reader_class in list(readers.reader_classes.items()):
        if reader_class is MarkdownReader:
            readers.reader_classes[ext] = PrereadMarkdownReader


def on_articles_preread(generator: Any) -> None:
    prereads = _prereads(generator)
    if prereads is not None:
        prereads.start(generator, "ARTICLE_PATHS", "ARTICLE_EXCLUDES")


def on_pages_preread(generator: Any) -> None:
    prereads = _prereads(generator)
    if prereads is not None:
        prereads.start(generator, "PAGE_PATHS", "PAGE_EXCLUDES")


def register() -> None:
    signals.readers_init.connect(on_readers_init)
    signals.article_generator_preread.connect(on_articles_preread)
    signals.page_generator_preread.connect(on_pages_preread)
