"""The shape of the code: the service and the build stay apart, capabilities work alone, no
module imports itself in a circle and none keeps state between builds."""

from __future__ import annotations

import ast
import gzip
import json
import pickle
import subprocess
import sys
from pathlib import Path

import luotsi
import pytest
from PIL import Image

from .conftest import ROOT

PACKAGE = ROOT / "plugins" / "luotsi"


def run_python(code: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_the_service_runs_without_pelican(tmp_path):
    """Import the app, build it from a site's settings and answer requests: no Pelican."""
    (tmp_path / "pelicanconf.py").write_text(
        "SITEURL = 'https://fixture.example'\nDEFAULT_LANG = 'fi'\n"
        "LUOTSI_LANGUAGES = ['fi', 'en']\n"
        "LUOTSI_COMPANY = {'name': 'F', 'street_address': 'K 1', 'postal_code': '00100', "
        "'locality': 'Helsinki', 'country': 'FI', 'telephone': '+358 9 123 4567', "
        "'email': 'info@fixture.example'}\n"
        "LUOTSI_FEEDBACK = {'url': '/feedback-api'}\n", encoding="utf-8")
    done = run_python(
        "import json, sys\n"
        "import luotsi.service.app as app\n"
        "from luotsi.service.config import load\n"
        "from starlette.testclient import TestClient\n"
        "config = load(None, {'LUOTSI_FEEDBACK_SECRET': 'x' * 40})\n"
        "with TestClient(app.create_app(config, start_worker=False)) as client:\n"
        "    assert client.get('/feedback-api/feedback/token').status_code == 200\n"
        "    assert client.get('/feedback-api/admin/').status_code == 200\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'pelican')))\n",
        cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_a_build_imports_none_of_the_service(site):
    """A whole build with every capability on imports neither Starlette, uvicorn, argon2 nor
    the service package."""
    site.post("posts/a/fi.md", "Eka", "fi")
    site.post("posts/a/en.md", "First", "en")
    conf = site.settings_file(["luotsi"], LUOTSI_CACHE_DIR=str(site.root / "cache"),
                              LUOTSI_FEEDBACK={"url": "https://fixture.example/api"})
    done = run_python(
        "import json, sys\n"
        "from pelican import Pelican\n"
        "from pelican.settings import read_settings\n"
        f"settings = read_settings({str(conf)!r}, override={{'OUTPUT_PATH': "
        f"{str(site.root / 'out2')!r}, 'PATH': {str(site.content)!r}}})\n"
        "Pelican(settings).run()\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'starlette', 'uvicorn', 'argon2', 'httpx'}) + "
        "sorted(m for m in sys.modules if m.startswith('luotsi.service'))))\n",
        cwd=site.root)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
    assert (site.root / "out2" / "en" / "blog").is_dir()


# What each capability writes when it is the only one in PLUGINS. Staff, trips, structured
# data, feedback, qr and social bring the multilingual model with them (their pages are per
# language, and the Luotsi theme reads its languages and home URLs). Pictures, audit and
# publish need no other capability (the pictures of any theme's posts; whatever output the
# build has), so they are tested with Pelican's own theme.
ALONE = {
    "luotsi.multilingual": ("en/blog/first/index.html", '<link rel="alternate" hreflang="fi"'),
    "luotsi.staff": ("en/staff/aino/index.html", "Guide"),
    "luotsi.trips": ("en/trips/index.html", "Husky day"),
    "luotsi.pictures": ("images/pictures", None),
    "luotsi.structured_data": ("en/blog/first/index.html", '"@type":"BlogPosting"'),
    "luotsi.feedback": ("en/contact/index.html", 'action="https://fixture.example/api/feedback"'),
    "luotsi.qr": ("en/blog/first/index.html", 'class="qr-print"'),
    "luotsi.social": ("en/blog/first/index.html", 'class="share"'),
    "luotsi.audit": ("audit/report.json", '"score"'),
    "luotsi.publish": ("_headers", "Content-Security-Policy"),
}


def test_every_capability_is_listed():
    assert sorted(ALONE) == sorted(f"luotsi.{name}" for name in luotsi.CAPABILITIES)


@pytest.mark.slow
@pytest.mark.parametrize("plugin", sorted(ALONE))
def test_each_capability_builds_alone(site, plugin):
    """In a fresh ``pelican`` process (signals stay connected for the life of a process)."""
    site.post("posts/first/fi.md", "Eka", "fi", author="aino")
    site.post("posts/first/en.md", "First", "en", slug="first", author="aino",
              image="images/first.jpg", image_alt="A first picture")
    (site.content / "images").mkdir(parents=True)
    Image.new("RGB", (900, 600), (20, 60, 90)).save(site.content / "images" / "first.jpg")
    site.write("pages/contact/fi.md", "Title: Yhteystiedot\nLang: fi\nSlug: yhteys\n"
               "Translation-Key: contact\n\nSoita.\n")
    site.write("pages/contact/en.md", "Title: Contact\nLang: en\nSlug: contact\n"
               "Translation-Key: contact\n\nCall us.\n")
    site.write("trips/husky/en.md", "Title: Husky day\nLang: en\nPrice: 190\nDuration: P1D\n\n"
               "Dogs.\n")
    site.write("staff/aino/en.md", "Title: Aino\nLang: en\nRole: Guide\n"
               "Email: aino@fixture.example\nPhone: +358 40 123 4567\n\nHello.\n")
    theme = {"THEME": "notmyidea"} if plugin in ("luotsi.audit", "luotsi.publish",
                                                  "luotsi.pictures") else {}
    site.build_alone([plugin], LUOTSI_CACHE_DIR=str(site.root / "cache"),
                     LUOTSI_FEEDBACK={"url": "https://fixture.example/api"},
                     LUOTSI_PUBLISH=True, **theme)
    path, expected = ALONE[plugin]
    written = site.output / path
    if expected is None:  # a folder of generated files
        assert any(written.glob("*.jpg")), f"{plugin} alone wrote nothing into {path}"
        return
    assert written.is_file(), f"{plugin} alone did not write {path}"
    assert expected in written.read_text(encoding="utf-8")


def _top_level_imports(path: Path, module: str, typing: bool) -> set[str]:
    """Modules of the package that ``module`` imports when it is imported (not inside
    functions), and with ``typing`` also those it imports for type checking only."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    nodes = []
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            nodes += node.body if typing else []
        else:
            nodes.append(node)
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(max(0, node.level - 1)):
                base = base.rpartition(".")[0]
            target = (f"{base}.{node.module}" if node.module else base) if node.level \
                else node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] == "luotsi"}


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


@pytest.mark.parametrize("typing", [False, True], ids=["run time", "with type checking"])
def test_no_import_cycles(typing):
    """Not at run time, and not even counting imports for type checking only, except that the
    build state (``luotsi.build``) names the types each capability keeps in it."""
    modules = _modules()
    graph = {name: {m for m in _top_level_imports(path, name, typing and name != "luotsi.build")
                    if m in modules and m != name}
             for name, path in modules.items()}
    cycles = []

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycles.append([*trail[trail.index(name):], name])
            return
        for nxt in sorted(graph[name]):
            if nxt not in done:
                visit(nxt, [*trail, name])
        done.add(name)

    done: set[str] = set()
    for name in sorted(graph):
        visit(name, [])
    assert not cycles, cycles[0]


def test_no_module_level_mutable_state():
    """No ``global`` statement, and no module-level name bound to an empty list, dict or set
    (the shape of a registry or a cache that outlives a build)."""
    offenders = []
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [f"{name}:{n.lineno} global" for n in ast.walk(tree)
                      if isinstance(n, ast.Global)]
        for node in tree.body:
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            empty = (isinstance(value, ast.List | ast.Set | ast.Dict) and not (
                getattr(value, "elts", None) or getattr(value, "keys", None))) or (
                isinstance(value, ast.Call) and ast.unparse(value.func) in
                ("list", "dict", "set", "defaultdict") and not value.args)
            if empty:
                offenders.append(f"{name}:{node.lineno} {ast.unparse(node)}")
    assert not offenders, offenders


def test_a_rebuild_from_pelicans_content_cache_writes_the_same_pages(site, caplog):
    """Pelican's reader cache pickles each post's metadata, whose author, category and tag
    objects hold the settings, and so the build state kept there: a cached post must bring
    back no stale build."""
    site.post("posts/a/fi.md", "Eka", "fi", author="Aino", category="Talvi", tags="lumi")
    site.post("posts/a/en.md", "First", "en", author="Aino", category="Winter", tags="snow")
    cache = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True,
             "CACHE_PATH": str(site.root / "pelican-cache"),
             "LUOTSI_CACHE_DIR": str(site.root / "cache")}
    findings = list(site.build(**cache).findings)
    first = (site.output / "en/blog/first/index.html").read_bytes()
    build = site.build(**cache)
    assert not [r for r in caplog.records if "cache" in r.getMessage().lower()
                and r.levelname in ("WARNING", "ERROR")], "Pelican could not load its cache"
    assert (site.output / "en/blog/first/index.html").read_bytes() == first
    assert build.findings == findings  # the same, and not twice
    for path in (site.root / "pelican-cache").iterdir():  # gzip by default (GZIP_CACHE)
        with gzip.open(path, "rb") as handle:
            cached = pickle.load(handle)
        for _stamp, (_content, metadata) in cached.values():
            for value in metadata.values():
                for wrapper in value if isinstance(value, list) else [value]:
                    settings = getattr(wrapper, "settings", {})
                    assert settings.get("luotsi_build") is None, (path.name, wrapper)
