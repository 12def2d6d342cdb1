"""The build's worker processes: only the workers are started (no resource tracker), they do
not run the build's main script again, and every task ends, whatever happens to its worker."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest
from luotsi.worker_pool import BrokenWorkerPool, WorkerPool


def _nothing() -> None:
    """The initializer of a worker that needs none."""


class Odd(Exception):
    """An error that pickles but does not unpickle (it wants two arguments, keeps one)."""

    def __init__(self, first: str, second: str):
        super().__init__(first)


def _raise_odd() -> None:
    raise Odd("first", "second")


def descendants(pid: int) -> list[str]:
    """The command lines of every process started below ``pid``, at any depth."""
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for task in os.listdir(f"/proc/{parent}/task"):
            with open(f"/proc/{parent}/task/{task}/children", encoding="utf-8") as handle:
                for child in map(int, handle.read().split()):
                    with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                        found.append(cmdline.read().replace(b"\0", b" ").decode())
                    frontier.append(child)
    return found


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


def test_a_worker_that_dies_fails_its_task_and_the_queue_rather_than_hanging(pool):
    doomed = [pool.submit(time.sleep, 0.2) for _ in range(6)]
    killed = pool.submit(os._exit, 3)
    with pytest.raises(BrokenWorkerPool):
        killed.result(timeout=60)
    for future in doomed:  # each either ran or failed; none waits for ever
        future.exception(timeout=60)
    with pytest.raises(BrokenWorkerPool):
        pool.submit(max, 1, 2)


def test_queued_tasks_are_cancelled_at_shutdown():
    started = WorkerPool(1, _nothing)
    first = started.submit(time.sleep, 0.3)
    queued = [started.submit(time.sleep, 0.3) for _ in range(10)]
    first.result()
    begun = time.monotonic()
    started.shutdown(wait=True, cancel_futures=True)
    assert sum(future.cancelled() for future in queued) >= 8
    assert time.monotonic() - begun < 2.5, "shutdown waited for the cancelled tasks"
    assert not descendants(os.getpid())


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
