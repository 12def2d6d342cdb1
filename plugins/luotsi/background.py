"""Work the build hands to other cores while it writes pages, collected at the end.

Pelican writes pages on one core. Drawing share cards, making pictures and auditing written
pages need nothing but their inputs, so they go to a pool of worker processes as soon as
they are known, and run while the main process renders and writes; the build collects them
before it finishes. Workers are fresh interpreters (not forks, see :mod:`.worker_pool`): each
imports only what its task needs, rather than inheriting a copy of the whole build, which
keeps the build's memory low.

Tasks are sent in batches, because one message per page would cost more than the work.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import signal
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any

from . import quick_exit
from .worker_pool import WorkerPool


def _start_worker(niceness: int, build: int) -> None:
    """Workers run at a lower priority than the build: the build writes every page and is
    what the last page waits for, so on a machine with fewer idle cores than workers it
    should not give way to them; they catch up once it is done.

    And they end with the build, however it ends. ``pelican --autoreload --listen`` (``make
    serve``) stops its builder process with SIGTERM, which skips the pool's shutdown; a
    worker would see its pipe close only after the task it was running, however long. On
    Linux the kernel now sends the worker SIGTERM when the build's process ends (strictly,
    the thread that started the worker: the pool is started from the build's main thread)."""
    os.nice(niceness)
    quick_exit.install()  # a worker's exit is part of the build's last wait (Background.close)
    try:
        libc = _libc()
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown has to do
        return
    # glibc raises its threshold for serving large blocks by mmap to the largest block freed
    # so far (up to 32 MB): after the first 4000 × 3000 photo, Pillow's 16 MB image blocks
    # came from the heap and stayed with the worker when freed, about 40 MB a worker for the
    # rest of the build. A fixed threshold hands each large block back when it is freed.
    # Not lower than 4 MB: a share card's images (1-3 MB each, a few per card) would then be
    # mapped and faulted in afresh every time, 1 ms a card (measured at 1 MB).
    # A fixed threshold also fixes the one for trimming the heap's top at glibc's 128 KB
    # (the dynamic one would have risen with it): every card's band, freed, was handed back
    # to the kernel and faulted in again for the next, 174 page faults a card. Twice the
    # mapping threshold, as glibc's own adjustment sets it, and cards fault no pages at all.
    with contextlib.suppress(AttributeError):
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
        libc.mallopt(_M_TRIM_THRESHOLD, 2 * _MMAP_THRESHOLD)
    if os.getppid() != build:  # the build ended before the signal was asked for
        os._exit(0)


def hand_back_memory() -> None:
    """Return the free memory inside the heap to the system, after a task that used much.

    Encoding a camera photo's variants left about 35 MB free but held in each worker that
    had made one (66 MB resident after three photos, 31 MB after a trim; measured), in
    blocks below the mapping threshold, between blocks still in use where the heap's top
    cannot shrink. Not after every task: cheap work would fault the same pages in again."""
    with contextlib.suppress(OSError, AttributeError):
        _libc().malloc_trim(0)


@functools.cache
def _libc() -> ctypes.CDLL:
    """The C library the process runs with (glibc's tuning calls; Linux's ``prctl``)."""
    return ctypes.CDLL(None, use_errno=True)


def default_workers() -> int:
    """One worker fewer than the machine has cores, and at least one: the build's own
    process works on the last batches itself (:meth:`Background.results`) once its pages are
    written, and until then a core of its own writes them. On two cores a second worker made
    the build no faster (alternating cold builds at 1,000 posts × 4 languages: within each
    other's noise) and added 50-75 MB to the peak memory of the build's processes."""
    return max(1, (os.cpu_count() or 1) - 1)


NICENESS = 5
_PR_SET_PDEATHSIG = 1
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 4 << 20


class Background:
    """A lazily started process pool with batched submission; one per build.

    With ``workers=0`` nothing runs in parallel: every batch runs in the build's own process
    when its results are asked for, after the pages are written (``LUOTSI_BACKGROUND_WORKERS
    = 0``; the benchmark measures the overlap gained this way)."""

    def __init__(self, workers: int | None = None):
        self.workers = default_workers() if workers is None else workers
        self._pool: WorkerPool | None = None
        self._unfinished: set[Future[Any]] = set()  # sent to the workers, not done yet
        self._before_start: list[Callable[[], None]] = []
        self._renew = False
        # Per function: the items not sent yet, the batch size, and each batch sent (its
        # future and its items, which the build runs itself if no worker has started it).
        self._batches: dict[Callable[..., Any],
                            tuple[list[Any], int, list[tuple[Future[Any], list[Any]]]]] = {}
        self._workers_only: set[Callable[..., Any]] = set()
        self._low_priority: set[Callable[..., Any]] = set()
        self._ran_here: dict[Future[Any], Any] = {}  # batches the build ran while it waited

    def _executor(self) -> WorkerPool:
        # An interrupted build (Ctrl-C under ``make serve``) does not wait for the work it
        # had queued: the pool's threads do not hold the interpreter's exit, and the
        # workers end with the build's process.
        if self._pool is None:
            for prepare in self._before_start:
                prepare()
            self._pool = WorkerPool(self.workers, _start_worker, (NICENESS, os.getpid()))
        return self._pool

    def before_start(self, func: Callable[[], None]) -> None:
        """Run ``func`` in the build's process just before the workers start, so that what it
        finds out once is not found out again by every worker: what it puts into
        ``os.environ``, the workers inherit."""
        if func not in self._before_start:
            self._before_start.append(func)

    def renew_when_idle(self) -> None:
        """Give the work sent from now on to fresh workers, once the ones running are idle.

        Converting a cold build's Markdown leaves a worker with modules the rest of the build
        never uses again (Markdown, Pygments) and a heap fragmented by thousands of
        conversions: at 1,000 posts × 4 languages it held 53 MB to the build's end, against
        40 for a worker that started after the reading (measured). The pool is closed at the
        first task sent once nothing is queued or running, so two pools are never alive at
        once and the build never waits for a busy one; the next pool then starts as every
        pool does, from the build's thread."""
        self._renew = self._pool is not None

    def submit(self, func: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run ``func(*args)`` in a worker; its result comes back through the future."""
        if not self.workers:
            return self._inline(func, *args)
        if self._renew and not self._unfinished:
            self._renew = False
            self.close()
        future = self._executor().submit(func, *args, later=func in self._low_priority)
        self._unfinished.add(future)
        future.add_done_callback(self._unfinished.discard)
        return future

    def unfinished(self) -> int:
        """How many of the tasks sent to the workers are not done yet (queued or running)."""
        return len(self._unfinished)

    def batch(self, func: Callable[[list[Any]], Any], item: Any, size: int = 32) -> None:
        """Queue ``item`` for ``func``, which takes a list of items; every ``size`` items go to
        a worker together. :meth:`results` sends what is left and collects every batch."""
        items = self._batches.setdefault(func, ([], size, []))[0]
        items.append(item)
        if len(items) >= size:
            self.flush(func)

    def flush(self, func: Callable[[list[Any]], Any]) -> None:
        """Send the items queued for ``func`` now, however few: when no more will follow
        for a while, a part batch held back until :meth:`results` would wait there behind
        every batch queued later."""
        items, _, sent = self._batches.get(func, ([], 0, []))
        if items and self.workers:
            batch = list(items)
            sent.append((self.submit(func, batch), batch))
            items.clear()

    def workers_only(self, func: Callable[[list[Any]], Any]) -> None:
        """Never run ``func``'s batches in the build's process, which would load what they
        need there for its last seconds, when it is at its largest (drawing share cards
        loads fonts and the drawing code: 7 MB, measured). While it waits for them it runs
        other work no worker has started (:meth:`results`)."""
        self._workers_only.add(func)

    def low_priority(self, func: Callable[[list[Any]], Any]) -> None:
        """Let ``func``'s batches wait behind every other kind of work. For work the build's
        process does at little cost once its pages are written (the audit: what it needs is
        loaded there already), so that what only workers do is done first and the build's
        last seconds are shared: with share cards and audits in the order sent, the build
        waited 1.1-1.3 s for the last cards once it had run every audit left (measured)."""
        self._low_priority.add(func)

    def results(self, func: Callable[[list[Any]], Any]) -> Iterable[Any]:
        """The results of every batch queued for ``func``, once all of them are done.

        The build does not wait idle for them: it runs here each batch no worker has started
        yet, from the last one back, while the workers go on from the first one (and the
        items never sent, at once). So a build that has written its pages works beside one
        worker fewer, which is why there is one worker fewer than cores. Waiting for a
        function only workers run, it runs other functions' batches, and keeps their results
        for their own call."""
        only_workers = func in self._workers_only and self.workers
        if only_workers:
            self.flush(func)
        items, _, sent = self._batches.pop(func, ([], 0, []))
        here: dict[int, Any] = {}
        if only_workers:
            while not all(future.done() for future, _ in sent) and self._help():
                pass
        else:
            for index in reversed(range(len(sent))):
                future, batch = sent[index]
                if future in self._ran_here:
                    here[index] = self._ran_here.pop(future)
                elif future.cancel():  # no worker has started it
                    here[index] = func(batch)
        done = [here[index] if index in here else future.result()
                for index, (future, _) in enumerate(sent)]
        # Nothing queued and nothing running: the workers' memory (50 MB each, measured) is
        # handed back now, not after the build's last steps (the audit's report and cache),
        # which make the build's own process its largest. Work sent later starts a new pool.
        # (The set is copied: the pool's thread takes finished futures out of it meanwhile.)
        if not self._batches and all(future.done() for future in list(self._unfinished)):
            self.close()
        return [*done, func(list(items))] if items else done

    def _help(self) -> bool:
        """Run the last batch queued that no worker has started and that the build may run
        itself; False when there is none."""
        for func, (_, _, sent) in reversed(self._batches.items()):
            if func in self._workers_only:
                continue
            for future, batch in reversed(sent):
                if future not in self._ran_here and future.cancel():
                    self._ran_here[future] = func(batch)
                    return True
        return False

    def _inline(self, func: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(func(*args))
        return future

    def __enter__(self) -> Background:
        return self

    def __exit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        """Closed as the block ends; cancelling the tasks no worker was given yet if it ends
        by an error or Ctrl-C, which the workers leave to the build: otherwise a build
        stopped in its last step waited for every batch still queued."""
        self.close(cancel=error_type is not None)

    def close(self, cancel: bool = False) -> None:
        """End the workers once the work sent has been done or, with ``cancel``, once the
        tasks they were already given are."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None
