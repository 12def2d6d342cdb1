"""The service's transport joins the writes of one event-loop turn (a response's head and
body) into one, and loses nothing when the connection closes."""

from __future__ import annotations

import asyncio

from luotsi.service.http_server import CorkedTransport


class Recorder(asyncio.Transport):
    """A transport that records what reaches it."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:  # type: ignore[override]
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: object = None) -> object:
        return {"peername": ("127.0.0.1", 4242)}.get(name, default)


def corked() -> tuple[CorkedTransport, Recorder]:
    inner = Recorder()
    return CorkedTransport(inner), inner


def test_a_head_and_a_body_written_in_one_turn_leave_as_one_write():
    async def scenario() -> list[bytes]:
        transport, inner = corked()
        transport.write(b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n")
        transport.write(b"{}")
        assert inner.writes == []  # nothing yet: the turn has not ended
        await asyncio.sleep(0)
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")  # the next response, a turn later
        await asyncio.sleep(0)
        return inner.writes

    assert asyncio.run(scenario()) == [
        b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}", b"HTTP/1.1 200 OK\r\n\r\n"]


def test_closing_sends_what_is_pending_first_and_nothing_after():
    async def scenario() -> Recorder:
        transport, inner = corked()
        transport.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        transport.close()
        assert inner.writes == [b"HTTP/1.1 400 Bad Request\r\n\r\n"] and inner.closed
        transport.write(b"late")  # a write after closing reaches no one
        await asyncio.sleep(0)
        return inner

    assert asyncio.run(scenario()).writes == [b"HTTP/1.1 400 Bad Request\r\n\r\n"]


def test_a_long_body_goes_out_at_once_for_flow_control_to_see_it():
    async def scenario() -> list[int]:
        transport, inner = corked()
        chunk = b"x" * (CorkedTransport.FLUSH_AT // 2)
        for _ in range(5):
            transport.write(chunk)
        sizes = [len(data) for data in inner.writes]  # before the turn ends
        await asyncio.sleep(0)
        return sizes + [len(data) for data in inner.writes[len(sizes):]]

    half = CorkedTransport.FLUSH_AT // 2
    assert asyncio.run(scenario()) == [2 * half, 2 * half, half]


def test_everything_else_is_the_transports_own():
    async def scenario() -> object:
        transport, _ = corked()
        return transport.get_extra_info("peername")

    assert asyncio.run(scenario()) == ("127.0.0.1", 4242)
