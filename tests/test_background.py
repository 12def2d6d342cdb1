"""The build's worker pool: an interrupted build does not wait for the work it queued."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time


def test_a_build_that_ends_early_drops_the_work_still_queued(tmp_path):
    """Forty files queued behind slow tasks, then the process ends (as Ctrl-C ends a build):
    only what the worker had already started is done, not the whole queue."""
    script = textwrap.dedent(f"""
        import pathlib, time
        from luotsi.background import Background

        if __name__ == "__main__":
            background = Background(workers=1)
            background.submit(time.sleep, 0).result()  # the worker has started
            for n in range(40):
                background.submit(time.sleep, 0.2)
                background.submit(pathlib.Path({str(tmp_path)!r}, f"done-{{n}}").touch)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    done = len(list(tmp_path.glob("done-*")))
    assert done < 10, f"{done} of 40 queued tasks ran after the build had ended"


def test_workers_end_with_a_build_that_is_killed(tmp_path):
    """``pelican --autoreload --listen`` stops its builder with SIGTERM, skipping the pool's
    shutdown: the workers must not wait for work for ever (nor keep the pool's semaphores in
    /dev/shm through the resource tracker that waits for them)."""
    script = textwrap.dedent("""
        import os, sys, time
        from luotsi.background import Background

        if __name__ == "__main__":
            background = Background(workers=2)
            pids = {background.submit(time.sleep, 0.3) and background.submit(os.getpid).result()
                    for _ in range(4)}
            print(" ".join(map(str, pids)), flush=True)
            time.sleep(60)
    """)
    build = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in build.stdout.readline().split()]
    assert workers and build.pid not in workers
    build.send_signal(signal.SIGTERM)
    build.wait(timeout=30)
    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers), "a worker outlived its build"


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
