"""Regenerate docs/gallery.md and every image in docs/images/ (run: python docs/make_images.py).

Each image is made by running exactly the command printed under it (in this
process, through the command line's own entry point), so the gallery cannot
drift from what the tool does.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from nbcli.cli import main as cli_main

DOCS = Path(__file__).resolve().parent
IMAGES = DOCS / "images"
S = "--size 300x300"

# points on basin boundaries, to 42 digits (found by bisection at 60 digits)
Z3_EDGE = "-0.309729504061940918920755412529645838471586+0.13784438220371328383827924436258601705158j"
Z6_EDGE = "0.305681511067321630042589952944874783545918+0.533889251606546703047567711586710160808901j"

# (section, [(file name, command line without the output file, caption)])
GALLERY: list[tuple[str, str, list[tuple[str, str, str]]]] = [
    (
        "Methods",
        (
            "The same cubic, z^3 - 2z + 2, under each method. Black: starting points that never converge "
            "(Newton's method famously cycles between 0 and 1 there)."
        ),
        [
            ("method-newton.png", f"-c 1,0,-2,2 {S}", "Newton (the default)"),
            (
                "method-relaxed.png",
                f"-c 1,0,-2,2 --method relaxed --relax 0.8+0.4j {S}",
                "relaxed, a = 0.8+0.4i",
            ),
            ("method-halley.png", f"-c 1,0,-2,2 --method halley {S}", "Halley"),
            ("method-householder.png", f"-c 1,0,-2,2 --method householder {S}", "Householder (third order)"),
        ],
    ),
    (
        "Repeated roots",
        (
            "(z-1)^2 (z+1) (z-2i): Newton crawls towards the double root at 1 (dark, many steps); "
            "Schröder's method keeps quadratic convergence there."
        ),
        [
            ("double-newton.png", f"-e '(z-1)^2(z+1)(z-2j)' {S}", "Newton"),
            ("double-schroder.png", f"-e '(z-1)^2(z+1)(z-2j)' --method schroder {S}", "Schröder"),
        ],
    ),
    (
        "Shading",
        "z^5 - 1 with each shading mode.",
        [
            ("shading-smooth.png", f"-c 1,0,0,0,0,-1 {S}", "smooth (the default): no bands"),
            (
                "shading-iterations.png",
                f"-c 1,0,0,0,0,-1 --shading iterations {S}",
                "iterations: nb_cpp's 1 - k/itmax",
            ),
            ("shading-flat.png", f"-c 1,0,0,0,0,-1 --shading flat {S}", "flat: colour by root only"),
        ],
    ),
    (
        "Palettes",
        "Built-in palettes, your own colours, or any matplotlib colormap (with matplotlib installed).",
        [
            (
                "palette-okabe-ito.png",
                f"-r 1,-1,1j,-1j,0.5+0.5j --palette okabe-ito {S}",
                "okabe-ito (colour-blind safe)",
            ),
            ("palette-pastel.png", f"-r 1,-1,1j,-1j,0.5+0.5j --palette pastel {S}", "pastel"),
            (
                "palette-custom.png",
                f"-r 1,-1,1j,-1j,0.5+0.5j --palette '#1b9e77,#d95f02,#7570b3,#e7298a,#66a61e' {S}",
                "a list of colours",
            ),
            (
                "palette-twilight.png",
                f"-r 1,-1,1j,-1j,0.5+0.5j --palette twilight {S}",
                "matplotlib's twilight",
            ),
        ],
    ),
    (
        "Quality and decorations",
        "Supersampling averaged in linear light, basin borders, root markers, a colour for non-convergence.",
        [
            (
                "aa-off.png",
                f"-c 1,0,0,0,0,0,1 --center 0.45+0.35j --width 0.6 {S}",
                "zoomed in, one sample per pixel",
            ),
            (
                "aa-3.png",
                f"-c 1,0,0,0,0,0,1 --center 0.45+0.35j --width 0.6 --aa 3 {S}",
                "the same with --aa 3",
            ),
            (
                "boundary-marks.png",
                f"-c 1,0,0,-1 --boundary white --mark-roots --shading flat --palette okabe-ito {S}",
                "--boundary white --mark-roots",
            ),
            (
                "nonconverged.png",
                f"-c 1,0,-2,2 --nonconverged-color '#ffffff' --palette pastel {S}",
                "--nonconverged-color",
            ),
        ],
    ),
    (
        "Zooming in",
        "Where basins meet, each boundary holds a copy of all of them: z^5 - 1 at its centre, where the five "
        "basins spiral in (the README's zoom example), and z^6 + 1 along a boundary.",
        [
            ("zoom-z5.png", f"-e 'z^5 - 1' --width 0.4 --aa 2 {S}", "z^5 - 1, --width 0.4"),
            (
                "zoom-z6.png",
                f"-c 1,0,0,0,0,0,1 --center 0.42+0.25j --width 0.15 --aa 2 {S}",
                "z^6 + 1, zoomed",
            ),
        ],
    ),
    (
        "Deep zooms",
        "Past the resolution of doubles (about 1e-13 of the coordinates), `auto` precision switches to "
        "double-double: z^3 - 1 at 1e-25 wide on a basin boundary, and z^6 + 1 at 1e-20, with the centre given "
        "to 42 digits. So deep, every pixel takes over 100 steps: iteration shading spreads the shades over "
        "them (smooth shading is at its darkest after 60). See [usage](usage.md#deep-zooms-double-double-precision).",
        [
            (
                "deep-z3.png",
                f"-c 1,0,0,-1 --center {Z3_EDGE} --width 1e-25 --shading iterations --aa 2 {S}",
                "z^3 - 1, 1e-25 wide",
            ),
            (
                "deep-z6.png",
                f"-c 1,0,0,0,0,0,1 --center {Z6_EDGE} --width 1e-20 --shading iterations --aa 2 {S}",
                "z^6 + 1, 1e-20 wide",
            ),
        ],
    ),
    (
        "Complex coefficients and expressions",
        "",
        [
            ("complex.png", f"-c 1,0,-3j,-5-2j,3,1 {S}", "complex coefficients"),
            ("expr.png", f"-e 'z^5 - 3z^2 + (1+2j)' --palette okabe-ito {S}", "an expression"),
        ],
    ),
]

README = [  # images the README shows (made the same way)
    ("readme-z6.png", "--coefs 1,0,0,0,0,0,1 --size 360x360", ""),
    ("readme-methods.png", "-c 1,0,-2,2 --method halley --size 360x360", ""),
    (
        "readme-roots.png",
        "--roots 1,-1,1j,-1j,0.5+0.5j --palette okabe-ito --boundary white --mark-roots --size 360x360",
        "",
    ),
]


def run(name: str, args: str) -> None:
    argv = [*shlex.split(args), "--quiet", str(IMAGES / name)]
    try:
        cli_main(argv)
    except SystemExit as e:
        if e.code:
            raise RuntimeError(f"nb-render {args} {name} failed ({e.code})") from None
    print(f"{name}: {(IMAGES / name).stat().st_size // 1024} kB", file=sys.stderr)


def main() -> None:
    IMAGES.mkdir(exist_ok=True)
    lines = [
        "# Gallery",
        "",
        "Every image here was made by the command under it (plus an output file name), by",
        "`python docs/make_images.py`, which also writes this page.",
        "",
    ]
    for section, intro, items in GALLERY:
        lines += [f"## {section}", ""]
        if intro:
            lines += [intro, ""]
        lines += ["| " + " | ".join(c for _, _, c in items) + " |", "|" + "---|" * len(items)]
        cells_img, cells_cmd = [], []
        for name, args, caption in items:
            run(name, args)
            cells_img.append(f"![{caption}](images/{name})")
            cells_cmd.append(f"`nb-render {args} {name}`")
        lines += ["| " + " | ".join(cells_img) + " |", "| " + " | ".join(cells_cmd) + " |", ""]
    for name, args, _ in README:
        run(name, args)
    (DOCS / "gallery.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
