"""One post in many languages, built in one Pelican run."""


def register() -> None:
    """Pelican's entry point. The adapter, and Pelican with it, is imported only here, so that
    the pure modules of this package serve the feedback service and the tests without it."""
    from .plugin import register as connect

    connect()
