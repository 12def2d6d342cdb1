"""What a visitor sees, checked in Debian's Chromium: every page type, in Finnish and
Japanese, at a phone's, a tablet's and a laptop's width. No gate sees a hidden element that
shows, a checkbox far from its label, a page wider than the screen or an ISO date on a
Finnish page; these tests do. (They measure layout, never time.)"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from babel.dates import format_date, format_datetime

from .conftest import build_demo
from .servers import free_port
from .visitor import LANGS, WIDTHS, chromium, open_page, page_types, serve

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Everything the page shows, measured in one pass: what must not be there is listed.
MEASURE = """() => {
  const visible = el => { const r = el.getBoundingClientRect();  // closed <details> too
    return el.checkVisibility({visibilityProperty: true}) && r.width > 0 && r.height > 0; };
  const shown = [...document.querySelectorAll('[hidden]')].filter(el =>
    getComputedStyle(el).display !== 'none').map(el => el.outerHTML.slice(0, 80));
  const overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  const broken = [...document.images].filter(img => !(img.complete && img.naturalWidth > 0))
    .map(img => img.currentSrc || img.src);
  const controls = [...document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary')]
    .filter(el => visible(el) && !el.closest('.hp'));
  const overlaps = [];
  for (let i = 0; i < controls.length; i++) {
    const a = controls[i].getBoundingClientRect();
    for (let j = i + 1; j < controls.length; j++) {
      const b = controls[j].getBoundingClientRect();
      if (controls[i].contains(controls[j]) || controls[j].contains(controls[i])) continue;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) overlaps.push([controls[i].outerHTML.slice(0, 70),
                                         controls[j].outerHTML.slice(0, 70)]);
    }
  }
  const apart = [...document.querySelectorAll('input[type=checkbox]')].filter(visible)
    .map(box => {
      const label = document.querySelector(`label[for="${box.id}"]`);
      const line = label && label.getClientRects()[0];
      const r = box.getBoundingClientRect();
      const middle = (r.top + r.bottom) / 2;
      return !line || middle < line.top || middle > line.bottom || r.right > line.left + 2
        ? box.id : null; }).filter(Boolean);
  const dates = [...document.querySelectorAll('time[datetime]')].filter(visible).map(t =>
    [t.getAttribute('datetime'), t.textContent.trim(),
     (t.closest('[lang]') || document.documentElement).getAttribute('lang')]);
  const blurry = [...document.querySelectorAll('img[srcset]')].filter(visible).filter(img => {
    // The file the browser chose (its srcset width, not naturalWidth, which is corrected by
    // the chosen density) must cover the box at this screen's density, unless no larger one
    // exists; object-fit: cover scales by the box's height as well.
    const lists = [img, ...(img.parentElement.tagName === 'PICTURE'
      ? img.parentElement.querySelectorAll('source') : [])].map(el => el.srcset.split(',')
      .map(c => c.trim().split(' ')).map(([url, w]) => [new URL(url, location).href,
                                                          parseInt(w)]));
    const chosen = lists.flat().find(([url]) => url === img.currentSrc);
    if (!chosen) return false;
    const r = img.getBoundingClientRect();
    const ratio = img.naturalHeight ? img.naturalWidth / img.naturalHeight : 1;
    const cover = getComputedStyle(img).objectFit === 'cover';
    const need = Math.max(r.width, cover ? r.height * ratio : 0) * devicePixelRatio;
    const widest = Math.max(...lists.flat().map(([, w]) => w));
    return chosen[1] + 1 < need && chosen[1] < widest;
  }).map(img => `${img.currentSrc} in a ${Math.round(img.getBoundingClientRect().width)}` +
                `×${Math.round(img.getBoundingClientRect().height)}px box`);
  // The header's menus: every link on the screen, none behind a sideways scroll (a phone's
  // visitor looking for Contact should not have to guess that the row moves).
  const offscreen = [...document.querySelectorAll('header.site nav a, header.site nav span')]
    .filter(el => { const r = el.getBoundingClientRect();
      const box = el.closest('nav').getBoundingClientRect();
      return r.left < Math.max(0, box.left) - 1 || r.right > Math.min(innerWidth, box.right) + 1; })
    .map(el => el.textContent.trim());
  const text = document.body.innerText;
  return {shown, overflow, broken, overlaps, apart, dates, blurry, offscreen, text};
}"""


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("layout")
    port = free_port()
    _, output = build_demo(root, port)
    with serve(output, port) as base, chromium() as browser:
        yield output, base, browser


def _formats(value: str, lang: str) -> set[str]:
    """Every way Babel writes the date (and date and time) ``value`` in ``lang``."""
    day = dt.date.fromisoformat(value[:10])
    found = {format_date(day, f, locale=lang) for f in ("short", "medium", "long", "full")}
    if "T" in value:
        moment = dt.datetime.fromisoformat(value)
        found |= {format_datetime(moment, f, locale=lang) for f in ("short", "medium", "long")}
    return found


ISO_DATE = re.compile(r"(?<![\d/])20\d\d-[01]\d-[0-3]\d(?![\d/])")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_type_looks_right(demo_site, lang, width):
    output, base, browser = demo_site
    problems = []
    for kind, url in page_types(output, lang).items():
        page = open_page(browser, f"{base}/{url}", width)
        seen = page.evaluate(MEASURE)
        page.context.close()
        where = f"{kind} {url} at {width}px"
        problems += [f"{where}: [hidden] element shown: {h}" for h in seen["shown"]]
        if seen["overflow"] > 0:
            problems.append(f"{where}: {seen['overflow']}px wider than the screen")
        problems += [f"{where}: picture did not load: {src}" for src in seen["broken"]]
        problems += [f"{where}: blurry picture: {what}" for what in seen["blurry"]]
        problems += [f"{where}: overlapping controls {a} / {b}" for a, b in seen["overlaps"]]
        problems += [f"{where}: checkbox #{box} not on its label's first line"
                     for box in seen["apart"]]
        problems += [f"{where}: menu link {name!r} off the screen" for name in seen["offscreen"]]
        for value, shown, element_lang in seen["dates"]:
            if not any(text in shown for text in _formats(value, element_lang)):
                problems.append(f"{where}: date {value} shown as {shown!r}, not in "
                                f"{element_lang}")
        problems += [f"{where}: ISO date {m} in the visible text"
                     for m in ISO_DATE.findall(seen["text"])]
    assert not problems, "\n".join(problems)


def test_a_post_without_javascript_offers_one_short_prompt_that_opens_the_form(demo_site):
    output, base, browser = demo_site
    page = open_page(browser, f"{base}/{page_types(output, 'fi')['post']}", 412,
                     javascript=False)
    assert page.locator("form.helpful").count() == 0  # not a second form under a post
    summary = page.locator(".feedback-prompt summary")
    assert summary.inner_text().startswith("Mitä pidit tästä jutusta?")
    assert not page.locator("#feedback-message").is_visible()
    summary.click()
    assert page.locator("#feedback-message").is_visible()
    page.context.close()


def test_the_contact_page_keeps_the_full_form_open(demo_site):
    output, base, browser = demo_site
    page = open_page(browser, f"{base}/{page_types(output, 'fi')['contact']}", 412)
    for field in ("#feedback-topic", "#feedback-name", "#feedback-email", "#feedback-message",
                  "#feedback-consent"):
        assert page.locator(field).is_visible(), field
    page.context.close()


def test_dark_mode_keeps_text_on_its_own_background(demo_site):
    """In dark mode the page and its cards turn dark and their text light."""
    output, base, browser = demo_site
    page = open_page(browser, f"{base}/{page_types(output, 'fi')['home']}", 1280, dark=True)
    colours = page.evaluate("""() => {
        const luminance = c => { const [r, g, b] = c.match(/\\d+/g).map(Number);
          return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const body = getComputedStyle(document.body);
        const card = getComputedStyle(document.querySelector('.card'));
        return [luminance(body.backgroundColor), luminance(body.color),
                luminance(card.backgroundColor)]; }""")
    page.context.close()
    background, text, card = colours
    assert background < 60 and card < 60 and text > 180
