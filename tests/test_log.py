"""The logarithm of the smooth step counts: nb-render's own (native/src/vlog.hpp), so that smooth
counts, and so the pixels and bytes of smooth-shaded images, do not depend on the platform's libm.

Every kernel's vector version must equal the test reference's model of it (``reference.log``) bit for
bit, on ordinary numbers, on the special ones (zero, subnormals, infinities, NaN, negatives) and on the
tail of an array shorter than a vector; and the model must be a good logarithm (within 1 ulp of the
exact value).
"""

from __future__ import annotations

import math

import numpy as np
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from nbcli import _core


def _samples() -> np.ndarray:
    rng = np.random.default_rng(7)
    special = [0.0, -0.0, 1.0, 2.0, 0.5, math.sqrt(2), math.sqrt(0.5), np.inf, -np.inf, np.nan, -1.0, -1e-300]
    special += [5e-324, 1e-310, 2.0**-1022, np.nextafter(2.0**-1022, 0), 1.7976931348623157e308]
    special += [np.nextafter(1.0, 0), np.nextafter(1.0, 2), 1e-12, 1e-6, 0.999999, 1.000001]
    return np.concatenate(
        [
            np.array(special),
            np.exp(rng.uniform(-745, 709.7, 20000)),  # every binade, subnormals included
            rng.uniform(0.5, 2.0, 5000),  # near 1, where the reduction switches
            rng.uniform(0, 1e-300, 500),
        ]
    )


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a.view(np.uint64), b.view(np.uint64)) or np.array_equal(a, b, equal_nan=True))


def test_every_kernel_matches_the_model_bit_for_bit(kernel: str) -> None:
    x = _samples()
    got = _core._log(x, kernel)
    want = ref.log(x)
    finite = np.isfinite(want)
    assert np.array_equal(got[finite].view(np.uint64), want[finite].view(np.uint64))
    assert np.array_equal(got[~finite], want[~finite], equal_nan=True)
    for n in range(1, 20):  # arrays that end in part of a vector
        assert _same(_core._log(x[:n], kernel), want[:n]), n


def test_special_values(kernel: str) -> None:
    got = _core._log(np.array([0.0, -0.0, np.inf, np.nan, -2.0, 1.0]), kernel)
    assert got[0] == got[1] == -np.inf
    assert got[2] == np.inf
    assert np.isnan(got[3]) and np.isnan(got[4])
    assert got[5] == 0.0 and not math.copysign(1.0, got[5]) < 0


def test_model_is_within_one_ulp_of_the_libm_log() -> None:
    x = _samples()
    x = x[np.isfinite(x) & (x > 0)]
    got = ref.log(x)
    want = np.log(x)
    ulp = np.abs(got - want) / np.spacing(np.abs(want))
    assert ulp.max() <= 1.0
    assert (got == want).mean() > 0.9  # nearly always the correctly rounded value


@given(st.floats(min_value=0.0, allow_infinity=True, allow_nan=False))
@settings(max_examples=300)
def test_model_matches_the_core_on_any_nonnegative_double(x: float) -> None:
    got = _core._log(np.array([x]))
    assert _same(got, ref.log(np.array([x])))
