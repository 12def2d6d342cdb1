"""Staff pages: who works here, what they answer for, how to reach them, with a photo."""

from .plugin import register

__all__ = ["register"]
