"""``{% cached key %}…{% endcached %}``: a part of a template rendered once per key and build.

Every page of a language repeats the same header navigation, footer and feedback form; on a
site of thousands of pages, rendering them again for each page was a large part of the build
(issue 14). The key names everything the part depends on beyond the build's settings, which
do not change within one environment (Pelican makes new environments for each build). A key
of ``none`` renders the part as usual: a form shown again with a visitor's values is never
cached. Templates stay ordinary Jinja: a theme that overrides a block simply does not cache it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, ClassVar

from jinja2 import nodes
from jinja2.environment import Environment
from jinja2.ext import Extension
from jinja2.parser import Parser
from markupsafe import Markup


class FragmentCache(Extension):
    tags: ClassVar[set[str]] = {"cached"}

    def __init__(self, environment: Environment):
        super().__init__(environment)
        environment.extend(luotsi_fragments={}, luotsi_fragments_on=True)

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        key = parser.parse_expression()
        body = parser.parse_statements(("name:endcached",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_render", [key]), [], [], body
                               ).set_lineno(lineno)

    def _render(self, key: Hashable | None, caller: Callable[[], Markup]) -> Markup:
        env: Any = self.environment
        if key is None or not env.luotsi_fragments_on:
            return caller()
        store: dict[Hashable, Markup] = env.luotsi_fragments
        found = store.get(key)
        if found is None:
            found = store[key] = caller()
        return found


def install(env: Environment, enabled: bool = True) -> None:
    """Let ``env`` read the ``cached`` tag; with ``enabled`` false it renders every time (the
    feedback service, whose forms carry a visitor's values)."""
    if FragmentCache.identifier not in env.extensions:
        env.add_extension(FragmentCache)
    env.luotsi_fragments_on = enabled  # type: ignore[attr-defined]
