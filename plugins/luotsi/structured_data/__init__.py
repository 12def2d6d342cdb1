"""Structured data: a schema.org JSON-LD graph, OpenGraph and Twitter tags on every page,
validated at build time, and generated share images for posts without a picture."""

from .plugin import register

__all__ = ["register"]
