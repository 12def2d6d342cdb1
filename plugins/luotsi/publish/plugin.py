"""Pelican adapter: with ``LUOTSI_PUBLISH`` (on in publishconf.py), write the server
configuration into ``deploy/`` beside the output, ``_headers`` into the output, and the
pre-compressed copies of text assets."""

from __future__ import annotations

import os
from typing import Any

from pelican import signals

from .. import core
from ..build import Build, log
from . import compress, configs


def on_finish(build: Build) -> None:
    if not build.config.publish:
        return
    output = os.path.abspath(build.settings["OUTPUT_PATH"])
    feedback = build.config.feedback
    deployment = configs.deployment_for(build.settings.get("SITEURL", ""),
                                        feedback["service_url"] if feedback else "",
                                        build.config.publish_root)
    deploy = os.path.join(os.path.dirname(output), "deploy")
    os.makedirs(deploy, exist_ok=True)
    for name, text in (("nginx.conf", configs.nginx(deployment)),
                       ("Caddyfile", configs.caddy(deployment)),
                       ("luotsi-feedback.service", configs.systemd_unit(deployment))):
        with open(os.path.join(deploy, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    with open(os.path.join(output, "_headers"), "w", encoding="utf-8") as handle:
        handle.write(configs.static_headers(deployment))
    build.precompressed = compress.precompress(output)
    log.warning("Luotsi publish: server configuration in %s; %d compressed copies", deploy,
                build.precompressed)


def on_initialized(pelican: Any) -> None:
    Build.of(pelican).add_finalizer(90, on_finish)  # last: it compresses the finished output


def register() -> None:
    core.register()
    signals.initialized.connect(on_initialized)
