"""Regenerate the images used by README.md and docs/ (run: python docs/make_images.py)."""

from __future__ import annotations

from pathlib import Path

import nbcli

HERE = Path(__file__).resolve().parent / "images"

IMAGES = {
    # file name: (command line shown in the docs, keyword arguments for nbcli.render)
    "readme-z6.png": (
        "nb-render --coefs 1,0,0,0,0,0,1 --size 360x360 z6.png",
        {"coefs": [1, 0, 0, 0, 0, 0, 1], "size": (360, 360)},
    ),
    "readme-complex.png": (
        "nb-render -c 1,0,-3j,-5-2j,3,1 --size 360x360 c.png",
        {"coefs": [1, 0, -3j, -5 - 2j, 3, 1], "size": (360, 360)},
    ),
    "readme-roots.png": (
        "nb-render --roots 1,-1,1j,-1j,0.5+0.5j --palette okabe-ito --size 360x360 r.png",
        {
            "roots": [1, -1, 1j, -1j, 0.5 + 0.5j],
            "size": (360, 360),
            "style": nbcli.Style(palette="okabe-ito"),
        },
    ),
}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, (_, kwargs) in IMAGES.items():
        kwargs = dict(kwargs)
        style = kwargs.pop("style", None)
        r = nbcli.render(style=style, **kwargs)
        r.save(HERE / name, compress_level=9)
        print(f"{name}: {(HERE / name).stat().st_size // 1024} kB")


if __name__ == "__main__":
    main()
