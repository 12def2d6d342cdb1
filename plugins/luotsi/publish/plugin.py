"""Pelican adapter: with ``LUOTSI_PUBLISH`` (on in publishconf.py), write the server
configuration into ``deploy/`` beside the output, ``_headers`` into the output, and the
pre-compressed copies of text assets."""

from __future__ import annotations

import os

from .. import core
from .. import run as runs
from . import compress, configs


def on_finish(run: runs.Run) -> None:
    if not run.config.publish:
        return
    output = os.path.abspath(run.settings["OUTPUT_PATH"])
    siteurl = run.settings.get("SITEURL", "")
    feedback = run.config.feedback
    service = feedback["url"] if feedback else ""
    if service.startswith("/"):
        service = siteurl.rstrip("/") + service
    deployment = configs.deployment_for(siteurl, service, run.config.publish_root)
    deploy = os.path.join(os.path.dirname(output), "deploy")
    os.makedirs(deploy, exist_ok=True)
    for name, text in (("nginx.conf", configs.nginx(deployment)),
                       ("Caddyfile", configs.caddy(deployment)),
                       ("luotsi-feedback.service", configs.systemd_unit(deployment))):
        with open(os.path.join(deploy, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    with open(os.path.join(output, "_headers"), "w", encoding="utf-8") as handle:
        handle.write(configs.static_headers(deployment))
    written = compress.precompress(output)
    run.shared["precompressed"] = written
    runs.log.warning("Luotsi publish: server configuration in %s; %d compressed copies",
                     deploy, written)


def register() -> None:
    core.register()
    core.add_finalizer(on_finish)
