"""Digests for cache keys and codes, without importing :mod:`hashlib` in the workers.

``import hashlib`` loads OpenSSL's libcrypto: 3.4 MB resident in every process that imports
it (measured in a worker's smaps), a tenth of a worker that draws share cards, makes QR codes
and audits pages. CPython's own implementations give the same digests. BLAKE2 is used where
much is hashed (every page's bytes, every post's HTML): it is CPython's fastest without
OpenSSL (1.3 GB/s here, against 0.34 for its own SHA-256). The build's own process has
:mod:`hashlib` anyway (Pelican imports it); photos, hashed there, keep it.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
    from _sha1 import sha1
    from _sha256 import sha256
except ImportError:  # a Python that names or builds them otherwise
    from hashlib import blake2b, sha1, sha256

__all__ = ["blake2b", "sha1", "sha256"]
