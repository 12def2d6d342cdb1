"""``make serve`` in a site made by ``luotsi init``: the site is rebuilt when a post is saved,
the feedback service and the mail sink stay up, and everything stops together."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from .new_site import VENV, init_site
from .servers import free_port, wait_for_port

pytestmark = pytest.mark.slow


def wait_until(condition, what: str, log: Path, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}; make serve said:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_a_saved_post_is_rebuilt_while_the_service_keeps_running(tmp_path):
    site = init_site(tmp_path / "site")
    ports = {"site": free_port(), "service": free_port(), "mail": free_port()}
    toml = site / "feedback.toml"
    toml.write_text(toml.read_text().replace("port = 8001", f"port = {ports['service']}")
                    .replace("smtp_port = 8025", f"smtp_port = {ports['mail']}"))
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        make = subprocess.Popen(["make", "-s", "serve", f"VENV={VENV}", f"PORT={ports['site']}"],
                                cwd=site, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, env={**os.environ, "COLUMNS": "500"})
    post = site / "content/posts/welcome/fi.md"
    page = site / "output/blog/tervetuloa-uusille-verkkosivuillemme/index.html"
    try:
        for port in ports.values():
            wait_for_port(port, timeout=180)
        wait_until(lambda: "Done: Processed" in log.read_text(), "no first build", log)
        saved = post.read_text(encoding="utf-8") + "\nTallennettu juuri nyt.\n"
        for _ in range(10):  # Pelican watches again only once a build has ended: a save in
            post.write_text(saved, encoding="utf-8")  # that instant is missed; save again
            with contextlib.suppress(AssertionError):
                wait_until(lambda: "Tallennettu juuri nyt." in page.read_text(encoding="utf-8"),
                           "the saved post was not rebuilt", log, timeout=20)
                break
        else:
            raise AssertionError(f"the saved post was not rebuilt:\n{log.read_text()[-3000:]}")
        served = httpx.get(f"http://127.0.0.1:{ports['site']}/blog/"
                           "tervetuloa-uusille-verkkosivuillemme/")
        assert served.status_code == 200 and "Tallennettu juuri nyt." in served.text
        health = httpx.get(f"http://127.0.0.1:{ports['service']}/healthz")
        assert health.status_code == 200 and health.json()["ok"] is True
        assert "password for admin: " in log.read_text()  # the first run's staff account
    finally:
        os.killpg(make.pid, signal.SIGTERM)  # make and `luotsi serve`, as a terminal would
        make.wait(timeout=60)
    wait_until(lambda: not any(listening(port) for port in ports.values()),
               "a server outlived make serve", log, timeout=60)


def test_stopping_gives_the_rest_of_the_group_a_moment_to_end_by_itself(tmp_path):
    """What a stopped process leaves in its group (the build's workers, ending once the
    kernel tells them the build has) may end by itself before the group is killed; what
    lingers beyond the grace period is killed."""
    from luotsi.authoring import serve

    done, lingering = tmp_path / "done", tmp_path / "lingering"
    leader = subprocess.Popen(
        ["sh", "-c", f"(sleep 1; touch {done}) & (sleep 30; touch {lingering}) & exec sleep 30"],
        start_new_session=True)
    time.sleep(0.3)  # the leader has started the others
    started = time.monotonic()
    serve._stop(leader)
    assert done.exists()  # ended by itself within the grace period
    assert time.monotonic() - started < serve.GROUP_GRACE + 5
    # killed (SIGKILL takes effect a moment later)
    assert serve._group_ends(leader.pid, 10), "a process outlived the grace period"
    assert not lingering.exists()
