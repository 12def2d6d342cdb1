"""Theme strings: the template is current and every language translates every string."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from luotsi.theme_path import THEME_DIR, TRANSLATIONS_DIR

from .conftest import ROOT


def msgids(path) -> set[str]:
    with open(path, "rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def test_pot_matches_the_templates(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F",
                    str(ROOT / "babel.cfg"), "--no-location", "-o", str(fresh),
                    f"{THEME_DIR}/templates", str(ROOT / "plugins/luotsi/forms"),
                    str(ROOT / "plugins/luotsi/service")],
                   check=True, capture_output=True)
    assert msgids(fresh) == msgids(f"{TRANSLATIONS_DIR}/messages.pot"), \
        "run 'make translations' and translate the new strings"


def test_every_language_translates_every_string():
    expected = msgids(f"{TRANSLATIONS_DIR}/messages.pot")
    for lang in ("fi", "sv", "de", "ja"):
        with open(f"{TRANSLATIONS_DIR}/{lang}/LC_MESSAGES/messages.po", "rb") as handle:
            catalog = read_po(handle)
        untranslated = {m.id for m in catalog if m.id and not m.string}
        assert not untranslated, (lang, untranslated)
        assert {m.id for m in catalog if m.id} == expected, lang
