"""Independent NumPy implementations of nb-render's kernel, used as test oracles.

* ``exact``   — mirrors the C++ kernel operation by operation, so it reproduces
  every kernel path bit for bit, for every iteration method, together with the
  smooth step counts and residuals. FMA paths are matched by emulating a
  correctly rounded fused multiply-add with error-free transformations
  (Dekker's exact product, Knuth's exact sum, and Boldo & Melquiond's rounding
  to odd). The smooth count's logarithms are the core's own (``log``, fdlibm's
  algorithm in plain IEEE arithmetic, the same on every platform). With ``single=True`` it
  is the same model in float32, as the core's single precision defines it
  (see ``fma32`` and ``exact``); with ``dd=True`` the same model in the core's
  double-double arithmetic (``DD``, operation by operation as
  native/src/simd/dd.hpp defines it).
* ``textbook`` — the methods written the obvious way with NumPy complex
  numbers (for Newton: nb_cpp's algorithm); it agrees with the kernel
  everywhere except at a few pixels on basin boundaries, where the orbit is
  chaotic and the last bit decides. It checks the formulas that ``exact``
  merely mirrors.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

METHODS = ("newton", "relaxed", "halley", "schroder", "householder")

_SPLIT = 134217729.0  # 2**27 + 1


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a):
    c = _SPLIT * a
    hi = c - (c - a)
    return hi, a - hi


def _two_prod(a, b):
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _fma_exact(a: float, b: float, c: float) -> float:
    """a*b + c rounded once, for finite operands, in exact rational arithmetic
    (Python's int true division rounds correctly)."""
    x = Fraction(a) * Fraction(b) + Fraction(c)
    if x == 0:  # an exact zero sum is +0, except -0 + -0
        return (
            -0.0 if (math.copysign(1.0, a) * math.copysign(1.0, b) < 0 and math.copysign(1.0, c) < 0) else 0.0
        )
    try:
        return x.numerator / x.denominator
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def fma(a, b, c):
    """Correctly rounded a*b + c for float64 arrays.

    The error-free transformation is exact unless a product underflows, an
    operand is huge enough for Dekker's split to overflow, or the result is
    not finite. Those rare elements are computed exactly with rationals
    instead. With an infinite or NaN operand the result is IEEE's a*b + c,
    except that a finite a*b never overflows: fma(a, b, c) is c for finite a, b
    and infinite c.
    """
    a, b, c = np.broadcast_arrays(np.float64(a), np.float64(b), np.float64(c))
    uh, ul = _two_prod(a, b)
    th, tl = _two_sum(c, uh)
    v, e = _two_sum(tl, ul)
    # round v to odd: if inexact and its last bit is even, step toward the exact value
    bits = v.view(np.int64)
    fix = (e != 0) & ((bits & 1) == 0)
    v = np.where(fix, np.nextafter(v, np.where(e > 0, np.inf, -np.inf)), v)
    finite = np.isfinite(a) & np.isfinite(b) & np.isfinite(c)
    r = np.array(np.where(finite, th + v, np.where(np.isfinite(a) & np.isfinite(b), c, a * b + c)))
    tiny = (np.abs(uh) < 2.0**-960) & (a != 0) & (b != 0)
    risky = finite & (tiny | (np.abs(a) > 2.0**995) | (np.abs(b) > 2.0**995) | ~np.isfinite(r))
    for i in np.flatnonzero(risky):
        r.flat[i] = _fma_exact(float(a.flat[i]), float(b.flat[i]), float(c.flat[i]))
    return r


def fma32(a, b, c, *, negate=False):
    """Correctly rounded a*b + c (with negate=True: c - a*b) for float32 arrays, as float32.

    The product of two floats (24-bit significands) is exact in float64, and
    its magnitude stays far inside float64's normal range (at most 2^256, at
    least 2^-298 when not zero). Knuth's two_sum then splits the exact sum
    into s + e. Rounding that to float64 by round-to-odd (Boldo & Melquiond:
    step s toward e when it is inexact and its last bit is even) and then to
    float32 rounds only once in effect, because float64 carries more than
    24 + 2 bits; this holds for subnormal float32 results and for overflow too.
    With an infinite or NaN operand the sum is simply IEEE's a*b + c (the
    product of two finite floats never overflows in float64, so a finite a*b
    with an infinite c gives c). Negating the product rather than a keeps the
    sign of a NaN as the hardware does (x86 and NEON propagate a NaN operand
    of a negated multiply-add unchanged, and the default NaN they generate is
    the only one the kernel ever sees).
    """
    with np.errstate(all="ignore"):
        a, b, c = np.broadcast_arrays(np.float32(a), np.float32(b), np.float32(c))
        a64, b64, c64 = (np.asarray(x, dtype=np.float64) for x in (a, b, c))
        p = a64 * b64  # exact
        s, e = _two_sum(-p if negate else p, c64)  # s + e == c +- p exactly
        bits = s.view(np.int64)
        fix = (e != 0) & ((bits & 1) == 0)
        s = np.where(fix, np.nextafter(s, np.where(e > 0, np.inf, -np.inf)), s)
        finite = np.isfinite(a64) & np.isfinite(b64) & np.isfinite(c64)
        return np.where(finite, s, c64 - p if negate else p + c64).astype(np.float32)


class DD:
    """Arrays of double-double numbers hi + lo with the core's arithmetic, operation by
    operation as native/src/simd/dd.hpp defines it (its comment lists the formulas).
    ``fused``: the cross terms of products use a fused multiply-add (``DDFused``) or a
    separately rounded multiply and add (``DDPlain``), like the kernel's ``V::fmadd``;
    the exact product error is found with a fused multiply-add or with Dekker's split,
    as the kernel finds it. Operators: + - * (with DD or float operands), unary -,
    and ``1.0 / x`` (the reciprocal)."""

    __array_ufunc__ = None  # NumPy scalars and arrays defer to DD's reflected operators
    fused = True

    def __init__(self, hi, lo=None):
        self.hi = np.asarray(hi, dtype=np.float64)
        self.lo = np.zeros_like(self.hi) if lo is None else np.asarray(lo, dtype=np.float64)

    @classmethod
    def of(cls, v):
        return v if isinstance(v, DD) else cls(v)

    @property
    def shape(self):
        return self.hi.shape

    @classmethod
    def _fm(cls, a, b, c):
        return fma(a, b, c) if cls.fused else a * b + c

    @classmethod
    def prod_err(cls, x, y, p):
        """p - x*y exactly, for p = x*y rounded: Dekker's split (the unfused kernels' way), or
        one fused multiply-add. The two agree wherever the error is representable and the
        split cannot overflow, so the fused kind computes Dekker's too (it is much faster than
        emulating the fused multiply-add) and emulates it only where they might not agree."""
        split = 134217729.0  # 2^27 + 1
        cx, cy = split * x, split * y
        xh, yh = cx - (cx - x), cy - (cy - y)
        xl, yl = x - xh, y - yh
        e = (((p - xh * yh) - xh * yl) - xl * yh) - xl * yl
        if cls.fused:
            tiny = (np.abs(p) < 2.0**-960) & (x != 0) & (y != 0)
            odd = ~np.isfinite(e) | tiny | (np.abs(x) > 2.0**995) | (np.abs(y) > 2.0**995)
            if odd.any():
                e = np.where(odd, fma(-x, y, p), e)
        return e

    @classmethod
    def fast_two_sum(cls, s, t):
        h = s + t
        return cls(h, t - (h - s))

    def __neg__(self):
        return type(self)(-self.hi, -self.lo)

    def __add__(self, other):
        y = self.of(other)
        s = self.hi + y.hi
        bb = s - self.hi
        e = (self.hi - (s - bb)) + (y.hi - bb)
        return self.fast_two_sum(s, e + (self.lo + y.lo))

    __radd__ = __add__

    def __sub__(self, other):
        return self + -self.of(other)

    def __rsub__(self, other):
        return self.of(other) + -self

    def _prod_lo(self, y, p):
        return self._fm(self.hi, y.lo, self.lo * y.hi) - self.prod_err(self.hi, y.hi, p)

    def __mul__(self, other):
        y = self.of(other)
        p = self.hi * y.hi
        return self.fast_two_sum(p, self._prod_lo(y, p))

    __rmul__ = __mul__

    def fmadd(self, y, c):
        """self * y + c with one normalisation."""
        y, c = self.of(y), self.of(c)
        p = self.hi * y.hi
        s = p + c.hi
        bb = s - p
        e = (p - (s - bb)) + (c.hi - bb)
        return self.fast_two_sum(s, e + (self._prod_lo(y, p) + c.lo))

    def __rtruediv__(self, one):
        assert one == 1.0, "only reciprocals"
        q = 1.0 / self.hi
        p = q * self.hi
        r = ((1.0 - p) + self.prod_err(q, self.hi, p)) - q * self.lo
        return self.fast_two_sum(q, r * q)

    def norm2(self, im):
        """|self + i im|^2 from the high parts, in double (a float64 array)."""
        return self._fm(self.hi, self.hi, im.hi * im.hi)

    def is_zero(self):
        return (self.hi == 0) & (self.lo == 0)

    def where(self, cond, other):
        """self where cond, else other."""
        return type(self)(np.where(cond, self.hi, other.hi), np.where(cond, self.lo, other.lo))


class DDFused(DD):
    fused = True


class DDPlain(DD):
    fused = False


def _dd_ops(kind):
    """fm(a, b, c) = a*b + c and fnm(a, b, c) = c - a*b in double-double (floats allowed)."""
    return (lambda a, b, c: kind.of(a).fmadd(b, c)), (lambda a, b, c: (-kind.of(a)).fmadd(b, c))


def _where(cond, a, b):
    return a.where(cond, b) if isinstance(a, DD) else np.where(cond, a, b)


def _full(like, v):
    return type(like)(np.full_like(like.hi, v)) if isinstance(like, DD) else np.full_like(like, v)


def _high(x):
    """The doubles nearest to x (for double-double: the high parts)."""
    return x.hi if isinstance(x, DD) else x


def _ops(fused: bool, single: bool = False):
    if single:
        if fused:
            return fma32, lambda a, b, c: fma32(a, b, c, negate=True)
        # plain float32 NumPy operations: each rounded correctly, like the vector unit's
        return (lambda a, b, c: a * b + c), (lambda a, b, c: c - a * b)
    if fused:
        return fma, lambda a, b, c: fma(-np.float64(a), b, c)
    return (lambda a, b, c: a * b + c), (lambda a, b, c: c - a * b)


def _horner(zr, zi, cr, ci, real, fm, fnm, second=False):
    """p, p' and (with second=True, else zeros) e = p''/2 at z, as the kernel's Horner pass."""
    n = len(cr) - 1
    er = _full(zr, 0)
    ei = _full(zr, 0)
    if real:
        dr = _full(zr, cr[0])
        di = _full(zr, 0)
        pr = fm(cr[0], zr, cr[1])
        pi = cr[0] * zi
    else:
        dr = _full(zr, cr[0])
        di = _full(zr, ci[0])
        pr = fm(cr[0], zr, fnm(ci[0], zi, cr[1]))
        pi = fm(ci[0], zr, fm(cr[0], zi, ci[1]))
    for j in range(2, n + 1):
        if second:
            if j == 2:
                er, ei = dr, di  # e was 0: e z + p' is p'
            else:
                er, ei = fm(er, zr, fnm(ei, zi, dr)), fm(ei, zr, fm(er, zi, di))
        ndr = fm(dr, zr, fnm(di, zi, pr))
        ndi = fm(di, zr, fm(dr, zi, pi))
        npr = fm(pr, zr, fnm(pi, zi, cr[j]))
        npi = fm(pi, zr, pr * zi) if real else fm(pi, zr, fm(pr, zi, ci[j]))
        dr, di, pr, pi = ndr, ndi, npr, npi
    return pr, pi, dr, di, er, ei


def _step(method, zr, zi, pr, pi, dr, di, er, ei, a, fm, fnm):
    """One step of `method` as the kernel takes it: (new zr, new zi, squared modulus of the denominator)."""
    if method in ("newton", "relaxed"):
        d2 = fm(dr, dr, di * di)
        inv = 1.0 / d2
        nr = fm(pr, dr, pi * di)  # p conj(p')
        ni = fnm(pr, di, pi * dr)
        if method == "relaxed":
            nr, ni = fnm(a.imag, ni, a.real * nr), fm(a.real, ni, a.imag * nr)  # a p conj(p')
        return fnm(nr, inv, zr), fnm(ni, inv, zi), d2
    if method in ("halley", "schroder"):
        nr_ = fnm(pi, di, pr * dr)  # N = p p'
        ni_ = fm(pr, di, pi * dr)
        wr = fnm(pi, ei, pr * er)  # W = p e (Halley), 2 p e (Schroder)
        wi = fm(pr, ei, pi * er)
        if method == "schroder":
            wr, wi = wr + wr, wi + wi
        big_dr = fnm(di, di, dr * dr) - wr  # D = p'^2 - W
        big_di = (dr + dr) * di - wi
        d2 = fm(big_dr, big_dr, big_di * big_di)
        inv = 1.0 / d2
        nr = fm(nr_, big_dr, ni_ * big_di)  # N conj(D)
        ni = fnm(nr_, big_di, ni_ * big_dr)
        return fnm(nr, inv, zr), fnm(ni, inv, zi), d2
    if method == "householder":
        d2 = fm(dr, dr, di * di)
        inv = 1.0 / d2
        ur = fm(pr, dr, pi * di) * inv  # u = p / p'
        ui = fnm(pr, di, pi * dr) * inv
        vr = fm(er, dr, ei * di) * inv  # v = e / p'
        vi = fnm(er, di, ei * dr) * inv
        wr = fnm(ui, vi, ur * vr)  # w = u v
        wi = fm(ur, vi, ui * vr)
        return zr - fm(ur, wr, fnm(ui, wi, ur)), zi - fm(ur, wi, fm(ui, wr, ui)), d2
    raise ValueError(f"unknown method {method!r}")


_LG = (  # fdlibm's coefficients of log's polynomial, Lg1 .. Lg7
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
)
_U64 = np.uint64


def log(x):
    """The core's natural logarithm (native/src/vlog.hpp) operation by operation, for float64
    arrays: fdlibm's algorithm in IEEE arithmetic and bit operations, no libm, no FMA."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        tiny = x < 2.0**-1022
        xs = np.where(tiny, x * 2.0**54, x)
        u = xs.view(_U64) + _U64(0x00095F6200000000)  # wraps like the core's integer add
        m = ((u & _U64(0x000FFFFFFFFFFFFF)) + _U64(0x3FE6A09E00000000)).view(np.float64)
        e = ((u >> _U64(52)) | _U64(0x4330000000000000)).view(np.float64) - 2.0**52
        dk = (e - 1023.0) - np.where(tiny, 54.0, 0.0)
        f = m - 1.0
        hfsq = (0.5 * f) * f
        s = f / (2.0 + f)
        z = s * s
        w = z * z
        lg1, lg2, lg3, lg4, lg5, lg6, lg7 = _LG
        t1 = w * (lg2 + w * (lg4 + w * lg6))
        t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)))
        r = t2 + t1
        y = s * (hfsq + r) + dk * 1.90821492927058770002e-10
        y = ((y - hfsq) + f) + dk * 6.93147180369123816490e-01
        y = np.where(x == 0.0, -np.inf, y)
        y = np.where(x == np.inf, np.inf, y)
        return np.where((x < 0.0) | np.isnan(x), np.nan, y)


def _log(x: float) -> float:
    return float(log(np.float64(x)))


def coefficient_exponent(cr, ci) -> int:
    """e with the largest |part| of the coefficients in [2^e, 2^(e+1)): single precision
    scales p by 2^-e (see exact)."""
    m = float(max(np.max(np.abs(cr)), np.max(np.abs(ci))))
    return math.frexp(m)[1] - 1


def smooth_iterations(k, p2_before, p2_at, tol, *, single=False, scale_exp=0):
    """The core's smooth step count of converged pixels (arrays), as float32.

    In single precision log(tol^2) is taken of tol * tol, scaled by 2^(-2 scale_exp)
    like p's values, rounded to float32.
    """
    with np.errstate(over="ignore"):
        log_tol2 = (
            _log(float(np.float32(math.ldexp(tol * tol, -2 * scale_exp)))) if single else _log(tol * tol)
        )
    a = log(p2_before)
    b = log(p2_at)
    with np.errstate(all="ignore"):
        t = (log_tol2 - a) / (b - a)
    t = np.where(t >= 0.0, t, 0.0)  # NaN too
    t = np.where(t > 1.0, 1.0, t)
    s = (np.asarray(k, dtype=np.float64) - 1.0) + t
    return np.where(s > 0.0, s, 0.0).astype(np.float32)


def residual_value(p2):
    """|p| as float32 from |p|^2, +inf beyond the float range."""
    with np.errstate(all="ignore"):
        r = np.sqrt(np.asarray(p2, dtype=np.float64))
        big = r >= float.fromhex("0x1.ffffffp127")
        return np.where(big, np.inf, r).astype(np.float32)


def _nearest(zr, zi, roots):
    dx = zr[..., None] - roots.real
    dy = zi[..., None] - roots.imag
    return np.argmin(dx * dx + dy * dy, axis=-1)


def exact(
    xs,
    ys,
    coefs,
    roots,
    itmax,
    tol,
    *,
    fused,
    method="newton",
    relax=1.0,
    full=False,
    single=False,
    dd=False,
    xs_lo=None,
    ys_lo=None,
    starts=None,
    skip=0,
):
    """Per-pixel (root index or -1, iteration k or itmax) exactly as the kernel computes them.

    With full=True, a dict with "root", "iterations", "smooth" and "residual".
    Like the kernel, each pixel's first "step" is taken with p = 0, p' = 1,
    p'' = 0, which leaves z where it is (for relaxed Newton up to the sign of
    a zero).

    single=True: the core's single precision. The coefficients and tol^2 (the
    float64 product tol * tol) are first scaled by the power of two 2^-e and
    2^-2e that brings the largest coefficient part into [1, 2) (exact, and
    without effect on the iterates; residuals are scaled back). The start
    points, coefficients, relax factor and tol^2 are rounded to float32 (beyond
    its range: +-inf); every operation is the same one in
    float32 (fma32 where the kernel fuses, otherwise float32 multiplies and
    adds); the nearest root is found in float64 from the float32 z, and smooth
    counts and residuals from the float32 |p|^2 values converted to float64.
    Whether the polynomial counts as real is decided on the float64
    coefficients, as in the core.

    dd=True: the core's double-double precision. The start points are
    xs + xs_lo, ys + ys_lo (low parts default to 0); coefficients, relax factor
    and tol^2 are the float64 ones; every operation is the same one in ``DD``
    arithmetic, except that |p|^2 is found from the high parts in float64
    (``DD.norm2``) and the nearest root from the high parts of z.

    starts=(zr, zi): each pixel's own start point (arrays of one shape) instead of
    the grid xs x ys; skip: steps taken already (as where the series shortcut of
    double-double leaves pixels): the step counts go on from there.
    """
    coefs = np.asarray(coefs, dtype=complex)
    roots = np.asarray(roots, dtype=complex)
    cr, ci = coefs.real.copy(), coefs.imag.copy()
    real = not np.any(ci != 0)
    kind = DDFused if fused else DDPlain
    fm, fnm = _dd_ops(kind) if dd else _ops(fused, single)
    a = complex(relax)
    second = method in ("halley", "schroder", "householder")
    tol2 = tol * tol
    if starts is None:
        zr, zi = np.meshgrid(np.asarray(xs, float), np.asarray(ys, float))
    else:
        zr, zi = (np.array(v, dtype=float) for v in starts)
    scale_exp = 0
    if single:
        scale_exp = coefficient_exponent(cr, ci)
        cr, ci = np.ldexp(cr, -scale_exp), np.ldexp(ci, -scale_exp)  # exact: a power of two
        tol2 = math.ldexp(tol2, -2 * scale_exp)
        with np.errstate(over="ignore"):  # out of float range: +-inf, as in the core
            cr, ci, zr, zi = (np.asarray(v, dtype=np.float32) for v in (cr, ci, zr, zi))
            tol2 = np.float32(tol2)
            a = np.complex64(a)  # each part rounded to float32
    if dd:
        lo = (np.zeros(np.shape(v)) if v is None else v for v in (xs_lo, ys_lo))
        zr_lo, zi_lo = np.meshgrid(*(np.asarray(v, float) for v in lo))
        zr, zi = kind(zr, zr_lo), kind(zi, zi_lo)

    def norm2(re, im):
        return re.norm2(im) if dd else fm(re, re, im * im)

    root = np.full(zr.shape, -1, dtype=np.int16)
    it = np.full(zr.shape, itmax, dtype=np.int32)
    p2_before = np.zeros(zr.shape, dtype=np.float32 if single else np.float64)
    p2_at = np.zeros_like(p2_before)
    with np.errstate(all="ignore"):
        zero, one = _full(zr, 0), _full(zr, 1)
        zr, zi, _ = _step(method, zr, zi, zero, zero, one, zero, zero, zero, a, fm, fnm)
        pr, pi, dr, di, er, ei = _horner(zr, zi, cr, ci, real, fm, fnm, second)
        p2 = norm2(pr, pi)
        active = p2 < np.inf
        p2_at[~active] = p2[~active]
        for s in range(1 + skip, itmax + 1):
            nzr, nzi, d2 = _step(method, zr, zi, pr, pi, dr, di, er, ei, a, fm, fnm)
            zero_d = d2.is_zero() if dd else d2 == 0
            stuck = active & zero_d
            go = active & ~zero_d
            zr = _where(go, nzr, zr)
            zi = _where(go, nzi, zi)
            pr, pi, dr, di, er, ei = _horner(zr, zi, cr, ci, real, fm, fnm, second)
            p2_prev, p2 = p2, norm2(pr, pi)
            conv = go & (p2 <= tol2)
            overflow = active & ~(p2 < np.inf)
            if conv.any():
                root[conv] = _nearest(
                    np.asarray(_high(zr)[conv], np.float64), np.asarray(_high(zi)[conv], np.float64), roots
                )
                it[conv] = s - 1
            ended = conv | stuck | overflow
            p2_before[ended] = p2_prev[ended]
            p2_at[ended] = p2[ended]  # stuck pixels stayed put: p2 == p2_prev there
            active &= ~ended
            if not active.any():
                break
        p2_at[active] = p2[active]  # out of steps
    if not full:
        return root, it
    conv = root >= 0
    p2_before, p2_at = np.asarray(p2_before, np.float64), np.asarray(p2_at, np.float64)  # exact
    smooth = np.full(root.shape, itmax, dtype=np.float32)
    smooth[conv] = smooth_iterations(
        it[conv], p2_before[conv], p2_at[conv], tol, single=single, scale_exp=scale_exp
    )
    residual = residual_value(np.ldexp(p2_at, 2 * scale_exp))
    return {"root": root, "iterations": it, "smooth": smooth, "residual": residual}


def textbook(xs, ys, coefs, roots, itmax, tol, *, method="newton", relax=1.0):
    """Each method's loop with NumPy complex arithmetic: (root index or -1, k or itmax).

    For Newton this is nb_cpp's algorithm.
    """
    coefs = np.asarray(coefs, dtype=complex)
    d1 = np.polyder(coefs)
    d2 = np.polyder(d1) if len(coefs) > 2 else np.zeros(1, complex)
    roots = np.asarray(roots, dtype=complex)
    x, y = np.meshgrid(np.asarray(xs, float), np.asarray(ys, float))
    z = x + 1j * y
    root = np.full(z.shape, -1, dtype=np.int16)
    it = np.full(z.shape, itmax, dtype=np.int32)
    active = np.ones(z.shape, bool)
    with np.errstate(all="ignore"):
        for k in range(itmax):
            f = np.polyval(coefs, z)
            df = np.polyval(d1, z)
            ddf = np.polyval(d2, z)
            if method == "newton":
                num, den = f, df
            elif method == "relaxed":
                num, den = relax * f, df
            elif method == "halley":
                num, den = 2 * f * df, 2 * df * df - f * ddf
            elif method == "schroder":
                num, den = f * df, df * df - f * ddf
            elif method == "householder":
                num, den = f * (2 * df * df + f * ddf), 2 * df**3
            else:
                raise ValueError(method)
            go = active & (den != 0)
            z = np.where(go, z - num / np.where(go, den, 1), z)
            conv = go & (np.abs(np.polyval(coefs, z)) <= tol)
            if conv.any():
                root[conv] = np.argmin(np.abs(z[conv][:, None] - roots[None, :]), axis=1)
                it[conv] = k
            active &= ~conv
    return root, it


def hsv(root, it, nroots, itmax):
    """nb_cpp's colouring of (root, k) data."""
    out = np.zeros((*root.shape, 3))
    ok = root >= 0
    out[..., 0] = np.where(ok, root / float(nroots), 0.0)
    out[..., 1] = np.where(ok, 1.0, 0.0)
    out[..., 2] = np.where(ok, 1.0 - it / float(itmax), 0.0)
    return out
