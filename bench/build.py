"""Build-time benchmark: Luotsi against vanilla Pelican and pelican-i18n-subsites.

Generates a synthetic site (N posts × L languages), then times, in this same run and on the
same content, each configuration as a fresh ``pelican`` process, and prints medians and
ratios. Targets (issue 2): Luotsi ≤ 1.5× vanilla, ≥ 2.5× faster than i18n-subsites, and a
cached rebuild ≤ 1.1× vanilla's cached rebuild.

With ``--photos N`` it also times the staff photo pipeline (issue 3): N staff members, each
with a 4000×3000 JPEG carrying an EXIF orientation tag, built once with an empty photo cache
and then with the cache filled, against the same site without staff as the baseline.

With ``--autoreload`` it times what a writer waits for under ``make serve`` (issue 16): a
``pelican --autoreload`` process on the site, after its first build, gets one post saved with
a new sentence, and the time until that post's page holds the sentence is measured, ``--repeat``
times (each after the previous rebuild finished), for vanilla Pelican and for Luotsi.

    python bench/build.py --posts 1000 --languages 4 --repeat 3
    python bench/build.py --posts 50 --languages 2 --repeat 3 --photos 50 --skip-main
    python bench/build.py --posts 1000 --languages 4 --repeat 5 --autoreload --skip-main
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

LANGS = ["fi", "en", "sv", "de", "ja", "et", "nb"]
WORDS = [
    "tunturi", "revontulet", "husky", "poro", "lumi", "järvi", "metsä", "kota", "nuotio",
    "retki", "opas", "kesä", "talvi", "ruska", "aurinko", "kuu", "tähti", "polku", "joki",
]

COMMON = textwrap.dedent("""
    SITENAME = "Bench Travel"
    SITEURL = "https://bench.example"
    PATH = "content"
    ARTICLE_PATHS = ["posts"]
    PAGE_PATHS = ["pages"]
    TIMEZONE = "Europe/Helsinki"
    DEFAULT_LANG = "fi"
    SLUGIFY_USE_UNICODE = True
    ARTICLE_URL = "blog/{slug}/"
    ARTICLE_SAVE_AS = "blog/{slug}/index.html"
    ARTICLE_LANG_URL = "{lang}/blog/{slug}/"
    ARTICLE_LANG_SAVE_AS = "{lang}/blog/{slug}/index.html"
    DEFAULT_PAGINATION = 10
    LOAD_CONTENT_CACHE = %(cache)s
    CACHE_CONTENT = %(cache)s
    CACHE_PATH = "%(cache_path)s"
""")

LUOTSI = textwrap.dedent("""
    import luotsi
    THEME = luotsi.THEME
    PLUGINS = ["luotsi"]
    LUOTSI_LANGUAGES = %(langs)r
    LUOTSI_PAGINATION = 10
    LUOTSI_COMPANY = {"name": "Bench", "street_address": "Katu 1", "postal_code": "96100",
                      "locality": "Rovaniemi", "country": "FI",
                      "telephone": "+358 40 555 0100", "email": "a@bench.example"}
""")

SUBSITES = textwrap.dedent("""
    PLUGINS = ["pelican.plugins.i18n_subsites"]
    I18N_SUBSITES = {%(subsites)s}
    JINJA_ENVIRONMENT = {"extensions": ["jinja2.ext.i18n"]}
""")


def generate(root: Path, posts: int, langs: list[str]) -> None:
    for n in range(posts):
        folder = root / "content" / "posts" / f"p{n:05d}"
        folder.mkdir(parents=True)
        for i, lang in enumerate(langs):
            if i and (n + i) % 7 == 0:
                continue  # some posts miss some translations, as on a real site
            words = [WORDS[(n * 7 + k * 3 + i) % len(WORDS)] for k in range(220)]
            body = "\n\n".join(" ".join(words[j:j + 55]).capitalize() + "." for j in
                               range(0, 220, 55))
            (folder / f"{lang}.md").write_text(
                f"Title: Post {n} {lang} {words[0]}\n"
                f"Date: 20{20 + n % 6}-{1 + n % 12:02d}-{1 + n % 28:02d} 10:00\n"
                f"Lang: {lang}\nSlug: p{n}-{lang}\nTranslation-Key: p{n}\n"
                f"Category: c{n % 8}\nTags: t{n % 13}x, u{n % 5}x\nAuthor: Bench\n\n"
                f"{body}\n", encoding="utf-8")
    (root / "content" / "pages").mkdir(parents=True)


def config(root: Path, kind: str, langs: list[str], cache: bool) -> Path:
    values = {"cache": cache, "cache_path": str(root / f"cache-{kind}"), "langs": langs,
              "subsites": ", ".join(f"{lang!r}: {{}}" for lang in langs[1:])}
    text = COMMON % values
    if kind.startswith("luotsi"):
        text += LUOTSI % values
    if kind == "luotsi-noqr":
        text += "LUOTSI_QR = False\n"
    if kind == "multilingual":
        text += LUOTSI % values + "PLUGINS = ['luotsi.multilingual']\n"
    elif kind == "subsites":
        text += SUBSITES % values
    path = root / f"conf-{kind}-{'cached' if cache else 'cold'}.py"
    path.write_text(text, encoding="utf-8")
    return path


def generate_staff(root: Path, count: int, langs: list[str]) -> None:
    """``count`` people, each with a distinct 4000×3000 photo (distinct bytes, distinct hash)."""
    from PIL import Image

    base = Image.merge("RGB", [Image.effect_noise((4000, 3000), s) for s in (40, 60, 80)])
    for n in range(count):
        folder = root / "content" / "staff" / f"s{n:03d}"
        folder.mkdir(parents=True)
        exif = Image.Exif()
        exif[0x0112] = 6 if n % 2 else 1  # Orientation: half of them stored sideways
        exif[0x010E] = f"bench portrait {n}"  # ImageDescription: makes every file unique
        base.save(folder / "photo.jpg", "JPEG", quality=88, exif=exif)
        for lang in langs[:2]:
            (folder / f"{lang}.md").write_text(
                f"Title: Person {n}\nLang: {lang}\nRole: Guide\nEmail: s{n}@bench.example\n"
                f"Phone: +358 40 555 {n:04d}\nPhoto: staff/s{n:03d}/photo.jpg\n\nIntro {n}.\n",
                encoding="utf-8")


def timed_build(root: Path, conf: Path, out: Path, cold: bool = False) -> float:
    """One fresh ``pelican`` process; ``cold`` also empties Luotsi's image caches (photos,
    share images, QR codes), so that a cold build really makes everything."""
    shutil.rmtree(out, ignore_errors=True)
    if cold:
        shutil.rmtree(root / ".luotsi-cache", ignore_errors=True)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pelican", "content", "-s", str(conf), "-o",
                           str(out), "-q"], cwd=root, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"{conf.name} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--languages", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-subsites", action="store_true")
    parser.add_argument("--skip-main", action="store_true",
                        help="only the photo benchmark (needs --photos)")
    parser.add_argument("--qr-libraries", action="store_true",
                        help="time one QR code with segno and with qrcode")
    parser.add_argument("--photos", type=int, default=0,
                        help="also time N staff photos of 4000×3000 px")
    parser.add_argument("--autoreload", action="store_true",
                        help="also time saving one post until its page is rebuilt "
                        "(pelican --autoreload, as make serve runs it)")
    args = parser.parse_args()
    if not args.skip_main:
        main_bench(args)
    if args.qr_libraries:
        qr_libraries()
    if args.photos:
        photo_bench(args)
    if args.autoreload:
        autoreload_bench(args)


class Autoreload:
    """A ``pelican --autoreload`` process and the count of the builds it has finished."""

    def __init__(self, root: Path, conf: Path, out: Path):
        self.builds = 0
        self.log: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pelican", "content", "--autoreload", "-s", str(conf), "-o",
             str(out)], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True, env={**os.environ, "COLUMNS": "500"})
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.log.append(line)
            if "Done: Processed" in line:
                self.builds += 1

    def wait_for_build(self, count: int, timeout: float = 1800) -> None:
        deadline = time.monotonic() + timeout
        while self.builds < count:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("pelican --autoreload did not finish a build:\n"
                                 + "".join(self.log[-40:]))
            time.sleep(0.01)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def save_to_page(root: Path, conf: Path, out: Path, repeat: int) -> list[float]:
    """Seconds from saving the first post (default language) to its rebuilt page, per save."""
    post = root / "content/posts/p00000/fi.md"
    page = out / "blog/p0-fi/index.html"
    original = post.read_text(encoding="utf-8")
    reload = Autoreload(root, conf, out)
    times = []
    try:
        reload.wait_for_build(1)
        for n in range(repeat):
            # Pelican starts watching only after a build ends: a save in that instant would be
            # missed (no writer saves that fast), so wait a moment, outside the measurement.
            time.sleep(1)
            sentence = f"Saved for the autoreload benchmark, round {n}."
            start = time.perf_counter()
            post.write_text(f"{original}\n{sentence}\n", encoding="utf-8")
            while sentence not in (page.read_text(encoding="utf-8") if page.exists() else ""):
                if time.perf_counter() - start > 1800:
                    raise SystemExit("the saved post was not rebuilt:\n"
                                     + "".join(reload.log[-40:]))
                time.sleep(0.005)
            times.append(time.perf_counter() - start)
            reload.wait_for_build(n + 2)  # the rest of the build, before the next save
    finally:
        reload.stop()
        post.write_text(original, encoding="utf-8")
    return times


def autoreload_bench(args: argparse.Namespace) -> None:
    langs = LANGS[: args.languages]
    root = Path(tempfile.mkdtemp(prefix="luotsi-bench-autoreload-"))
    try:
        generate(root, args.posts, langs)
        results = {}
        for kind in ("vanilla", "luotsi"):
            conf = config(root, kind, langs, cache=False)  # as a new site's pelicanconf.py
            results[kind] = statistics.median(
                save_to_page(root, conf, root / f"out-{kind}", args.repeat))
        print(f"autoreload: one post saved until its page is rebuilt, on {args.posts} posts × "
              f"{len(langs)} languages; median of {args.repeat} saves; {os.cpu_count()} cores")
        for kind, seconds in results.items():
            print(f"  {kind:<12} {seconds:7.2f} s")
        print(f"  luotsi / vanilla  {results['luotsi'] / results['vanilla']:.2f}×")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def photo_bench(args: argparse.Namespace) -> None:
    langs = LANGS[: args.languages]
    root = Path(tempfile.mkdtemp(prefix="luotsi-bench-photos-"))
    try:
        generate(root, args.posts, langs)
        conf = config(root, "luotsi", langs, cache=False)
        cache = root / "photo-cache"
        conf.write_text(conf.read_text() + f"LUOTSI_CACHE_DIR = {str(cache)!r}\n")
        baseline = statistics.median(
            timed_build(root, conf, root / "out") for _ in range(args.repeat))
        generate_staff(root, args.photos, langs)
        first = []
        for _ in range(args.repeat):
            shutil.rmtree(cache / "photos", ignore_errors=True)  # only the photos are cold
            first.append(timed_build(root, conf, root / "out"))
        cached = statistics.median(
            timed_build(root, conf, root / "out") for _ in range(args.repeat))
        cold = statistics.median(first)
        print(f"photos: {args.photos} staff photos of 4000×3000 px on a site of {args.posts} "
              f"posts × {len(langs)} languages; median of {args.repeat}")
        print(f"  site without staff (baseline)  {baseline:7.2f} s")
        print(f"  with photos, empty cache       {cold:7.2f} s  "
              f"({(cold - baseline) / args.photos * 1000:.0f} ms per photo)")
        print(f"  with photos, cache filled      {cached:7.2f} s  "
              f"({max(cached - baseline, 0) / args.photos * 1000:.0f} ms per person: pages, "
              "vCards, cache lookups)")
        print(f"  first build / cached rebuild   {cold / cached:7.2f}×")
        print(f"  cached rebuild / baseline      {cached / baseline:7.2f}×")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def qr_libraries(count: int = 300) -> None:
    """Time per code, SVG and PNG, for both candidate libraries, on page-like URLs."""
    import io

    import qrcode
    import qrcode.image.svg
    import segno

    urls = [f"https://www.revontuli.example/en/blog/post-number-{n}/?utm_source=print&"
            f"utm_medium=qr&utm_campaign=print" for n in range(count)]

    def segno_svg(url: str) -> None:
        segno.make(url, error="m", micro=False).save(io.BytesIO(), kind="svg", border=4)

    def segno_png(url: str) -> None:
        segno.make(url, error="m", micro=False).save(io.BytesIO(), kind="png", scale=12,
                                                     border=4)

    def qrcode_make(url: str, factory: object = None) -> None:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=12,
                             border=4, image_factory=factory)
        code.add_data(url)
        code.make(fit=True)
        code.make_image().save(io.BytesIO())

    rows = {"segno SVG": segno_svg, "segno PNG": segno_png,
            "qrcode SVG": lambda u: qrcode_make(u, qrcode.image.svg.SvgPathImage),
            "qrcode PNG": qrcode_make}
    times = {}
    for name, func in rows.items():
        start = time.perf_counter()
        for url in urls:
            func(url)
        times[name] = (time.perf_counter() - start) / count * 1000
    print(f"QR libraries, {count} codes of {len(urls[0])}-character URLs, error level M:")
    for name, ms in times.items():
        print(f"  {name:<11} {ms:6.2f} ms per code")
    print(f"  qrcode / segno: SVG {times['qrcode SVG'] / times['segno SVG']:.2f}×, "
          f"PNG {times['qrcode PNG'] / times['segno PNG']:.2f}×")


def main_bench(args: argparse.Namespace) -> None:
    langs = LANGS[: args.languages]
    root = Path(tempfile.mkdtemp(prefix="luotsi-bench-"))
    try:
        generate(root, args.posts, langs)
        files = sum(1 for _ in root.glob("content/posts/*/*.md"))
        print(f"site: {args.posts} posts × {len(langs)} languages = {files} files; "
              f"median of {args.repeat} fresh processes; {os.cpu_count()} cores")
        kinds = ["vanilla", "multilingual", "luotsi", "luotsi-noqr"] + (
            [] if args.skip_subsites else ["subsites"])
        results: dict[str, float] = {}
        for kind in kinds:
            conf = config(root, kind, langs, cache=False)
            results[kind] = statistics.median(
                timed_build(root, conf, root / f"out-{kind}", cold=True)
                for _ in range(args.repeat))
            print(f"  {kind:<12} cold build     {results[kind]:7.2f} s")
        for kind in ("vanilla", "multilingual", "luotsi", "luotsi-noqr"):
            conf = config(root, kind, langs, cache=True)
            timed_build(root, conf, root / f"out-{kind}-c")  # fills the content cache
            results[kind + "-rebuild"] = statistics.median(
                timed_build(root, conf, root / f"out-{kind}-c") for _ in range(args.repeat))
            print(f"  {kind:<12} cached rebuild {results[kind + '-rebuild']:7.2f} s")
        r = results
        print("ratios (multilingual: the language capability alone; luotsi: every capability,"
              " with JSON-LD, share images, QR codes, forms):")
        print(f"  multilingual / vanilla, cold     {r['multilingual'] / r['vanilla']:.2f}×"
              "  (target ≤ 1.5×)")
        print(f"  luotsi / vanilla, cold           {r['luotsi'] / r['vanilla']:.2f}×")
        if "subsites" in r:
            print(f"  i18n-subsites / multilingual     {r['subsites'] / r['multilingual']:.2f}×"
                  "  (target ≥ 2.5×)")
            print(f"  i18n-subsites / luotsi           {r['subsites'] / r['luotsi']:.2f}×")
        print(f"  multilingual / vanilla, rebuild  "
              f"{r['multilingual-rebuild'] / r['vanilla-rebuild']:.2f}×  (target ≤ 1.1×)")
        print(f"  luotsi / vanilla, rebuild        "
              f"{r['luotsi-rebuild'] / r['vanilla-rebuild']:.2f}×")
        print(f"  QR codes, whole build: cold +{r['luotsi'] - r['luotsi-noqr']:.2f} s, "
              f"cached rebuild +{r['luotsi-rebuild'] - r['luotsi-noqr-rebuild']:.2f} s")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
