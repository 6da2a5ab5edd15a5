"""Animations as a model: keyframes, how every parameter moves between them, and the scene and
style of each frame, with roots that keep their colours.

A ``Keyframe`` is a complete picture (a Scene and a Style) at a time. Between
two keyframes, with the keyframe's easing applied to the time:

- the view zooms about its fixed point: width and height change geometrically
  (a constant zoom speed to the eye) and the centre moves so that the point
  being zoomed into stays put on the screen;
- the polynomial moves along a smooth path: its roots, when both keyframes give
  the same number of roots, else its coefficients; a cubic (Catmull-Rom) curve
  through the keyframes, so a path through several keyframes has no corners.
  The relaxation factor moves the same way; ``itmax`` linearly, ``tol``
  geometrically;
- everything else (method, precision, supersampling, palette, shading,
  colours, markers) changes at the keyframe.

``Timeline.frame(k)`` gives frame k. Frames span the animation evenly, the
first at time 0 and the last at the end, so both ends are exactly their
keyframes. When the polynomial changes, each root keeps an identity found by
continuation (``nbcli.poly.track``) and with it its colour (``Style.color_index``).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from .errors import ParameterError, shown
from .poly import coefficients_from_roots
from .poly.track import all_roots, assign, track
from .scene import Scene, Viewport
from .style import Style

__all__ = ["EASINGS", "MAX_FRAMES", "Keyframe", "Timeline", "parse_fps"]

MAX_FRAMES = 1_000_000

EASINGS: dict[str, Callable[[float], float]] = {
    "linear": lambda s: s,
    "smooth": lambda s: s * s * (3.0 - 2.0 * s),  # starts and stops gently
    "ease-in": lambda s: s * s * s,
    "ease-out": lambda s: 1.0 - (1.0 - s) ** 3,
    "step": lambda s: 1.0 if s >= 1.0 else 0.0,  # hold, then jump at the keyframe
}


def easing_name(name: object) -> str:
    key = name.strip().lower() if isinstance(name, str) else name
    if not isinstance(key, str) or key not in EASINGS:
        raise ParameterError(f"unknown easing {shown(name)}; choose {', '.join(EASINGS)}")
    return key


def parse_fps(value: object) -> Fraction:
    """Frames per second from a number or text ('30', '25', '29.97' = '30000/1001')."""
    bad = ParameterError(f"cannot read frames per second {shown(value)}; give a number such as 30")
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Fraction)):
        raise bad
    try:
        fps = Fraction(value.strip() if isinstance(value, str) else value).limit_denominator(1001)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise bad from None
    if not 0 < fps <= 1000:
        raise ParameterError(f"frames per second must be more than 0 and at most 1000 (got {value})")
    for n in (24, 30, 48, 60, 120):  # 23.976, 29.97, 59.94 ... are NTSC's n * 1000/1001
        if abs(fps - Fraction(n * 1000, 1001)) < Fraction(1, 200):
            return Fraction(n * 1000, 1001)
    return fps


@dataclass(frozen=True)
class Keyframe:
    """The picture at ``time`` seconds: a Scene and a Style (None: the previous keyframe's).

    ``easing`` says how the parameters move from the previous keyframe to this
    one: linear, smooth (the default: start and stop gently), ease-in,
    ease-out, or step (hold, then jump here).
    """

    time: float
    scene: Scene
    style: Style | None = None
    easing: str = "smooth"

    def __post_init__(self) -> None:
        t: Any = self.time  # callers may pass anything: say what is wrong
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not (math.isfinite(t) and t >= 0):
            raise ParameterError(f"a keyframe's time must be a number of seconds >= 0 (got {shown(t)})")
        object.__setattr__(self, "time", float(t))
        scene: Any = self.scene
        style: Any = self.style
        if not isinstance(scene, Scene):
            raise TypeError("a keyframe's scene must be a Scene")
        if style is not None and not isinstance(style, Style):
            raise TypeError("a keyframe's style must be a Style or None")
        object.__setattr__(self, "easing", easing_name(self.easing))


class Timeline:
    """Keyframes, sampled into ``count`` frames at ``fps`` frames per second.

    The length is ``frames`` (a number of frames) or ``duration`` (seconds), or
    else the time of the last keyframe. All keyframes must have the same image
    size and bit depth.
    """

    def __init__(
        self,
        keyframes: Sequence[Keyframe],
        *,
        fps: float | Fraction | str = 30,
        frames: int | None = None,
        duration: float | None = None,
    ) -> None:
        keys = list(keyframes)
        if not keys:
            raise ParameterError("an animation needs at least one keyframe")
        styled: list[Keyframe] = []
        style = Style()
        for k in keys:
            if not isinstance(k, Keyframe):
                raise TypeError("keyframes must be Keyframe objects")
            style = (k.style if k.style is not None else style).validate()
            styled.append(dataclasses.replace(k, style=style))
        for a, b in itertools.pairwise(styled):
            if not b.time > a.time:
                raise ParameterError(f"keyframe times must increase: {b.time:g} s comes after {a.time:g} s")
            if (b.scene.width, b.scene.height) != (a.scene.width, a.scene.height):
                raise ParameterError(
                    f"every frame of an animation has the same size: {a.scene.width}x{a.scene.height} "
                    f"at {a.time:g} s but {b.scene.width}x{b.scene.height} at {b.time:g} s"
                )
            if _style(b).depth != _style(a).depth:
                raise ParameterError("every frame of an animation has the same bit depth")
        self.keyframes = styled
        self.fps = parse_fps(fps)
        self.count, self.duration = _length(self.fps, frames, duration, styled[-1].time)

    @property
    def size(self) -> tuple[int, int]:
        s = self.keyframes[0].scene
        return s.width, s.height

    @property
    def depth(self) -> int:
        return _style(self.keyframes[0]).depth

    def time_of(self, k: int) -> float:
        """The time of frame k: frames span [0, duration] evenly."""
        if not 0 <= k < self.count:
            raise IndexError(f"frame {k} of an animation of {self.count} frames")
        return 0.0 if self.count == 1 else self.duration * k / (self.count - 1)

    def frame(self, k: int) -> tuple[Scene, Style]:
        """The scene and style of frame k, roots keeping their colours."""
        t = self.time_of(k)
        try:
            scene, style = self.at(t)
            colours = self._colours
            if colours is not None:
                style = colours.style_for(k, scene, style)
            return scene, style
        except ParameterError as e:
            raise ParameterError(f"frame {k} (at {t:.3f} s): {e}") from None

    def at(self, t: float) -> tuple[Scene, Style]:
        """The scene and style at time ``t`` (colours numbered as in a still)."""
        i, s = self._segment(t)
        keys = self.keyframes
        b = keys[i]
        if s is None:
            return b.scene, _style(b)
        a = keys[i - 1]
        if s <= 0.0:
            return a.scene, _style(a)
        sa = a.scene
        changes: dict[str, object] = {"viewport": _zoom(sa.viewport, b.scene.viewport, s)}
        changes.update(self._polynomial(i, s))
        changes["relax"] = complex(_spline([k.scene.relax for k in keys], self._times, i, s))
        changes["itmax"] = max(1, round(sa.itmax + (b.scene.itmax - sa.itmax) * s))
        changes["tol"] = sa.tol ** (1 - s) * b.scene.tol**s
        return dataclasses.replace(sa, **changes), _style(a)  # type: ignore[arg-type]

    # -- internals -----------------------------------------------------------------------

    @cached_property
    def _times(self) -> list[float]:
        return [k.time for k in self.keyframes]

    def _segment(self, t: float) -> tuple[int, float | None]:
        """(i, s): t lies between keyframes i-1 and i at eased fraction s; s None: exactly keyframe i."""
        times = self._times
        tol = 1e-9 * max(1.0, self.duration)
        for i, tk in enumerate(times):
            if abs(t - tk) <= tol:
                return i, None
            if t < tk:
                if i == 0:
                    return 0, None  # before the first keyframe: hold it
                u = (t - times[i - 1]) / (tk - times[i - 1])
                return i, EASINGS[self.keyframes[i].easing](min(1.0, max(0.0, u)))
        return len(times) - 1, None  # after the last keyframe: hold it

    def _polynomial(self, i: int, s: float) -> dict[str, object]:
        """The polynomial between keyframes i-1 and i at eased fraction s, as Scene fields."""
        keys = self.keyframes
        a, b = keys[i - 1].scene, keys[i].scene
        if a.coefs == b.coefs and a.roots == b.roots:
            return {}
        if a.roots is not None and b.roots is not None and len(a.roots) == len(b.roots):
            n = len(a.roots)
            # the roots, paired in the order given; neighbours join the curve if they have as many
            pts = [
                np.asarray(k.scene.roots) if k.scene.roots is not None and len(k.scene.roots) == n else None
                for k in keys
            ]
            r = _spline(pts, self._times, i, s)
            return {
                "coefs": tuple(complex(v) for v in coefficients_from_roots(r)),
                "roots": tuple(r.tolist()),
            }
        degree = max(len(k.scene.coefs) for k in keys)
        pts = [np.concatenate([np.zeros(degree - len(k.scene.coefs), complex), k.scene.coefs]) for k in keys]
        c = np.trim_zeros(_spline(pts, self._times, i, s), "f")
        return {"coefs": tuple(complex(v) for v in c), "roots": None}

    @cached_property
    def _colours(self) -> _Colours | None:
        """How each frame's roots are coloured, when the polynomial changes at all."""
        first = self.keyframes[0].scene
        if all(k.scene.coefs == first.coefs and k.scene.roots == first.roots for k in self.keyframes):
            return None
        return _Colours(self)

    def roots_paired(self, t0: float, t1: float) -> bool:
        """Whether the roots at t0 and t1 (t0 < t1) lie on one morph given by roots, listed in the same order."""
        times = self._times
        tol = 1e-9 * max(1.0, self.duration)
        for i in range(1, len(times)):
            if times[i - 1] - tol <= t0 and t1 <= times[i] + tol:
                a, b = self.keyframes[i - 1].scene.roots, self.keyframes[i].scene.roots
                return a is not None and b is not None and len(a) == len(b)
        return False

    def roots_at(self, t: float) -> np.ndarray:
        """Every root (repeated ones repeatedly) of the polynomial at time ``t``."""
        scene = self.at(t)[0]
        return all_roots(np.asarray(scene.coefs), scene.roots)


def _style(k: Keyframe) -> Style:
    assert k.style is not None  # Timeline fills every keyframe's style in
    return k.style


def _length(fps: Fraction, frames: Any, duration: Any, last: float) -> tuple[int, float]:
    """(number of frames, duration in seconds)."""
    if frames is not None and duration is not None:
        raise ParameterError("give the length by a number of frames or by a duration, not both")
    if frames is not None:
        if isinstance(frames, bool) or not isinstance(frames, int) or not 1 <= frames <= MAX_FRAMES:
            raise ParameterError(f"the number of frames must be a whole number from 1 to {MAX_FRAMES}")
        return frames, float(frames / fps)
    if duration is None:
        duration = last
        if duration <= 0:
            raise ParameterError("the animation has no length: give a duration or a number of frames")
    if (
        isinstance(duration, bool)
        or not isinstance(duration, (int, float))
        or not (math.isfinite(duration) and duration > 0)
    ):
        raise ParameterError(f"the duration must be a number of seconds > 0 (got {shown(duration)})")
    count = max(1, round(duration * fps))
    if count > MAX_FRAMES:
        raise ParameterError(f"{count} frames is more than the {MAX_FRAMES} an animation may have")
    return count, float(duration)


def _spline(
    points: Sequence[np.ndarray | complex | None], times: Sequence[float], i: int, s: float
) -> np.ndarray:
    """The curve through ``points`` at fraction s of the way from point i-1 to point i.

    A cubic Hermite curve whose tangents come from the neighbours (Catmull-Rom
    for uneven times), so it has no corners at the points; where a neighbour is
    missing (None) the tangent is that of the straight line. With two points it
    is the straight line.
    """
    p0, p1 = np.asarray(points[i - 1], complex), np.asarray(points[i], complex)
    t0, t1 = times[i - 1], times[i]
    h = t1 - t0
    chord = (p1 - p0) / h
    m0, m1 = chord, chord
    if i >= 2 and points[i - 2] is not None:
        m0 = (p1 - np.asarray(points[i - 2], complex)) / (t1 - times[i - 2])
    if i + 1 < len(points) and points[i + 1] is not None:
        m1 = (np.asarray(points[i + 1], complex) - p0) / (times[i + 1] - t0)
    s2, s3 = s * s, s * s * s
    return (  # type: ignore[no-any-return]
        (2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * h * m0 + (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * h * m1
    )


def _zoom(a: Viewport, b: Viewport, s: float) -> Viewport:
    """The view at fraction s of a zoom from ``a`` to ``b`` about its fixed point.

    Width and height change geometrically. A zoom from one view to another is a
    scaling about one point of the plane; that point keeps its place on the screen
    while the centre moves towards b's: c(s) = c_a + (c_b - c_a) (1 - q^s) / (1 - q),
    q = w_b / w_a, per axis (the straight line when the size does not change). The
    centre is computed exactly, as c_b + (c_a - c_b) g with g = (q - q^s) / (q - 1)
    rounded once, so that it stays exact to a small part of the view however deep
    the zoom goes (the views' exact centres are used: see ``Viewport.exact``).
    """

    def axis(c0: Fraction, c1: Fraction, w0: float, w1: float) -> tuple[Fraction, float]:
        lq = math.log(w1 / w0)
        g = 1.0 - s if abs(lq) < 1e-12 else math.exp(s * lq) * math.expm1((1.0 - s) * lq) / math.expm1(lq)
        return c1 + (c0 - c1) * Fraction(g), w0 * math.exp(s * lq)

    ea, eb = a.exact_view, b.exact_view
    x, w = axis(ea.cx, eb.cx, a.width, b.width)
    y, h = axis(ea.cy, eb.cy, a.height, b.height)
    return Viewport.centered((x, y), w, h)


class _Colours:
    """Each frame's colour order: roots tracked from frame to frame keep their palette entry."""

    def __init__(self, timeline: Timeline) -> None:
        times = [timeline.time_of(k) for k in range(timeline.count)]
        start_scene, start_style = timeline.at(times[0])
        roots0 = timeline.roots_at(times[0])
        canon0 = start_scene.canonical_roots()
        # frame 0 is coloured as a still: canonical root i keeps entry i (or the start style's)
        given = start_style.colors_for(len(canon0))[0]
        ids0 = np.full(roots0.size, -1, np.int64)
        for ci, ti in enumerate(assign(canon0, roots0)):
            if ti >= 0:
                ids0[ti] = given[ci] if given is not None else ci
        spare = (i for i in range(roots0.size + len(canon0)) if i not in set(ids0.tolist()))
        for ti in np.flatnonzero(ids0 < 0):
            ids0[ti] = next(spare)
        self.tracked = track(timeline.roots_at, times, ids0, paired=timeline.roots_paired)
        self.ncolors = max(int(ids.max(initial=-1)) + 1 for _roots, ids in self.tracked)
        self.ncolors = max(self.ncolors, start_style.ncolors or 0, len(canon0))

    def style_for(self, k: int, scene: Scene, style: Style) -> Style:
        canon = scene.canonical_roots()
        roots, ids = self.tracked[k]
        pick = assign(canon, roots)
        index = tuple(int(ids[j]) for j in pick)
        if min(index, default=0) < 0:  # a root the tracking did not see (cannot happen for finite roots)
            raise ParameterError("lost track of a root")
        if index == tuple(range(len(canon))) and self.ncolors == len(canon):
            return dataclasses.replace(style, color_index=None, ncolors=None)
        return dataclasses.replace(style, color_index=index, ncolors=self.ncolors)
