"""Build-time benchmark: Luotsi against vanilla Pelican and pelican-i18n-subsites.

Generates a synthetic site (N posts × L languages, with staff, trips and the feedback form),
then times, in this same run and on the same content, each configuration as a fresh
``pelican`` process, in rounds (every configuration once per round, so that the machine's
drift hits all of them alike), and prints medians, ratios against vanilla Pelican and the
peak memory of each build's whole process tree. Targets (issue 14), every capability on: cold build
≤ 1.5× vanilla, cached rebuild ≤ 1.1× vanilla, ≤ 0.5× i18n-subsites' cold build, peak memory
≤ 2× vanilla's. ``--breakdown`` adds a build with each capability switched off in turn (what
each costs), and the same build with its background work done after writing instead of
beside it (the overlap gained). ``--profile`` writes a cProfile of a cold and a cached build
into ``bench/out/`` and prints each one's ten most expensive functions.

With ``--photos N`` it also times the staff photo pipeline (issue 3): N staff members, each
with a 4000×3000 JPEG carrying an EXIF orientation tag, built once with an empty photo cache
and then with the cache filled, against the same site without staff as the baseline.

With ``--autoreload`` it times what a writer waits for under ``make serve`` (issue 16): a
``pelican --autoreload`` process on the site, after its first build, gets one post saved with
a new sentence, and the time until that post's page holds the sentence is measured, ``--repeat``
times (each after the previous rebuild finished), for vanilla Pelican and for Luotsi; so is the
time until that whole rebuild ends (Luotsi writes the saved post first, Pelican in its order).

    python bench/build.py --posts 1000 --languages 4 --repeat 3 --breakdown
    python bench/build.py --posts 1000 --languages 4 --skip-main --profile
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
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import luotsi

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
    LUOTSI_FEEDBACK = {"url": "/feedback-api"}
""")
# The capabilities switched off one at a time by --breakdown (multilingual stays: the theme
# and every other capability need it; publish is off unless LUOTSI_PUBLISH).
BREAKDOWN = ("staff", "trips", "pictures", "structured_data", "feedback", "qr", "social",
             "audit")

SUBSITES = textwrap.dedent("""
    PLUGINS = ["pelican.plugins.i18n_subsites"]
    I18N_SUBSITES = {%(subsites)s}
    JINJA_ENVIRONMENT = {"extensions": ["jinja2.ext.i18n"]}
""")


def generate(root: Path, posts: int, langs: list[str], staff: int = 3, trips: int = 6) -> None:
    """Posts (some translations missing, as on a real site), written by ``staff`` people with
    photos, and ``trips`` trips in every language. Vanilla Pelican reads the posts only."""
    for n in range(posts):
        folder = root / "content" / "posts" / f"p{n:05d}"
        folder.mkdir(parents=True)
        for i, lang in enumerate(langs):
            if i and (n + i) % 7 == 0:
                continue  # some posts miss some translations, as on a real site
            words = [WORDS[(n * 7 + k * 3 + i) % len(WORDS)] for k in range(220)]
            body = "\n\n".join(" ".join(words[j:j + 55]).capitalize() + "." for j in
                               range(0, 220, 55))
            author = f"s{n % staff:03d}" if staff else "Bench"
            (folder / f"{lang}.md").write_text(
                f"Title: Post {n} {lang} {words[0]}\n"
                f"Date: 20{20 + n % 6}-{1 + n % 12:02d}-{1 + n % 28:02d} 10:00\n"
                f"Lang: {lang}\nSlug: p{n}-{lang}\nTranslation-Key: p{n}\n"
                f"Category: c{n % 8}\nTags: t{n % 13}x, u{n % 5}x\nAuthor: {author}\n\n"
                f"{body}\n", encoding="utf-8")
    (root / "content" / "pages").mkdir(parents=True)
    if staff:
        generate_staff(root, staff, langs)
    for n in range(trips):
        folder = root / "content" / "trips" / f"t{n:02d}"
        folder.mkdir(parents=True)
        for lang in langs:
            (folder / f"{lang}.md").write_text(
                f"Title: Trip {n} {lang}\nLang: {lang}\nSlug: t{n}-{lang}\n"
                f"Translation-Key: t{n}\nPrice: {190 + 100 * n}\nDuration: P{1 + n}D\n"
                f"Valid-From: 2026-12-01\nValid-Through: 2027-03-31\nGroup-Size: 8\n"
                f"Itinerary: Rovaniemi; Fell {n}; Rovaniemi\n\nA trip.\n", encoding="utf-8")


def config(root: Path, kind: str, langs: list[str], cache: bool) -> Path:
    """Settings of one configuration: vanilla, multilingual (that capability alone), luotsi
    (every capability), luotsi-serial (background work after writing), luotsi-no-<capability>,
    subsites."""
    values = {"cache": cache, "cache_path": str(root / f"cache-{kind}"), "langs": langs,
              "subsites": ", ".join(f"{lang!r}: {{}}" for lang in langs[1:])}
    text = COMMON % values
    if kind == "vanilla":
        # Without PLUGINS, Pelican loads every plugin installed in its namespace, and the
        # bench's own environment has i18n-subsites there: vanilla is Pelican alone.
        text += "PLUGINS = []\n"
    if kind.startswith("luotsi"):
        text += LUOTSI % values
    if cache and kind != "vanilla":  # its own: a cold build in between empties .luotsi-cache
        text += f"LUOTSI_CACHE_DIR = {str(root / f'luotsi-cache-{kind}')!r}\n"
    if kind == "luotsi-serial":
        text += "LUOTSI_BACKGROUND_WORKERS = 0\n"
    if kind.startswith("luotsi-no-"):
        off = kind.removeprefix("luotsi-no-")
        plugins = [f"luotsi.{name}" for name in luotsi.CAPABILITIES if name != off]
        text += f"PLUGINS = {plugins!r}\n"
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


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except OSError:
                continue
    family, frontier = {pid}, {pid}
    while frontier:
        frontier = {child for child, parent in parents.items()
                    if parent in frontier and child not in family}
        family |= frontier
    total = 0
    for member in family:
        try:
            with open(f"/proc/{member}/status", encoding="utf-8") as handle:
                total += next(int(line.split()[1]) * 1024 for line in handle
                              if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
    return total


def timed_build(root: Path, conf: Path, out: Path, cold: bool = False) -> tuple[float, int]:
    """One fresh ``pelican`` process: (seconds, peak memory of its process tree in bytes).
    ``cold`` also empties Luotsi's caches (photos, pictures, share images, QR codes, audit),
    so that a cold build really makes everything."""
    shutil.rmtree(out, ignore_errors=True)
    if cold:
        shutil.rmtree(root / ".luotsi-cache", ignore_errors=True)
    # Every build starts on a flushed disk, untimed: the kernel writing back the previous
    # build's hundreds of megabytes (and the removal above) slowed whichever build came next
    # on 2 cores, Luotsi's cached rebuild most, as it follows its own cold build (in one
    # trial 8.59 s without this, 6.71 s with it).
    os.sync()
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "pelican", "content", "-s", str(conf),
                                "-o", str(out), "-q"], cwd=root, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    if process.returncode:
        raise SystemExit(f"{conf.name} failed:\n{process.stderr.read()[-3000:]}")
    return seconds, peak


def _spin(loops: int) -> float:
    """Seconds a fixed piece of pure-Python work takes here."""
    start = time.perf_counter()
    total = 0
    for n in range(loops):
        total += n * n
    return time.perf_counter() - start


def two_core_speed(loops: int = 2_000_000) -> float:
    """How much work the machine's first two cores did at once, against one alone, just now
    (2.0: two whole cores). A virtual machine's two cores may share one physical core with
    each other or with a neighbour: vanilla Pelican uses one core and Luotsi's cold build
    two. Taken once as a round begins, it did not follow the round's ratio closely (the
    machine changes within the minute a round takes); it shows how shared the cores were."""
    ones, boths = [], []
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_spin, [1000, 1000]))  # both workers started
        for _ in range(3):
            ones.append(pool.submit(_spin, loops).result())
            boths.append(max(pool.map(_spin, [loops, loops])))
    return 2 * statistics.median(ones) / statistics.median(boths)


def median_run(runs: list[tuple[float, int]]) -> tuple[float, int]:
    """Median seconds and the largest peak memory of some builds."""
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--languages", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-subsites", action="store_true")
    parser.add_argument("--dir", default=None,
                        help="folder to generate the sites in (default: the system's temporary "
                        "folder); a RAM disk such as /dev/shm takes the disk out of the figures")
    parser.add_argument("--skip-main", action="store_true",
                        help="skip the main comparison (run only the extras asked for)")
    parser.add_argument("--breakdown", action="store_true",
                        help="also build with each capability off in turn, and with the "
                        "background work after writing (the overlap gained)")
    parser.add_argument("--profile", action="store_true",
                        help="write cProfiles of a cold and a cached build to bench/out/")
    parser.add_argument("--qr-libraries", action="store_true",
                        help="time one QR code with zxing-cpp, segno and qrcode")
    parser.add_argument("--image-formats", action="store_true",
                        help="size and time of AVIF, WebP and JPEG on the demo's pictures")
    parser.add_argument("--photos", type=int, default=0,
                        help="also time N staff photos of 4000×3000 px")
    parser.add_argument("--autoreload", action="store_true",
                        help="also time saving one post until its page is rebuilt "
                        "(pelican --autoreload, as make serve runs it)")
    args = parser.parse_args()
    if not args.skip_main:
        main_bench(args)
    if args.profile:
        profile_builds(args)
    if args.qr_libraries:
        qr_libraries()
    if args.image_formats:
        image_formats()
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


def save_to_page(root: Path, conf: Path, out: Path, repeat: int
                 ) -> tuple[list[float], list[float]]:
    """Seconds from saving the first post (default language) to its rebuilt page, and to the
    end of that rebuild, per save."""
    post = root / "content/posts/p00000/fi.md"
    page = out / "blog/p0-fi/index.html"
    original = post.read_text(encoding="utf-8")
    reload = Autoreload(root, conf, out)
    times, whole = [], []
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
            whole.append(time.perf_counter() - start)
    finally:
        reload.stop()
        post.write_text(original, encoding="utf-8")
    return times, whole


def autoreload_bench(args: argparse.Namespace) -> None:
    langs = LANGS[: args.languages]
    root = Path(tempfile.mkdtemp(prefix="luotsi-bench-autoreload-", dir=args.dir))
    try:
        generate(root, args.posts, langs)
        results, rebuilds = {}, {}
        for kind in ("vanilla", "luotsi"):
            conf = config(root, kind, langs, cache=False)  # as a new site's pelicanconf.py
            page, whole = save_to_page(root, conf, root / f"out-{kind}", args.repeat)
            results[kind], rebuilds[kind] = statistics.median(page), statistics.median(whole)
        print(f"autoreload: one post saved until its page is rebuilt (and until the whole "
              f"rebuild ends), on {args.posts} posts × {len(langs)} languages; median of "
              f"{args.repeat} saves; {os.cpu_count()} cores")
        for kind, seconds in results.items():
            print(f"  {kind:<12} {seconds:7.2f} s   (whole rebuild {rebuilds[kind]:7.2f} s)")
        print(f"  luotsi / vanilla  {results['luotsi'] / results['vanilla']:.2f}×   "
              f"(whole rebuild {rebuilds['luotsi'] / rebuilds['vanilla']:.2f}×)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def photo_bench(args: argparse.Namespace) -> None:
    langs = LANGS[: args.languages]
    root = Path(tempfile.mkdtemp(prefix="luotsi-bench-photos-", dir=args.dir))
    try:
        generate(root, args.posts, langs, staff=0, trips=0)
        conf = config(root, "luotsi", langs, cache=False)
        cache = root / "photo-cache"
        conf.write_text(conf.read_text() + f"LUOTSI_CACHE_DIR = {str(cache)!r}\n")
        baseline = statistics.median(
            timed_build(root, conf, root / "out")[0] for _ in range(args.repeat))
        generate_staff(root, args.photos, langs)
        first = []
        for _ in range(args.repeat):
            shutil.rmtree(cache / "photos", ignore_errors=True)  # only the photos are cold
            first.append(timed_build(root, conf, root / "out")[0])
        cached = statistics.median(
            timed_build(root, conf, root / "out")[0] for _ in range(args.repeat))
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
    """Time per code for the candidate encoders, on page-like URLs: zxing-cpp as Luotsi uses
    it (encode and draw the SVG path), segno and qrcode (SVG and PNG)."""
    import io

    import qrcode
    import qrcode.image.svg
    import segno
    from luotsi.qr import render

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

    rows = {"zxing-cpp SVG": lambda u: render.svg_text(render.Code(u)),
            "segno SVG": segno_svg, "segno PNG": segno_png,
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
        print(f"  {name:<14} {ms:6.2f} ms per code")
    print(f"  segno / zxing-cpp, SVG: {times['segno SVG'] / times['zxing-cpp SVG']:.1f}×")


def image_formats() -> None:
    """Bytes and encoding time of the modern formats against JPEG, at the pipeline's
    qualities, over the demo's pictures at four widths."""
    import io

    from luotsi import images
    from PIL import Image

    pictures = sorted((Path(__file__).resolve().parent.parent / "content" / "images"
                       / "pictures").glob("*.jpg"))
    totals = {name: [0, 0.0] for name in ("avif", "webp", "jpeg")}
    for path in pictures:
        with Image.open(path) as image:
            upright = image.convert("RGB")
        for width in (480, 800, 1200, 1600):
            if width > upright.width:
                continue
            resized = upright.resize((width, round(upright.height * width / upright.width)),
                                     Image.Resampling.LANCZOS)
            for name, (fmt, options) in {"avif": images.FORMATS["avif"][::2],
                                         "webp": images.FORMATS["webp"][::2],
                                         "jpeg": ("JPEG", images.JPEG_OPTIONS)}.items():
                buffer = io.BytesIO()
                start = time.perf_counter()
                resized.save(buffer, fmt, **options)
                totals[name][1] += time.perf_counter() - start
                totals[name][0] += len(buffer.getvalue())
    print(f"image formats, {len(pictures)} demo pictures at 480–1600 px:")
    for name, (size, seconds) in totals.items():
        print(f"  {name:<5} {size / 2**20:6.2f} MB  {seconds:6.2f} s")
    avif, webp, jpeg = (totals[n][0] for n in ("avif", "webp", "jpeg"))
    print(f"  AVIF is {1 - avif / webp:.0%} smaller than WebP and {1 - avif / jpeg:.0%} "
          f"smaller than JPEG, and takes {totals['avif'][1] / totals['webp'][1]:.1f}× WebP's "
          f"encoding time")


def main_bench(args: argparse.Namespace) -> None:
    langs = LANGS[: args.languages]
    root = Path(tempfile.mkdtemp(prefix="luotsi-bench-", dir=args.dir))
    try:
        generate(root, args.posts, langs)
        files = sum(1 for _ in root.glob("content/posts/*/*.md"))
        print(f"site: {args.posts} posts × {len(langs)} languages = {files} files (plus 3 "
              f"staff and 6 trips for Luotsi); median of {args.repeat} fresh processes; "
              f"{os.cpu_count()} cores")
        # Luotsi right after vanilla (and right before it in the reversed rounds): the two
        # builds whose ratio is the target run back to back, as close in time as can be.
        kinds = ["vanilla", "luotsi", "multilingual"]
        if args.breakdown:
            kinds += ["luotsi-serial", *(f"luotsi-no-{name}" for name in BREAKDOWN)]
        kinds += [] if args.skip_subsites else ["subsites"]
        confs = {kind: (config(root, kind, langs, cache=False),
                        config(root, kind, langs, cache=True)) for kind in kinds}
        for kind in kinds:
            if kind != "subsites":  # fills the caches of the cached rebuilds
                timed_build(root, confs[kind][1], root / f"out-{kind}-c", cold=True)
        # Round after round, every configuration once per round: this machine's speed drifts
        # by tens of percent over minutes, and a ratio must not compare two different minutes.
        # In each round the cold builds come first, then the cached ones, in the opposite
        # order every other round: a build right after a long two-core one ran slower, and
        # no configuration should always come after the same one.
        runs: dict[str, tuple[list, list]] = {kind: ([], []) for kind in kinds}
        speeds = []
        for round_number in range(args.repeat):
            order = kinds if round_number % 2 == 0 else kinds[::-1]
            speeds.append(two_core_speed())
            for kind in order:
                runs[kind][0].append(timed_build(root, confs[kind][0], root / f"out-{kind}",
                                                 cold=True))
            for kind in order:
                if kind != "subsites":
                    runs[kind][1].append(timed_build(root, confs[kind][1],
                                                     root / f"out-{kind}-c"))
        cold = {kind: median_run(cold_runs) for kind, (cold_runs, _) in runs.items()}
        cached = {kind: median_run(cached_runs) for kind, (_, cached_runs) in runs.items()
                  if cached_runs}
        print(f"  {'build':<26} {'cold':>8} {'peak MB':>8} {'cached':>8} {'peak MB':>8}")
        for kind in kinds:
            row = f"  {kind:<26} {cold[kind][0]:7.2f}s {cold[kind][1] / 2**20:8.0f}"
            if kind in cached:
                row += f" {cached[kind][0]:7.2f}s {cached[kind][1] / 2**20:8.0f}"
            print(row, flush=True)
        report(cold, cached)
        round_ratios(runs, speeds)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def round_ratios(runs: dict[str, tuple[list[tuple[float, int]], list[tuple[float, int]]]],
                 speeds: list[float]) -> None:
    """Luotsi against vanilla within each round. The two builds of a round ran a minute or
    less apart, the medians above up to several minutes apart: on a machine whose speed drifts
    by tens of percent, the spread of these shows how far one figure can be trusted."""
    print("luotsi / vanilla round by round (each round's builds a minute or less apart)")
    for name, index in (("cold", 0), ("cached rebuild", 1)):
        ratios = [mine[0] / theirs[0]
                  for mine, theirs in zip(runs["luotsi"][index], runs["vanilla"][index],
                                          strict=True)]
        print(f"  {name:<16} {' '.join(f'{r:5.2f}×' for r in ratios)}   median "
              f"{statistics.median(ratios):.2f}×")
    print(f"  {'two cores did':<16} {' '.join(f'{r:5.2f}×' for r in speeds)}   one core's "
          f"work, measured as each round began (2.00×: two whole cores)")


def report(cold: dict[str, tuple[float, int]], cached: dict[str, tuple[float, int]]) -> None:
    """Ratios against vanilla Pelican, the targets, and what each capability costs."""
    def check(value: float, target: float) -> str:
        return f"(target ≤ {target}×: {'met' if value <= target else 'MISSED'})"

    vanilla, vanilla_cached = cold["vanilla"], cached["vanilla"]
    luotsi_cold, luotsi_cached = cold["luotsi"], cached["luotsi"]
    print("ratios (luotsi: every capability on)")
    ratio = luotsi_cold[0] / vanilla[0]
    print(f"  luotsi / vanilla, cold             {ratio:5.2f}× {check(ratio, 1.5)}")
    ratio = luotsi_cached[0] / vanilla_cached[0]
    print(f"  luotsi / vanilla, cached rebuild   {ratio:5.2f}× {check(ratio, 1.1)}")
    ratio = max(luotsi_cold[1], luotsi_cached[1]) / max(vanilla[1], vanilla_cached[1])
    print(f"  luotsi / vanilla, peak memory      {ratio:5.2f}× {check(ratio, 2.0)}")
    ratio = cold["multilingual"][0] / vanilla[0]
    print(f"  multilingual / vanilla, cold       {ratio:5.2f}×")
    if "subsites" in cold:
        ratio = luotsi_cold[0] / cold["subsites"][0]
        print(f"  luotsi / i18n-subsites, cold       {ratio:5.2f}× {check(ratio, 0.5)}")
    if "luotsi-serial" in cold:
        print("overlap: share cards, pictures and the audit beside page writing instead of "
              "after it")
        for name, table in (("cold", cold), ("cached rebuild", cached)):
            gained = table["luotsi-serial"][0] - table["luotsi"][0]
            print(f"  {name:<16} {gained:+6.2f} s saved ({table['luotsi-serial'][0]:.2f} s "
                  f"→ {table['luotsi'][0]:.2f} s)")
        print("what each capability costs (every capability, minus the build without it):")
        for name in BREAKDOWN:
            print(f"  {name:<16} cold {luotsi_cold[0] - cold[f'luotsi-no-{name}'][0]:+6.2f} s"
                  f"   cached {luotsi_cached[0] - cached[f'luotsi-no-{name}'][0]:+6.2f} s")


def profile_builds(args: argparse.Namespace) -> None:
    """cProfile of a cold and of a cached Luotsi build, in-process, with the ten functions
    that take the most time of their own. The profiles go to bench/out/*.prof."""
    import cProfile
    import logging
    import pstats

    from pelican import Pelican
    from pelican.settings import read_settings

    langs = LANGS[: args.languages]
    root = Path(tempfile.mkdtemp(prefix="luotsi-bench-profile-", dir=args.dir))
    out_dir = Path(__file__).resolve().parent / "out"
    out_dir.mkdir(exist_ok=True)
    logging.disable(logging.WARNING)  # as pelican -q
    cwd = os.getcwd()
    try:
        generate(root, args.posts, langs)
        os.chdir(root)
        for name, cache in (("cold", False), ("cached", True)):
            conf = config(root, "luotsi", langs, cache=cache)
            if cache:
                timed_build(root, conf, root / "out", cold=True)  # fills the caches
            else:
                shutil.rmtree(root / ".luotsi-cache", ignore_errors=True)
            shutil.rmtree(root / "out", ignore_errors=True)
            settings = read_settings(str(conf), override={"OUTPUT_PATH": str(root / "out")})
            profiler = cProfile.Profile()
            profiler.enable()
            Pelican(settings).run()
            profiler.disable()
            target = out_dir / f"profile-{name}.prof"
            profiler.dump_stats(target)
            print(f"profile of a {name} build ({args.posts} posts × {len(langs)} languages): "
                  f"{target}")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(10)
    finally:
        os.chdir(cwd)
        logging.disable(logging.NOTSET)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
