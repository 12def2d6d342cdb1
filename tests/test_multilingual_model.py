"""The pure translation model, on stand-in items (no Pelican run)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from luotsi.multilingual import model
from luotsi.multilingual.model import translation_key

LANGS = ("fi", "en", "sv", "ja")


@dataclass
class Item:
    lang: str
    url: str
    date: dt.datetime
    translation_key: str = "post"
    title: str = "t"
    source_path: str = "x.md"
    modified: dt.datetime | None = None
    metadata: dict = field(default_factory=dict)


def day(n: int) -> dt.datetime:
    return dt.datetime(2026, 1, n, tzinfo=dt.UTC)


def test_alternates_are_identical_across_a_group_so_links_are_reciprocal():
    group = {"fi": Item("fi", "blog/a/", day(1)), "en": Item("en", "en/blog/a/", day(2)),
             "ja": Item("ja", "ja/blog/エー/", day(3))}
    lists = [model.alternates(item, group, LANGS, "fi") for item in group.values()]
    assert lists[0] == lists[1] == lists[2]
    assert [a.hreflang for a in lists[0]] == ["fi", "en", "ja", "x-default"]
    assert lists[0][-1].url == "blog/a/"  # x-default is the default language's version


def test_x_default_without_default_language_version_is_the_first_listed_language():
    group = {"ja": Item("ja", "ja/x/", day(1)), "en": Item("en", "en/x/", day(5))}
    assert model.alternates(group["ja"], group, LANGS, "fi")[-1].url == "en/x/"


def test_switcher_lands_on_translation_or_on_home_with_notice():
    group = {"fi": Item("fi", "blog/a/", day(1)), "en": Item("en", "en/blog/a/", day(1))}
    homes = {"fi": "", "en": "en/", "sv": "sv/", "ja": "ja/"}
    names = {k: k.upper() for k in homes}
    targets = {t.lang: t for t in model.switcher("en", group, LANGS, names, homes)}
    assert targets["fi"].url == "blog/a/" and targets["fi"].available
    assert targets["en"].current
    assert targets["sv"].url == "sv/#untranslated" and not targets["sv"].available


def test_a_group_s_switchers_share_their_targets_and_differ_only_in_the_current_one():
    """With L languages a group has L members of L targets each; shared, the members hold
    one copy of each target, and each member's list is what it would be alone."""
    group = {"fi": Item("fi", "blog/a/", day(1)), "en": Item("en", "en/blog/a/", day(1)),
             "sv": Item("sv", "sv/blog/a/", day(1))}
    homes = {"fi": "", "en": "en/", "sv": "sv/", "ja": "ja/"}
    names = {k: k.upper() for k in homes}
    shared: dict[model.SwitchTarget, model.SwitchTarget] = {}
    lists = {lang: model.switcher(lang, group, LANGS, names, homes, shared=shared)
             for lang in group}
    for lang, targets in lists.items():
        assert targets == model.switcher(lang, group, LANGS, names, homes)
        assert [t.lang for t in targets if t.current] == [lang]
    assert lists["fi"][1] is lists["sv"][1]  # en, not current on either page
    assert lists["fi"][3] is lists["en"][3]  # ja, not translated: the home page's notice
    assert len({id(t) for targets in lists.values() for t in targets}) == 3 + 4


def test_a_group_s_members_and_sitemap_records_share_one_tuple_of_links():
    group = {"fi": Item("fi", "blog/a/", day(1)), "en": Item("en", "en/blog/a/", day(2))}
    links = model.alternates(group["fi"], group, LANGS, "fi")
    assert links == (("fi", "blog/a/"), ("en", "en/blog/a/"), ("x-default", "blog/a/"))
    assert tuple(links) is links  # what PageRecord keeps (pages.record): no copy


def test_listing_policies():
    groups = {
        "a": {"fi": Item("fi", "a/", day(3), "a"), "en": Item("en", "en/a/", day(3), "a")},
        "b": {"fi": Item("fi", "b/", day(5), "b")},
    }
    fallback = model.listing("en", groups, LANGS, "fi", "fallback")
    assert [(e.item.url, e.fallback) for e in fallback] == [("b/", True), ("en/a/", False)]
    omit = model.listing("en", groups, LANGS, "fi", "omit")
    assert [e.item.url for e in omit] == ["en/a/"]


def test_report_flags_missing_and_stale():
    original = Item("fi", "a/", day(1), modified=day(10))
    fresh = Item("en", "en/a/", day(2), modified=day(11))
    stale = Item("sv", "sv/a/", day(2))
    rows = model.translation_report({"post": {"fi": original, "en": fresh, "sv": stale}},
                                    "post", LANGS, "fi")
    assert rows[0].status == {"fi": "original", "en": "ok", "sv": "stale", "ja": "missing"}
    assert rows[0].missing == ["ja"] and rows[0].stale == ["sv"]


def test_translation_key_from_metadata_folder_or_slug():
    assert translation_key({"translation_key": "k"}, "posts/a/en.md", "en", "s") == "k"
    assert translation_key({}, "/c/posts/husky/en.md", "en", "slug") == "husky"
    assert translation_key({}, "/c/posts/husky-en.md", "en", "husky") == "husky"


def test_a_copy_waiting_for_translation_is_untranslated_and_never_the_original():
    """`luotsi new translation` writes `Untranslated: yes`: the report says so, and even in
    the default language such a copy does not become the version others translate."""
    group = {"fi": Item("fi", "blog/a/", day(3), metadata={"untranslated": "yes"}),
             "en": Item("en", "en/blog/a/", day(1)),
             "sv": Item("sv", "sv/blog/a/", day(1), metadata={"untranslated": "no"})}
    assert model.original_of(group, "fi", LANGS) is group["en"]
    (row,) = model.translation_report({"a": group}, "post", LANGS, "fi")
    assert row.status == {"fi": "untranslated", "en": "original", "sv": "ok",
                          "ja": "missing"}
    assert row.untranslated == ["fi"] and row.missing == ["ja"]
