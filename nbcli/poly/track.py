"""Root tracking: which root of a moving polynomial is which, from one moment to the next.

A still numbers roots by angle (``canonical_roots``), so a basin's colour
depends only on where its root is. When the polynomial changes from frame to
frame, that numbering would swap two roots (and their colours) whenever one
passes the other. Instead each root keeps an identity found by continuation:
between two moments every root is paired with its nearest predecessor, and
when that pairing is in doubt (a root moved more than a third of the way to
another one) the step is halved, and halved again, up to a limit. When two
roots collide no step is small enough, and the closest pairs are taken: past a
collision either continuation is as right as the other. Roots moved one by one
(a morph given by its roots) are paired as they are listed. Roots that appear (the
degree rises) take the smallest free identity; roots that go to infinity free
theirs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["all_roots", "assign", "track"]

# A pairing is certain when every root moved less than this share of the distance to the
# next-nearest candidate.
CERTAIN = 1.0 / 3.0
MAX_HALVINGS = 8  # at most 256 sub-steps between two moments


def all_roots(coefs: np.ndarray, roots: Sequence[complex] | np.ndarray | None = None) -> np.ndarray:
    """Every root of the polynomial, repeated ones as often as they are repeated (complex128)."""
    if roots is not None:
        return np.asarray(roots, dtype=np.complex128).ravel()
    c = np.trim_zeros(np.asarray(coefs, dtype=np.complex128).ravel(), "f")
    if c.size < 2:
        return np.zeros(0, np.complex128)
    return np.asarray(np.roots(c), dtype=np.complex128)


def assign(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each point of ``a``, the index of a distinct point of ``b`` (or -1), closest pairs first."""
    out = np.full(a.size, -1, np.int64)
    if a.size == 0 or b.size == 0:
        return out
    d = np.abs(a[:, None] - b[None, :])
    used = np.zeros(b.size, bool)
    for flat in np.argsort(d, axis=None, kind="stable"):
        i, j = divmod(int(flat), b.size)
        if out[i] < 0 and not used[j]:
            out[i], used[j] = j, True
            if (out >= 0).sum() == min(a.size, b.size):
                break
    return out


def _certain(prev: np.ndarray, new: np.ndarray, pairing: np.ndarray) -> bool:
    """Whether every root of ``new`` is clearly nearer its partner in ``prev`` than any other root.

    Copies of a repeated root (closer than rounding can tell apart) count as one
    candidate: exchanging them changes nothing.
    """
    if prev.size < 2 or new.size == 0:
        return True
    scale = max(float(np.max(np.abs(prev))), float(np.max(np.abs(new))), 1e-300)
    same = 1e-7 * scale
    d = np.abs(new[:, None] - prev[None, :])
    for i, j in enumerate(pairing):
        if j < 0:
            continue
        step = d[i, j]
        others = d[i][np.abs(prev - prev[j]) > same]
        back = np.abs(new - new[i])
        rivals = np.abs(prev[j] - new)[back > same]
        gap = min(others.min(initial=np.inf), rivals.min(initial=np.inf))
        if step > CERTAIN * gap:
            return False
    return True


def _step(
    path: Callable[[float], np.ndarray],
    t0: float,
    r0: np.ndarray,
    ids0: np.ndarray,
    t1: float,
    r1: np.ndarray,
    depth: int,
    next_id: Callable[[set[int]], int],
    paired: Callable[[float, float], bool],
) -> np.ndarray:
    """Identities of the roots ``r1`` at ``t1`` from those of ``r0`` at ``t0``."""
    if r0.size == r1.size and paired(t0, t1):
        return ids0.copy()
    pairing = assign(r1, r0)
    if depth > 0 and not _certain(r0, r1, pairing):
        tm = 0.5 * (t0 + t1)
        rm = path(tm)
        idm = _step(path, t0, r0, ids0, tm, rm, depth - 1, next_id, paired)
        return _step(path, tm, rm, idm, t1, r1, depth - 1, next_id, paired)
    ids = np.array([ids0[j] if j >= 0 else -1 for j in pairing], np.int64)
    taken = {int(i) for i in ids if i >= 0}
    for k in np.flatnonzero(ids < 0):
        ids[k] = next_id(taken)
        taken.add(int(ids[k]))
    return ids


def track(
    path: Callable[[float], np.ndarray],
    times: Sequence[float],
    first: np.ndarray,
    *,
    paired: Callable[[float, float], bool] = lambda t0, t1: False,
    halvings: int = MAX_HALVINGS,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(roots, identities) at each of ``times``, by continuation along ``path``.

    ``path(t)`` gives every root at time t (``all_roots``); ``first`` the
    identities of the roots at ``times[0]`` (distinct non-negative integers).
    ``paired(t0, t1)``: whether the roots at the two times are already listed in
    the same order (roots moved one by one, as a morph given by roots does).
    """

    def smallest_free(taken: set[int]) -> int:
        k = 0
        while k in taken:
            k += 1
        return k

    r = path(times[0])
    ids = np.asarray(first, np.int64)
    if ids.shape != r.shape:
        raise ValueError(f"{ids.size} identities for {r.size} roots")
    out = [(r, ids)]
    for t0, t1 in itertools.pairwise(times):
        r1 = path(t1)
        ids = _step(path, t0, r, ids, t1, r1, halvings, smallest_free, paired)
        r = r1
        out.append((r, ids))
    return out
