"""``mailto:`` links that simple address harvesters miss, and that still work without JS.

Harvesters mostly run a regular expression over the raw HTML. Writing every character of the
address as a numeric character reference hides it from them; the browser decodes the
references, so the link and the visible text are a normal address for a visitor, a screen
reader and a copy-paste. A hidden decoy inside the visible text fools harvesters that strip
tags but do not apply CSS. JavaScript is never needed.
"""

from __future__ import annotations

from markupsafe import Markup, escape

DECOY = "no-spam."


def _references(text: str) -> str:
    return "".join(f"&#{ord(char)};" for char in text)


def email_link(address: str, obfuscate: bool) -> Markup:
    """The ``<a href="mailto:…">`` element for ``address``."""
    if not obfuscate:
        return Markup('<a href="mailto:{0}">{0}</a>').format(address)
    user, _, domain = address.partition("@")
    visible = (f'{_references(user)}<span hidden>{escape(DECOY)}</span>&#64;'
               f'{_references(domain)}')
    return Markup(f'<a href="{_references("mailto:" + address)}">{visible}</a>')
