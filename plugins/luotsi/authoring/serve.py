"""``luotsi serve``: the site on loopback, rebuilt on every save, with the feedback service and
a mail sink beside it (``make serve``, for the demo and for every site ``luotsi init`` makes).

Pelican's own ``--autoreload --listen`` builds the site, serves the output and rebuilds when a
file under the content folder, the theme or the settings changes; each rebuild is a fresh
Luotsi build (``core.on_run_start``), and a failed one (a broken header) is reported and the
server keeps the last good output. The service and the sink run as their own processes and
stay up across rebuilds; all of them stop together on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time

LOOPBACK = ("127.0.0.1", "localhost", "::1")
GROUP_GRACE = 3.0  # seconds the rest of a stopped process's group has to end by itself


def _start(command: list[str]) -> subprocess.Popen:
    # Its own session: a Ctrl-C reaches this process only, which then stops each in order.
    return subprocess.Popen(command, start_new_session=True)


def _group_alive(group: int) -> bool:
    """Whether a process of ``group`` still runs. A zombie has ended (it waits for whoever
    adopted it to reap it, which may take a while in a container)."""
    if not os.path.isdir("/proc/self"):
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        return True
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                    state, _, pgrp = handle.read().rsplit(")", 1)[1].split()[:3]
            except OSError:
                continue
            if int(pgrp) == group and state != "Z":
                return True
    return False


def _group_ends(group: int, timeout: float) -> bool:
    """Whether every process of ``group`` has ended within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while _group_alive(group):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _stop(process: subprocess.Popen) -> None:
    """SIGINT first (Pelican stops its builder and server processes, uvicorn drains), then
    the whole process group by force if it lingers. The rest of the group gets a moment
    after its first process has ended: the build's workers end by themselves once the kernel
    tells them (SIGTERM) that the build has."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    if process.poll() is None or not _group_ends(process.pid, GROUP_GRACE):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def feedback_processes(args: argparse.Namespace) -> list[list[str]]:
    """The feedback service and, when it sends mail to loopback, a sink that prints the mail:
    the commands to run, after making a staff account if there is none yet. Nothing when the
    site has no feedback form or the service's extra is not installed."""
    from .. import site_settings
    from ..service import cli as service_cli

    if not site_settings.read(args.settings).get("LUOTSI_FEEDBACK"):
        return []
    try:
        import uvicorn  # noqa: F401  (the service's extra)
    except ImportError:
        print("luotsi serve: the feedback form needs its service: pip install "
              "'luotsi[service]'; serving the site alone", file=sys.stderr)
        return []
    config = service_cli._config(args)
    if not config.admins:
        print(f"== a staff account for the feedback admin ({config.host}:{config.port}/admin/):")
        service_cli.add_admin(argparse.Namespace(config=args.config, name=args.admin,
                                                 password_stdin=False))
    commands = [[sys.executable, "-m", "luotsi.cli", "--config", args.config, "feedback",
                 "serve"]]
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        return commands
    if config.smtp_host in LOOPBACK:
        commands.insert(0, [sys.executable, "-m", "aiosmtpd", "-n", "-l",
                            f"{config.smtp_host}:{config.smtp_port}", "-c",
                            "aiosmtpd.handlers.Debugging"])
    return commands


def serve(args: argparse.Namespace) -> None:
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop like Ctrl-C
    processes: list[subprocess.Popen] = []
    try:
        for command in feedback_processes(args):
            processes.append(_start(command))
        print(f"== site: http://{args.host}:{args.port}/ (rebuilt when you save a file)")
        site = _start([sys.executable, "-m", "pelican", args.content, "--autoreload",
                       "--listen", "-s", args.settings, "-o", args.output, "-b", args.host,
                       "-p", str(args.port)])
        processes.append(site)
        site.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for process in reversed(processes):
            _stop(process)
