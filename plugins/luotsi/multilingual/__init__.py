"""One post in many languages, built in one Pelican run."""

from .plugin import register

__all__ = ["register"]
