"""QR codes: every page's code for print (canonical URL with campaign parameters, or a
counted short link), staff contact-card codes, and printable posters."""

from .plugin import register

__all__ = ["register"]
