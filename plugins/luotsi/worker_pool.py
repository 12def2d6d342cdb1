"""Worker processes for the build, started as plain Python processes with a pipe pair each.

``ProcessPoolExecutor`` with the spawn method cost more than the work needed:

- spawn starts ``multiprocessing``'s resource tracker, a third Python process (12 MB
  resident) that waits for the pool's named semaphores, and left them in ``/dev/shm`` when
  it was killed;
- spawn runs the parent's main script again in each worker, as ``__mp_main__``. Under the
  ``pelican`` script (``make html``) every worker imported the whole of Pelican: 440 modules
  against 141 under ``python -m pelican`` (measured).

A worker here starts with the build's ``sys.path`` and imports only what its tasks need.
Each task and result is a length-prefixed pickle on the worker's pipes. In the build's
process one thread per worker sends tasks and another reads results: a worker always has its
next task waiting in its pipe (as ``concurrent.futures`` keeps one call queued ahead), so it
does not idle while the build's process, busy writing pages, holds the interpreter lock.

What spawn did and this does not: a task's function must be importable by its module's name
(not defined in the build's ``__main__``), and it runs on POSIX systems only (``pass_fds``).
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Future
from typing import Any

# A task's pickle waits in the worker's pipe while it runs the one before.
AHEAD = 2
# Pipes of 1 MB (Linux's limit without privileges; 64 KB by default): a worker's result
# of a few hundred KB is written at once, not in pieces each waiting for the build's reader
# thread to get the interpreter lock from the build's writing of pages.
_PIPE_SIZE = 1 << 20
_HEADER = struct.Struct("!Q")
_END = 2  # the senders' end comes after every task, even one sent later


def _boot_command(tasks: int, results: int) -> list[str]:
    """The worker's command line: this interpreter with this process's flags (``-B``, ``-X``
    options, as ``multiprocessing`` passes them), this process's ``sys.path`` after the pipes'
    numbers, and nothing imported but this module before the tasks."""
    code = ("import sys; sys.path[:] = sys.argv[3:]; "
            "from luotsi.worker_pool import serve; serve(int(sys.argv[1]), int(sys.argv[2]))")
    return [sys.executable, *subprocess._args_from_interpreter_flags(), "-c", code,
            str(tasks), str(results), *sys.path]


def _send(fd: int, message: Any) -> None:
    _write(fd, pickle.dumps(message, pickle.HIGHEST_PROTOCOL))


def _write(fd: int, data: bytes) -> None:
    """Write one message: its length, then its pickle (``data``)."""
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int) -> bytearray:
    """The next message's pickle, or ``EOFError`` once the other end has closed its pipe."""
    (size,) = _HEADER.unpack(_read(fd, _HEADER.size))
    return _read(fd, size)


def _read(fd: int, size: int) -> bytearray:
    data = bytearray(size)
    view, got = memoryview(data), 0
    while got < size:
        n = os.readv(fd, [view[got:]])  # into place: a result of megabytes is not copied
        if not n:
            raise EOFError
        got += n
    return data


def _widen(fd: int) -> None:
    with contextlib.suppress(ImportError, AttributeError, OSError):  # Linux's alone
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)


def serve(tasks: int, results: int) -> None:
    """A worker's life: its initializer, then each task in turn until the build closes its
    end of the pipe. Ctrl-C is the build's to handle: a worker ends when the build does (its
    pipe closes, or the initializer asks the kernel for a signal)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for fd in (tasks, results):  # not to a program a task starts: it would hold them open
        os.set_inheritable(fd, False)
    initializer, initargs = pickle.loads(_receive(tasks))
    initializer(*initargs)
    while True:
        try:
            task = _receive(tasks)
        except EOFError:
            return
        func: Any = "a task"
        try:
            func, args = pickle.loads(task)  # a module the worker cannot import fails here
            outcome: tuple[Any, ...] = (True, func(*args))
        except BaseException as error:  # every failure goes back to the build
            outcome = (False, error, traceback.format_exc())
        try:
            _send(results, outcome)
        except Exception as error:  # the result or the error would not pickle
            _send(results, (False, RuntimeError(f"{func!r}: {error!r}"),
                            traceback.format_exc()))


class BrokenWorkerPool(BrokenExecutor):
    """A worker ended unasked (killed, or out of memory): the pool runs nothing more."""


class _RemoteTraceback(Exception):
    """The worker's traceback, as the cause of the error raised in the build."""

    def __str__(self) -> str:
        return str(self.args[0])


class _Worker:
    """One worker process, the thread that sends it tasks and the one that reads results."""

    def __init__(self, pool: WorkerPool, initializer: Callable[..., None],
                 initargs: tuple[Any, ...]):
        self.pool = pool
        opened: list[int] = []
        try:
            task_read, self.task_write = os.pipe()
            opened += (task_read, self.task_write)
            self.result_read, result_write = os.pipe()
            opened += (self.result_read, result_write)
            for fd in (self.task_write, self.result_read):
                _widen(fd)
            self.process = subprocess.Popen(_boot_command(task_read, result_write),
                                            pass_fds=(task_read, result_write))
        except BaseException:
            for fd in opened:
                os.close(fd)
            raise
        os.close(task_read)
        os.close(result_write)
        # The tasks the worker has been given, in order, and why it ended once it has: both
        # under one lock, so that a task is either given to a worker still alive (and failed
        # by the reader if the worker then dies) or failed by the sender.
        self.lock = threading.Lock()
        self.running: collections.deque[Future[Any]] = collections.deque()
        self.ended = ""
        self.room = threading.Semaphore(AHEAD)
        self.sender = threading.Thread(target=self._send_tasks, args=(initializer, initargs),
                                       daemon=True, name=f"luotsi-send-{self.process.pid}")
        self.reader = threading.Thread(target=self._read_results, daemon=True,
                                       name=f"luotsi-read-{self.process.pid}")
        self.sender.start()
        self.reader.start()

    def _send_tasks(self, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
        try:
            _send(self.task_write, (initializer, initargs))
            while True:
                self.room.acquire()
                task = self.pool.next_task()
                if task is None:
                    break
                future, func, args = task
                if not future.set_running_or_notify_cancel():  # cancelled while queued
                    self.room.release()
                    continue
                try:
                    message = pickle.dumps((func, args), pickle.HIGHEST_PROTOCOL)
                except Exception as error:  # the task's own failure
                    future.set_exception(error)
                    self.room.release()
                    continue
                with self.lock:
                    ended = self.ended
                    if not ended:
                        self.running.append(future)
                if ended:  # the worker ended before this task could be given to it
                    future.set_exception(BrokenWorkerPool(ended))
                    self.pool.break_down(ended)
                    break
                _write(self.task_write, message)
        except OSError:
            pass  # the worker has ended: the reader fails what it had been given
        finally:
            os.close(self.task_write)

    def _read_results(self) -> None:
        try:
            while True:
                try:
                    data = _receive(self.result_read)
                except (EOFError, OSError):
                    break
                with self.lock:
                    future = self.running.popleft()
                self.room.release()
                _complete(future, data)
        finally:
            os.close(self.result_read)
            code = self.process.wait()
            with self.lock:
                self.ended = f"a worker ended with exit status {code}"
                lost = list(self.running)
                self.running.clear()
            if lost or not self.pool.closed:  # a worker ends by itself only once asked to
                self.pool.break_down(self.ended)
            for future in lost:
                future.set_exception(BrokenWorkerPool(f"{self.ended} before its task did"))
            self.room.release()  # a sender waiting for room finds the pool's end

    def join(self) -> None:
        self.sender.join()
        self.reader.join()


def _complete(future: Future[Any], data: bytearray) -> None:
    """A task's outcome, as the worker sent it, into its future, whatever it holds."""
    try:
        outcome = pickle.loads(data)
        if outcome[0]:
            future.set_result(outcome[1])
            return
        error = outcome[1]
        if not isinstance(error, BaseException):
            raise TypeError(f"a worker sent {error!r} as an error")
        error.__cause__ = _RemoteTraceback(outcome[2])
    except BaseException as failure:  # an error class that wants other arguments, say
        error = failure
    future.set_exception(error)


class WorkerPool:
    """A fixed number of worker processes fed from one queue (in the order sent, a task sent
    ``later`` behind the rest), all started at once, from the calling thread (a worker's
    signal at the build's end is tied to the thread that started it, see
    :func:`luotsi.background._start_worker`)."""

    def __init__(self, workers: int, initializer: Callable[..., None],
                 initargs: tuple[Any, ...] = ()):
        # (0, or 1 for a task sent later; the order sent; the task, or None for the end)
        self._tasks: queue.PriorityQueue[tuple[int, int, Any]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._lock = threading.Lock()
        self.closed = False
        self.broken = ""
        self._workers: list[_Worker] = []
        try:
            for _ in range(workers):
                self._workers.append(_Worker(self, initializer, initargs))
        except BaseException:  # the second could not be started: nor do the first go on
            self.shutdown(wait=True, cancel_futures=True)
            raise

    def submit(self, func: Callable[..., Any], *args: Any, later: bool = False
               ) -> Future[Any]:
        """Queue ``func(*args)``; a task sent ``later`` waits behind every other one."""
        with self._lock:
            if self.broken:
                raise BrokenWorkerPool(self.broken)
            if self.closed:
                raise RuntimeError("the pool has been shut down")
            future: Future[Any] = Future()
            self._tasks.put((int(later), next(self._order), (future, func, args)))
            return future

    def next_task(self) -> tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None:
        """The next task for a worker's sender, or ``None``: the pool is ending."""
        entry = self._tasks.get()
        if entry[2] is None:
            self._tasks.put(entry)  # for the other workers' senders
        return entry[2]

    def _end_queue(self) -> None:
        """Put the mark that ends the senders, behind every task queued."""
        self._tasks.put((_END, next(self._order), None))

    def break_down(self, why: str) -> None:
        """A worker ended unasked: every task still queued fails, as do later ones (as a
        ``ProcessPoolExecutor`` breaks), rather than waiting for a worker for ever."""
        with self._lock:
            self.broken = self.broken or why
            self._drain(BrokenWorkerPool(why))
            self._end_queue()

    def _drain(self, error: BaseException | None) -> None:
        with contextlib.suppress(queue.Empty):
            while True:
                task = self._tasks.get_nowait()[2]
                if task is None:
                    continue
                if error is None:
                    task[0].cancel()
                elif task[0].set_running_or_notify_cancel():
                    task[0].set_exception(error)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Let the workers end after the tasks queued (or, with ``cancel_futures``, after
        the ones they have already been sent)."""
        with self._lock:
            if not self.closed:
                self.closed = True
                if cancel_futures:
                    self._drain(None)
                self._end_queue()
        if wait:
            for worker in self._workers:
                worker.join()
