"""Faults a hostile test campaign found, one class per section; each test would have caught its fault.

docs/reliability.md lists the classes, these tests, and how to run them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest
from conftest import OUTSIDE, run_cli, run_python, script

import nbcli
from nbcli._native import LIMITS
from nbcli.poly import parse_polynomial

POSIX = pytest.mark.skipif(os.name == "nt", reason="POSIX signals and files")
MOST = LIMITS.max_degree


def _one_line_error(res: subprocess.CompletedProcess, code: int, *words: str) -> str:
    err = res.stderr.decode() if isinstance(res.stderr, bytes) else res.stderr
    assert res.returncode == code, err
    assert err.count("\n") == 1 and err.startswith("nb-render: error: "), err
    assert "Traceback" not in err
    for w in words:
        assert w in err, err
    return err


def _no_signal_handlers() -> None:
    """In a child: SIGINT as the shell gives it (pytest may have it ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


# ---- one degree limit for every input path ----------------------------------------------------------


def _csv(values) -> str:
    return ",".join(repr(float(v)) for v in values)


@pytest.mark.parametrize(
    "args",
    [
        ["--coefs", _csv([1] * (MOST + 2))],
        ["--roots", _csv(range(MOST + 1))],
        ["--expr", f"z^{MOST} * z"],
    ],
    ids=["coefs", "roots", "expr"],
)
def test_degree_limit_on_the_command_line(tmp_path, args):
    res = run_cli(*args, "-s", "8x8", str(tmp_path / "x.png"))
    _one_line_error(res, 2, f"{MOST + 1}", f"limit of {MOST}")
    assert list(tmp_path.iterdir()) == []


def test_degree_limit_in_the_api():
    for call in (
        lambda: nbcli.Scene.create(coefs=[1] * (MOST + 2)),
        lambda: nbcli.Scene.create(roots=list(range(MOST + 1))),
        lambda: nbcli.compute(8, 8, [1] * (MOST + 2)),
        lambda: nbcli.render(coefs=[1] * (MOST + 2), size=(8, 8)),
    ):
        with pytest.raises(ValueError, match=f"limit of {MOST}"):
            call()


def test_degree_limit_itself_renders_and_reads_back(tmp_path):
    # the highest degree renders on every path and its file is accepted again by --from
    coefs = np.random.default_rng(2).standard_normal(MOST + 1)
    out, again = tmp_path / "a.png", tmp_path / "b.png"
    res = run_cli("--coefs", _csv(coefs), "-s", "12x8", "--stats-json", str(out))
    assert res.returncode == 0, res.stderr
    assert len(json.loads(res.stdout)["roots"]) == MOST
    res = run_cli("--from", str(out), str(again))
    assert res.returncode == 0, res.stderr
    assert again.read_bytes() == out.read_bytes()


# ---- repeated roots ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--expr", "(z-1)^17"],
        ["--coefs", _csv(parse_polynomial("(z-1)^17").real)],
        ["--roots", _csv([1] * 17)],
    ],
    ids=["expr", "coefs", "roots"],
)
def test_a_repeated_root_is_one_basin(tmp_path, args):
    res = run_cli(*args, "-s", "24x16", "--stats-json", str(tmp_path / "x.png"))
    assert res.returncode == 0, res.stderr
    stats = json.loads(res.stdout)
    assert len(stats["roots"]) == 1 and abs(complex(*stats["roots"][0]) - 1) < 1e-12
    assert stats["multiplicities"] == [17]
    assert stats["root_share"] == [1.0]


def test_several_multiple_roots_on_the_command_line(tmp_path):
    out = tmp_path / "x.png"
    res = run_cli("-e", "(z-1)^3 (z+1)^2 (z-2j)^4", "-s", "24x16", "--stats", "--stats-json", str(out))
    assert res.returncode == 0, res.stderr
    record, line = res.stdout.decode().splitlines()
    assert sorted(json.loads(record)["multiplicities"]) == [2, 3, 4]
    assert "3 roots (multiplicities" in line
    # the roots come from the factors, so --from gets them back exactly
    again = tmp_path / "y.png"
    assert run_cli("--from", str(out), str(again)).returncode == 0
    assert again.read_bytes() == out.read_bytes()


# ---- root finding is interruptible -------------------------------------------------------------------


@POSIX
def test_root_finding_stops_at_ctrl_c_within_a_second():
    # Root finding at the degree limit takes about a second, the hardest polynomials several: a
    # signal must act during it (a LAPACK eigenvalue solve, as before, cannot be interrupted).
    code = (
        "import os, signal, threading, time, numpy as np\n"
        "from nbcli.poly import root_set, parse_polynomial\n"
        "hard = parse_polynomial('(z-1)^1000')\n"
        "sent = []\n"
        "def fire():\n"
        "    sent.append(time.monotonic())\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "threading.Timer(1.0, fire).start()\n"
        "try:\n"
        "    while True:\n"
        "        root_set(hard)\n"
        "except KeyboardInterrupt:\n"
        "    print(time.monotonic() - sent[0])\n"
    )
    res = run_python(code, preexec_fn=_no_signal_handlers)
    assert res.returncode == 0, res.stderr
    assert float(res.stdout) < 2.0  # within a second, with slack for a loaded machine


@POSIX
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_command_stops_during_root_finding(tmp_path, sig, code):
    coefs = _csv(parse_polynomial("(z-1)^1000").real)
    proc = subprocess.Popen(
        [script(), "--coefs", coefs, "-s", "2000x2000", str(tmp_path / "x.png")],
        stderr=subprocess.PIPE,
        cwd=OUTSIDE,
        preexec_fn=_no_signal_handlers,  # noqa: PLW1509 (the child only resets one signal)
    )
    time.sleep(1.0)
    start = time.monotonic()
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == code, err
    assert time.monotonic() - start < 5
    assert err.count(b"\n") <= 1 and b"Traceback" not in err
    assert list(tmp_path.iterdir()) == []
