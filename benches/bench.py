#!/usr/bin/env python3
"""vft's benchmark: generates realistic training files and times `vft check` beside a
reference peer (benches/peer_pillow.py: Python's json + base64 + Pillow's lazy open, making
the same checks) on the same file, in one run.

    python3 benches/bench.py              # build vft (release), generate what is missing, run
    python3 benches/bench.py --sizes 600M # only the ~600 MB photo file
    python3 benches/bench.py --quick      # a ~100 MB file, for a smoke run
    python3 benches/bench.py --sizes 100M --no-text --no-deep --faces  # face screening's cost
    python3 benches/bench.py --fix-only --sizes 600M   # only the `vft fix` case
    python3 benches/bench.py --sizes 600M --no-text --no-deep --no-fix --baseline target/vft-main
                                          # before/after: a second vft binary, same run

The fix case times `vft fix IN -o OUT` beside benches/fix_peer.py (the obvious Python +
Pillow script making the same conversions) on a ~40 MB file where about a quarter of the
images need fixing (palette and grayscale PNGs, CMYK and grayscale JPEGs of real
photographs at 512 px; the rest clean JPEG, PNG and WEBP): --fix-runs runs each, medians.
It then checks that both fixed the same lines and that `vft check --offline` passes both
outputs, and runs `vft fix` once on each photo file (nothing to fix there: every line
passes through) for its peak RSS, which stays flat in the file's size.

The small-file case (a clean 12-example text file: the pre-commit hook and editor case,
where start-up is everything) runs --small-runs times per tool and reports the median.
VFT_BIN names the binary to time (default: $CARGO_TARGET_DIR or target/, release/vft).

Needs Python 3.11 with Pillow and scikit-image (its wheel ships the sample photographs):
`pip install pillow scikit-image`. Files go to target/bench/ (reused across runs; delete it
to regenerate). Timings are wall-clock on a warm page cache (each file is read once before
timing); each tool runs --repeat times and the best run is reported. Peak RSS comes from
wait4(2). Compare ratios, not absolute times: both tools run on the same machine in one run.
"""
import argparse
import base64
import importlib.util
import io
import json
import os
import pathlib
import platform
import random
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench"
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
VFT = pathlib.Path(os.environ.get("VFT_BIN", TARGET / "release" / "vft"))
PEER = ROOT / "benches" / "peer_pillow.py"
FIX_PEER = ROOT / "benches" / "fix_peer.py"

# Colour photographs shipped in scikit-image's wheel (skimage/data); the grey ones are
# converted to RGB, as a user preparing a dataset would.
PHOTOS = ["astronaut.png", "chelsea.png", "coffee.png", "hubble_deep_field.jpg", "ihc.png",
          "motorcycle_left.png", "motorcycle_right.png", "retina.jpg", "rocket.jpg", "color.png",
          "camera.png", "moon.png", "grass.png", "gravel.png", "brick.png", "coins.png", "page.png"]

QUESTIONS = ["What is shown in this picture?", "Describe the main object.",
             "How many distinct objects are there?", "Is this photo taken indoors or outdoors?",
             "Compare these images and describe what differs.", "What colour dominates the image?"]
ANSWERS = ["A cat sitting on a wooden surface, looking at the camera.",
           "The image shows a cup of coffee on a saucer, seen from above.",
           "An astronaut in a white suit with the American flag behind.",
           "A rocket on a launch pad against a clear sky. Nothing else is in view.",
           "Two motorcycles parked side by side; the left one is red and the right one blue.",
           "A microscope slide with stained cells, mostly purple and brown."]


def photo_dir():
    spec = importlib.util.find_spec("skimage")
    if spec is None or spec.origin is None:
        sys.exit("bench.py: scikit-image is not installed (pip install scikit-image)")
    return pathlib.Path(spec.origin).parent / "data"


def image_pool(seed=7):
    """Data URIs of real photographs re-encoded as JPEG, PNG and WEBP at several sizes."""
    from PIL import Image

    rng = random.Random(seed)
    pool = []
    for name in PHOTOS:
        with Image.open(photo_dir() / name) as im:
            im = im.convert("RGB")
            for longest in (384, 768, 1024):
                scale = longest / max(im.size)
                sized = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))),
                                  Image.Resampling.LANCZOS)
                for fmt, mime, kwargs in (("JPEG", "image/jpeg", {"quality": rng.choice((80, 90, 95))}),
                                          ("PNG", "image/png", {}),
                                          ("WEBP", "image/webp", {"quality": 85})):
                    buf = io.BytesIO()
                    sized.save(buf, fmt, **kwargs)
                    pool.append(f"data:{mime};base64,{base64.b64encode(buf.getvalue()).decode()}")
    return pool


def write_photo_file(path, target_bytes, seed=1, pick=None):
    """Photo examples of 1–3 images each until `target_bytes`; `pick(rng)` chooses each
    image's data URI (by default one of image_pool's)."""
    if pick is None:
        pool = image_pool()
        pick = lambda rng: rng.choice(pool)  # noqa: E731
    rng = random.Random(seed)
    written = examples = 0
    tmp = path.with_suffix(".partial")
    with open(tmp, "w", encoding="utf-8") as out:
        while written < target_bytes:
            parts = [{"type": "text", "text": rng.choice(QUESTIONS)}]
            for _ in range(rng.randint(1, 3)):
                parts.append({"type": "image_url",
                              "image_url": {"url": pick(rng), "detail": rng.choice(("low", "high", "auto"))}})
            line = json.dumps({"messages": [
                {"role": "system", "content": "You describe photographs accurately."},
                {"role": "user", "content": parts},
                {"role": "assistant", "content": rng.choice(ANSWERS)},
            ]}, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line)
            examples += 1
    tmp.rename(path)
    return examples


def fix_pool(seed=11):
    """(data URI, needs a fix) for colour photographs at 512 px: clean JPEG, PNG and WEBP,
    and the kinds a user's dataset holds that the platform skips: palette and grayscale
    PNGs, CMYK (Adobe) and grayscale JPEGs."""
    from PIL import Image

    rng = random.Random(seed)
    pool = []
    for name in ("coffee.png", "chelsea.png", "astronaut.png", "rocket.jpg", "motorcycle_left.png",
                 "ihc.png", "hubble_deep_field.jpg", "retina.jpg"):
        with Image.open(photo_dir() / name) as im:
            im = im.convert("RGB")
            im.thumbnail((512, 512), Image.Resampling.LANCZOS)
        for img, fmt, mime, kwargs, broken in (
                (im, "JPEG", "image/jpeg", {"quality": rng.choice((85, 90, 95))}, False),
                (im, "PNG", "image/png", {}, False),
                (im, "WEBP", "image/webp", {"quality": 85}, False),
                (im.convert("P", palette=Image.Palette.ADAPTIVE), "PNG", "image/png", {}, True),
                (im.convert("L"), "PNG", "image/png", {}, True),
                (im.convert("CMYK"), "JPEG", "image/jpeg", {"quality": 90}, True),
                (im.convert("L"), "JPEG", "image/jpeg", {"quality": 90}, True)):
            buf = io.BytesIO()
            img.save(buf, fmt, **kwargs)
            pool.append((f"data:{mime};base64,{base64.b64encode(buf.getvalue()).decode()}", broken))
    return pool


def write_fix_file(path, target_bytes, broken_share=0.25, seed=3):
    """Photo examples of 1–3 images each, a `broken_share` of the images needing a fix."""
    pool = fix_pool()
    clean = [uri for uri, broken in pool if not broken]
    broken = [uri for uri, broken in pool if broken]
    return write_photo_file(path, target_bytes, seed,
                            lambda rng: rng.choice(broken if rng.random() < broken_share else clean))


def write_text_file(path, examples=100_000, seed=2):
    rng = random.Random(seed)
    words = ("the model answers every question about training data with care and precision "
             "naïve café 東京 emoji 🙂 numbers 12345 67.89 tokens").split()
    tmp = path.with_suffix(".partial")
    with open(tmp, "w", encoding="utf-8") as out:
        for _ in range(examples):
            def sentence(n):
                return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."
            out.write(json.dumps({"messages": [
                {"role": "system", "content": sentence(12)},
                {"role": "user", "content": sentence(rng.randint(10, 80))},
                {"role": "assistant", "content": sentence(rng.randint(20, 200))},
            ]}, ensure_ascii=False) + "\n")
    tmp.rename(path)


def parse_size(text):
    units = {"K": 10**3, "M": 10**6, "G": 10**9}
    return int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)


def in_child(fn, *args):
    """Runs fn in a forked child. Files are generated there so that this process stays
    small: a tool is started by vfork, and its ru_maxrss counts this process's pages."""
    import multiprocessing

    proc = multiprocessing.get_context("fork").Process(target=fn, args=args)
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        sys.exit(f"bench.py: generating {args[0]} failed")


def run(cmd):
    """Runs cmd, returns (seconds, peak RSS in bytes, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.stderr.read()
    code = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss * 1024, code


def best_of(cmd, repeat):
    runs = [run(cmd) for _ in range(repeat)]
    best = min(runs, key=lambda r: r[0])
    return best[0], max(r[1] for r in runs), best[2]


def median_of(cmd, repeat):
    runs = sorted(run(cmd) for _ in range(repeat))
    mid = runs[len(runs) // 2]
    return mid[0], max(r[1] for r in runs), max(r[2] for r in runs)


def interleaved_medians(cmds, repeat):
    """Runs the commands in turn, `repeat` rounds, so that load from other jobs falls on
    each alike; returns (median seconds, peak RSS, worst exit code) per command."""
    runs = [[] for _ in cmds]
    for _ in range(repeat):
        for i, cmd in enumerate(cmds):
            runs[i].append(run(cmd))
    out = []
    for r in runs:
        times = sorted(x[0] for x in r)
        out.append((times[len(times) // 2], max(x[1] for x in r), max(x[2] for x in r)))
    return out


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def row(name, size_mb, tool, seconds, ratio, rss):
    ratio = f"{ratio:>5.1f}×" if ratio is not None else f"{'':>6}"
    print(f"{name:<22} {size_mb:>7.2f} {tool:<14} {seconds:>8.3f} {size_mb / seconds:>8.0f} "
          f"{ratio} {rss / 2**20:>6.0f} MiB")


def fixed_counts(source, fixed):
    """(lines whose JSON changed, images changed, lines kept byte for byte) of `fixed`
    against `source`, line by line (neither has blank lines)."""
    lines = images = same = 0
    with open(source, "rb") as a, open(fixed, "rb") as b:
        for before, after in zip(a, b, strict=True):
            if before == after:
                same += 1
                continue
            x, y = json.loads(before), json.loads(after)
            if x == y:
                continue
            lines += 1
            for m, n in zip(x["messages"], y["messages"]):
                if isinstance(m["content"], list):
                    images += sum(p != q for p, q in zip(m["content"], n["content"]))
    return lines, images, same


def fix_case(a, photo_files):
    """`vft fix` beside benches/fix_peer.py; then `vft fix`'s peak RSS on the photo files."""
    path = OUT / f"fix-{a.fix_size}.jsonl"
    if not path.exists():
        print(f"generating {path.relative_to(ROOT)} …", file=sys.stderr)
        in_child(write_fix_file, path, parse_size(a.fix_size))
    outputs = {"vft fix": OUT / "fix-out-vft.jsonl", "peer (Pillow)": OUT / "fix-out-peer.jsonl"}
    rows = [("vft fix", [str(VFT), "fix", "--isolated", str(path), "-o", str(outputs["vft fix"])]),
            # One worker, as the peer has: what the pool adds on this machine.
            ("vft fix -j1", [str(VFT), "fix", "--isolated", "-j1", str(path), "-o", str(OUT / "fix-out-j1.jsonl")]),
            ("peer (Pillow)", [sys.executable, str(FIX_PEER), str(path), str(outputs["peer (Pillow)"])])]
    size_mb = path.stat().st_size / 1e6
    warm(path)
    results = {}
    failed = False
    for tool, cmd in rows:
        seconds, rss, code = median_of(cmd, a.fix_runs)
        if code != 0:
            print(f"  {tool} exited {code} on {path.name}: every line should be fixable", file=sys.stderr)
            failed = True
        results[tool] = seconds
        row(path.name, size_mb, tool, seconds, results[tool] / results["vft fix"], rss)
    counts = {}
    for tool, out in outputs.items():
        lines, images, same = fixed_counts(path, out)
        check = subprocess.run([str(VFT), "check", "--offline", "--isolated", "--format", "json", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        counts[tool] = (lines, images)
        print(f"  {tool}: {lines} lines and {images} images changed, {same} lines byte for byte, "
              f"output {out.stat().st_size / 1e6:.1f} MB, `vft check --offline` on it exits {check}")
        failed |= check != 0
    if len(set(counts.values())) != 1:
        print("  vft fix and the peer disagree on what needed fixing", file=sys.stderr)
        failed = True
    for big in photo_files:
        out = OUT / "fix-out-photos.jsonl"
        big_mb = big.stat().st_size / 1e6
        warm(big)
        seconds, rss, code = best_of([str(VFT), "fix", "--isolated", str(big), "-o", str(out)], 1)
        row(big.name, big_mb, "vft fix", seconds, None, rss)
        if code != 0:
            print(f"  vft fix exited {code} on {big.name}: the generated file should be clean", file=sys.stderr)
            failed = True
        out.unlink(missing_ok=True)
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="600M,5G", help="photo file sizes to run (comma-separated)")
    ap.add_argument("--quick", action="store_true", help="one ~100 MB photo file and the text file")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-build", action="store_true", help="use the existing target/release/vft")
    ap.add_argument("--no-text", action="store_true", help="skip the 100,000-example text file")
    ap.add_argument("--no-deep", action="store_true", help="skip the --deep thread-scaling run")
    ap.add_argument("--small-runs", type=int, default=31, help="runs per tool on the 12-example file (median)")
    ap.add_argument("--faces", action="store_true",
                    help="also time --faces on against --faces off on the first photo file "
                         "(interleaved, median of --repeat runs)")
    ap.add_argument("--no-fix", action="store_true", help="skip the `vft fix` case")
    ap.add_argument("--fix-only", action="store_true", help="only the `vft fix` case (and its RSS on --sizes)")
    ap.add_argument("--fix-size", default="40M", help="size of the file the fix case repairs")
    ap.add_argument("--fix-runs", type=int, default=5, help="runs per tool in the fix case (median)")
    ap.add_argument("--baseline", metavar="BIN",
                    help="also time this vft binary (say, one built from main) on each file, in the same "
                         "run: a before/after table side by side with the peer")
    a = ap.parse_args()

    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = ["100M"] if a.quick else [s for s in a.sizes.split(",") if s]

    small = OUT / "text-12.jsonl"
    if not small.exists():
        in_child(write_text_file, small, 12)
    files = [small]
    for size in sizes:
        path = OUT / f"photos-{size}.jsonl"
        if not path.exists():
            print(f"generating {path.relative_to(ROOT)} …", file=sys.stderr)
            in_child(write_photo_file, path, parse_size(size))
        files.append(path)
    if not a.no_text and not a.fix_only:
        path = OUT / "text-100k.jsonl"
        if not path.exists():
            print(f"generating {path.relative_to(ROOT)} …", file=sys.stderr)
            in_child(write_text_file, path)
        files.append(path)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
          f"python {platform.python_version()}")
    print(f"{'file':<22} {'MB':>7} {'tool':<14} {'seconds':>8} {'MB/s':>8} {'ratio':>6} {'peak RSS':>9}")
    failed = False
    photos = [f for f in files if "photos" in f.name]
    for path in [] if a.fix_only else files:
        size_mb = path.stat().st_size / 1e6
        warm(path)
        rows = [("vft", [str(VFT), "check", "--format", "json", str(path)]),
                ("peer (Pillow)", [sys.executable, str(PEER), str(path)])]
        if a.baseline:
            rows.insert(1, ("vft baseline", [a.baseline, "check", "--format", "json", str(path)]))
        results = {}
        for tool, cmd in rows:
            if path == small:
                seconds, rss, code = median_of(cmd, a.small_runs)
            else:
                seconds, rss, code = best_of(cmd, a.repeat)
            if code != 0:
                print(f"  {tool} exited {code} on {path.name}: the generated file should be clean", file=sys.stderr)
                failed = True
            results[tool] = seconds
            ratio = results["vft"] and results[tool] / results["vft"]
            print(f"{path.name:<22} {size_mb:>7.2f} {tool:<14} {seconds:>8.3f} {size_mb / seconds:>8.0f} "
                  f"{ratio:>5.1f}× {rss / 2**20:>6.0f} MiB")
        if a.baseline:
            print(f"  baseline: {results['peer (Pillow)'] / results['vft baseline']:.1f}× the peer; "
                  f"vft: {results['peer (Pillow)'] / results['vft']:.1f}× the peer")
    if not a.no_deep and not a.fix_only and photos:
        path = photos[0]
        size_mb = path.stat().st_size / 1e6
        one, _, _ = best_of([str(VFT), "check", "--deep", "-j1", str(path)], a.repeat)
        two, rss, _ = best_of([str(VFT), "check", "--deep", "-j2", str(path)], a.repeat)
        for tool, seconds in (("vft --deep -j1", one), ("vft --deep -j2", two)):
            print(f"{path.name:<22} {size_mb:>7.2f} {tool:<14} {seconds:>8.3f} {size_mb / seconds:>8.0f} "
                  f"{'':>6} {rss / 2**20:>6.0f} MiB")
    if a.faces and photos:
        path = photos[0]
        size_mb = path.stat().st_size / 1e6
        # The photos include astronaut and camera, which show people: face warnings (exit 0
        # unless --fail-on warning), so only a tool error (2) is a failure here.
        off, on = interleaved_medians(
            [[str(VFT), "check", "--format", "json", "--faces", face, str(path)] for face in ("off", "on")],
            a.repeat)
        for tool, (seconds, rss, code) in (("vft faces off", off), ("vft faces on", on)):
            if code == 2:
                print(f"  {tool} exited 2 on {path.name}", file=sys.stderr)
                failed = True
            print(f"{path.name:<22} {size_mb:>7.2f} {tool:<14} {seconds:>8.3f} {size_mb / seconds:>8.0f} "
                  f"{'':>6} {rss / 2**20:>6.0f} MiB")
        print(f"faces on ÷ off: {on[0] / off[0]:.1f}× the time (medians of {a.repeat} interleaved runs)")
    if not a.no_fix or a.fix_only:
        failed |= fix_case(a, photos)
    print(f"binary: {VFT.stat().st_size / 1e6:.1f} MB ({VFT})")
    print("ratio = peer seconds / vft seconds (higher is better for vft); the 12-example row is the median "
          f"of {a.small_runs} runs, the others the best of {a.repeat}; the fix case's vft fix and peer rows "
          f"the median of {a.fix_runs}, vft fix on the photo files one run")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
