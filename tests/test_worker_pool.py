"""The build's worker processes: only the workers are started (no resource tracker), they do
not run the build's main script again, and every task ends, whatever happens to its worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from luotsi.worker_pool import BrokenWorkerPool, WorkerPool

from .worker_tasks import descendants, note, touch_later


def _nothing() -> None:
    """The initializer of a worker that needs none."""


class Odd(Exception):
    """An error that pickles but does not unpickle (it wants two arguments, keeps one)."""

    def __init__(self, first: str, second: str):
        super().__init__(first)


def _raise_odd() -> None:
    raise Odd("first", "second")


class ExitsWhenUnpickled:
    """A result whose unpickling raises SystemExit in the build's reader thread."""

    def __reduce__(self):
        return (sys.exit, (3,))


class SlowToPickle:
    """An argument that takes half a second to pickle: the sender still holds its task when
    the worker (given a task that ends it) dies."""

    def __reduce__(self):
        time.sleep(0.5)
        return (str, ("7",))


def _die_after(seconds: float, status: int) -> None:
    time.sleep(seconds)
    os._exit(status)


def _quit_quietly() -> None:
    """An initializer that ends its worker with status 0, as a worker does whose build has
    already gone."""
    os._exit(0)


def _start_a_program() -> int:
    """A program started the way a careless task might, keeping every inheritable descriptor."""
    return subprocess.Popen(["sleep", "60"], close_fds=False).pid


@pytest.fixture
def pool():
    started = WorkerPool(2, _nothing)
    yield started
    started.shutdown(wait=True, cancel_futures=True)


def test_only_the_workers_are_started(pool):
    """``multiprocessing``'s spawn started a resource tracker too: a third interpreter, 12 MB
    resident for the whole build."""
    assert sorted(pool.submit(os.getpid).result() for _ in range(4))
    started = descendants(os.getpid())
    assert len(started) == 2, started
    assert all("luotsi.worker_pool" in command for command in started), started
    assert not any("resource_tracker" in command for command in started)


def test_results_and_errors_come_back(pool):
    big = pool.submit(bytes, 5_000_000).result()  # larger than the pipes hold
    assert big == bytes(5_000_000)
    failed = pool.submit(int, "not a number")
    with pytest.raises(ValueError, match="not a number") as raised:
        failed.result()
    assert "Traceback" in str(raised.value.__cause__)  # the worker's own traceback
    unpicklable = pool.submit(open, os.devnull)  # a file object does not pickle
    with pytest.raises(RuntimeError, match="open"):
        unpicklable.result()
    assert pool.submit(sum, [1, 2, 3]).result() == 6  # the worker goes on


def test_a_task_or_result_that_does_not_travel_fails_alone(pool, tmp_path, monkeypatch):
    with pytest.raises(Exception, match="pickle"):
        pool.submit(sum, [lambda: None]).result()
    with pytest.raises(TypeError, match="second"):  # the error, unpickled in the build
        pool.submit(_raise_odd).result()
    # a task from a module the workers cannot import (written after they started)
    (tmp_path / "later.py").write_text("def answer():\n    return 42\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import later

    with pytest.raises(ModuleNotFoundError, match="later"):
        pool.submit(later.answer).result()
    assert pool.submit(max, 3, 4).result() == 4


def test_a_result_that_ends_the_reader_as_it_unpickles_fails_alone(pool):
    with pytest.raises(SystemExit):
        pool.submit(ExitsWhenUnpickled).result(timeout=60)
    assert pool.submit(max, 5, 6).result(timeout=60) == 6


def test_a_worker_that_dies_while_its_next_task_is_on_the_way_fails_that_task():
    """Found in review: the sender had taken the task (running) and not yet recorded it as
    given when the worker died; the reader had already failed what was recorded, and the
    task's future stayed running for ever."""
    started = WorkerPool(1, _nothing)
    try:
        dying = started.submit(_die_after, 0.2, 3)
        next_one = started.submit(int, SlowToPickle())
        assert isinstance(dying.exception(timeout=60), BrokenWorkerPool)
        assert isinstance(next_one.exception(timeout=60), BrokenWorkerPool)
    finally:
        started.shutdown(wait=True, cancel_futures=True)


def test_a_worker_that_ends_quietly_breaks_the_pool():
    """A worker that ends with status 0 unasked (its initializer found the build gone) had
    left its tasks waiting for ever."""
    started = WorkerPool(1, _quit_quietly)
    try:
        futures = [started.submit(max, 1, 2) for _ in range(3)]
        for future in futures:
            assert isinstance(future.exception(timeout=60), BrokenWorkerPool)
    finally:
        started.shutdown(wait=True, cancel_futures=True)


def test_a_program_a_task_starts_does_not_hold_the_workers_pipes(pool):
    """The worker's pipes were inheritable: a program started with ``close_fds=False`` kept
    them open, and the build saw its worker's death only when that program ended."""
    program = pool.submit(_start_a_program).result(timeout=60)
    try:
        assert isinstance(pool.submit(os._exit, 5).exception(timeout=30), BrokenWorkerPool)
        assert os.path.exists(f"/proc/{program}")  # seen while the program still runs
    finally:
        os.kill(program, signal.SIGKILL)


def test_a_pool_that_cannot_start_every_worker_leaves_nothing_behind(monkeypatch):
    from luotsi import worker_pool

    opened = len(os.listdir("/proc/self/fd"))
    popen, started = worker_pool.subprocess.Popen, []

    def second_fails(*args, **kwargs):
        if started:
            raise OSError(11, "Resource temporarily unavailable")
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(worker_pool.subprocess, "Popen", second_fails)
    with pytest.raises(OSError):
        WorkerPool(2, _nothing)
    assert started[0].poll() is not None  # the first worker has ended
    assert len(os.listdir("/proc/self/fd")) == opened
    assert not descendants(os.getpid())


def test_a_worker_that_dies_fails_its_task_and_the_queue_rather_than_hanging(pool):
    doomed = [pool.submit(time.sleep, 0.2) for _ in range(6)]
    killed = pool.submit(os._exit, 3)
    with pytest.raises(BrokenWorkerPool):
        killed.result(timeout=60)
    for future in doomed:  # each either ran or failed; none waits for ever
        future.exception(timeout=60)
    with pytest.raises(BrokenWorkerPool):
        pool.submit(max, 1, 2)


def test_queued_tasks_are_cancelled_at_shutdown(tmp_path):
    started = WorkerPool(1, _nothing)
    first = started.submit(time.sleep, 0.3)
    queued = [started.submit(touch_later, tmp_path / f"ran-{n}") for n in range(10)]
    first.result()
    started.shutdown(wait=True, cancel_futures=True)
    ran = len(list(tmp_path.glob("ran-*")))
    assert ran <= 2  # at most the tasks already waiting in the worker's pipe
    assert sum(future.cancelled() for future in queued) == 10 - ran
    assert not descendants(os.getpid())


def test_a_task_sent_later_waits_behind_the_others(tmp_path):
    """The audit's batches are sent ``later``: what only workers do goes first, and the
    build's process runs what is left of the audit itself once its pages are written."""
    pool = WorkerPool(1, _nothing)
    order = tmp_path / "order"
    try:
        busy = pool.submit(time.sleep, 0.5)
        pool.submit(note, order, "ahead")  # waits in the worker's pipe, taken already
        time.sleep(0.1)
        pool.submit(note, order, "later", later=True)
        pool.submit(note, order, "first")
        last = pool.submit(note, order, "second")
        busy.result()
        last.result()
    finally:
        pool.shutdown(wait=True)
    assert order.read_text(encoding="utf-8").split() == ["ahead", "first", "second", "later"]


def test_the_build_script_is_not_run_again_in_a_worker(tmp_path):
    """``multiprocessing``'s spawn ran the main script again in each worker, as
    ``__mp_main__``: under the ``pelican`` script every worker imported all of Pelican."""
    marker = tmp_path / "runs"
    script = tmp_path / "build.py"
    script.write_text(textwrap.dedent(f"""
        import pelican
        with open({str(marker)!r}, "a", encoding="utf-8") as runs:
            runs.write(__name__ + "\\n")
        from luotsi.background import Background

        background = Background(workers=1)
        print(background.submit(eval, "'pelican' in __import__('sys').modules").result())
        background.close()
    """), encoding="utf-8")
    printed = subprocess.run([sys.executable, str(script)], check=True, timeout=120,
                             capture_output=True, text=True).stdout
    assert marker.read_text(encoding="utf-8").split() == ["__main__"]
    assert printed.split() == ["False"]


def test_a_closed_pool_leaves_no_thread_descriptor_or_process():
    """``make serve`` starts a pool for each rebuild: none may leave anything behind."""
    import threading

    threads, descriptors = threading.active_count(), len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        started = WorkerPool(2, _nothing)
        assert started.submit(max, 1, 2).result(timeout=60) == 2
        started.shutdown(wait=True)
    assert threading.active_count() == threads
    assert len(os.listdir("/proc/self/fd")) == descriptors
    assert not descendants(os.getpid())
