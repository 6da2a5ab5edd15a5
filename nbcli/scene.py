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
from typing import Any

import numpy as np

from ._native import LIMITS
from .checks import (
    as_complex,
    as_float,
    as_int,
    flag,
    image_size,
    json_name,
    json_number,
    json_pair,
    method_name,
    precision_name,
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
from .precision import check_single_range
from .viewport import Viewport

__all__ = ["Scene", "Viewport"]

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
    precision: str = "double"  # or "single": the kernel iterates in float32

    def __post_init__(self) -> None:
        c = as_coefficients(self.coefs)
        set_ = functools.partial(object.__setattr__, self)
        set_("coefs", tuple(complex(v) for v in c))
        set_("width", as_int(self.width, "width", 1, LIMITS.max_side))
        set_("height", as_int(self.height, "height", 1, LIMITS.max_side))
        set_("precision", precision_name(self.precision))
        set_("itmax", as_int(self.itmax, "itmax", 1, LIMITS.max_itmax))
        set_("tol", tolerance(self.tol))
        if not isinstance(self.viewport, Viewport):
            raise TypeError("viewport must be a Viewport")
        if self.roots is not None:
            set_("roots", tuple(complex(v) for v in roots_of(c, self.roots)))
        set_("method", method_name(self.method))
        set_("relax", relax_factor(self.relax))
        set_("aa", as_int(self.aa, "aa (samples per pixel side)", 1, LIMITS.max_aa))
        if self.precision == "single":
            vp = self.viewport
            bounds = {
                "the view's left edge (xmin)": vp.xmin,
                "the view's right edge (xmax)": vp.xmax,
                "the view's bottom edge (ymin)": vp.ymin,
                "the view's top edge (ymax)": vp.ymax,
            }
            check_single_range(np.asarray(self.coefs), bounds, self.relax)
        side = LIMITS.max_side
        if self.width * self.aa > side or self.height * self.aa > side:
            raise ParameterError(
                f"{self.width}x{self.height} pixels with {self.aa}x{self.aa} supersampling is more than "
                f"{side} samples on a side; lower the size or the supersampling"
            )

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
        center: complex | str | None = None,
        width: float | None = None,
        span: float | None = None,
        itmax: int | None = None,
        tol: float = 1e-6,
        stretch: bool = False,
        fit: bool = False,
        method: str = "newton",
        relax: ComplexLike = 1,
        aa: int = 1,
        precision: str = "double",
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
        ``aa``: ``aa`` x ``aa`` samples per pixel; ``precision``: "double" or "single".
        """
        if width is not None and span is not None:
            raise ParameterError("give the view's width once: width (span is an older name for it)")
        c, exact = _polynomial(coefs, roots, expr)
        center = None if center is None else as_complex(center, "center")
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
        xs, ys = self.viewport.grid(*self.samples)
        c = np.asarray(self.coefs, np.complex128)
        return default_itmax(
            c,
            self.canonical_roots(),
            xs,
            ys,
            tol=self.tol,
            method=self.method,
            relax=self.relax,
            precision=self.precision,
        )

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
            "precision": self.precision,
        }
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
    center: complex | None
    span: float | None
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
            ctr = complex(self.center) if self.center is not None else base.center
            sw = as_float(self.span, "width") if self.span is not None else base.width
            if sw <= 0:
                raise ParameterError(f"the view's width must be > 0 (got {sw:g})")
            return Viewport.centered(ctr, sw, sw * h / w)
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
        "viewport": Viewport(*(json_number(vp[k], k) for k in ("xmin", "xmax", "ymin", "ymax"))),
        "itmax": json_number(d["itmax"], "itmax", int),
        "tol": json_number(d["tol"], "tol"),
        "roots": None if roots is None else tuple(json_pair(v, "roots") for v in roots),
        "method": json_name(d, "method", "newton"),
        "relax": json_pair(d.get("relax", [1.0, 0.0]), "relax"),
        "aa": json_number(d.get("aa", 1), "aa", int),
        "precision": json_name(d, "precision", "double"),  # files from before single precision: double
    }
