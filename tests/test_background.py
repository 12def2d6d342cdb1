"""The build's worker pool: an interrupted build does not wait for the work it queued."""

from __future__ import annotations

import subprocess
import sys
import textwrap


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
