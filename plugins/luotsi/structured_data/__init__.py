"""Structured data: a schema.org JSON-LD graph, OpenGraph and Twitter tags on every page,
validated at build time, and generated share images for posts without a picture."""


def register() -> None:
    """Pelican's entry point. The adapter, and Pelican with it, is imported only here, so that
    the pure modules of this package serve the feedback service and the tests without it."""
    from .plugin import register as connect

    connect()
