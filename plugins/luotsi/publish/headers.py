"""The HTTP headers every page should be served with, as plain data for every server format.

The theme has no inline script and no inline style, so the Content-Security-Policy can be
strict: scripts, styles and images only from the site itself, forms and fetches only to the
site and its feedback service. The JSON-LD blocks are data blocks (``type=
"application/ld+json"``), which browsers never execute and ``script-src`` does not govern, so
they need no exception.
"""

from __future__ import annotations

from ..urls import origin


def content_security_policy(service_url: str = "") -> str:
    service = origin(service_url)
    extra = f" {service}" if service else ""
    return "; ".join([
        "default-src 'self'", "script-src 'self'", "style-src 'self'",
        "img-src 'self' data:", "font-src 'self'", f"connect-src 'self'{extra}",
        f"form-action 'self'{extra}", "frame-ancestors 'none'", "base-uri 'self'",
        "object-src 'none'", "upgrade-insecure-requests",
    ])


def security_headers(service_url: str = "") -> dict[str, str]:
    return {
        "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
        "Content-Security-Policy": content_security_policy(service_url),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                              "interest-cohort=()",
        "X-Frame-Options": "DENY",
    }


# Files named by a hash of their content never change: cache them for a year.
FINGERPRINTED = ("/images/staff/", "/images/share/", "/qr/")
LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=3600, must-revalidate"  # HTML, CSS and JS keep their names
