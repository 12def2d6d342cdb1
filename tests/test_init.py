"""``luotsi init``: a new site from a few answers, built with its own Makefile, checked like the
demo, blocked from publishing by its TODOs, and published at audit score 100 once they are
written; answers are checked before anything is written, interactively too."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from luotsi.authoring import starter
from PIL import Image

from .conftest import ROOT, parse
from .new_site import ANSWERS, LANGUAGES, VENV, fill_todos, init_site, luotsi, make
from .site_checks import check_hreflang, check_jsonld, check_sitemap

DEV_SITEURL = "http://127.0.0.1:8000"
POLICY_PAGES = ("about", "contact", "privacy", "booking-terms", "cancellation", "faq")


@pytest.mark.slow
def test_a_new_site_builds_checks_like_the_demo_and_publishes_once_written(tmp_path):
    site = init_site(tmp_path / "saaristo")
    conf = (site / "pelicanconf.py").read_text(encoding="utf-8")
    assert "ARTICLE_URL" not in conf and "SLUGIFY" not in conf  # Luotsi's defaults
    assert len(conf.splitlines()) < 50
    lint = subprocess.run([str(VENV / "bin" / "ruff"), "check", "--no-cache", "--config",
                           str(ROOT / "pyproject.toml"), "pelicanconf.py", "publishconf.py"],
                          cwd=site, capture_output=True, text=True)  # this project's rules
    assert lint.returncode == 0, lint.stdout

    built = make(site, "html")
    assert built.returncode == 0, built.stderr
    output = site / "output"
    assert len(check_hreflang(output, DEV_SITEURL, LANGUAGES)) > 30
    assert len(check_sitemap(output, DEV_SITEURL)) > 20
    assert len(check_jsonld(output)) > 30
    head = parse(output / "en/contact/index.html").xpath("//head/link[@rel='stylesheet']/@href")
    assert [h.rsplit("/", 1)[1] for h in head] == ["luotsi.css", "brand.css"]
    assert (output / "theme/css/brand.css").read_text() == \
        (site / "theme/static/css/brand.css").read_text()

    report = json.loads((output / "audit/report.json").read_text(encoding="utf-8"))
    assert report["findings"] and {f["check"] for f in report["findings"]} == {"todo"}
    todo_pages = {f["page"] for f in report["findings"]}
    for page in POLICY_PAGES:  # every policy page, in every language, asks for facts
        for lang in LANGUAGES:
            url = parse(output / "en" / page / "index.html").xpath(
                f"//link[@hreflang='{lang}']/@href")[0].removeprefix(DEV_SITEURL + "/")
            assert f"{url}index.html" in todo_pages, (page, lang)
    status = luotsi("status", cwd=site)
    assert status.returncode == 1, status.stdout + status.stderr
    assert "Content: 0 finding(s)" in status.stdout
    assert f"TODO left in the text: {len(report['findings'])}" in status.stdout
    assert "content/pages/contact/en.md (en/contact/): write what “TODO: your opening hours" \
        in status.stdout
    refused = make(site, "publish")
    assert refused.returncode != 0
    assert "trust audit score" in refused.stdout and "TODO left in the text" in refused.stdout

    assert fill_todos(site) > 3 * len(POLICY_PAGES)
    published = make(site, "publish")
    assert published.returncode == 0, published.stderr
    report = json.loads((output / "audit/report.json").read_text(encoding="utf-8"))
    assert report["score"] == 100 and report["findings"] == []
    assert "https://www.saaristo.example/en/contact/" in (output / "sitemap.xml").read_text()
    assert (site / "deploy/nginx.conf").is_file()
    checked = make(site, "test")
    assert checked.returncode == 0 and "Ready to publish." in checked.stdout, checked.stdout
    (site / "content/pages/faq/sv.md").unlink()  # a missing translation blocks only on demand
    assert luotsi("status", cwd=site).returncode == 0
    required = luotsi("status", "--require-translations", cwd=site)
    assert required.returncode == 1 and "faq (page, original fi): missing sv" in required.stdout


def test_the_starter_is_written_in_every_language(tmp_path):
    """The theme's languages get their own texts; any other language the English ones, as
    copies waiting for translation. The staff photo is a placeholder without metadata."""
    site = init_site(tmp_path / "site", languages="de,ja,et", country="Germany")
    conf = (site / "pelicanconf.py").read_text(encoding="utf-8")
    assert 'TIMEZONE = "Europe/Berlin"' in conf and '"country": "DE"' in conf
    assert "LUOTSI_CURRENCY" not in conf  # euros: Luotsi's default
    de = (site / "content/pages/privacy/de.md").read_text(encoding="utf-8")
    assert de.startswith("Title: Datenschutzerklärung\nLang: de\n") and "Deutschland" in de
    assert "TODO:" in de and "Untranslated" not in de
    ja = (site / "content/posts/welcome/ja.md").read_text(encoding="utf-8")
    assert "Lang: ja" in ja and "新しいウェブサイト" in ja
    et = (site / "content/pages/faq/et.md").read_text(encoding="utf-8")
    assert "Lang: et\nUntranslated: yes\n" in et and "TODO: translate into Estonian" in et
    assert "> ## What should I wear?" in et
    for lang in ("de", "ja", "et"):
        for target in starter.CONTENT.values():
            assert (site / target.format(lang=lang)).is_file(), (lang, target)
    with Image.open(site / f"content/staff/{starter.STAFF_ID}/photo.jpg") as photo:
        assert photo.format == "JPEG" and photo.size == (960, 960)
        assert not photo.getexif() and "icc_profile" not in photo.info
    assert set(starter.TRANSLATED) == {"fi", "en", "sv", "de", "ja"}


def test_a_folder_with_files_is_refused_and_force_adds_only_what_is_missing(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "pelicanconf.py").write_text("# mine\n", encoding="utf-8")
    flags = [part for item in ANSWERS.items() for part in item]
    refused = luotsi("init", str(site), *flags, "--yes")
    assert refused.returncode == 2
    assert f"{site} already holds files (pelicanconf.py)" in refused.stderr
    assert "--force" in refused.stderr and sorted(p.name for p in site.iterdir()) == [
        "pelicanconf.py"]
    merged = luotsi("init", str(site), *flags, "--yes", "--force")
    assert merged.returncode == 0, merged.stderr
    assert "kept 1 that were there: pelicanconf.py" in merged.stdout
    assert (site / "pelicanconf.py").read_text() == "# mine\n"
    assert (site / "content/pages/about/fi.md").is_file()


def test_bad_answers_as_flags_are_all_listed_and_nothing_is_written(tmp_path):
    site = tmp_path / "site"
    done = luotsi("init", str(site), *[part for item in {
        **ANSWERS, "--phone": "02 555 0100", "--email": "info@", "--languages": "fi,xx",
        "--site-url": "www.saaristo.example", "--country": "Suomi"}.items() for part in item],
        "--yes")
    assert done.returncode == 2
    assert "nothing was written" in done.stderr
    for expected in ("--phone '02 555 0100' is not valid: expected a phone number in "
                     "international form, e.g. '+358 40 123 4567'.",
                     "--email 'info@' is not valid: expected an e-mail address",
                     "--languages 'fi,xx' is not valid: expected a language code Babel knows "
                     "(not 'xx')",
                     "--site-url 'www.saaristo.example' is not valid: expected an absolute "
                     "address such as 'https://www.example.com'",
                     "--country 'Suomi' is not valid: expected a two-letter ISO 3166 country "
                     "code"):
        assert expected in done.stderr, done.stderr
    assert not site.exists()
    missing = luotsi("init", str(site), "--yes")
    assert missing.returncode == 2 and "--company is needed" in missing.stderr
    assert not site.exists()


def test_interactive_questions_ask_again_after_a_bad_answer(tmp_path):
    """In a real terminal (pexpect): each bad answer gets the fix and the question again."""
    site = tmp_path / "site"
    child = pexpect.spawn(sys.executable, ["-m", "luotsi.cli", "init", str(site)],
                          encoding="utf-8", timeout=60, dimensions=(50, 200))
    answers = [  # (the question, answers in turn: bad ones first, "" takes the default)
        ("Company name", ["", "Saaristo Seikkailut"]),
        ("Legal name, as in the trade register [Saaristo Seikkailut]", ["Saaristo Seikkailut Oy"]),
        ("Web address", ["www.saaristo.example", "https://www.saaristo.example/"]),
        ("Languages of the site, the main language first (e.g. fi, en, sv) [en]",
         ["fi, xx", "fi, sv"]),
        ("Street address", ["Rantatie 4"]),
        ("Postal code", ["21660"]),
        ("Town", ["Nauvo"]),
        ("Country", ["Suomi", "finland"]),
        ("Time zone of the office [Europe/Helsinki]", ["Mars/Olympus", ""]),
        ("Phone number", ["02 555 0100", "+358 2 555 0100"]),
        ("E-mail address for customers", ["info@saaristo", "info@saaristo.example"]),
        ("Feedback topics", ["booking=bookings@", "general, booking=bookings@saaristo.example"]),
    ]
    for question, replies in answers:
        for number, reply in enumerate(replies):
            child.expect_exact(question)
            child.expect_exact(": ")
            child.sendline(reply)
            if number < len(replies) - 1:
                child.expect(r"is not valid: expected [^\r\n]+ Please answer again\.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    conf = (site / "pelicanconf.py").read_text(encoding="utf-8")
    assert 'LUOTSI_LANGUAGES = ["fi", "sv"]' in conf
    assert '"legal_name": "Saaristo Seikkailut Oy"' in conf and '"country": "FI"' in conf
    assert 'TIMEZONE = "Europe/Helsinki"' in conf
    assert re.search(r'"general": "info@saaristo.example",\s+"booking": '
                     r'"bookings@saaristo.example"', conf)
    assert 'SITEURL = os.environ.get("LUOTSI_SITEURL", "https://www.saaristo.example")' in \
        (site / "publishconf.py").read_text(encoding="utf-8")


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_brand_colours_keep_text_readable():
    """Each brand variable is set and explained; text on each colour, and the accent as text
    on the white page, keep WCAG AA contrast (4.5:1)."""
    css = (Path(starter.FOLDER) / "site/theme/static/css/brand.css").read_text()
    values = dict(re.findall(r"/\*[^*]+\*/\s*--([a-z-]+):\s*([^;]+);", css))
    assert set(values) == {"brand", "brand-contrast", "accent", "accent-contrast",
                           "font-body", "font-heading"}
    for background, text in (("brand", "brand-contrast"), ("accent", "accent-contrast")):
        assert _contrast(values[background], values[text]) >= 4.5, background
    assert _contrast(values["accent"], "#ffffff") >= 4.5
