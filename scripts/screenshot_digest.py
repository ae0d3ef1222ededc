"""Render the sample digest (tests/fixtures/digest/sample.py) and screenshot it in headless Chromium.

    .venv/bin/python scripts/screenshot_digest.py [--out /tmp/twinwatch-digest.png] [--width 800]
        [--height 3200] [--empty]

Prints the paths of the HTML and the PNG. Chromium runs with no network features and a throwaway
profile, so the screenshot shows exactly what a mail client without remote content would show.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "fixtures" / "digest")]

from sample import sample_input  # noqa: E402  (tests/fixtures/digest, on the sys.path above)

from etl.config import DigestSettings  # noqa: E402
from etl.digest import build_digest, render_digest  # noqa: E402

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium() -> str:
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and (path := shutil.which(name)):
            return path
    raise SystemExit("no Chromium found: apt-get install -y chromium, or set CHROMIUM=/path/to/chrome")


def render_sample(out_html: Path, empty: bool) -> None:
    data = sample_input()
    if empty:
        data = replace(data, events=[], health=[])
    out_html.write_text(render_digest(build_digest(data, DigestSettings())).html, encoding="utf-8")


def screenshot(html: Path, png: Path, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory(prefix="twinwatch-chromium-") as profile:
        command = [
            chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={width},{height}",
            html.as_uri(),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "twinwatch-digest.png")
    parser.add_argument("--width", type=int, default=800)
    parser.add_argument("--height", type=int, default=3200)
    parser.add_argument("--empty", action="store_true", help="render an empty week instead")
    args = parser.parse_args()
    args.out.resolve().parent.mkdir(parents=True, exist_ok=True)
    html = args.out.resolve().with_suffix(".html")
    render_sample(html, args.empty)
    screenshot(html, args.out.resolve(), args.width, args.height)
    print(html)
    print(args.out.resolve())


if __name__ == "__main__":
    main()
