"""What the command reports: a progress bar on a terminal, statistics, a closing summary."""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable
from typing import IO, Any

from ..errors import OutputError
from .options import PROG


def stats_record(scene: Any, info: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "polynomial",
        "roots",
        "multiplicities",
        "root_share",
        "nonconverged_share",
        "mean_steps",
        "pixels",
        "samples",
        "method",
        "precision",
        "seconds",
        "kernel",
        "threads",
    )
    rec = {k: info[k] for k in keys if k in info}
    rec["size"] = [scene.width, scene.height]
    if isinstance(rec.get("mean_steps"), float) and math.isnan(rec["mean_steps"]):
        rec["mean_steps"] = None
    return rec


def stats_line(scene: Any, info: dict[str, Any]) -> str:
    shares = " ".join(f"{100 * s:.1f}%" for s in info["root_share"])
    mean = info["mean_steps"]
    steps = f"{mean:.2f}" if isinstance(mean, float) and math.isfinite(mean) else "-"
    mults = info.get("multiplicities", [])
    repeated = f" (multiplicities {' '.join(map(str, mults))})" if any(m > 1 for m in mults) else ""
    return (
        f"{scene.polynomial}: {scene.width}x{scene.height}, {_roots(len(info['roots']))}{repeated}, "
        f"shares {shares}, non-converged {100 * info['nonconverged_share']:.2f}%, "
        f"mean steps {steps}, {info['seconds']:.3f} s"
        + (f", {scene.precision_used} precision" if scene.precision_used != "double" else "")
    )


def _roots(n: int) -> str:
    return f"{n} root" if n == 1 else f"{n} roots"


class ProgressBar:
    """A rich progress bar on stderr that appears only if a render takes a while."""

    DELAY = 0.3

    def __init__(self, enabled: bool, total: int, label: str = "rendering", unit: str | None = None) -> None:
        self.enabled = enabled
        self.label = label
        self.unit = unit  # counted things, shown as "37/300 frames"
        self.total = total
        self.bar: Any = None
        self.task: Any = None
        self.t0 = time.perf_counter()

    def __enter__(self) -> Callable[[int, int], None] | None:
        return self.update if self.enabled else None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            if time.perf_counter() - self.t0 < self.DELAY or done >= total:
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeRemainingColumn,
            )

            count = [MofNCompleteColumn(), TextColumn(self.unit)] if self.unit else [TaskProgressColumn()]
            self.bar = Progress(
                TextColumn(self.label),
                BarColumn(),
                *count,
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("render", total=total)
        self.bar.update(self.task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def summary(scene: Any, info: dict[str, Any], output: str, recoloured: bool) -> str:
    """The closing line on a terminal: what was written, how big, how long."""
    what = "recoloured" if recoloured else "wrote"
    where = output if output != "-" else "standard output"
    precision = f"{scene.precision_used} precision, " if scene.precision_used != "double" else ""
    return (
        f"{PROG}: {what} {where} ({scene.width}x{scene.height}, {scene.polynomial}, "
        f"{_roots(len(info['roots']))}, {precision}{info['seconds']:.2f} s)"
    )


def write_stats(
    out: IO[str], scene: Any, info: dict[str, Any], *, line: bool, as_json: bool, output: str
) -> None:
    """The statistics, after the image ``output`` was written. If they cannot be written (a full
    disk behind standard output), the image stays and the error says so (exit code 1); a
    closed pipe is passed on (the command then ends quietly, as on SIGPIPE)."""
    try:
        if as_json:
            out.write(json.dumps(stats_record(scene, info), separators=(", ", ": ")) + "\n")
        if line:
            out.write(stats_line(scene, info) + "\n")
        out.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        where = "standard error" if out is sys.stderr else "standard output"
        kept = "" if output == "-" else f" ({output} was written and is kept)"
        raise OutputError(f"cannot write the statistics to {where}: {e.strerror or e}{kept}") from None
