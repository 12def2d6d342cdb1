"""Pictures of posts, pages and trips (``Image:``, ``Image-Alt:``, ``Gallery:``) and the home
page's hero, made responsive by the one image pipeline (:mod:`luotsi.images`)."""


def register() -> None:
    """Pelican's entry point. The adapter, and Pelican with it, is imported only here, so that
    the pure modules of this package serve the feedback service and the tests without it."""
    from .plugin import register as connect

    connect()
