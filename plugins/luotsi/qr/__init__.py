"""QR codes: every page's code for print (canonical URL with campaign parameters, or a
counted short link), staff contact-card codes, and printable posters."""


def register() -> None:
    """Pelican's entry point. The adapter, and Pelican with it, is imported only here, so that
    the pure modules of this package serve the feedback service and the tests without it."""
    from .plugin import register as connect

    connect()
