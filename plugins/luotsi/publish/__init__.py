"""Production publishing: server configuration for nginx, Caddy and static hosts, a systemd
unit for the feedback service, and pre-compressed copies of text assets."""

from .plugin import register

__all__ = ["register"]
