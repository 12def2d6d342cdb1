"""Caches and the background pool only make a build faster: the demo built with cold caches,
rebuilt with every cache warm (Pelican's content cache and Luotsi's pictures, photos, share
cards, QR codes, JSON-LD validation, audit and posts' summaries), and built with no worker
processes and no template fragment made once per language (every ``{% cached %}`` part
rendered on each page) is the same site, byte for byte."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import pytest
from luotsi import fragments, parallel_reading
from luotsi.build import Build

from .conftest import ROOT, build

pytestmark = pytest.mark.slow


def files(output: Path) -> dict[str, str]:
    """Every file of a build (relative path → SHA-256)."""
    return {str(path.relative_to(output)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(output.rglob("*")) if path.is_file()}


def demo(output: Path, caches: Path, **settings) -> tuple[Build, dict[str, str]]:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        run = build(str(ROOT / "pelicanconf.py"), output, CACHE_PATH=str(caches / "pelican"),
                    LUOTSI_CACHE_DIR=str(caches / "luotsi"), CACHE_CONTENT=True,
                    LOAD_CONTENT_CACHE=True, **settings)
    finally:
        os.chdir(cwd)
    assert run.pages and not run.findings, run.findings[:5]
    return run, files(output)


def differences(first: dict[str, str], second: dict[str, str]) -> dict[str, str]:
    return {name: ("only in one" if name not in first or name not in second else "differs")
            for name in first.keys() | second.keys() if first.get(name) != second.get(name)}


def test_warm_caches_and_no_workers_build_the_same_bytes(tmp_path, monkeypatch):
    # The demo is small: let workers convert its Markdown all the same, so that the serial
    # build below shows that the workers' conversions change nothing.
    monkeypatch.setattr(parallel_reading, "MIN_FILES", 1)
    monkeypatch.setattr(parallel_reading, "WAIT_FOR_WORKERS", True)
    first, cold = demo(tmp_path / "cold", tmp_path / "caches")
    assert first.share_images_drawn and first.pictures.made and first.qr_made
    assert first.prereads is not None and first.prereads.taken > 10
    assert any(name.endswith(".avif") for name in cold) and "sitemap.xml" in cold
    again, warm = demo(tmp_path / "warm", tmp_path / "caches")
    assert (again.share_images_drawn, again.pictures.made, again.qr_made) == (0, 0, 0)
    assert again.prereads is None or again.prereads.taken == 0  # the content cache had all
    assert differences(cold, warm) == {}
    # A fragment whose key misses something it depends on would show one page's header,
    # footer or form on another: rendered every time, every page must come out the same.
    monkeypatch.setattr(fragments, "install", functools.partial(fragments.install,
                                                                enabled=False))
    serial_run, serial = demo(tmp_path / "serial", tmp_path / "fresh-caches",
                              LUOTSI_BACKGROUND_WORKERS=0)
    assert serial_run.prereads is None or serial_run.prereads.taken == 0
    assert differences(cold, serial) == {}
