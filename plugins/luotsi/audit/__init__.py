"""Trust audit: checks the finished site the way a careful customer and a search engine would,
and reports a score per language with every finding and its fix."""

from .plugin import register

__all__ = ["register"]
