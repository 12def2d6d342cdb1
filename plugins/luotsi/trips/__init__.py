"""Trip pages: price, duration, itinerary and availability, in every language."""

from .plugin import register

__all__ = ["register"]
