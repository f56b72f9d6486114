#!/usr/bin/env python3
"""Benchmark: fetching image URLs, vft vs the Python peer.

Serves N distinct image URLs (default 1,000) from a local server that answers each
request after a delay (default 100 ms), writes a JSONL file referencing them, then runs
`vft check --allow-private-urls --no-cache` and the peer (`peer_pillow.py --fetch`,
32 threads) on it, and prints wall times, the ratio and vft's peak RSS.

    cargo build --release
    python3 benches/urls_bench.py [--vft target/release/vft] [--urls 1000] [--delay 0.1]

Needs Pillow for the peer (python3 -m pip install pillow).
"""
import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_png():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


class Handler(BaseHTTPRequestHandler):
    body = b""
    delay = 0.1
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, a kept-alive
    # connection would stall ~40 ms on the client's delayed ACK. Real servers set
    # TCP_NODELAY too.
    disable_nagle_algorithm = True

    def do_GET(self):  # noqa: N802 (http.server's naming)
        time.sleep(self.delay)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def run(cmd):
    """Runs cmd; returns (seconds, exit code, peak RSS of the child in MB, stdout tail)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    # ru_maxrss of children is the max over all waited-for children; run vft first.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, done.returncode, (peak if peak > before else before) / 1024, done.stdout.strip()[-200:]


def main():
    ap = argparse.ArgumentParser()
    default_vft = ROOT / "target" / "release" / "vft"
    if not default_vft.exists():
        default_vft = ROOT / "target" / "debug" / "vft"
    ap.add_argument("--vft", default=str(default_vft))
    ap.add_argument("--urls", type=int, default=1000)
    ap.add_argument("--delay", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=32, help="the peer's fetch threads")
    a = ap.parse_args()

    Handler.body = make_png()
    Handler.delay = a.delay
    ThreadingHTTPServer.request_queue_size = 1024
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "urls.jsonl"
        with open(path, "w") as f:
            for i in range(a.urls):
                f.write(json.dumps({"messages": [
                    {"role": "system", "content": "Describe the image."},
                    {"role": "user", "content": [{"type": "image_url", "image_url": {"url": f"http://127.0.0.1:{port}/img/{i}.png"}}]},
                    {"role": "assistant", "content": "A red square."},
                ]}) + "\n")

        vft = run([a.vft, "check", "--allow-private-urls", "--no-cache", "--format", "json", str(path)])
        peer = run([sys.executable, str(ROOT / "benches" / "peer_pillow.py"), "--fetch",
                    "--threads", str(a.threads), str(path)])
    server.shutdown()

    print(f"{a.urls} URLs, server delay {a.delay * 1000:.0f} ms, {os.cpu_count()} CPUs")
    print(f"vft  ({Path(a.vft).parent.name}): {vft[0]:6.2f} s  exit {vft[1]}  peak RSS {vft[2]:.1f} MB")
    print(f"peer ({a.threads} threads): {peer[0]:6.2f} s  exit {peer[1]}  ({peer[3]})")
    print(f"ratio peer/vft: {peer[0] / vft[0]:.2f}x")
    if vft[1] != 0:
        print("vft reported findings:", vft[3], file=sys.stderr)


if __name__ == "__main__":
    main()
