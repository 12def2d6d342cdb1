"""Markdown converted exactly as Pelican's :class:`MarkdownReader` converts it, in a worker.

Apart from :mod:`.parallel_reading`, which sends the work: a worker imports the module of
each task it is sent, and importing anything of Pelican's runs Pelican's whole package
(generators, readers, docutils, Jinja), which cost each worker 0.11 s and 18 MB (measured
with ``/usr/bin/time``) for a function that needs nothing but Markdown.
"""

from __future__ import annotations

from typing import Any

from markdown import Markdown

Converted = tuple[str, dict[str, list[str]] | None, dict[str, str]]


def convert_batch(paths: list[str], markdown: dict[str, Any], formatted: frozenset[str]
                  ) -> list[Converted | None]:
    """(HTML, the Meta extension's raw metadata, the HTML of each formatted field's text) of
    each file, as :meth:`MarkdownReader.read` makes them; None where conversion failed."""
    done: list[Converted | None] = []
    for path in paths:
        try:
            md = Markdown(**markdown)
            with open(path, encoding="utf-8-sig") as handle:  # as pelican_open reads it
                content = md.convert(handle.read())
            meta = getattr(md, "Meta", None)
            fields: dict[str, str] = {}
            if meta is not None:
                md.preprocessors.deregister("meta")
                for name, value in meta.items():
                    if name.lower() in formatted:
                        md.reset()
                        joined = "\n".join(value)
                        fields[joined] = md.convert(joined)
            done.append((content, meta, fields))
        except Exception:  # the build reads it again and reports the error
            done.append(None)
    return done
