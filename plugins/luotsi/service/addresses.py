"""E-mail addresses the service sends to: one plain ``local@domain``, in one script.

An address a visitor types ends up in ``To:``, ``Reply-To:`` and the SMTP envelope, where the
email package and mail programs decode RFC 2047 encoded words, split at commas and honour
quotes, angle brackets, domain literals and source routes (``%``, ``!``): each a way to send
our mail somewhere else, or to make it impossible to compose. So the only form accepted is a
dot-atom local part without ``%``, ``!`` or ``?`` (no encoded word can be written without
``?``) and a host name.

Internationalised addresses: a domain in Unicode is accepted and kept as its IDNA A-label
(``xn--…``), which every mail server understands. A local part in Unicode is accepted when it
is letters and digits of one script (or a combination a language really writes, such as
Japanese kanji with kana); it is sent with SMTPUTF8 when the mail server offers it, and when
it does not, that mail fails at once with the reason, without delaying any other. Latin
letters mixed with look-alikes from another script (a Cyrillic ``а`` in ``alice``) are
refused.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

import idna

# atext of RFC 5322 without "%" and "!" (source routes) and "?" (encoded words).
_ASCII_ATOM = re.compile(r"[A-Za-z0-9#$&'*+/=^_`{|}~-]+")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
# Scripts that one language writes together (UTS #39, "highly restrictive"); any one script
# alone is always fine.
_TOGETHER = ({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}, {"LATIN", "HAN", "BOPOMOFO"},
             {"LATIN", "HAN", "HANGUL"})
_SCRIPT_NAMES = {"CJK": "HAN", "HALFWIDTH": "KATAKANA", "IDEOGRAPHIC": "HAN"}


def script(char: str) -> str | None:
    """The script of a letter, by the first word of its Unicode name (``CYRILLIC SMALL
    LETTER A``); None for digits, marks and anything else that belongs to every script."""
    if not char.isalpha():
        return None
    first = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
    return _SCRIPT_NAMES.get(first, first)


def single_script(text: str) -> bool:
    """True when the letters of ``text`` come from one script, or from scripts that one
    language writes together."""
    scripts = {s for s in map(script, text) if s}
    return len(scripts) <= 1 or any(scripts <= together for together in _TOGETHER)


def _local_ok(local: str) -> bool:
    if not local or len(local.encode()) > 64 or local.startswith(".") or local.endswith(".") \
            or ".." in local:
        return False
    for atom in local.split("."):
        if atom.isascii():
            if not _ASCII_ATOM.fullmatch(atom):
                return False
        elif not all((c.isascii() and _ASCII_ATOM.fullmatch(c)) or
                     unicodedata.category(c)[0] in "LMN" for c in atom):
            return False
    return single_script(local)


@functools.lru_cache(maxsize=4096)
def ascii_domain(domain: str) -> str | None:
    """The domain as lower-case IDNA A-labels, or None when it is no host name (IP literals,
    one label, invalid IDNA, labels of mixed scripts). Kept for the domains last seen: most
    visitors write one of a few, and IDNA's checks were a fifth of a submission's time."""
    if not domain or domain.startswith("[") or any(not single_script(label)
                                                  for label in domain.split(".")):
        return None
    try:
        encoded = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return None
    labels = encoded.split(".")
    if len(labels) < 2 or len(encoded) > 253 or not all(map(_LABEL.fullmatch, labels)):
        return None
    top = labels[-1]
    return encoded if top.startswith("xn--") or top.isalpha() else None


def normalise(text: str) -> str | None:
    """The address as it is stored and sent (NFC, domain in A-labels), or None when it is
    not one we send to."""
    text = unicodedata.normalize("NFC", text.strip())
    local, at, domain = text.rpartition("@")
    if not at or not _local_ok(local):
        return None
    domain = ascii_domain(domain)
    if domain is None:
        return None
    address = f"{local}@{domain}"
    return address if len(address.encode()) <= 254 else None


def is_address(text: str) -> bool:
    """An address we can send to: a plain addr-spec, see :func:`normalise`."""
    return normalise(text) is not None


def needs_smtputf8(address: str) -> bool:
    return not address.isascii()


def key(text: str) -> str:
    """The form an address is looked up by: Unicode case folding of the local part (SQLite's
    LOWER folds only ASCII), the domain as A-labels. Works on addresses stored before the
    rules above, so that old rows can still be found and erased."""
    text = unicodedata.normalize("NFC", text.strip())
    local, _, domain = text.rpartition("@")
    try:
        domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        domain = domain.casefold()
    return f"{local.casefold()}@{domain.lower()}" if local else text.casefold()


def hashed(text: str) -> str:
    """What invitations and opt-outs keep instead of the address: enough to cap and to
    honour an unsubscribe, nothing to leak."""
    return hashlib.sha256(key(text).encode()).hexdigest()


def hashes(text: str) -> tuple[str, ...]:
    """Every hash an address may be kept under: :func:`hashed`, and the one used before
    Unicode case folding (``str.lower``), so that erasing finds old rows too."""
    legacy = hashlib.sha256(text.strip().lower().encode()).hexdigest()
    return tuple(dict.fromkeys((hashed(text), legacy)))
