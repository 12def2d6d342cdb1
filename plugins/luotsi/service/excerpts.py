"""A testimonial is the sender's own words: an excerpt of their message, with every left-out
part shown as ``[…]``.

Staff may shorten a message for the site, never add to it or change a word: each piece of the
testimonial between elision marks must stand in the message, whole words, in the same order.
Only spacing is compared loosely (line breaks in a message become spaces on a page).
"""

from __future__ import annotations

ELISION = "[…]"
_ELISIONS = ("[...]", "[ … ]", "[ ... ]")


def _words(text: str) -> str:
    return " ".join(text.split())


def _boundary(text: str, at: int) -> bool:
    """No word is cut at ``at``: a letter or digit does not stand on both sides."""
    return at <= 0 or at >= len(text) or not (text[at - 1].isalnum() and text[at].isalnum())


def is_excerpt(testimonial: str, message: str) -> bool:
    """True when ``testimonial`` is ``message`` shortened with ``[…]`` marks only."""
    text = _words(testimonial)
    for mark in _ELISIONS:
        text = text.replace(mark, ELISION)
    original = _words(message)
    pieces = [_words(piece) for piece in text.split(ELISION)]
    if not any(pieces):
        return False
    start = 0
    for piece in pieces:
        if not piece:
            continue
        found = original.find(piece, start)
        while found >= 0 and not (_boundary(original, found)
                                  and _boundary(original, found + len(piece))):
            found = original.find(piece, found + 1)
        if found < 0:
            return False
        start = found + len(piece)
    return True
