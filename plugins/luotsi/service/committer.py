"""Group commit: concurrent submissions share one transaction and one flush to disk.

Every visitor still gets their answer only after their message (or booking request) is
committed; under load, what arrived while the previous commit was flushing is committed
together, so throughput grows with concurrency instead of queuing behind one fsync each.
A submission is a *write*: a function of the transaction's connection and time
(:data:`.store.Write`), so that feedback and booking requests share the batches.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Sequence
from functools import partial
from typing import Any

from .store import Mail, Store, Write

Item = tuple[Write, asyncio.AbstractEventLoop, asyncio.Future[Any]]


class Committer:
    def __init__(self, store: Store, max_batch: int = 64):
        self.store, self.max_batch = store, max_batch
        self._queue: queue.Queue[Item | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="luotsi-committer", daemon=True)
        self._thread.start()
        self._checkpointer = threading.Thread(target=self._checkpoints, daemon=True,
                                              name="luotsi-checkpoint")
        self._checkpointer.start()

    def stop(self) -> None:
        if self._thread:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._stopped.set()
            self._checkpointer.join(timeout=30)

    def _checkpoints(self) -> None:
        while not self._stopped.wait(1.0):
            try:
                self.store.checkpoint()
            except Exception:  # a busy checkpoint is retried a second later
                continue

    async def add(self, values: dict[str, Any], mails: Sequence[Mail]) -> int:
        """The new message's id, once it is committed."""
        return int(await self.write(partial(self.store.write_message, values, mails)))

    async def write(self, write: Write) -> Any:
        """What ``write`` returns, once its transaction is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.put((write, loop, future))
        return await future

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            try:
                results = self.store.write_batch([write for write, _, _ in batch])
            except Exception as error:  # each waiting visitor gets the failure, not silence
                for _, loop, future in batch:
                    loop.call_soon_threadsafe(_fail, future, error)
                continue
            for (_, loop, future), result in zip(batch, results, strict=True):
                loop.call_soon_threadsafe(_resolve, future, result)


def _resolve(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


def _fail(future: asyncio.Future[Any], error: Exception) -> None:
    if not future.done():
        future.set_exception(error)
