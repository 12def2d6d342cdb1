"""Reading request bodies with a cap and a deadline, and a cap for the whole application.

A body is refused as soon as it is larger than its limit, whether or not it declared its
length, and when it has not arrived within :data:`BODY_SECONDS`; no request can make the
service hold more than its limit in memory, or hold a reader for long. Endpoints that read a
body use :func:`read_capped` (with their own, smaller limit and a message in the visitor's
language); :class:`BodyLimit` refuses a declared length past the application's cap before
any endpoint runs, and closes the connection after any answer given before the body was
read to its end, so that the server does not drain the rest.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

BODY_SECONDS = 10.0  # the whole body of a form, a few kilobytes, arrives well within this
APP_LIMIT = 64 * 1024  # bytes; above every endpoint's own limit, equal to the proxies' cap


class BadRequest(Exception):
    """A request refused before its fields are looked at: ``key`` names the message."""

    def __init__(self, status: int, key: str):
        super().__init__(key)
        self.status, self.key = status, key


async def read_capped(request: Request, limit: int, seconds: float = BODY_SECONDS) -> bytes:
    """The whole body, or :class:`BadRequest`: 413 once it is longer than ``limit``, 408
    when it has not arrived within ``seconds``."""
    declared = request.headers.get("content-length")
    if declared and (not declared.isdigit() or int(declared) > limit):
        raise BadRequest(413, "too_big")
    body = bytearray()
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    raise BadRequest(413, "too_big")
    except TimeoutError:
        raise BadRequest(408, "too_slow") from None
    return bytes(body)


async def read_urlencoded(request: Request, limit: int, max_fields: int = 40
                          ) -> list[tuple[str, str]]:
    """The ``application/x-www-form-urlencoded`` body as (name, value) pairs: 415 for another
    type, 413 past ``limit`` bytes or ``max_fields`` fields, 400 for invalid UTF-8, 408 for
    a body that does not arrive in time."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise BadRequest(415, "content_type")
    body = await read_capped(request, limit)
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                         encoding="utf-8", errors="strict", max_num_fields=max_fields)
    except UnicodeDecodeError:
        raise BadRequest(400, "encoding") from None
    except ValueError:
        raise BadRequest(413, "too_big") from None


class BodyLimit:
    """ASGI middleware: 413 for a body longer than ``limit`` (declared, or once that much has
    been read), for any endpoint, also one that reads its body without :func:`read_capped`;
    and ``Connection: close`` on an answer sent before the body was read to its end."""

    def __init__(self, app: Any, limit: int = APP_LIMIT):
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"")
        if declared and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(send)
            return
        state = {"unread": declared not in (b"", b"0") or b"transfer-encoding" in headers,
                 "received": 0, "started": False}

        async def reading() -> dict[str, Any]:
            message = await receive()
            state["received"] += len(message.get("body", b""))
            if state["received"] > self.limit:
                raise BadRequest(413, "too_big")
            if message["type"] != "http.request" or not message.get("more_body", False):
                state["unread"] = False
            return message

        async def answering(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
                if state["unread"]:
                    message["headers"] = [*message.get("headers", []),
                                          (b"connection", b"close")]
            await send(message)

        try:
            await self.app(scope, reading, answering)
        except BadRequest:
            if state["started"]:
                raise
            await _too_large(send)


async def _too_large(send: Any) -> None:
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": b"Request body too large"})
