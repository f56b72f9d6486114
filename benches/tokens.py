#!/usr/bin/env python3
"""Token counting: `vft stats` against the cookbook's approach in Python, side by side.

    cargo build --release
    pip install tiktoken
    python3 benches/tokens.py [--examples 100000] [--runs 2] [--vocab PATH]

Writes a deterministic text-only training file (seeded), then times, on the same file:
  - `target/release/vft stats FILE` (streaming reader, rayon pool over every core);
  - Python: json.loads per line and the cookbook's num_tokens_from_messages with tiktoken
    (o200k_base built from a local vocabulary file: nothing is downloaded).
Both totals must agree. Prints MB/s for each and the ratio.

The vocabulary defaults to the o200k_base.tiktoken.gz in vft's bpe-openai dependency
(present after `cargo fetch`); its sha256 is checked.
"""
import argparse
import glob
import gzip
import hashlib
import json
import os
import pathlib
import random
import subprocess
import sys
import tempfile
import time

os.environ["TIKTOKEN_CACHE_DIR"] = ""
import tiktoken  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "fixtures" / "tokens"))
from generate import O200K_SHA256, PAT_STR, SPECIAL_TOKENS, num_tokens_from_messages  # noqa: E402


def find_vocab():
    home = pathlib.Path.home()
    for pattern in ["bpe-openai-*/data/o200k_base.tiktoken.gz", "tiktoken-rs-*/assets/o200k_base.tiktoken"]:
        found = sorted(glob.glob(str(home / ".cargo/registry/src/*" / pattern)))
        if found:
            return found[-1]
    sys.exit("no o200k_base vocabulary found; run `cargo fetch` or pass --vocab")


def load_encoding(path):
    data = pathlib.Path(path).read_bytes()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    if hashlib.sha256(data).hexdigest() != O200K_SHA256:
        sys.exit(f"{path} is not o200k_base")
    ranks = {}
    import base64
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return tiktoken.Encoding(name="o200k_base", pat_str=PAT_STR, mergeable_ranks=ranks,
                             special_tokens=SPECIAL_TOKENS)


WORDS = ("the a model training example image token cost per tile assistant user system reply "
         "question answer weather Paris London 21 °C 3.14 2024-08-06 function call data "
         "über naïve café 東京 日本語 한국어 😀 👍 — , . ! ? ; : ( ) \" ' {} [] \n").split(" ")


def write_dataset(path, examples):
    rng = random.Random(4)
    def words(lo, hi):
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(examples):
            messages = [{"role": "system", "content": words(5, 40)}]
            for _ in range(rng.randint(1, 3)):
                messages.append({"role": "user", "content": words(5, 120)})
                messages.append({"role": "assistant", "content": words(5, 80)})
            f.write(json.dumps({"messages": messages}, ensure_ascii=False) + "\n")


def python_cookbook(path, enc):
    total = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            total += num_tokens_from_messages(enc, json.loads(line)["messages"])
    return total


def vft_stats(path, vft):
    out = subprocess.run([vft, "stats", "--format", "json", path], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])["total"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--vocab", default=None)
    parser.add_argument("--vft", default=str(ROOT / "target/release/vft"))
    args = parser.parse_args()
    enc = load_encoding(args.vocab or find_vocab())
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "train.jsonl")
        write_dataset(path, args.examples)
        mb = os.path.getsize(path) / 1e6
        print(f"{args.examples} text-only examples, {mb:.1f} MB, {os.cpu_count()} cores")
        for run in range(1, args.runs + 1):
            start = time.perf_counter()
            vft_total = vft_stats(path, args.vft)
            vft_s = time.perf_counter() - start
            start = time.perf_counter()
            py_total = python_cookbook(path, enc)
            py_s = time.perf_counter() - start
            if vft_total != py_total:
                sys.exit(f"totals differ: vft {vft_total}, python {py_total}")
            print(f"run {run}: {vft_total} tokens; vft stats {vft_s:.2f} s ({mb / vft_s:.1f} MB/s), "
                  f"python cookbook {py_s:.2f} s ({mb / py_s:.1f} MB/s); ratio {py_s / vft_s:.1f}x")


if __name__ == "__main__":
    main()
