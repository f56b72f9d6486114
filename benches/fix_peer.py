#!/usr/bin/env python3
"""Peer baseline for `vft fix`: what a user would write instead, in Python with Pillow.

The obvious script, streaming line by line in one process and one thread (like the check
peer, benches/peer_pillow.py, copied from shared/bench/): for each line, json.loads; for
each `image_url` whose URL is a data URI, base64-decode and Image.open it; if its format
is not JPEG/PNG/WEBP or its mode not RGB/RGBA, apply the EXIF orientation (as vft does),
convert to RGB (RGBA when a pixel is transparent), re-encode as JPEG quality 92 when the
source is a JPEG and as PNG otherwise (Pillow's default PNG settings), and relabel the
data URI; json.dumps the line back and write it. Lines are always re-serialised (an
untouched line keeps its content, not necessarily its bytes); a line whose JSON does not
parse is copied as it is.

Usage: fix_peer.py IN.jsonl OUT.jsonl
Prints "fixed <lines> lines (<images> images) of <n>" on standard error.
"""
import base64
import binascii
import io
import json
import sys

from PIL import Image, ImageOps

Image.MAX_IMAGE_PIXELS = None
FORMATS = {"JPEG", "PNG", "WEBP"}
MODES = {"RGB", "RGBA"}


def fix_image(url):
    """The fixed data URI for `url`, or None when it needs no fix (or cannot be read)."""
    _, _, b64 = url.partition(",")
    try:
        im = Image.open(io.BytesIO(base64.b64decode(b64, validate=True)))
    except (binascii.Error, ValueError, OSError):
        return None
    if im.format in FORMATS and im.mode in MODES:
        return None
    lossy = im.format == "JPEG"
    im = ImageOps.exif_transpose(im)
    if im.has_transparency_data:
        out = im.convert("RGBA")
        if out.getextrema()[3][0] == 255:
            out = out.convert("RGB")
    else:
        out = im.convert("RGB")
    buf = io.BytesIO()
    if lossy and out.mode == "RGB":
        out.save(buf, "JPEG", quality=92)
        mime = "image/jpeg"
    else:
        out.save(buf, "PNG")
        mime = "image/png"
    return f"data:{mime};base64,{base64.b64encode(buf.getvalue()).decode()}"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    lines = fixed_lines = fixed_images = 0
    with open(sys.argv[1], "rb") as src, open(sys.argv[2], "w", encoding="utf-8") as dst:
        for raw in src:
            if not raw.strip():
                continue
            lines += 1
            try:
                example = json.loads(raw)
            except ValueError:
                dst.write(raw.decode("utf-8", "replace"))
                continue
            changed = 0
            for message in example.get("messages") or []:
                content = message.get("content") if isinstance(message, dict) else None
                if not isinstance(content, list):
                    continue
                for part in content:
                    if not isinstance(part, dict) or part.get("type") != "image_url":
                        continue
                    image_url = part.get("image_url") or {}
                    url = image_url.get("url", "")
                    if url.startswith("data:"):
                        new = fix_image(url)
                        if new is not None:
                            image_url["url"] = new
                            changed += 1
            fixed_lines += changed > 0
            fixed_images += changed
            dst.write(json.dumps(example, ensure_ascii=False) + "\n")
    print(f"fixed {fixed_lines} lines ({fixed_images} images) of {lines}", file=sys.stderr)


if __name__ == "__main__":
    main()
