"""``luotsi new …`` writes files that build, ``luotsi status`` says what is left, and a
translation waiting for its translator is reported as untranslated everywhere."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from .conftest import parse
from .new_site import init_site, luotsi, make


def header(path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    return dict(line.split(": ", 1) for line in text.split("\n\n", 1)[0].splitlines())


@pytest.mark.slow
def test_each_new_file_builds_and_status_lists_what_is_left(tmp_path):
    site = init_site(tmp_path / "site")
    content = site / "content"
    today = dt.datetime.now(ZoneInfo("Europe/Helsinki")).date().isoformat()

    post = luotsi("new", "post", "Kajakilla saariston halki", cwd=site)
    assert post.returncode == 0, post.stderr
    path = content / "posts/kajakilla-saariston-halki/fi.md"
    assert f"Wrote {path.relative_to(site)}" in post.stdout
    fields = header(path)
    assert fields["Date"].startswith(today) and fields["Lang"] == "fi"
    assert fields["Category"] == "Uutiset"  # the newest Finnish post's
    assert fields["Author"] == "owner"  # the only person on the staff
    assert fields["Summary"].startswith("TODO:")

    staff = luotsi("new", "staff", "Aino Korhonen", "--lang", "en", cwd=site)
    assert staff.returncode == 0, staff.stderr
    assert "Author: aino-korhonen" in staff.stdout
    person = header(content / "staff/aino-korhonen/en.md")
    assert person["Email"] == "info@saaristo.example" and person["Role"].startswith("TODO:")
    assert (content / "staff/aino-korhonen/photo.jpg").is_file()

    english = luotsi("new", "post", "Kayaking the archipelago", "--lang", "en",
                     "--author", "aino-korhonen", "--category", "Trips", cwd=site)
    assert english.returncode == 0, english.stderr
    assert header(content / "posts/kayaking-the-archipelago/en.md")["Author"] == "aino-korhonen"
    unknown = luotsi("new", "post", "Other", "--author", "nobody", cwd=site)
    assert unknown.returncode == 2 and "there is no staff member 'nobody'" in unknown.stderr
    several = luotsi("new", "post", "Third", "--lang", "sv", cwd=site)
    assert "Author: TODO: the writer's folder name in staff/ (aino-korhonen, owner)" in \
        (content / "posts/third/sv.md").read_text(encoding="utf-8"), several.stderr

    trip = luotsi("new", "trip", "Auringonlaskun melontaretki", cwd=site)
    assert trip.returncode == 0, trip.stderr
    assert header(content / "trips/auringonlaskun-melontaretki/fi.md")["Price"] == "0"

    translation = luotsi("new", "translation", "content/posts/kajakilla-saariston-halki/fi.md",
                         "--lang", "sv", cwd=site)
    assert translation.returncode == 0, translation.stderr
    copy = (content / "posts/kajakilla-saariston-halki/sv.md").read_text(encoding="utf-8")
    assert copy.startswith("Title: Kajakilla saariston halki\nDate: ")
    assert "\nLang: sv\nUntranslated: yes\n" in copy and "Author: owner" in copy
    assert "TODO: translate into Swedish" in copy and "\n> TODO: write the post." in copy
    again = luotsi("new", "translation", "content/posts/kajakilla-saariston-halki/fi.md",
                   "--lang", "sv", cwd=site)
    assert again.returncode == 2 and "already exists" in again.stderr
    wrong = luotsi("new", "trip", "Retki", "--lang", "de", cwd=site)
    assert wrong.returncode == 2
    assert "language 'de' is not one of the site's (fi, en, sv)" in wrong.stderr

    built = make(site, "html")
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr
    output = site / "output"
    for page in ("blog/kajakilla-saariston-halki/index.html",
                 "sv/blog/kajakilla-saariston-halki/index.html",
                 "en/blog/kayaking-the-archipelago/index.html",
                 "en/staff/aino-korhonen/index.html",
                 "trips/auringonlaskun-melontaretki/index.html"):
        assert (output / page).is_file(), page
    byline = parse(output / "en/blog/kayaking-the-archipelago/index.html").xpath(
        "//a[@rel='author']/@href")
    assert byline == ["http://127.0.0.1:8000/en/staff/aino-korhonen/"]
    assert "1 untranslated" in " ".join(built.stdout.split())  # the build log's summary

    report = json.loads((output / "translation-report/report.json").read_text())
    item = next(i for i in report["items"] if i["key"] == "kajakilla-saariston-halki")
    assert item["status"] == {"fi": "original", "en": "missing", "sv": "untranslated"}
    assert item["untranslated"] == ["sv"] and report["summary"]["untranslated"] == 1
    cells = parse(output / "translation-report/index.html").xpath("//td[@class='s-untranslated']")
    assert [c.text_content() for c in cells] == ["ei vielä käännetty"]  # the report is in fi

    status = luotsi("status", cwd=site)
    assert status.returncode == 1
    assert "Translations: 12 items, " in status.stdout and ", 1 untranslated, " in status.stdout
    assert ("kajakilla-saariston-halki (post, original fi): missing en; untranslated sv"
            in status.stdout)
    assert ("content/posts/kajakilla-saariston-halki/sv.md (sv/blog/kajakilla-saariston-halki/)"
            ": write what “TODO: translate into Swedish" in status.stdout)
    assert ("content/trips/auringonlaskun-melontaretki/fi.md "
            "(trips/auringonlaskun-melontaretki/): write what “TODO: describe the trip"
            in status.stdout)
    assert "Not ready to publish" in status.stdout
