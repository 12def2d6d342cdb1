"""Theme strings: the template is current and every language translates every string."""

from __future__ import annotations

import subprocess
import sys
from gettext import NullTranslations
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2 import Environment
from luotsi import i18n
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


TEMPLATE = ("{{ _('Home') }}|{{ _('Home') }}|{{ _('a <b> %(x)s', x='<i>') }}|{{ _('100%% sure') }}"
            "|{% trans %}Home{% endtrans %}|{% trans n=3 %}{{ n }} day{% pluralize %}{{ n }} days"
            "{% endtrans %}|{{ ngettext('%(num)d day', '%(num)d days', 2) }}"
            "|{{ ngettext('%(num)d day', '%(num)d days', 1, n=5) }}")


@pytest.mark.parametrize("autoescape", [True, False])
def test_theme_strings_read_as_jinjas_own_gettext_makes_them(autoescape):
    """Luotsi's gettext picks each page's catalog and makes a string without arguments once
    per language; what pages show is what Jinja's newstyle gettext makes, call after call."""
    catalogs = i18n.load_catalogs(TRANSLATIONS_DIR, ("fi", "de"))
    ours = Environment(autoescape=autoescape, extensions=["jinja2.ext.i18n"])
    i18n.install(ours, catalogs)
    for lang in ("fi", "de", "xx"):
        jinjas = Environment(autoescape=autoescape, extensions=["jinja2.ext.i18n"])
        jinjas.install_gettext_translations(catalogs.get(lang, NullTranslations()),
                                            newstyle=True)
        expected = jinjas.from_string(TEMPLATE).render()
        for _ in range(2):  # the second time from what was made the first
            assert ours.from_string(TEMPLATE).render(
                luotsi_lang=lang, DEFAULT_LANG="xx") == expected
    assert ours.from_string("{{ _('Home') }}").render(luotsi_lang="fi") == "Etusivu"
