"""Settings are validated at start-up with a message that says what to do."""

from __future__ import annotations

import re

import pytest
from luotsi.settings import SPECS, SettingsError, load

from .conftest import BASE_SETTINGS, ROOT


def test_defaults_load():
    config = load({"DEFAULT_LANG": "fi", "LUOTSI_COMPANY": BASE_SETTINGS["LUOTSI_COMPANY"]})
    assert config.languages == ("fi",)
    assert config.missing_translation == "fallback"
    assert config.strict is False


@pytest.mark.parametrize(("override", "message"), [
    ({"LUOTSI_LANGUAGES": ["fi", "xx"]}, r"LUOTSI_LANGUAGES = 'xx' is not valid"),
    ({"LUOTSI_LANGUAGES": ["en"]}, r"does not contain DEFAULT_LANG 'fi'"),
    ({"LUOTSI_MISSING_TRANSLATION": "hide"}, r"one of 'fallback', 'omit'"),
    ({"LUOTSI_STRICT": "yes"}, r"expected True or False"),
    ({"LUOTSI_PAGINATON": 5}, r"Unknown setting\(s\) LUOTSI_PAGINATON"),
    ({"LUOTSI_COMPANY": {"name": "X"}}, r"LUOTSI_COMPANY is missing street_address"),
    ({"LUOTSI_COMPANY": {**BASE_SETTINGS["LUOTSI_COMPANY"], "telephone": "040 123"}},
     r"international form"),
    ({"LUOTSI_COMPANY": {**BASE_SETTINGS["LUOTSI_COMPANY"], "country": "Finland"}},
     r"two-letter ISO 3166 country code such as 'FI'"),
    ({"LUOTSI_BOOKING": {"reference_prefix": "rt-"}}, r"capital letters or digits"),
    ({"LUOTSI_BOOKING": {"payment_url": "http://pay.example/"}}, r"https:// address"),
    ({"LUOTSI_BOOKING": {"prefix": "RT"}}, r"keys payment_url, reference_prefix"),
])
def test_bad_values_are_refused_with_a_fix(override, message):
    with pytest.raises(SettingsError, match=message) as info:
        load({"DEFAULT_LANG": "fi", **BASE_SETTINGS, **override})
    assert any(word in str(info.value) for word in ("pelicanconf.py", "add", "check"))


@pytest.mark.parametrize(("name", "prefix"), [
    ("Revontuli Travel", "RT"), ("Saaristo Seikkailut Oy", "SS"), ("Ääni & Valo GmbH", "AV"),
    ("Alpine Adventure Tours Co", "AAT"), ("東京旅行", "BK")])
def test_references_are_prefixed_with_the_companys_initials(name, prefix):
    company = {**BASE_SETTINGS["LUOTSI_COMPANY"], "name": name}
    config = load({"DEFAULT_LANG": "fi", **BASE_SETTINGS, "LUOTSI_COMPANY": company})
    assert config.booking["reference_prefix"] == prefix
    own = load({"DEFAULT_LANG": "fi", **BASE_SETTINGS, "LUOTSI_BOOKING": {
        "reference_prefix": "REV", "payment_url": "https://pay.example/revontuli"}})
    assert own.booking == {"reference_prefix": "REV",
                           "payment_url": "https://pay.example/revontuli"}
    assert load({"DEFAULT_LANG": "fi", **BASE_SETTINGS, "LUOTSI_BOOKING": None}).booking is None


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(LUOTSI_[A-Z_]+)`", readme))
    assert {spec.name for spec in SPECS} <= documented


def test_a_bad_setting_stops_the_build_before_writing(site):
    with pytest.raises(SettingsError, match="LUOTSI_MISSING_TRANSLATION"):
        site.build(LUOTSI_MISSING_TRANSLATION="nope")
    assert not site.output.exists() or not any(site.output.rglob("*.html"))


def test_readme_documents_every_service_setting():
    from luotsi.service.config import DEFAULTS, SECRET_KEYS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_0-9]+)`", readme))
    assert set(DEFAULTS) | set(SECRET_KEYS) <= documented
