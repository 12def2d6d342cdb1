"""Trust audit: checks the finished site the way a careful customer and a search engine would,
and reports a score per language with every finding and its fix."""


def register() -> None:
    """Pelican's entry point. The adapter, and Pelican with it, is imported only here, so that
    the pure modules of this package serve the feedback service and the tests without it."""
    from .plugin import register as connect

    connect()
