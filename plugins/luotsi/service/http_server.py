"""The HTTP protocol the service runs under uvicorn: httptools, with h11's bound on a request
head that never ends.

httptools parses about twice as fast as h11 (the token endpoint: 3,292 against 1,797 req/s
at 32 clients on 2 cores), but keeps whatever part of a request head has arrived for as long
as it grows: one 200 MB header took the process to 430 MB. h11 refuses a head of which more
than 16 KiB waits incomplete after a read. This protocol counts the bytes of the head being
read and answers 400 the same way, so a bound does not cost the faster parser. A complete
head that arrives in one read is parsed whatever its size (the proxy's own limits, 8 KB per
header line in nginx, apply before); a slow head is the proxy's to stop.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

INCOMPLETE_HEAD_LIMIT = 16 * 1024


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing a head still incomplete past the limit."""

    # Bytes read since the current request's head began; None between heads (in a body,
    # or waiting for the next request on a kept-alive connection).
    _head: int | None = None
    _refused = False

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head = 0

    def on_headers_complete(self) -> None:
        self._head = None
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._head is not None:  # a head begun in an earlier read goes on
            self._head += len(data)
        super().data_received(data)
        if self._head == 0:  # began in this read, still incomplete: at most all of it
            self._head = len(data)
        if self._head is not None and self._head > INCOMPLETE_HEAD_LIMIT:
            self._refused = True
            self.send_400_response("Request head too large.")
