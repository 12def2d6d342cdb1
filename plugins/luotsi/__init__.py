"""Luotsi: Pelican plugins and a theme for multilingual, trustworthy travel-company sites.

``PLUGINS = ["luotsi"]`` enables every capability; ``PLUGINS = ["luotsi.multilingual"]``
(or another sub-package) enables one alone. Importing this package imports neither Pelican
nor the feedback service (:mod:`luotsi.service`).
"""

from .theme_path import THEME_DIR as THEME

__all__ = ["CAPABILITIES", "THEME", "register"]

# In the order they are registered: the audit checks what the others wrote, publishing
# compresses the finished output.
CAPABILITIES = ("multilingual", "staff", "trips", "pictures", "structured_data", "feedback",
                "qr", "social", "audit", "publish")


def register() -> None:
    from importlib import import_module

    for name in CAPABILITIES:
        import_module(f"{__name__}.{name}").register()
