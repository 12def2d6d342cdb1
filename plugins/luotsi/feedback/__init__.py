"""Feedback forms in the site's pages, and the thank-you page in every language.

The service that receives the forms is :mod:`luotsi.service`; what both need (fields,
limits, the token format, topic labels) is in :mod:`luotsi.forms`.
"""


def register() -> None:
    """Pelican's entry point. The adapter, and Pelican with it, is imported only here, so that
    the pure modules of this package serve the feedback service and the tests without it."""
    from .plugin import register as connect

    connect()
