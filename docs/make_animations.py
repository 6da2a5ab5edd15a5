"""Make the animations of docs/animation.md's gallery (run: python docs/make_animations.py).

Each animation is made by running exactly the command shown in the page (in this
process, through the command line's own entry point), and the page's gallery
block is rewritten from the list below, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from pathlib import Path

from make_images import IMAGES, run  # the gallery's runner: the command line's own entry point

DOCS = Path(__file__).resolve().parent
PAGE = DOCS / "animation.md"
SHORT = "--duration 4s --fps 15 --quality 70"  # small files: this page is read on the web

# (file name, command line without the output file)
ANIMATIONS = [
    (
        "anim-zoom.webp",
        f"-c 1,0,0,0,0,0,1 -s 320x180 --center 0 --width 4 --zoom-to 0.3+0.5196152j --zoom-width 0.004 {SHORT}",
    ),
    (
        "anim-morph.webp",
        (
            "-r 0.866-0.5j,-0.866+0.5j,-1j --to-roots 0.866+0.5j,-0.866-0.5j,1j -s 240x180 --width 3.2 "
            f"--boundary white --mark-roots {SHORT}"
        ),
    ),
    (
        "anim-relax.webp",
        f"-c 1,0,0,-1 -m relaxed --relax 1.4 --to-relax 0.6+0.6j -s 240x180 -p okabe-ito {SHORT}",
    ),
]


def main() -> None:
    IMAGES.mkdir(exist_ok=True)
    for name, args in ANIMATIONS:
        run(name, args)
    block = "\n".join(f"nb-render {args} {name}" for name, args in ANIMATIONS)
    text = PAGE.read_text()
    gallery = re.compile(r"(## Gallery\n.*?```console\n).*?(\n```)", re.DOTALL)
    if not gallery.search(text):
        raise RuntimeError(f"{PAGE} has no gallery block to rewrite")
    PAGE.write_text(gallery.sub(lambda m: m.group(1) + block + m.group(2), text))


if __name__ == "__main__":
    main()
