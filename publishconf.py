"""Production overrides: the real address and strict findings (the build fails on any)."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("LUOTSI_SITEURL", "https://www.revontuli.example")
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
LUOTSI_STRICT = True
LUOTSI_PUBLISH = True  # deploy/ configuration, _headers, .gz and .br copies
LUOTSI_AUDIT_MIN_SCORE = 100  # every page passes the trust audit, or nothing is published
# Behind the reverse proxy the service shares the site's host (see deploy/nginx.conf).
LUOTSI_FEEDBACK = {**LUOTSI_FEEDBACK, "url": "/feedback-api"}  # noqa: F405
