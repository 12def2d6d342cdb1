"""Short first-party QR links, ``/q/<code>``: count the scan, then go to the page.

The build writes which code goes where (``qr/codes.json`` in its output); a scan is stored
as the code and the time only — no address, no cookie, nothing personal.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .state import service_of

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


async def scan(request: Request) -> Response:
    service = service_of(request)
    code = request.path_params["code"]
    target = service.targets.get().get(code) if _CODE.match(code) else None
    if target is None:
        lang = service.site.default_lang
        return service.render("feedback/qr_unknown.html", lang, 404,
                              heading=service.gettext(lang, "qr_unknown"),
                              home=service.site.page_url(lang, ""))
    await run_in_threadpool(service.store.add_scan, code)
    return RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-store"})
