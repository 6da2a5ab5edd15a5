"""Multiple roots: which of Aberth's approximations are one root, and how many times it is a root.

A root of multiplicity m comes back as m approximations scattered around it
(as far as rounding lets p vanish). Approximations whose Newton inclusion disc
does not reach their nearest neighbour are simple roots. The others are
clustered (single linkage); a cluster that stands apart (the gap around it over
twice its spread) is tested, largest first, for an m-fold root with m near its
size: its centre is polished as the simple root of the (m-1)-th derivative, and
the test passes when p and its first m-1 derivatives vanish there to within
their rounding error, that is when p is, to working precision, a polynomial
with an m-fold root there. A cluster that no m fits but that double precision
cannot resolve (p vanishes at its centre, and every member's inclusion disc
holds the whole cluster) is one root counted as often as it has members; any
other is split into the clusters below it. All clusters of a round are tested
together, a few NumPy operations per coefficient.
"""

from __future__ import annotations

import math

import numpy as np

from .aberth import EPS, newton, polish

__all__ = ["group"]

MAX_TESTS = 2000  # clusters tested for a multiple root, per polynomial


def _taylor(a: np.ndarray, x: np.ndarray, m: int, bounds: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """At each point x: the Taylor coefficients p^(j)(x)/j! for j < m, shape (len(x), m), and
    (with ``bounds``) the same sums over |a_k| and |x|, which bound their rounding errors."""
    t = np.zeros((x.size, m), np.complex128)
    t[:, 0] = a[0]
    col = x[:, None]
    for ak in a[1:]:
        t[:, 1:] = t[:, 1:] * col + t[:, :-1]
        t[:, 0] = t[:, 0] * x + ak
    if not bounds:
        return t, t.real
    b = np.zeros((x.size, m))
    b[:, 0] = abs(a[0])
    ax = np.abs(x)
    acol = ax[:, None]
    for ak in np.abs(a[1:]):
        b[:, 1:] = b[:, 1:] * acol + b[:, :-1]
        b[:, 0] = b[:, 0] * ax + ak
    return t, b


def _defect(a: np.ndarray, x: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How far from an m-fold root each x is: the largest of |p^(j)(x)/j!| over its rounding
    error bound, for j < m (at most about the degree times eps at an m-fold root); and the
    Newton step towards the simple root of p^(m-1)."""
    top = int(m.max()) + 1
    rows = np.arange(x.size)
    with np.errstate(all="ignore"):
        t, b = _taylor(a, x, top)
        ratio = np.where(np.arange(top)[None, :] < m[:, None], np.abs(t) / b, 0.0)
        defect = np.where(np.isfinite(b).all(axis=1), np.nan_to_num(ratio, nan=np.inf).max(axis=1), np.inf)
        step = t[rows, m - 1] / (m * t[rows, m])
    return defect, step


def _multiple(a: np.ndarray, x: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each centre x of a cluster and multiplicity m: the root, and whether p and its first
    m-1 derivatives vanish there to within their rounding error (p has, to working precision, an
    m-fold root there). The centre of gravity of a cluster is refined by Newton steps on p^(m-1)
    while they bring x nearer an m-fold root (at a high m rounding swamps that derivative, and
    the centre of gravity is the better estimate). |x| <= 1: the caller reverses p for others."""
    n = a.size - 1
    defect, step = _defect(a, x, m)
    for _ in range(6):
        cand = np.where(np.isfinite(step), x - step, x)
        d2, s2 = _defect(a, cand, m)
        better = d2 < defect
        if not better.any():
            break
        x, defect, step = np.where(better, cand, x), np.where(better, d2, defect), np.where(better, s2, step)
    return x, defect <= 4 * n * EPS


def _multiple_anywhere(a: np.ndarray, x: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``_multiple`` for centres anywhere: outside the unit circle through the reversed polynomial
    (an m-fold root x of p is an m-fold root 1/x of the reversed one)."""
    root = x.astype(np.complex128)
    ok = np.zeros(x.size, bool)
    inner = np.abs(x) <= 1
    if inner.any():
        root[inner], ok[inner] = _multiple(a, x[inner], m[inner])
    if (~inner).any():
        got, ok[~inner] = _multiple(a[::-1], 1 / x[~inner], m[~inner])
        root[~inner] = 1 / got
    return root, ok


def _tree(y: np.ndarray) -> tuple[list[list[int]], list[float], list[float], list[tuple[int, int]]]:
    """Single-linkage clustering of the points y (its minimum spanning tree, by Prim, then joined
    shortest edge first). Nodes: members, the height at which the node formed, the height at
    which it joins a larger one (inf for the top), and its two children (leaves: (-1, -1))."""
    k = y.size
    members: list[list[int]] = [[i] for i in range(k)]
    height = [0.0] * k
    joins = [math.inf] * k
    children = [(-1, -1)] * k
    inside = np.zeros(k, bool)
    inside[0] = True
    best = np.abs(y - y[0])
    nearest = np.zeros(k, np.int64)
    edges = []
    for _ in range(k - 1):
        j = int(np.argmin(np.where(inside, np.inf, best)))
        edges.append((float(best[j]), int(nearest[j]), j))
        inside[j] = True
        d = np.abs(y - y[j])
        closer = (d < best) & ~inside
        best = np.where(closer, d, best)
        nearest = np.where(closer, j, nearest)
    owner = list(range(k))  # union-find parent
    node_of = list(range(k))  # the node each set's representative stands for

    def find(i: int) -> int:
        while owner[i] != i:
            owner[i] = owner[owner[i]]
            i = owner[i]
        return i

    for w, i, j in sorted(edges):
        ri, rj = find(i), find(j)
        ni, nj = node_of[ri], node_of[rj]
        members.append(members[ni] + members[nj])
        height.append(w)
        joins.append(math.inf)
        children.append((ni, nj))
        joins[ni] = joins[nj] = w
        owner[rj] = ri
        node_of[ri] = len(members) - 1
    return members, height, joins, children


def _near(k: int) -> list[int]:
    """Multiplicities to try for a group of k approximations, the likeliest first."""
    return [m for m in (k, k - 1, k + 1, k - 2, k + 2) if m >= 2]  # at most 5


def group(a: np.ndarray, y: np.ndarray) -> tuple[list[complex], list[int]]:
    """Distinct roots and multiplicities from the approximations y (see the module's docstring)."""
    n = y.size
    if n == 1:
        return [complex(y[0])], [1]
    _ratio, radius, _zero = newton(a, y)
    dist = np.abs(y[:, None] - y[None, :])
    np.fill_diagonal(dist, np.inf)
    simple = n * radius < dist.min(axis=1) / 2
    roots = [complex(z) for z in polish(a, y[simple])]
    mults = [1] * len(roots)
    rest, disc = y[~simple], n * radius[~simple]
    if rest.size == 0:
        return roots, mults
    members, height, joins, children = _tree(rest)

    def isolated(node: int) -> bool:  # a group that stands apart: the gap around it is over twice its spread
        return len(members[node]) >= 2 and joins[node] > 2 * height[node]

    def below(node: int) -> list[int]:  # the largest groups that stand apart, under a node that failed
        out, stack = [], list(children[node])
        while stack:
            c = stack.pop()
            if c < 0:
                continue
            if isolated(c):
                out.append(c)
            else:
                stack.extend(children[c])
        return out

    assigned = np.zeros(rest.size, bool)
    sizes: list[int] = []  # approximations in each multiple root's group
    pending = [len(members) - 1]
    tests = 0
    while pending and tests < MAX_TESTS:
        # each group tested for a multiple root of the multiplicities near its size, likeliest
        # first (Aberth's approximations of nearby multiple roots need not split by multiplicity);
        # all groups at once, one multiplicity at a time
        tests += len(pending)
        left = list(pending)
        for rank in range(5):
            tries = [(g, _near(len(members[g]))) for g in left]
            cand = [(g, ms[rank]) for g, ms in tries if rank < len(ms) and ms[rank] <= n]
            if not cand:
                break
            centre = np.array([np.mean(rest[members[g]]) for g, _ in cand])
            order = np.array([m for _, m in cand], dtype=np.int64)
            root, ok = _multiple_anywhere(a, centre, order)
            for (g, m), x, good in zip(cand, root.tolist(), ok.tolist(), strict=True):
                if good:
                    left.remove(g)
                    roots.append(x)
                    mults.append(m)
                    sizes.append(len(members[g]))
                    assigned[members[g]] = True
        for g in list(left):
            # no multiplicity fits, but the group is one blob that double precision cannot resolve
            # (p vanishes at its centre to within rounding, and every member's inclusion disc holds
            # the whole group): one root, counted as many times
            group = rest[members[g]]
            mid = complex(np.mean(group))
            blob = np.max(np.abs(group - mid)) <= np.min(disc[members[g]])
            if blob and newton(a, np.array([mid]))[2][0]:
                left.remove(g)
                roots.append(mid)
                mults.append(len(group))
                sizes.append(len(group))
                assigned[members[g]] = True
        pending = [c for g in left for c in below(g)]
    if sum(mults) + int(np.count_nonzero(~assigned)) != n:
        # the counts disagree (some root's approximations strayed into another's group): count members
        mults[len(mults) - len(sizes) :] = sizes
    roots += [complex(z) for z in polish(a, rest[~assigned])]
    mults += [1] * int(np.count_nonzero(~assigned))
    return roots, mults
