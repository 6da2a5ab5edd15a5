"""Start-up of the nb-render command, side by side: how long `--help` and a small render take from process
start to exit, for two or more variants of the package run alternately.

    python benchmarks/startup.py                                  # the installed nb-render
    python benchmarks/startup.py --variant before=/venv-a/bin/python:/tree-a \\
                                 --variant after=/venv-b/bin/python:/tree-b --runs 40

A variant is LABEL=PYTHON[:PYTHONPATH]: the interpreter to run nb-render with (``-m nbcli``) and, optionally,
a folder to put first on its module path (a package tree to compare, e.g. an older commit's ``nbcli`` with
the same compiled core copied in). Each round runs every task once for every variant, in turn, so a busy
moment of a shared machine hits all of them alike; the table gives the median and the quartiles of the wall
time in milliseconds, the median CPU time (user + system, which a loaded machine disturbs less), the
ratios of medians to the first variant, and which heavy modules each task imported (``-X importtime``, one
extra run).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

TASKS = {
    "--help": ["--help"],
    "64x64 PNG": ["-q", "-c", "1,0,0,-1", "-s", "64", "{out}/a.png"],
    "64x64 JPEG": ["-q", "-c", "1,0,0,-1", "-s", "64", "{out}/a.jpg"],
}
WATCH = ("PIL", "pydantic", "matplotlib", "numpy", "rich.progress")


def _command(python: str, args: list[str], out: str) -> list[str]:
    return [python, "-m", "nbcli", *(a.format(out=out) for a in args)]


def _env(path: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if path:
        env["PYTHONPATH"] = path
    env["COLUMNS"] = "100"
    return env


def _imports(python: str, path: str | None, args: list[str], out: str) -> list[str]:
    cmd = [python, "-X", "importtime", "-m", "nbcli", *(a.format(out=out) for a in args)]
    err = subprocess.run(cmd, env=_env(path), capture_output=True, text=True, check=False).stderr
    found = {line.rsplit("|", 1)[-1].strip() for line in err.splitlines() if "|" in line}
    return [w for w in WATCH if w in found]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variant", action="append", default=[], metavar="LABEL=PYTHON[:PYTHONPATH]")
    ap.add_argument("--runs", type=int, default=30, help="rounds (default 30)")
    ns = ap.parse_args()
    variants = []
    for v in ns.variant or [f"installed={sys.executable}"]:
        label, _, rest = v.partition("=")
        python, _, path = rest.partition(":")
        variants.append((label, python, path or None))
    times: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as out:
        for _label, python, path in variants:  # warm the file cache once
            for args in TASKS.values():
                subprocess.run(_command(python, args, out), env=_env(path), capture_output=True, check=True)
        for _ in range(ns.runs):
            for task, args in TASKS.items():
                for label, python, path in variants:
                    r0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
                    subprocess.run(
                        _command(python, args, out), env=_env(path), capture_output=True, check=True
                    )
                    t1, r1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
                    times.setdefault((task, label), []).append(1000 * (t1 - t0))
                    used = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
                    cpu.setdefault((task, label), []).append(1000 * used)
        print(
            f"{ns.runs} rounds, variants run alternately; milliseconds: wall time (median, quartiles), CPU time"
        )
        head = (
            f"{'task':12} {'variant':14} {'wall':>7} {'q1':>7} {'q3':>7} {'ratio':>6} {'cpu':>7} {'ratio':>6}"
        )
        print(head + "  heavy imports")
        for task, args in TASKS.items():
            first = statistics.median(times[(task, variants[0][0])])
            first_cpu = statistics.median(cpu[(task, variants[0][0])])
            for label, python, path in variants:
                q1, med, q3 = statistics.quantiles(times[(task, label)], n=4)
                c = statistics.median(cpu[(task, label)])
                mods = ", ".join(_imports(python, path, args, out)) or "-"
                print(
                    f"{task:12} {label:14} {med:7.1f} {q1:7.1f} {q3:7.1f} {med / first:6.3f} {c:7.1f} "
                    f"{c / first_cpu:6.3f}  {mods}"
                )


if __name__ == "__main__":
    main()
