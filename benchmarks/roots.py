"""Root finding: how long nb-render takes to find a polynomial's roots, by degree and family.

    python benchmarks/roots.py             # degrees 100 to 1000 (a minute or two)
    python benchmarks/roots.py --quick     # degrees 100 and 1000, one run each

This is what the degree limit (``nbr::limits::max_degree``) was chosen from:
every render finds its roots once, before the first pixel, so the time at the
limit is a delay every render of such a polynomial has. Each figure is the best
of a few runs (the machine may be shared). For comparison, the same polynomials
through NumPy's ``np.roots`` (the eigenvalues of the companion matrix, with
LAPACK), timed side by side, which a signal cannot interrupt; nb-render's
iteration can be stopped between any two of its steps.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable

# one thread for LAPACK too, as nb-render's root finding uses one (and a shared machine
# makes a multi-threaded BLAS erratic); set before NumPy loads it
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from nbcli.poly import parse_polynomial, root_set


def _random(n: int) -> np.ndarray:
    rng = np.random.default_rng(n)
    return rng.standard_normal(n + 1) + 1j * rng.standard_normal(n + 1)


def _mandelbrot(n: int) -> np.ndarray:
    """p_{k+1} = z p_k^2 + 1, of degree 2^k - 1: the largest one of degree at most n."""
    p = np.array([1.0 + 0j])
    while 2 * (p.size - 1) + 1 <= n:
        p = np.polyadd(np.polymul([1, 0], np.polymul(p, p)), [1])
    return p


FAMILIES: dict[str, Callable[[int], np.ndarray]] = {
    "random complex": _random,
    "random real": lambda n: _random(n).real.copy(),
    "z^n - 1": lambda n: parse_polynomial(f"z^{n} - 1"),
    "(z^10 - 2)^(n/10)": lambda n: parse_polynomial(f"(z^10 - 2)^{n // 10}"),
    "(z^(n/2) - 1)^2": lambda n: parse_polynomial(f"(z^{n // 2} - 1)^2"),
    "(z - 1)^n": lambda n: parse_polynomial(f"(z - 1)^{n}"),
    "Mandelbrot": _mandelbrot,
}


def best(f: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="degrees 100 and 1000, one run each")
    args = ap.parse_args()
    degrees = [100, 1000] if args.quick else [100, 250, 500, 750, 1000]
    runs = 1 if args.quick else 3
    print(
        f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"NumPy {np.__version__}",
        flush=True,
    )
    print("| family | degree | distinct roots | nb-render (s) | np.roots (s) |")
    print("|---|---:|---:|---:|---:|")
    for name, make in FAMILIES.items():
        for n in degrees:
            c = make(n)
            rs = root_set(c)
            ours = best(lambda c=c: root_set(c), runs)
            lapack = best(lambda c=c: np.roots(c), runs)
            print(f"| {name} | {c.size - 1} | {rs.roots.size} | {ours:.2f} | {lapack:.2f} |", flush=True)


if __name__ == "__main__":
    main()
