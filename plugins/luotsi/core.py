"""What every capability needs: a validated build per run, the sitemap, and one place to
finish the build.

Each capability's ``register()`` calls :func:`register` first, so enabling one capability
alone still validates the settings, writes the sitemap and reports findings. Capabilities
that act on the finished output add a finalizer to the build in their own ``initialized``
handler, which runs after this module's (it was connected first).
"""

from __future__ import annotations

import gc
import os
from typing import Any

from jinja2 import FileSystemBytecodeCache
from pelican import signals

from . import edited_first, parallel_reading, quick_exit, summaries
from .build import Build
from .sitemap import robots_txt, sitemap_lines


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
    gc.unfreeze()  # an earlier run that failed before it finished left its objects frozen
    build = Build.of(pelican)
    if build.finished:
        pelican.luotsi_build = build.renew()


def freeze_content(*_: Any) -> None:
    """Everything read and prepared stays alive until the build ends: take it out of the
    cyclic garbage collector's sight while the plugins prepare and the pages are written.

    Done when every generator has read its content (``all_generators_finalized``; this
    handler is connected before the capabilities' own) and again when writing starts
    (``get_writer``, sent once per run after them), for what the capabilities prepared. From
    there each page only adds short-lived objects, yet every full collection walked the
    whole site's content again: about 0.3 s of a 1,000 × 4 rebuild, twice vanilla's, as
    Luotsi keeps more per page. Frozen objects are still freed by reference counting, and
    ``finalized`` hands them back, so a long ``make serve`` session collects each run's
    leftovers as before."""
    gc.freeze()


def renew_workers(generators: list[Any]) -> None:
    """Reading is done: the work sent from here on (share cards, QR codes, the audit) goes to
    a fresh worker once the one that converted Markdown is idle
    (:meth:`~luotsi.background.Background.renew_when_idle`)."""
    if generators:
        Build.of(generators[0]).background.renew_when_idle()


def on_finalized(pelican: Any) -> None:
    build = Build.of(pelican)
    output = pelican.settings["OUTPUT_PATH"]
    siteurl = pelican.settings.get("SITEURL", "")
    with open(os.path.join(output, "sitemap.xml"), "w", encoding="utf-8") as handle:
        handle.writelines(sitemap_lines(build.pages, siteurl))
    with open(os.path.join(output, "robots.txt"), "w", encoding="utf-8") as handle:
        handle.write(robots_txt(siteurl, [build.config.report_dir + "/", "audit/"]))
    build.finalize()
    gc.unfreeze()


def register() -> None:
    signals.initialized.connect(on_initialized)
    signals.get_generators.connect(on_run_start)
    signals.all_generators_finalized.connect(freeze_content)
    signals.all_generators_finalized.connect(renew_workers)
    signals.get_writer.connect(freeze_content)
    signals.finalized.connect(on_finalized)
    parallel_reading.register()
    edited_first.register()
    summaries.register()
    signals.finalized.connect(quick_exit.after_build)
