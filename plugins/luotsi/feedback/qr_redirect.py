"""Short first-party QR links, ``/q/<code>``: count the scan, then go to the page.

The build writes which code goes where (``qr/codes.json`` in its output); a scan is stored
as the code and the time only — no address, no cookie, nothing personal.
"""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from .app import Service

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class Targets:
    """The code → URL map, re-read when the build rewrites it."""

    def __init__(self, path: str):
        self.path = path
        self._mtime = -1.0
        self._map: dict[str, str] = {}

    def get(self) -> dict[str, str]:
        try:
            mtime = os.path.getmtime(self.path)
        except OSError:
            return self._map
        if mtime != self._mtime:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
            self._map = {str(k): str(v) for k, v in data.get("codes", {}).items()}
            self._mtime = mtime
        return self._map


def routes(service: Service) -> list[Route]:
    async def scan(request: Request) -> Response:
        code = request.path_params["code"]
        target = service.qr_targets().get(code) if _CODE.match(code) else None
        if target is None:
            lang = service.site.default_lang
            home = service.site.page_url(lang, "")
            html = (f'<!doctype html><html lang="{lang}"><meta charset="utf-8">'
                    f'<meta name="robots" content="noindex"><title>404</title>'
                    f'<link rel="stylesheet" href="{service.site.url}/theme/css/luotsi.css">'
                    f'<main id="main"><h1>{service.gettext(lang, "qr_unknown")}</h1>'
                    f'<p><a href="{home}">{service.site.name}</a></p></main></html>')
            return HTMLResponse(html, status_code=404)
        await run_in_threadpool(service.store.add_scan, code)
        return RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-store"})

    return [Route(f"{service.base}/q/{{code}}", scan, methods=["GET"])]
