"""Reading request bodies with a cap: a body is refused as soon as it is larger than its
limit, whether or not it declared its length, so that no request can make the service hold
more than the limit in memory."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request


class BadRequest(Exception):
    """A request refused before its fields are looked at: ``key`` names the message."""

    def __init__(self, status: int, key: str):
        super().__init__(key)
        self.status, self.key = status, key


async def read_capped(request: Request, limit: int) -> bytes:
    """The whole body, or :class:`BadRequest` (413) once it is longer than ``limit``."""
    declared = request.headers.get("content-length")
    if declared and (not declared.isdigit() or int(declared) > limit):
        raise BadRequest(413, "too_big")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BadRequest(413, "too_big")
    return bytes(body)


async def read_urlencoded(request: Request, limit: int, max_fields: int = 40
                          ) -> list[tuple[str, str]]:
    """The ``application/x-www-form-urlencoded`` body as (name, value) pairs: 415 for another
    type, 413 past ``limit`` bytes or ``max_fields`` fields, 400 for invalid UTF-8."""
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
