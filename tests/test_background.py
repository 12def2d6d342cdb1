"""The build's worker pool: an interrupted build does not wait for the work it queued, its
workers end with it, and they give back the memory a large picture took."""

from __future__ import annotations

import ast
import os
import platform
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from .conftest import ROOT, python
from .worker_tasks import touch_later


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


def test_a_build_stopped_in_its_last_step_does_not_wait_for_the_queue(tmp_path):
    """Found in review: the workers leave Ctrl-C to the build, and the build's last step
    closed its pool by waiting for every batch still queued. A block that ends by an error
    or Ctrl-C cancels what no worker was given yet."""
    from luotsi.background import Background

    with pytest.raises(KeyboardInterrupt), Background(workers=1) as background:
        first = background.submit(time.sleep, 0.3)
        queued = [background.submit(touch_later, tmp_path / f"ran-{n}") for n in range(20)]
        first.result()
        raise KeyboardInterrupt
    ran = len(list(tmp_path.glob("ran-*")))
    assert ran <= 2  # what was already waiting in the worker's pipe
    assert sum(future.cancelled() for future in queued) == 20 - ran


def test_workers_end_with_a_build_that_is_killed(tmp_path):
    """``pelican --autoreload --listen`` stops its builder with SIGTERM, skipping the pool's
    shutdown: the workers must not wait for work for ever."""
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


RSS_KIB = """
        def rss_kib():
            with open("/proc/self/status") as handle:
                return next(int(line.split()[1]) for line in handle
                            if line.startswith("VmRSS:"))
"""


def in_a_worker(tmp_path, module: str, source: str, function: str) -> str:
    """What ``function`` of a module written from ``source`` returns, called in a worker of
    the build's pool (one worker, started as in a build), as printed."""
    (tmp_path / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        from luotsi.background import Background
        import {module}

        if __name__ == "__main__":
            background = Background(workers=1)
            print(background.submit({module}.{function}).result())
            background.close()
    """)
    return python(script).split()[-1]


def test_a_worker_hands_large_freed_blocks_back(tmp_path):
    """A worker that has decoded a camera photo kept the memory of later, smaller pictures
    after freeing it: glibc served them from its heap, which it keeps, once a larger block had
    raised its threshold for mapping blocks on their own. A worker must hand them back."""
    if platform.libc_ver()[0] != "glibc":
        pytest.skip("the threshold is glibc's")
    kept = int(in_a_worker(tmp_path, "blocks", RSS_KIB + """

        def kept_after_free():
            large = bytearray(30 << 20)  # a decoded photo: freed, it raises the threshold
            del large
            before = rss_kib()
            block = bytearray(16 << 20)  # one of Pillow's image blocks, touched
            del block
            return rss_kib() - before
    """, "kept_after_free"))
    assert kept < 4096, f"the worker kept {kept} KiB of a freed 16 MiB block"


def test_a_worker_keeps_freed_small_blocks_for_the_next(tmp_path):
    """A share card allocates and frees bands of about a megabyte, thousands of times. With
    the mapping threshold fixed, glibc handed each freed band back to the kernel (its
    trimming threshold stays at 128 KiB) and faulted it in afresh for the next card: 174
    page faults a card. A worker must keep them."""
    if platform.libc_ver()[0] != "glibc":
        pytest.skip("the thresholds are glibc's")
    faults = float(in_a_worker(tmp_path, "bands", """
        import resource

        def faults_per_band(count=200):
            bytearray(1 << 20)  # the first band may fault its pages in
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            for _ in range(count):
                band = bytearray(1 << 20)  # a card's band, touched (zeroed)
                del band
            return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / count
    """, "faults_per_band"))
    assert faults < 8, f"{faults:.0f} page faults for each freed and reallocated 1 MiB block"


def test_the_modules_of_worker_tasks_do_not_import_pelican():
    """A worker imports the module of every task it is sent. Importing anything of Pelican's
    runs its whole package (generators, readers, docutils, Jinja): 18 MB and 0.11 s in each
    worker, that no task of a worker needs."""
    done = after_importing(("luotsi.markdown_convert", "luotsi.structured_data.share_image",
                            "luotsi.audit.run_audit", "luotsi.images", "luotsi.qr.render",
                            "luotsi.background"),
                           "sorted(m for m in sys.modules if m.split('.')[0] == 'pelican')")
    assert done == "[]", f"a worker's task imports Pelican: {done}"


def after_importing(modules: tuple[str, ...], expression: str) -> str:
    """``expression`` as printed by a fresh interpreter that imported ``modules``, as a
    worker imports the modules of its tasks."""
    return python(f"import sys\nfor name in {modules!r}: __import__(name)\n"
                  f"print({expression})").strip()


def test_the_workers_of_the_writing_do_not_load_openssl():
    """``import hashlib`` loads OpenSSL's libcrypto, 3.4 MB resident in each process; the
    tasks of the workers that run while pages are written take their digests from
    :mod:`luotsi.digests` instead."""
    assert after_importing(("luotsi.structured_data.share_image", "luotsi.audit.run_audit",
                            "luotsi.qr.render", "luotsi.qr.poster", "luotsi.background"),
                           "'_hashlib' in sys.modules") == "False"


def test_the_workers_are_renewed_once_idle(tmp_path):
    """After the reading, the work goes to a fresh worker, without the modules and the heap
    that converting Markdown left in the first: not while the first still has a task (no two
    workers at once, no wait), but at the first task sent once it has none."""
    (tmp_path / "who.py").write_text(textwrap.dedent("""
        import os, time

        def pid(items):
            time.sleep(items[0])
            return os.getpid()
    """), encoding="utf-8")
    script = textwrap.dedent(f"""
        import os, sys
        sys.path[:0] = [{str(tmp_path)!r}, {str(ROOT)!r}]
        from luotsi.background import Background
        from tests.worker_tasks import descendants
        import who

        if __name__ == "__main__":
            background = Background(workers=1)
            first = background.submit(who.pid, [0]).result()
            slow = background.submit(who.pid, [0.5])
            background.renew_when_idle()
            busy = background.submit(who.pid, [0])  # the first worker still has a task
            counts = [len(descendants(os.getpid()))]
            slow.result(), busy.result()
            fresh = background.submit(who.pid, [0]).result()  # idle now: renewed
            counts.append(len(descendants(os.getpid())))
            again = background.submit(who.pid, [0]).result()  # renewed once, not again
            background.close()
            print([slow.result() == first, busy.result() == first, fresh != first,
                   again == fresh])
            print(counts)
    """)
    checks, counts = python(script).splitlines()
    assert ast.literal_eval(checks) == [True, True, True, True]
    assert ast.literal_eval(counts) == [1, 1]  # one worker at a time


def test_a_flushed_part_batch_runs_without_waiting_for_results(tmp_path):
    """Codes are queued in batches of 64; the last, part batch used to be sent only when its
    results were asked for, at the end of the build, behind every card and audit queued
    meanwhile. Flushed, it runs at once."""
    (tmp_path / "touch.py").write_text(textwrap.dedent("""
        import pathlib

        def touch_all(paths):
            for path in paths:
                pathlib.Path(path).touch()
            return len(paths)
    """), encoding="utf-8")
    script = textwrap.dedent(f"""
        import pathlib, sys, time
        sys.path.insert(0, {str(tmp_path)!r})
        from luotsi.background import Background
        import touch

        if __name__ == "__main__":
            background = Background(workers=1)
            for n in range(3):
                background.batch(touch.touch_all, str(pathlib.Path({str(tmp_path)!r}, f"f{{n}}")),
                                 size=64)
            background.flush(touch.touch_all)
            last, deadline = pathlib.Path({str(tmp_path)!r}, "f2"), time.monotonic() + 20
            while time.monotonic() < deadline and not last.exists():
                time.sleep(0.05)
            print(last.exists(), list(background.results(touch.touch_all)))
            background.close()
    """)
    done = python(script)
    assert done.split() == ["True", "[3]"]


def held_worker(tmp_path: Path, body: str) -> str:
    """A script that runs ``body`` with one worker (``background``), which a batch
    ``["hold"]`` holds until another batch, run anywhere, lets it go (module ``held``:
    ``run`` and ``run_too``, the same task under two names)."""
    (tmp_path / "held.py").write_text(textwrap.dedent(f"""
        import os, pathlib, time

        GO = pathlib.Path({str(tmp_path)!r}, "go")
        HELD = pathlib.Path({str(tmp_path)!r}, "held")

        def run(items):
            if items == ["hold"]:
                HELD.touch()
                deadline = time.monotonic() + 30
                while not GO.exists() and time.monotonic() < deadline:
                    time.sleep(0.02)
                return ["held" if GO.exists() else "timed out", os.getpid()]
            GO.touch()
            return [items, os.getpid()]

        def run_too(items):
            return run(items)
    """), encoding="utf-8")
    return textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(tmp_path)!r})
        from luotsi.background import Background
        import held

        if __name__ == "__main__":
            background = Background(workers=1)
    """) + textwrap.indent(textwrap.dedent(body), "    ")


def test_the_build_runs_the_batches_no_worker_has_started(tmp_path):
    """Once its pages are written the build does not wait idle for the workers: it runs the
    batches none has started, from the last one back, and the results come in the order the
    batches were queued. Here the one worker is held by the first batch until a batch the
    build ran itself lets it go, so the build must have helped for this to end at all."""
    script = held_worker(tmp_path, """
            background.batch(held.run, "hold", size=1)
            for n in range(6):
                background.batch(held.run, n, size=2)
            background.batch(held.run, "last", size=2)  # never sent: a part batch
            while not held.HELD.exists():  # the worker has started (and holds)
                time.sleep(0.01)
            results = list(background.results(held.run))
            background.close()
            print([[r[0], "build" if r[1] == os.getpid() else "worker"] for r in results])
    """)
    done = python(script)
    results = ast.literal_eval(done.strip())  # a list printed by the script
    assert [r[0] for r in results] == ["held", [0, 1], [2, 3], [4, 5], ["last"]]
    assert results[0][1] == "worker"
    assert results[-1][1] == "build" and results[-2][1] == "build"


def test_the_build_never_runs_work_only_workers_do_and_helps_with_other_work(tmp_path):
    """Share cards are drawn only by workers: drawing them in the build's process loaded the
    fonts there at its largest. Waiting for them, it runs other batches no worker has
    started, whose results still come in the order they were queued. Here the one worker is
    held by the first card until an audit batch the build ran itself lets it go."""
    script = held_worker(tmp_path, """
            draw, audit = held.run, held.run_too
            background.workers_only(draw)
            background.batch(draw, "hold", size=1)
            for n in range(4):
                background.batch(draw, n, size=2)
                background.batch(audit, n, size=1)
            background.batch(draw, "last", size=2)  # a part batch: sent, not run here
            while not held.HELD.exists():  # the worker has started (and holds)
                time.sleep(0.01)
            where = lambda results: [[r[0], "build" if r[1] == os.getpid() else "worker"]
                                     for r in results]
            print(where(background.results(draw)))
            print(where(background.results(audit)))
            background.close()
    """)
    drawn, audited = (ast.literal_eval(line) for line in python(script).splitlines())
    assert [r[0] for r in drawn] == ["held", [0, 1], [2, 3], ["last"]]
    assert {r[1] for r in drawn} == {"worker"}
    assert [r[0] for r in audited] == [[0], [1], [2], [3]]
    assert audited[-1][1] == "build"


def test_workers_draw_with_the_fonts_the_build_found(tmp_path):
    """fontconfig is asked once, by the build's process before its workers start (``fc-match``
    forked from a large build counted as all of its memory again); the workers use its answers.
    Here they could not ask themselves: ``fc-match`` is off their PATH."""
    script = textwrap.dedent("""
        import os
        from luotsi import background, drawing

        if __name__ == "__main__":
            pool = background.Background(workers=1)
            pool.before_start(drawing.find_fonts_for_workers)  # as share cards do
            pool.before_start(lambda: os.environ.update(PATH=""))
            in_worker = pool.submit(drawing.font_file, "ja", False).result()
            pool.close()
            print(in_worker == drawing.font_file("ja", False) and in_worker is not None,
                  os.environ["PATH"] == "")
    """)
    done = python(script)
    if done.split() == ["False", "True"] and shutil.which("fc-match") is None:
        pytest.skip("no fontconfig here")
    assert done.split() == ["True", "True"]


def test_a_worker_that_made_photos_hands_their_memory_back(tmp_path):
    """A worker that had encoded three camera photos' variants held 58 MB more than before
    (this test without the trim), free but inside its heap, for the rest of the build."""
    if platform.libc_ver()[0] != "glibc":
        pytest.skip("malloc_trim is glibc's")
    from PIL import Image

    photo = tmp_path / "photo.jpg"
    Image.merge("RGB", [Image.effect_noise((3000, 2000), s) for s in (40, 60, 80)]).save(
        photo, "JPEG", quality=88)
    kept = int(in_a_worker(tmp_path, "photos", RSS_KIB + f"""
        import os
        from luotsi import images

        def kept_after_photos():
            recipe = images.Recipe((160, 320, 480, 640, 960), images.modern_format("avif"),
                                   (4, 5))
            images.render_batch([])  # the modules and the encoder's libraries are loaded
            before = rss_kib()
            for n in range(3):
                cache = os.path.join({str(tmp_path)!r}, f"cache-{{n}}")
                todo = images.plan({str(photo)!r}, recipe, cache)
                images.render_batch([(todo, recipe, cache)])
            return rss_kib() - before
    """, "kept_after_photos"))
    assert kept < 16384, f"the worker kept {kept} KiB after making three photos' variants"


def test_the_workers_end_once_nothing_is_left_to_do(tmp_path):
    """The audit's report and cache, the build's last steps, make its own process its
    largest: the idle workers' memory is handed back before them, as soon as the last
    results are collected, and not while another kind of work is still queued."""
    (tmp_path / "twice.py").write_text(textwrap.dedent("""
        def double(items):
            return [2 * item for item in items]

        def triple(items):
            return [3 * item for item in items]
    """), encoding="utf-8")
    script = textwrap.dedent(f"""
        import os, sys
        sys.path[:0] = [{str(tmp_path)!r}, {str(ROOT)!r}]
        from luotsi.background import Background
        from tests.worker_tasks import descendants
        import twice

        def children():
            return len(descendants(os.getpid()))

        if __name__ == "__main__":
            background = Background(workers=1)
            background.batch(twice.double, 1, size=1)
            background.batch(twice.triple, 1, size=1)
            running = [children()]
            results = list(background.results(twice.double))  # ``triple`` is still queued
            running.append(children())
            results += background.results(twice.triple)
            running.append(children())
            background.batch(twice.double, 2, size=1)  # work sent later: a new pool
            running.append(children())
            results += background.results(twice.double)
            running.append(children())
            print(running)
            print(results)
    """)
    running, results = python(script).splitlines()
    assert ast.literal_eval(running) == [1, 1, 0, 1, 0]
    assert ast.literal_eval(results) == [[2], [3], [4]]


CYCLE = """
        import pathlib

        class Cycle:
            \"\"\"Garbage only the cyclic collector frees; says so when it is freed.\"\"\"

            def __init__(self, marker):
                self.me = self
                self.write = pathlib.Path(marker).write_text

            def __del__(self):
                self.write("collected")

        def keep(marker):
            global KEPT
            KEPT = Cycle(marker)
            return "kept"
"""


def test_workers_end_without_collecting_their_garbage(tmp_path):
    """The interpreter's last collections walked every object once more as a process exited
    (0.44-0.64 s for a 1,000 × 4 build's process). A worker runs nothing but Luotsi's tasks
    and freezes the collector as it exits: an object in a reference cycle is left to the
    system there, and collected in a plain process."""
    (tmp_path / "cycle.py").write_text(textwrap.dedent(CYCLE), encoding="utf-8")

    def kept_at_exit(name: str, script: str) -> bool:
        marker = tmp_path / name
        python(f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nimport cycle\n"
               f"MARKER = {str(marker)!r}\n" + textwrap.dedent(script))
        return not marker.exists()

    assert not kept_at_exit("plain", "cycle.keep(MARKER)")  # the marker shows a collection
    assert kept_at_exit("worker", """
        from luotsi.background import Background
        if __name__ == "__main__":
            background = Background(workers=1)
            print(background.submit(cycle.keep, MARKER).result())
            background.close()
    """)


def test_a_pelican_build_skips_the_last_collections_only_with_luotsi_alone(site):
    """The build's process freezes the collector at exit only as a ``pelican`` command whose
    plugins are all Luotsi's: another plugin's module-level file or temporary file may rely on
    being finalized at exit (and so may a program that runs Pelican itself, such as this test
    runner). A module-level object that says when it is collected shows which happened."""
    (site.root / "cycle.py").write_text(textwrap.dedent(CYCLE), encoding="utf-8")
    (site.root / "other_plugin.py").write_text("def register():\n    pass\n", encoding="utf-8")
    site.post("posts/a.md", "Hei", "fi")
    pelican_script = str(Path(sys.executable).with_name("pelican"))

    def kept_at_exit(name: str, command: list[str], plugins: list[str]) -> bool:
        conf = site.settings_file(plugins)
        marker = site.root / name
        with conf.open("a", encoding="utf-8") as handle:
            handle.write(f"import sys\nsys.path.insert(0, {str(site.root)!r})\nimport cycle\n"
                         f"cycle.keep({str(marker)!r})\n")
        subprocess.run([*command, str(site.content), "-s", str(conf), "-o", str(site.output),
                        "-q"], check=True, cwd=site.root, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")})
        return not marker.exists()

    assert kept_at_exit("script", [pelican_script], ["luotsi"])
    assert kept_at_exit("module", [sys.executable, "-m", "pelican"], ["luotsi"])
    assert not kept_at_exit("other", [sys.executable, "-m", "pelican"],
                            ["luotsi", "other_plugin"])
