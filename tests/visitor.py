"""A visitor's view of the built demo: which page is which type in each language, a local
server for the output, and Debian's Chromium driven by Playwright that scrolls a page the
way a reader does (so that lazy pictures load) before anything is measured or captured.

Used by the layout tests and by ``make screenshots`` (scripts/screenshots.py).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .browser import CHROMIUM, FLAGS, Quiet

WIDTHS = (360, 768, 1280)
LANGS = ("fi", "ja")


def page_types(output: Path, lang: str) -> dict[str, str]:
    """Page type → site-relative URL of one example of it in ``lang``, found in the build's
    own translation report, so that the examples follow the demo's content."""
    report = json.loads((output / "translation-report" / "report.json").read_text("utf-8"))
    urls = {item["key"]: item["urls"] for item in report["items"]}

    def own(key: str) -> str:
        versions = urls.get(key, {})
        return versions.get(lang) or next(iter(versions.values()))

    home = "" if lang == report["languages"][0] else f"{lang}/"
    post = own("husky-safari")
    category = next(p.relative_to(output).as_posix().removesuffix("index.html")
                    for p in sorted((output / home / "category").glob("*/index.html")))
    found = {
        "home": home, "post": post, "page": own("about"), "contact": own("contact"),
        "faq": own("faq"), "trip": own("aurora-photography-week"), "trips": f"{home}trips/",
        "staff": f"{home}staff/", "person": f"{home}staff/aino-korhonen/",
        "archive": f"{home}archives/", "category": category,
        "testimonials": f"{home}testimonials/", "thanks": f"{home}feedback/thanks/",
    }
    return {kind: url for kind, url in found.items()
            if (output / url / "index.html").exists() or (output / url).is_file()}


@contextmanager
def serve(output: Path, port: int) -> Iterator[str]:
    """The output on ``http://127.0.0.1:<port>``, as long as the block runs."""
    httpd = ThreadingHTTPServer(("127.0.0.1", port),
                                functools.partial(Quiet, directory=str(output)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def chromium(dark: bool = False) -> Iterator[Any]:
    """A headless Chromium (Debian's), offline but for loopback."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Any, url: str, width: int, dark: bool = False,
              javascript: bool = True) -> Any:
    """``url`` at ``width`` CSS pixels, scrolled to the end and back so that every lazy
    picture has loaded, as after a visitor read it."""
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme="dark" if dark else "light",
                                  java_script_enabled=javascript, device_scale_factor=1)
    page = context.new_page()
    page.goto(url, wait_until="load")
    if not javascript:  # Playwright's evaluate needs the page's script engine
        return page
    page.evaluate("""async () => {
        for (let y = 0; y < document.body.scrollHeight; y += 600) {
            window.scrollTo(0, y);
            await new Promise(r => setTimeout(r, 30));
        }
        window.scrollTo(0, 0);
        // A picture that never loads (a lazy one the scroll did not reach) must not hold
        // the test for ever: after 15 s the checks report it as not loaded.
        await Promise.race([
            Promise.all([...document.images].map(img => img.complete ? null :
                new Promise(r => { img.onload = img.onerror = r; }))),
            new Promise(r => setTimeout(r, 15000))]);
    }""")
    return page
