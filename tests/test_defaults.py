"""Luotsi's defaults for Pelican's settings: a short configuration builds a whole multilingual
site, a setting the site gives wins and is checked, and the service sees the same values."""

from __future__ import annotations

import pytest
from luotsi import defaults, site_settings
from luotsi.settings import SettingsError
from pelican.settings import DEFAULT_CONFIG

from .conftest import BASE_SETTINGS, build, parse

# The whole configuration of a site: company, languages, URL, theme, plugin (as pelicanconf.py
# would hold it, in about fifteen lines).
SHORT = {key: BASE_SETTINGS[key] for key in
         ("SITEURL", "DEFAULT_LANG", "TIMEZONE", "THEME", "PLUGINS", "LUOTSI_LANGUAGES",
          "LUOTSI_COMPANY")}


def test_the_copy_of_pelicans_defaults_is_current():
    assert {key: DEFAULT_CONFIG[key] for key in defaults.PELICAN_DEFAULTS} == \
        defaults.PELICAN_DEFAULTS


def test_a_short_configuration_builds_the_whole_site(site):
    site.post("posts/lights/fi.md", "Revontulet", "fi")
    site.post("posts/lights/en.md", "Northern lights", "en")
    site.post("posts/lights/ja.md", "オーロラ", "ja")
    site.write("pages/about/fi.md", "Title: Meistä\nLang: fi\nSlug: meista\n\nMe.\n")
    site.write("pages/about/en.md", "Title: About us\nLang: en\nSlug: about\n\nUs.\n")
    site.write("posts/draft/fi.md", "Title: Luonnos\nDate: 2026-05-12\nLang: fi\n"
                                    "Status: draft\n\nKesken.\n")
    run = build(None, site.output, PATH=str(site.content), **SHORT)
    assert run.findings == []
    for path in ("blog/revontulet/index.html", "en/blog/northern-lights/index.html",
                 "ja/blog/オーロラ/index.html", "meista/index.html", "en/about/index.html",
                 "drafts/luonnos/index.html", "en/index.html", "en/feed.atom.xml"):
        assert (site.output / path).is_file(), path
    doc = site.html("en/blog/northern-lights/index.html")
    assert doc.findtext(".//title") == "Northern lights — Fixture Travel"  # SITENAME: company
    assert {link.get("hreflang") for link in doc.xpath("//link[@hreflang]")} == {
        "fi", "en", "ja", "x-default"}
    assert parse(site.output / "en/about/index.html").get("lang") == "en"


def test_a_given_setting_wins_and_its_twin_follows():
    settings = {**DEFAULT_CONFIG, "ARTICLE_URL": "posts/{slug}.html", "PAGE_SAVE_AS":
                "{slug}/index.html", "SLUGIFY_USE_UNICODE": False, "SITENAME": "Own name",
                "LUOTSI_COMPANY": {"name": "Company"}}
    changed = defaults.apply(settings)
    assert settings["ARTICLE_URL"] == "posts/{slug}.html"
    assert settings["ARTICLE_SAVE_AS"] == "posts/{slug}.html"  # from the URL given
    assert settings["PAGE_URL"] == "{slug}/"  # from the SAVE_AS given
    assert settings["ARTICLE_LANG_URL"] == "{lang}/blog/{slug}/"  # not given: Luotsi's
    assert settings["SLUGIFY_USE_UNICODE"] is True  # False is Pelican's default: not given
    assert settings["SITENAME"] == "Own name"
    assert "ARTICLE_URL" not in changed and "SITENAME" not in changed


@pytest.mark.parametrize(("given", "message"), [
    ({"ARTICLE_URL": "posts/{slug}/", "ARTICLE_SAVE_AS": "posts/{slug}.html"},
     r"ARTICLE_SAVE_AS = 'posts/\{slug\}.html' does not match ARTICLE_URL = 'posts/\{slug\}/'"
     r".*Set ARTICLE_SAVE_AS = 'posts/\{slug\}/index.html'"),
    ({"PAGE_LANG_URL": "info/{slug}/"},
     r"PAGE_LANG_URL = 'info/\{slug\}/' has no \{lang\}.*'\{lang\}/\{slug\}/'"),
    ({"ARTICLE_URL": "/blog/{slug}/"}, r"no leading /"),
    ({"SLUGIFY_USE_UNICODE": "yes"}, r"SLUGIFY_USE_UNICODE = 'yes' is not valid"),
])
def test_a_given_setting_that_breaks_links_is_refused_with_the_fix(given, message):
    with pytest.raises(SettingsError, match=message):
        defaults.apply({**DEFAULT_CONFIG, **given})


def test_a_bad_url_setting_stops_the_build_before_writing(site):
    site.post("posts/a/fi.md", "Eka", "fi")
    with pytest.raises(SettingsError, match="ARTICLE_LANG_URL"):
        build(None, site.output, PATH=str(site.content), ARTICLE_LANG_URL="{slug}/", **SHORT)
    assert not list(site.output.rglob("*.html"))


def test_the_service_reads_the_values_the_build_uses(tmp_path):
    conf = tmp_path / "pelicanconf.py"
    conf.write_text("".join(f"{key} = {value!r}\n" for key, value in SHORT.items()
                            if key not in ("THEME",)), encoding="utf-8")
    values = site_settings.read(str(conf))
    assert values["SITENAME"] == SHORT["LUOTSI_COMPANY"]["name"]
    assert values["ARTICLE_LANG_URL"] == "{lang}/blog/{slug}/"
