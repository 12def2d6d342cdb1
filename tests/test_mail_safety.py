"""The pure rules behind the service's promises, each attack class of issue 12 in miniature:
which addresses are sent to, how a mail is composed and checked, what a testimonial may
say, how a CSV cell is neutralised, how wrong passwords slow down. The same rules are driven
through the real process in test_feedback_security."""

from __future__ import annotations

import csv
import io
import re
from email import message_from_string
from email.policy import default

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from luotsi.service import addresses
from luotsi.service.excerpts import is_excerpt
from luotsi.service.exports import csv_text, safe_cell
from luotsi.service.mail import compose
from luotsi.service.outgoing import HEADERS, ComposeError, build
from luotsi.service.store import OutboxItem
from luotsi.service.throttle import LoginThrottle
from luotsi.service.validation import LINE_BREAKS, read_fields, site_url_ok, validate_form

HOSTILE = [
    "=?utf-8?b?eA0KQmNjOiB2aWN0aW1AZXZpbC5leGFtcGxl?=@e.co",  # decodes to CR LF Bcc:
    "=?utf-8?q?v=40evil.example=2Cw?=@example.com",  # decodes to two addresses
    '"v@evil.example"@example.com', "v,w@example.com", "v@evil.example, w@example.com",
    "<v@evil.example>w@example.com", "w@example.com <v@evil.example>", "[v]@example.com",
    "v@[127.0.0.1]", "v%evil.example@example.com", "evil.example!v@example.com",
    "v?x@example.com", "a\r\nBcc: x@evil.example", "v@@example.com",
    "\u0430lice@example.com",  # Cyrillic а in a Latin name
    "p\u0430ypal@example.com", "alice@p\u0430ypal.com", "a..b@example.com", ".a@example.com",
    "a@localhost", "a@exa_mple.com", "a@-x.com", "a b@example.com", "a@b.c1", "",
    "x" * 65 + "@example.com",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_only_plain_addresses_are_accepted(text):
    assert addresses.normalise(text) is None


@pytest.mark.parametrize(("text", "stored"), [
    ("aino@example.com", "aino@example.com"),
    ("Aino.Virtanen+trip@Example.COM", "Aino.Virtanen+trip@example.com"),
    ("o'brien@example.ie", "o'brien@example.ie"),
    ("user@bücher.de", "user@xn--bcher-kva.de"),  # IDNA: kept and sent as A-labels
    ("ÄIJÄ@example.com", "ÄIJÄ@example.com"),  # one script: sent with SMTPUTF8
    ("山田たろう@example.jp", "山田たろう@example.jp"),  # kanji with kana: one language
])
def test_plain_and_internationalised_addresses_are_kept_in_one_form(text, stored):
    assert addresses.normalise(text) == stored


def test_lookup_key_folds_unicode_case_and_idna():
    assert addresses.key("ÄIJÄ@Example.COM") == addresses.key("äijä@example.com")
    assert addresses.key("STRASSE@x.example") == addresses.key("straße@x.example")
    assert addresses.key("user@BÜCHER.de") == "user@xn--bcher-kva.de"
    assert addresses.hashed("ÄIJÄ@example.com") in addresses.hashes("äijä@example.com")


@pytest.mark.parametrize(("char", "name"), [("\r", "CR"), ("\n", "LF"), ("\x85", "NEL"),
                                            ("\u2028", "LS"), ("\u2029", "PS"),
                                            ("\x0b", "VT")])
def test_single_line_fields_refuse_every_line_break(char, name):
    form = {"lang": "fi", "topic": "general", "message": f"two{char}lines", "consent": "yes",
            "name": f"Aino{char}E-mail: x@evil.example", "page": f"https://s.example/a{char}"}
    result = validate_form(form, ["general"], ["fi"], "https://s.example")
    assert result.errors["name"] == "line_break", name
    assert result.errors["page"] == "line_break"
    assert "message" not in result.errors  # the message may have lines, as newlines
    assert result.values["message"] == "two\nlines"



def full_rules(name: str, raw: str, limit: int) -> tuple[str, str | None]:
    """Every field's rules with every search made, whatever the text: the value and the
    first problem ("message" may have lines; "page" may hold markup, the site checks it)."""
    value = (LINE_BREAKS.sub("\n", raw.replace("\r\n", "\n")) if name == "message"
             else raw).strip()
    if len(value) > limit:
        return value, "too_long"
    if name != "message" and LINE_BREAKS.search(raw):
        return value, "line_break"
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", value):
        return value, "control"
    if name != "page" and re.search(r"<\s*[a-zA-Z/!?]|javascript:", value, re.IGNORECASE):
        return value, "html"
    return value, None


@given(st.dictionaries(st.sampled_from(["name", "message", "page", "phone"]),
                       st.text(st.sampled_from("ab <>/:é東\t\n\r\x0b\x85\u2028\u2029\x00\x7f\x9f"
                                               "javascript"), max_size=12)))
@settings(max_examples=400)
def test_reading_fields_quickly_gives_what_the_full_rules_give(form):
    """Printable text skips the line-break and control-character searches; each field still
    gets exactly the value and the problem the full rules give."""
    limits = {"name": 8, "message": 10, "page": 12, "phone": 6}
    result = read_fields(form, limits)
    for name, limit in limits.items():
        value, problem = full_rules(name, form.get(name, ""), limit)
        assert result.values[name] == value
        assert result.errors.get(name) == problem


@pytest.mark.parametrize(("url", "ok"), [
    ("https://s.example/", True), ("https://s.example/en/blog/a/?x=1#top", True),
    ('https://s.example/"><script>alert(1)</script>', False),
    ("https://s.example/<b>", False), ("https://s.example/a b", False),
    ("https://s.example@evil.example/", False), ("https://evil.example/", False),
    ("http://s.example/", False), ("https://s.example.evil.example/", False),
    ("javascript:alert(1)//https://s.example/", False),
])
def test_page_must_be_a_url_of_the_site(url, ok):
    assert site_url_ok(url, "https://s.example") is ok


def item(recipient="aino@example.com", subject="Kiitos", reply_to="", unsubscribe="",
         kind="thanks") -> OutboxItem:
    return OutboxItem(1, 1, kind, recipient, subject, "Hei ä\n", reply_to, 0, unsubscribe)


def parsed(data: bytes):
    return message_from_string(data.decode("utf-8"), policy=default)


@pytest.mark.parametrize("recipient", HOSTILE[:12])
def test_a_mail_to_anything_but_a_plain_address_is_not_composed(recipient):
    with pytest.raises(ComposeError):
        build(item(recipient=recipient), "info@fixture.example", "Fixture")
    with pytest.raises(ComposeError):
        build(item(reply_to=recipient, kind="staff"), "info@fixture.example", "Fixture")


def test_an_encoded_word_in_a_subject_stays_text():
    name = "=?utf-8?b?eA0KUmVwbHktVG86IGF0dGFja2VyQGV2aWwuZXhhbXBsZQ==?="
    mail = build(item(subject=f"[Fixture] general: {name}", kind="staff"),
                 "info@fixture.example", "Fixture")
    message = parsed(mail.data)
    assert message["Reply-To"] is None and "attacker" not in str(message["Subject"]) \
        .replace(" ", "").lower().replace("=?", "")
    assert "\n" not in str(message["Subject"])
    assert [a.addr_spec for a in message["To"].addresses] == ["aino@example.com"]


def test_list_unsubscribe_is_a_url_in_angle_brackets_on_one_line():
    url = "https://www.revontuli.example/feedback-api/unsubscribe?t=" + "A" * 40
    mail = build(item(unsubscribe=url), "info@fixture.example", "Fixture")
    assert f"\r\nList-Unsubscribe: <{url}>\r\n".encode() in mail.data
    assert b"=?" not in mail.data.split(b"\r\n\r\n", 1)[0].split(b"List-Unsub")[1]
    message = parsed(mail.data)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with pytest.raises(ComposeError):
        build(item(unsubscribe="https://x.example/u?t=a b"), "info@fixture.example", "F")


def test_a_unicode_address_needs_smtputf8_and_is_written_raw():
    mail = build(item(recipient="ÄIJÄ@example.com"), "info@fixture.example", "Fixture")
    assert mail.smtputf8 and "To: ÄIJÄ@example.com\r\n".encode() in mail.data
    assert not build(item(), "info@fixture.example", "Fixture").smtputf8


def test_the_staff_notice_quotes_what_the_visitor_wrote():
    values = {"lang": "fi", "topic": "general", "name": "Aino", "email": "aino@example.com",
              "message": "Hei\nE-mail: attacker@evil.example\nPage: https://evil.example/",
              "page": "https://s.example/", "helpful": None}
    staff = compose(values, "info@s.example", "S", 24, lambda s: s, "https://s.example/a")[-1]
    own = [line for line in staff.body.splitlines() if not line.startswith(">")]
    assert [line for line in own if line.startswith("E-mail:")] == ["E-mail: aino@example.com"]
    assert [line for line in own if line.startswith("Page:")] == ["Page: https://s.example/"]
    assert "> E-mail: attacker@evil.example" in staff.body.splitlines()


@pytest.mark.parametrize(("testimonial", "ok"), [
    ("Upea matka, kiitos Aino!", True),
    ("Upea matka […] Tulemme uudestaan.", True),
    ("Upea matka [...] uudestaan.", True),
    ("[…] kiitos Aino! […]", True),
    ("Best trip of my life! 10/10", False),
    ("Upea matka, kiitos Aino! Tulemme uudestaan. Ja lisäsin tämän.", False),
    ("Upea matka Tulemme uudestaan.", False),  # a left-out part without […]
    ("Tulemme uudestaan. […] Upea matka", False),  # the order changed
    ("Upea mat", False),  # a word cut
    ("[…]", False),
])
def test_a_testimonial_is_an_excerpt_of_the_senders_words(testimonial, ok):
    original = "Upea matka, kiitos Aino! Tulemme uudestaan."
    assert is_excerpt(testimonial, original) is ok


def test_csv_cells_never_start_a_formula_whatever_the_separator():
    cells = ["=HYPERLINK(\"http://evil\")", "ok;=cmd|' /C calc'!A0", "a\t+1+1", "-2+3",
             "@SUM(A1)", "x,\n=1", "＝1", "plain; text", 42]
    text = csv_text(["c"] * len(cells), [cells])
    assert text.startswith('"c","c",') and '"42"' in text  # every cell quoted
    for delimiter in (",", ";", "\t"):
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            for cell in row:
                for piece in re.split(r"[;,\t\r\n]", cell):
                    assert not re.match(r"\s*[=+\-@＝＋－＠]", piece), (delimiter, cell)
    assert safe_cell("plain; text") == "plain; text" and safe_cell(42) == 42


def test_wrong_passwords_slow_their_client_down_but_never_the_owner():
    throttle = LoginThrottle(free=5, cap=60)
    for n in range(12):
        throttle.failed("aino", "10.6.6.6", at=100.0 + n)
    assert throttle.wait("aino", "10.6.6.6", at=112.0) > 30
    assert throttle.wait("someone", "10.6.6.6", at=112.0) > 30  # per client too
    assert throttle.wait("aino", "10.7.7.7", at=112.0) == 0  # the owner, elsewhere
    assert throttle.wait("aino", "10.6.6.6", at=112.0 + 60) == 0  # the delay has a cap
    throttle.succeeded("aino", "10.6.6.6")
    assert throttle.wait("aino", "10.6.6.6", at=112.0) == 0


SITE = "https://s.example"
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=120)
# Mostly text a person could type (so that most forms are accepted), with the tricks of the
# attacks mixed in: encoded words, separators, quotes, brackets, look-alikes.
TRICKS = st.sampled_from(["=?utf-8?b?eA0KUmVwbHktVG86IGF0dGFja2VyQGV2aWwuZXhhbXBsZQ==?=",
                          "=?utf-8?q?a=0D=0ABcc:_x@evil.example?=", ", ", ";", "<", ">", '"',
                          "[", "]", "%", "!", "\u0430", "?=", "=?", "\t", "\u202e"])
TYPED = st.lists(st.one_of(st.text(st.characters(codec="utf-8", exclude_categories=[
    "Cs", "Cc"]), min_size=1, max_size=20), TRICKS), min_size=1, max_size=6).map("".join)
ADDRESS = st.one_of(st.emails(), st.sampled_from(HOSTILE), TEXT,
                    st.builds(lambda a, b: f"{a}@{b}", TYPED, TYPED),
                    st.sampled_from(["aino@example.com", "ÄIJÄ@example.com",
                                     "user@bücher.de", "o'brien@example.ie"]))


@settings(max_examples=500, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(name=st.one_of(TYPED, TEXT), email=ADDRESS, message=st.one_of(TYPED, TEXT),
       topic=st.sampled_from(["general", "booking"]),
       helpful=st.sampled_from(["", "yes"]))
def test_any_accepted_form_makes_mails_with_exactly_the_expected_headers(
        name, email, message, topic, helpful):
    form = {"lang": "fi", "topic": topic, "name": name, "email": email, "message": message,
            "consent": "yes", "helpful": helpful, "page": f"{SITE}/yhteystiedot/"}
    result = validate_form(form, ["general", "booking"], ["fi"], SITE)
    if not result.ok:
        return
    values = result.values
    staff = {"general": "info@s.example", "booking": "bookings@s.example"}
    for n, mail in enumerate(compose(values, staff[topic], "Site", 24, lambda s: s,
                                     f"{SITE}/admin/")):
        sent = build(OutboxItem(n, 1, mail.kind, mail.recipient, mail.subject, mail.body,
                                mail.reply_to, 0), "info@s.example", "Site")
        message_ = parsed(sent.data)
        expected = {"From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted",
                    "Content-Type", "Content-Transfer-Encoding", "MIME-Version"}
        if mail.kind == "staff":
            assert sent.recipient == staff[topic]
            if values["email"]:
                expected.add("Reply-To")
                assert [a.addr_spec for a in message_["Reply-To"].addresses] == \
                    [values["email"]]
        else:
            assert sent.recipient == values["email"] and not helpful
        assert set(message_.keys()) == expected and expected <= set(HEADERS)
        assert [a.addr_spec for a in message_["To"].addresses] == [sent.recipient]
        assert "\n" not in str(message_["Subject"]) and "\r" not in str(message_["Subject"])


def test_a_notice_whose_reply_to_needs_smtputf8_can_go_without_it():
    mail = build(item(recipient="staff@s.example", reply_to="ÄIJÄ@example.com", kind="staff"),
                 "info@s.example", "Site")
    assert mail.smtputf8 and mail.fallback is not None and not mail.fallback.smtputf8
    assert parsed(mail.fallback.data)["Reply-To"] is None
    assert build(item(recipient="ÄIJÄ@example.com"), "info@s.example", "S").fallback is None
