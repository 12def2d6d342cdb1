"""Where the bundled theme lives, for ``THEME = luotsi.THEME`` in pelicanconf.py."""

import os

THEME_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "theme")
TRANSLATIONS_DIR = os.path.join(THEME_DIR, "translations")
TEMPLATES_DIR = os.path.join(THEME_DIR, "templates")
