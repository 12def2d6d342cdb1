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
