"""Social proof: share links without trackers, and testimonials customers allowed us to show."""

from .plugin import register

__all__ = ["register"]
