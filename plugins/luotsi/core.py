"""What every capability needs: a validated build per run, the sitemap, and one place to
finish the build.

Each capability's ``register()`` calls :func:`register` first, so enabling one capability
alone still validates the settings, writes the sitemap and reports findings. Capabilities
that act on the finished output add a finalizer to the build in their own ``initialized``
handler, which runs after this module's (it was connected first).
"""

from __future__ import annotations

import os
from typing import Any

from jinja2 import FileSystemBytecodeCache
from pelican import signals

from . import edited_first, parallel_reading
from .build import Build
from .sitemap import robots_txt, sitemap_xml


def on_initialized(pelican: Any) -> None:
    pelican.luotsi_build = build = Build.begin(pelican.settings)
    # Compiling the theme's templates costs a second per build; keep the compiled code
    # (keyed by each template's source, so an edited template is compiled again).
    jinja = dict(pelican.settings.get("JINJA_ENVIRONMENT") or {})
    if "bytecode_cache" not in jinja:
        folder = os.path.join(build.config.cache_dir, "jinja")
        os.makedirs(folder, exist_ok=True)
        pelican.settings["JINJA_ENVIRONMENT"] = {
            **jinja, "bytecode_cache": FileSystemBytecodeCache(folder)}


def on_run_start(pelican: Any) -> None:
    """``get_generators`` is the first signal of every run; after the first run of this
    Pelican instance (autoreload), start afresh."""
    build = Build.of(pelican)
    if build.finished:
        pelican.luotsi_build = build.renew()


def on_finalized(pelican: Any) -> None:
    build = Build.of(pelican)
    output = pelican.settings["OUTPUT_PATH"]
    siteurl = pelican.settings.get("SITEURL", "")
    with open(os.path.join(output, "sitemap.xml"), "w", encoding="utf-8") as handle:
        handle.write(sitemap_xml(build.pages, siteurl))
    with open(os.path.join(output, "robots.txt"), "w", encoding="utf-8") as handle:
        handle.write(robots_txt(siteurl, [build.config.report_dir + "/", "audit/"]))
    build.finalize()


def register() -> None:
    signals.initialized.connect(on_initialized)
    signals.get_generators.connect(on_run_start)
    signals.finalized.connect(on_finalized)
    parallel_reading.register()
    edited_first.register()
