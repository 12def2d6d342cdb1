"""What every capability needs: a validated run per build and one place to finish it.

Each capability's ``register()`` calls :func:`register` first, so enabling one capability
alone still validates the settings, writes the sitemap and reports findings.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from pelican import signals

from . import run as runs
from .sitemap import robots_txt, sitemap_xml

Finalizer = Callable[[runs.Run], None]
_finalizers: list[Finalizer] = []


def add_finalizer(func: Finalizer) -> None:
    """Run ``func`` once the whole output exists, before findings are reported."""
    if func not in _finalizers:
        _finalizers.append(func)


def on_initialized(pelican: Any) -> None:
    runs.begin(pelican.settings)


def on_finalized(pelican: Any) -> None:
    run = runs.current(pelican.settings)
    output = pelican.settings["OUTPUT_PATH"]
    siteurl = pelican.settings.get("SITEURL", "")
    with open(os.path.join(output, "sitemap.xml"), "w", encoding="utf-8") as handle:
        handle.write(sitemap_xml(run.pages, siteurl))
    with open(os.path.join(output, "robots.txt"), "w", encoding="utf-8") as handle:
        handle.write(robots_txt(siteurl, [run.config.report_dir + "/", "audit/"]))
    for func in _finalizers:
        func(run)
    run.finish()


def register() -> None:
    signals.initialized.connect(on_initialized)
    signals.finalized.connect(on_finalized)
