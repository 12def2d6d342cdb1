"""Production publishing: server configuration for nginx, Caddy and static hosts, a systemd
unit for the feedback service, and pre-compressed copies of text assets."""


def register() -> None:
    """Pelican's entry point. The adapter, and Pelican with it, is imported only here, so that
    the pure modules of this package serve the feedback service and the tests without it."""
    from .plugin import register as connect

    connect()
