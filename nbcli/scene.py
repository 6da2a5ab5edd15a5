"""The model of what is rendered: ``Viewport`` (a rectangle of the complex plane) and ``Scene``.

A Scene is everything that determines a render's per-pixel results (the
polynomial, the view, the size, the method and its limits, the precision),
but not its colours (``nbcli.style``). ``Scene.create`` fills in defaults the
way the command line does; ``to_dict``/``from_dict`` give the scene's fields as
JSON-ready values and read them back from untrusted files.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ._native import LIMITS, Problem, check_kernel
from .checks import (
    as_int,
    flag,
    image_size,
    json_name,
    json_number,
    json_pair,
    method_name,
    precision_request,
    relax_factor,
    tolerance,
)
from .errors import ParameterError, shown
from .itmax import FLOOR, default_itmax
from .poly import (
    ComplexLike,
    RootSet,
    as_coefficients,
    coefficients_from_roots,
    format_polynomial,
    parse_complex_list,
    parse_factored,
    root_set,
    roots_of,
)
from .poly.exact import as_exact, as_exact_complex
from .precision import Probe, check_single_range, choose_precision, view_warnings
from .precision import single_precision_warnings as _probe_warnings
from .viewport import Viewport

__all__ = ["Scene", "Viewport", "precision_warnings", "single_precision_warnings"]

DEFAULT_SIDE = 1024  # pixels on the longer side when no size is given


@functools.lru_cache(maxsize=16)
def _scene_roots(coefs: tuple[complex, ...], roots: tuple[complex, ...] | None) -> RootSet:
    """The roots, found once per polynomial: framing the view, warnings, colours and
    statistics all ask for them (finding them can take a second at the highest degree)."""
    return root_set(np.asarray(coefs), None if roots is None else np.asarray(roots))


def pairs(c: Sequence[complex] | np.ndarray) -> list[list[float]]:
    """Complex numbers as JSON-ready [real, imag] pairs."""
    return [[float(v.real), float(v.imag)] for v in c]


@dataclass(frozen=True)
class Scene:
    """Everything that determines a render, except how it is coloured.

    Build one with ``Scene.create`` (which fills in good defaults) or directly.
    """

    coefs: tuple[complex, ...]
    width: int = 1024
    height: int = 1024
    viewport: Viewport = field(default_factory=lambda: Viewport(-2.0, 2.0, -2.0, 2.0))
    itmax: int = 60
    tol: float = 1e-6
    roots: tuple[complex, ...] | None = None  # its roots with repeats, when known exactly (given, or factors)
    method: str = "newton"
    relax: complex = 1 + 0j  # the factor a of the relaxed method
    aa: int = 1  # supersampling: aa x aa samples per pixel
    # auto (double, or double-double for deep views), double, double-double or single
    precision: str = field(default="auto", compare=False)
    # the precision the render uses: ``precision``, or what auto chose for this view and size
    # (scenes that render alike are equal, whether their precision was chosen or asked for)
    precision_used: str = field(init=False, default="double")

    def __post_init__(self) -> None:
        c = as_coefficients(self.coefs)
        set_ = functools.partial(object.__setattr__, self)
        set_("coefs", tuple(complex(v) for v in c))
        set_("width", as_int(self.width, "width", 1, LIMITS.max_side))
        set_("height", as_int(self.height, "height", 1, LIMITS.max_side))
        set_("precision", precision_request(self.precision))
        set_("itmax", as_int(self.itmax, "itmax", 1, LIMITS.max_itmax))
        set_("tol", tolerance(self.tol))
        if not isinstance(self.viewport, Viewport):
            raise TypeError("viewport must be a Viewport")
        if self.roots is not None:
            set_("roots", tuple(complex(v) for v in roots_of(c, self.roots)))
        set_("method", method_name(self.method))
        set_("relax", relax_factor(self.relax))
        set_("aa", as_int(self.aa, "aa (samples per pixel side)", 1, LIMITS.max_aa))
        side = LIMITS.max_side
        if self.width * self.aa > side or self.height * self.aa > side:
            raise ParameterError(
                f"{self.width}x{self.height} pixels with {self.aa}x{self.aa} supersampling is more than "
                f"{side} samples on a side; lower the size or the supersampling"
            )
        set_("precision_used", choose_precision(self.precision, self.viewport.sampling(*self.samples)))
        if self.precision_used != "double-double":
            set_("viewport", self.viewport.rounded())  # only double-double renders use the exact centre
        if self.precision_used == "single":
            vp = self.viewport
            bounds = {
                "the view's left edge (xmin)": vp.xmin,
                "the view's right edge (xmax)": vp.xmax,
                "the view's bottom edge (ymin)": vp.ymin,
                "the view's top edge (ymax)": vp.ymax,
            }
            check_single_range(np.asarray(self.coefs), bounds, self.relax)

    @property
    def polynomial(self) -> str:
        return format_polynomial(self.coefs)

    @property
    def samples(self) -> tuple[int, int]:
        """(width, height) of the grid of starting points: the image times the supersampling."""
        return self.width * self.aa, self.height * self.aa

    def canonical_roots(self) -> np.ndarray:
        """The distinct roots, in the canonical order that gives each basin its colour."""
        return np.array(_scene_roots(self.coefs, self.roots).roots)

    def multiplicities(self) -> np.ndarray:
        """How many times each of ``canonical_roots()`` is a root of the polynomial."""
        return np.array(_scene_roots(self.coefs, self.roots).multiplicities)

    def with_options(self, **changes: Any) -> Scene:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def create(
        cls,
        coefs: Sequence[ComplexLike] | np.ndarray | str | None = None,
        *,
        roots: Sequence[ComplexLike] | np.ndarray | str | None = None,
        expr: str | None = None,
        size: int | tuple[int, int] | str | None = None,
        xmin: float | None = None,
        xmax: float | None = None,
        ymin: float | None = None,
        ymax: float | None = None,
        center: complex | str | tuple[Fraction, Fraction] | None = None,
        width: float | str | Fraction | None = None,
        span: float | str | Fraction | None = None,
        itmax: int | None = None,
        tol: float = 1e-6,
        stretch: bool = False,
        fit: bool = False,
        method: str = "newton",
        relax: ComplexLike = 1,
        aa: int = 1,
        precision: str = "auto",
    ) -> Scene:
        """A scene with sensible defaults; the arguments are the command line's. The polynomial: ``coefs``
        (highest degree first), ``roots`` (both also as text, "1,0,-1") or
        ``expr="(z-1)(z+1)^2"``; ``coefs`` and ``roots`` together when the roots are
        known exactly (each as many times as it is a root), as from a factored expression.
        The view: ``center`` and/or ``width`` (in the
        complex plane; ``span`` is its older name), else the bounds ``xmin`` ..
        ``ymax`` (a missing pair follows from the other, pixels square), else
        (or with ``fit=True``) a frame around all roots. ``size``: (width,
        height), one number or "1920x1080"; by default 1024 on the longer
        side. ``stretch`` (with all four bounds) keeps them exactly. ``method``:
        newton, relaxed (factor ``relax``), halley, schroder or householder;
        ``aa``: ``aa`` x ``aa`` samples per pixel; ``precision``: "auto" (double, or
        double-double for views too narrow for double), "double", "double-double" or "single".
        ``center`` and ``width`` given as text are kept exactly, however many digits they have.
        """
        if width is not None and span is not None:
            raise ParameterError("give the view's width once: width (span is an older name for it)")
        c, exact = _polynomial(coefs, roots, expr)
        if isinstance(center, str):
            center = as_exact_complex(center, "center")
        elif center is not None:
            as_exact_complex(center, "center")  # a TypeError or ValueError naming it, now
        stretch, fit = flag(stretch, "stretch"), flag(fit, "fit")
        view = _ViewRequest(xmin, xmax, ymin, ymax, center, span if width is None else width, stretch, fit)
        w, h = _image_size(size, view)
        coefs_t = tuple(complex(v) for v in c)
        exact_t = None if exact is None else tuple(complex(v) for v in exact)
        vp = view.resolve(lambda: Viewport.fit(_scene_roots(coefs_t, exact_t).roots, w, h), w, h)
        scene = cls(
            coefs=coefs_t,
            width=w,
            height=h,
            viewport=vp,
            itmax=FLOOR if itmax is None else itmax,
            tol=tol,
            roots=exact_t,
            method=method,
            relax=relax_factor(relax),
            aa=aa,
            precision=precision,
        )
        return scene if itmax is not None else scene.with_options(itmax=scene.default_itmax())

    def default_itmax(self) -> int:
        """The iteration limit this scene's view and polynomial need (``nbcli.itmax``): what
        ``Scene.create`` uses when no ``itmax`` is given."""
        xs, ys, lows = self.start_points()
        c = np.asarray(self.coefs, np.complex128)
        return default_itmax(
            c,
            self.canonical_roots(),
            xs,
            ys,
            tol=self.tol,
            method=self.method,
            relax=self.relax,
            precision=self.precision_used,
            lows=lows,
        )

    def start_points(self) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
        """The samples' start points: real part per column, imaginary part per row (top row
        first) and, in double-double, their low parts (``Viewport.grid_dd``)."""
        if self.precision_used == "double-double":
            xs, xs_lo, ys, ys_lo = self.viewport.grid_dd(*self.samples)
            return xs, ys, (xs_lo, ys_lo)
        xs, ys = self.viewport.grid(*self.samples)
        return xs, ys, None

    def problem(self, roots: np.ndarray) -> Problem:
        """The core's problem: this scene's iteration towards ``roots``."""
        c = np.asarray(self.coefs, dtype=np.complex128)
        return Problem(c, roots, self.itmax, self.tol, self.method, self.relax, self.precision_used)

    def to_dict(self) -> dict[str, Any]:
        """The scene's fields as JSON-ready values (see ``nbcli.params`` for the whole record)."""
        vp = self.viewport
        d: dict[str, Any] = {
            "polynomial": self.polynomial,
            "coefs": pairs(self.coefs),
            "size": [self.width, self.height],
            "viewport": {"xmin": vp.xmin, "xmax": vp.xmax, "ymin": vp.ymin, "ymax": vp.ymax},
            "itmax": self.itmax,
            "tol": self.tol,
            "method": self.method,
            "relax": [self.relax.real, self.relax.imag],
            "aa": self.aa,
            "precision": self.precision_used,
        }
        if self.precision_used == "double-double":  # the centre to all its digits
            d["viewport"].update(vp.exact_view.to_dict())
        if self.roots is not None:
            d["roots"] = pairs(self.roots)
        return d

    @classmethod
    def from_dict(cls, d: Any) -> Scene:
        """A Scene from ``to_dict``'s output. The input is untrusted (it may come from a
        file): every field is type-checked and bounded; problems raise ParameterError."""
        try:
            if not isinstance(d, dict):
                raise ParameterError("the scene must be a JSON object")
            return cls(**_fields_from_dict(d))
        except KeyError as e:
            raise ParameterError(f"not a valid scene description (no {shown(e.args[0])})") from None
        except (TypeError, ValueError) as e:
            raise ParameterError(f"not a valid scene description: {e}") from None


def single_precision_warnings(scene: Scene, *, kernel: str | None = None) -> list[str]:
    """Why ``scene`` may not look right in single precision (empty when it is fine, or in
    another precision); see ``nbcli.precision.single_precision_warnings``. ``kernel``: the one
    the render will use."""
    if not isinstance(scene, Scene):
        raise TypeError(f"scene must be a nbcli.Scene (got {shown(scene)})")
    if scene.precision_used != "single":
        return []
    vp = scene.viewport
    probe = Probe(scene.problem(scene.canonical_roots()), (vp.xmin, vp.xmax, vp.ymin, vp.ymax), scene.samples)
    return _probe_warnings(probe, check_kernel(kernel))


def precision_warnings(scene: Scene, *, kernel: str | None = None) -> list[str]:
    """Why ``scene`` may not look right in the precision it is rendered in (empty when it is
    fine): a view too narrow for a double precision asked for explicitly
    (``nbcli.precision.view_warnings``), and ``single_precision_warnings``."""
    if not isinstance(scene, Scene):
        raise TypeError(f"scene must be a nbcli.Scene (got {shown(scene)})")
    messages = view_warnings(scene.precision_used, scene.viewport.sampling(*scene.samples))
    return messages + single_precision_warnings(scene, kernel=kernel)


def _polynomial(coefs: Any, roots: Any, expr: str | None) -> tuple[np.ndarray, np.ndarray | None]:
    """(coefficients, exact roots or None) from one of coefs, roots and expr, or from coefs with
    their roots. A product of factors in ``expr`` gives its roots exactly too."""
    if (coefs is None and roots is None) == (expr is None):
        raise ParameterError(
            "give the polynomial by exactly one of its coefficients (coefs), its roots (roots) or an "
            "expression (expr); coefs and roots go together only when roots are the coefficients' roots"
        )
    if expr is not None:
        if not isinstance(expr, str):
            raise TypeError(f"expr must be text such as 'z^3 - 1' (got {shown(expr)})")
        c, exact = parse_factored(expr)
        return as_coefficients(c), exact
    r = parse_complex_list(roots, "root") if isinstance(roots, str) else roots
    if coefs is None:
        return coefficients_from_roots(r), np.asarray(r, dtype=complex)
    c = as_coefficients(parse_complex_list(coefs, "coefficient") if isinstance(coefs, str) else coefs)
    return c, None if r is None else roots_of(c, r)


@dataclass(frozen=True)
class _ViewRequest:
    """The view options of ``Scene.create``, checked for conflicts."""

    xmin: float | None
    xmax: float | None
    ymin: float | None
    ymax: float | None
    center: Any  # a complex or an exact (real, imag) pair
    span: Any  # a number, or its exact text
    stretch: bool
    fit: bool

    def __post_init__(self) -> None:
        if (self.xmin is None) != (self.xmax is None):
            raise ParameterError("give both xmin and xmax, or neither")
        if (self.ymin is None) != (self.ymax is None):
            raise ParameterError("give both ymin and ymax, or neither")
        if self.fit and (self.by_center or self.has_x or self.has_y):
            raise ParameterError(
                "fit frames the roots by itself; do not also give center/width or xmin..ymax"
            )
        if self.by_center and (self.has_x or self.has_y):
            raise ParameterError(
                "give the viewport either by center/width or by xmin/xmax/ymin/ymax, not both"
            )
        if self.stretch and not (self.has_x and self.has_y):
            raise ParameterError(
                "stretch uses the four bounds exactly: give all of xmin, xmax, ymin and ymax with it"
            )

    @property
    def has_x(self) -> bool:
        return self.xmin is not None

    @property
    def has_y(self) -> bool:
        return self.ymin is not None

    @property
    def by_center(self) -> bool:
        return self.center is not None or self.span is not None

    def bounds(self) -> Viewport:
        return Viewport(self.xmin, self.xmax, self.ymin, self.ymax)  # type: ignore[arg-type]

    def resolve(self, fitted: Any, w: int, h: int) -> Viewport:
        """The viewport for a w x h image; ``fitted()`` frames the roots (computed only if needed)."""
        if self.by_center:
            base = fitted()
            ctr = self.center if self.center is not None else base.center
            sw = as_exact(self.span, "width") if self.span is not None else Fraction(base.width)
            if sw <= 0:
                raise ParameterError(f"the view's width must be > 0 (got {float(sw):g})")
            return Viewport.centered(ctr, sw, Fraction(float(sw) * h / w))
        if self.has_x and self.has_y:
            vp = self.bounds()
            return vp if self.stretch else vp.square_pixels(w, h)
        if self.has_x:
            vx = Viewport(self.xmin, self.xmax, -1.0, 1.0)  # type: ignore[arg-type]
            cy = fitted().center.imag
            return Viewport.centered(complex(vx.center.real, cy), vx.width, vx.width * h / w)
        if self.has_y:
            vy = Viewport(-1.0, 1.0, self.ymin, self.ymax)  # type: ignore[arg-type]
            cx = fitted().center.real
            return Viewport.centered(complex(cx, vy.center.imag), vy.height * w / h, vy.height)
        return fitted()  # type: ignore[no-any-return]


def _image_size(size: Any, view: _ViewRequest) -> tuple[int, int]:
    """The requested size, or 1024 pixels on the longer side (following the bounds' aspect ratio)."""
    if size is not None:
        return image_size(size, LIMITS.max_side)
    if not (view.has_x and view.has_y):
        return DEFAULT_SIDE, DEFAULT_SIDE
    aspect = view.bounds().height / view.bounds().width
    if aspect <= 1:
        return DEFAULT_SIDE, max(1, round(DEFAULT_SIDE * aspect))
    return max(1, round(DEFAULT_SIDE / aspect)), DEFAULT_SIDE


def _fields_from_dict(d: dict[str, Any]) -> dict[str, Any]:
    """Scene fields from ``Scene.to_dict``'s form, each type-checked (untrusted input)."""
    most = LIMITS.max_degree
    coefs = d["coefs"]
    if not isinstance(coefs, list) or not 2 <= len(coefs) <= most + 1:
        raise ParameterError(f"coefs must be a list of 2 to {most + 1} [real, imag] pairs")
    roots = d.get("roots")
    if roots is not None and (not isinstance(roots, list) or not 1 <= len(roots) <= most):
        raise ParameterError(f"roots must be a list of 1 to {most} [real, imag] pairs")
    size = d["size"]
    if not isinstance(size, list) or len(size) != 2:
        raise ParameterError("size must be [width, height]")
    vp = d["viewport"]
    if not isinstance(vp, dict):
        raise ParameterError("viewport must be an object")
    return {
        "coefs": tuple(json_pair(v, "coefs") for v in coefs),
        "width": json_number(size[0], "width", int),
        "height": json_number(size[1], "height", int),
        "viewport": Viewport.from_dict(vp),
        "itmax": json_number(d["itmax"], "itmax", int),
        "tol": json_number(d["tol"], "tol"),
        "roots": None if roots is None else tuple(json_pair(v, "roots") for v in roots),
        "method": json_name(d, "method", "newton"),
        "relax": json_pair(d.get("relax", [1.0, 0.0]), "relax"),
        "aa": json_number(d.get("aa", 1), "aa", int),
        "precision": json_name(d, "precision", "double"),  # files from before single precision: double
    }
