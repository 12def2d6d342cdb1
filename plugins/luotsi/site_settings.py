"""A site's ``pelicanconf.py`` read the way Pelican reads it, without importing Pelican.

The feedback service must know the site's languages, topics, company and URLs, and must
agree with the build about them; reading the same file is how it agrees. Pelican itself is
a build tool the service does not need at run time, so this reads the file as Pelican does
(the module's upper-case names, with the site's folder importable) and fills in the few
Pelican defaults the service relies on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from . import defaults

# Pelican's defaults for the settings the service reads.
PELICAN_DEFAULTS: dict[str, Any] = {"DEFAULT_LANG": "en", "SITENAME": "A Pelican Blog",
                                    "SITEURL": "", "TIMEZONE": "UTC"}


def read(path: str, override: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The upper-case settings of the file at ``path``, over Pelican's defaults.

    As with Pelican, the current folder is importable while the file runs (``publishconf.py``
    does ``from pelicanconf import *``), and so is the file's own folder."""
    import runpy

    folder = os.path.dirname(os.path.abspath(path))
    added = [entry for entry in (folder, "") if entry not in sys.path]
    sys.path[:0] = added
    try:
        namespace = runpy.run_path(path, run_name=os.path.splitext(os.path.basename(path))[0])
    finally:
        for entry in added:
            sys.path.remove(entry)
    values = {**PELICAN_DEFAULTS,
              **{key: value for key, value in namespace.items() if key.isupper()}}
    values.update(override or {})
    defaults.apply(values)  # as the build does at `initialized` (the site's name, …)
    return values
