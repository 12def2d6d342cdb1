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

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _start(command: list[str]) -> subprocess.Popen:
    # Its own session: a Ctrl-C reaches this process only, which then stops each in order.
    return subprocess.Popen(command, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    """SIGINT first (Pelican stops its builder and server processes, uvicorn drains), then
    the whole process group by force if it lingers."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
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
