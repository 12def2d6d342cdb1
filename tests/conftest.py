"""Shared fixtures: real Pelican builds of the demo and of small sites written by a test."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import luotsi
import lxml.html
import pytest
from luotsi.build import Build
from pelican import Pelican
from pelican.settings import read_settings

ROOT = Path(__file__).resolve().parent.parent


def build(settings_path: str | None, output: Path, **override) -> Build:
    """Run Pelican for real and return the Luotsi run (findings, pages written)."""
    override.setdefault("OUTPUT_PATH", str(output))
    override.setdefault("CACHE_PATH", str(output.parent / f"{output.name}-cache"))
    override.setdefault("LUOTSI_CACHE_DIR", str(output.parent / f"{output.name}-luotsi-cache"))
    settings = read_settings(settings_path, override=override)
    Pelican(settings).run()
    return Build.of(settings)



def python(script: str, cwd: Path | None = None) -> str:
    """What a fresh Python process running ``script`` printed (it must succeed), with this
    checkout's plugins importable: for what only a new process shows (what it imports, what
    a class's shared tables hold)."""
    return subprocess.run([sys.executable, "-c", script], check=True, timeout=120,
                          capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")}).stdout

@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> tuple[Path, Build]:
    """The demo site, built once per test process."""
    out = tmp_path_factory.mktemp("demo") / "output"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        run = build(str(ROOT / "pelicanconf.py"), out)
    finally:
        os.chdir(cwd)
    return out, run


def build_demo(root: Path, site_port: int, **overrides: str) -> tuple[Path, Path]:
    """The demo built for ``http://127.0.0.1:<site_port>`` into ``root/output``; overrides are
    Python expressions evaluated in the demo's settings. Returns (settings file, output).
    The file is not named pelicanconf.py: it imports that module."""
    settings = root / "demo_settings.py"
    lines = [f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *  # noqa",
             f"PATH = {str(ROOT / 'content')!r}", f"SITEURL = 'http://127.0.0.1:{site_port}'",
             *(f"{name} = {expression}" for name, expression in overrides.items())]
    settings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    output = root / "output"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        build(str(settings), output)
    finally:
        os.chdir(cwd)
    return settings, output


BASE_SETTINGS = {
    "SITENAME": "Fixture Travel",
    "SITEURL": "https://fixture.example",
    "DEFAULT_LANG": "fi",
    "TIMEZONE": "Europe/Helsinki",
    "THEME": luotsi.THEME,
    "PLUGINS": ["luotsi"],
    "ARTICLE_PATHS": ["posts"],
    "PAGE_PATHS": ["pages"],
    "SLUGIFY_USE_UNICODE": True,
    "ARTICLE_URL": "blog/{slug}/",
    "ARTICLE_SAVE_AS": "blog/{slug}/index.html",
    "ARTICLE_LANG_URL": "{lang}/blog/{slug}/",
    "ARTICLE_LANG_SAVE_AS": "{lang}/blog/{slug}/index.html",
    "PAGE_URL": "{slug}/",
    "PAGE_SAVE_AS": "{slug}/index.html",
    "PAGE_LANG_URL": "{lang}/{slug}/",
    "PAGE_LANG_SAVE_AS": "{lang}/{slug}/index.html",
    "LUOTSI_LANGUAGES": ["fi", "en", "ja"],
    "LUOTSI_COMPANY": {
        "name": "Fixture Travel", "street_address": "Katu 1", "postal_code": "00100",
        "locality": "Helsinki", "country": "FI", "telephone": "+358 9 123 4567",
        "email": "info@fixture.example",
    },
}


class Site:
    """A small site written file by file in a test, then built for real."""

    def __init__(self, root: Path):
        self.root = root
        self.content = root / "content"
        self.output = root / "output"

    def write(self, relpath: str, text: str) -> Path:
        path = self.content / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    def post(self, relpath: str, title: str, lang: str, date: str = "2026-05-12 10:00",
             body: str = "Body text.", **fields: str) -> Path:
        extra = "".join(f"{k.replace('_', '-').title()}: {v}\n" for k, v in fields.items())
        return self.write(relpath, f"Title: {title}\nDate: {date}\nLang: {lang}\n{extra}\n"
                                   f"{body}\n")

    def build(self, **override) -> Build:
        settings = {**BASE_SETTINGS, "PATH": str(self.content), **override}
        (self.content / "posts").mkdir(parents=True, exist_ok=True)
        (self.content / "pages").mkdir(parents=True, exist_ok=True)
        return build(None, self.output, **settings)

    def settings_file(self, plugins: list[str], **override) -> Path:
        """A settings file for this site, for a build in another process."""
        settings = {**BASE_SETTINGS, "PATH": str(self.content), "PLUGINS": plugins, **override}
        (self.content / "posts").mkdir(parents=True, exist_ok=True)
        (self.content / "pages").mkdir(parents=True, exist_ok=True)
        conf = self.root / "alone.py"
        conf.write_text("".join(f"{k} = {v!r}\n" for k, v in settings.items()))
        return conf

    def build_alone(self, plugins: list[str], **override) -> None:
        """Build in a fresh ``pelican`` process: Pelican's signals stay connected for the life
        of a process, so only a new one shows what a capability does when enabled alone."""
        conf = self.settings_file(plugins, **override)
        subprocess.run([sys.executable, "-m", "pelican", str(self.content), "-s", str(conf),
                        "-o", str(self.output), "-q"], check=True, cwd=self.root,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")})

    def html(self, relpath: str) -> lxml.html.HtmlElement:
        return parse(self.output / relpath)


@pytest.fixture
def site(tmp_path) -> Site:
    return Site(tmp_path)


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def html_pages(output: Path) -> list[Path]:
    """The site's pages; the audit report (a plain, noindex file written after the build,
    checked in test_audit) is not one of them."""
    return sorted(p for p in output.rglob("*.html") if p.parent.name != "audit")
