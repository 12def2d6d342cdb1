"""The feedback service: an ordinary Starlette (ASGI) application.

Routes live under the path of the service's public URL (``/feedback-api`` behind the site's
own host, or ``/`` on a host of its own): the public endpoints of :mod:`.public` and
:mod:`.qr_redirect`, with CORS for the site's origin, and the staff admin of :mod:`.admin`
under ``/admin``, without it. Every request body, whatever the route, is capped
(:class:`.bodies.BodyLimit`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount, Route, Router

from . import admin, admin_bookings, booking_routes, public, qr_redirect
from .bodies import BodyLimit
from .config import Config
from .state import Service
from .store import Store

log = logging.getLogger("luotsi.service")
MAILER_CHECK_SECONDS = 2.0


def public_routes() -> list[Route]:
    return [
        Route("/feedback", public.submit, methods=["POST"]),
        Route("/feedback/token", public.token, methods=["GET"]),
        Route("/feedback/invited", public.invited, methods=["GET"]),
        Route("/unsubscribe", public.unsubscribe, methods=["GET", "POST"]),
        Route("/booking", booking_routes.submit, methods=["POST"]),
        Route("/booking/status", booking_routes.status, methods=["GET"]),
        Route("/booking/cancel", booking_routes.cancel, methods=["GET", "POST"]),
        Route("/healthz", public.health, methods=["GET"]),
        Route("/openapi.json", public.openapi, methods=["GET"]),
        Route("/q/{code}", qr_redirect.scan, methods=["GET"]),
    ]


def create_app(config: Config, store: Store | None = None, start_worker: bool = True
               ) -> Starlette:
    """The application; ``start_worker=False`` leaves mail in the outbox (tests that look at
    the outbox themselves, or a separate mailer)."""
    service = Service(config, store)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(service.store.release_claims)
        removed = await run_in_threadpool(service.store.purge, config.retention_days)
        if removed:
            log.info("retention: purged %d message(s) older than %d days", removed,
                     config.retention_days)
        service.committer.start()
        watch = None
        if start_worker:
            service.mailer.start()  # mails left from before a restart go out now
            watch = asyncio.create_task(keep_mailing(service))
        settle_memory()
        try:
            yield
        finally:
            if watch is not None:
                watch.cancel()
            await run_in_threadpool(service.mailer.stop)
            service.committer.stop()
            gc.unfreeze()

    cors = CORSMiddleware(Router(public_routes()), allow_origins=list(config.allowed_origins),
                          allow_methods=["GET", "POST"], allow_headers=["Content-Type", "Accept"],
                          max_age=600)
    staff = [*admin.ROUTES, *admin_bookings.ROUTES]
    routes = [Mount(service.base, routes=[Mount("/admin", routes=staff),
                                          Mount("", app=cors)])]
    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(SecurityHeaders), Middleware(BodyLimit)])
    app.state.service = service
    return app


async def keep_mailing(service: Service, every: float = MAILER_CHECK_SECONDS) -> None:
    """Start the mailer again whenever it has died: the outbox keeps every mail, but only a
    running mailer sends them."""
    while True:
        await asyncio.sleep(every)
        await run_in_threadpool(service.mailer.restart_if_dead)


def settle_memory() -> None:
    """Move what start-up made (modules, templates, catalogs: about 50,000 objects) out of
    the garbage collector's sight. Otherwise every full collection walks all of it again and
    stops every request in flight: 6 of them in 6,400 booking requests, up to 53 ms each,
    which was what set the 99th percentile under load. What requests make is still
    collected; shutting down gives the rest back."""
    gc.collect()
    gc.freeze()


DEFAULT_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"content-security-policy",
     b"default-src 'self'; style-src 'self' 'unsafe-inline' *; img-src 'self' data: *; "
     b"frame-ancestors 'none'; form-action *"),
)


class SecurityHeaders:
    """Headers every answer carries: no sniffing, no framing, no referrer leaks; a page that
    sets one of them itself (a booking's status page sends only its origin as referrer)
    keeps its own."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                own = {name.lower() for name, _ in headers}  # a page's stricter one wins
                headers += [(name, value) for name, value in DEFAULT_HEADERS if name not in own]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
