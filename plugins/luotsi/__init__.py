"""Luotsi: Pelican plugins and a theme for multilingual, trustworthy travel-company sites.

``PLUGINS = ["luotsi"]`` enables every capability; ``PLUGINS = ["luotsi.multilingual"]``
(or another sub-package) enables one alone.
"""

from .theme_path import THEME_DIR as THEME

__all__ = ["THEME", "register"]


def register() -> None:
    from . import audit, multilingual, publish, qr, social, staff, structured_data, trips
    from .feedback import build as feedback

    multilingual.register()
    staff.register()
    trips.register()
    structured_data.register()
    feedback.register()
    qr.register()
    social.register()
    audit.register()  # after the others: it checks what they wrote
    publish.register()  # last: it compresses the finished output
