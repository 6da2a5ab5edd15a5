"""One run of the command: check the options, plan the render, render it, report.

A run is prepared first (everything that can fail on bad input: options,
polynomial, files to read, keyframes) and then executed, so that a batch can
check every job before it renders any.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ParameterError
from .options import PROG, CommandLineError, Options
from .report import ProgressBar, summary, write_stats

if TYPE_CHECKING:
    from .animate import AnimationPlan
    from .plan import Plan


class Interrupted(BaseException):
    """Ctrl-C arrived (kept apart from KeyboardInterrupt, which Click turns into Abort after
    printing a blank line)."""


class Terminated(BaseException):
    """SIGTERM arrived."""


@dataclass(frozen=True)
class Prepared:
    """A checked request: a still (``plan``) or an animation (``animation``)."""

    opts: Options
    plan: Plan | None = None
    animation: AnimationPlan | None = None
    warnings: tuple[str, ...] = ()

    @property
    def output(self) -> str:
        return self.opts.output or ""


def run(opts: Options) -> None:
    """Render what ``opts`` ask for; errors are raised for ``main`` to report."""
    if opts.batch is not None:
        from .batch import run_batch

        run_batch(opts)
        return
    job = prepare(opts)
    for warning in job.warnings:
        sys.stderr.write(f"{PROG}: warning: {warning}\n")
    execute(job, show=not opts.quiet and sys.stderr.isatty())


def prepare(opts: Options) -> Prepared:
    """Check and plan a run without writing anything (CommandLineError, exit 2, if it cannot be done)."""
    try:
        # imported here, not at the top: numpy and the core load only when there is work
        from .._native import check_kernel

        if opts.keep_going:
            raise CommandLineError("--keep-going goes with --batch")
        opts.memory_limit()
        if opts.animated:
            from .animate import plan_animation

            anim = plan_animation(opts)
            check_kernel(opts.kernel)
            return Prepared(
                opts, animation=anim, warnings=tuple(anim.animation.precision_warnings(opts.kernel))
            )
        opts.check()
        from ..api import single_precision_warnings
        from .plan import make_plan

        plan = make_plan(opts)
        check_kernel(opts.kernel)
        warned = single_precision_warnings(plan.scene, kernel=opts.kernel) if plan.source is None else []
    except ParameterError as e:
        if isinstance(e, CommandLineError):
            raise
        raise CommandLineError(str(e)) from None
    return Prepared(opts, plan=plan, warnings=tuple(warned))


def execute(job: Prepared, *, show: bool) -> None:
    """Render a prepared run; ``show``: a progress bar and a closing summary (on a terminal)."""
    opts = job.opts
    try:
        if job.animation is not None:
            from ..precision import PrecisionWarning
            from .animate import run_animation

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PrecisionWarning)  # printed already
                run_animation(job.animation, opts, show=show)
            return
        assert job.plan is not None
        _still(job.plan, opts, show)
    except KeyboardInterrupt:
        raise Interrupted() from None


def _still(plan: Plan, opts: Options, show: bool) -> None:
    from ..api import render_to_png
    from ..precision import PrecisionWarning

    scene = plan.scene
    label = "recolouring" if plan.source is not None else "rendering"
    if scene.aa > 1:  # the bar counts samples, so supersampling's cost shows
        label += f" ({scene.aa}x{scene.aa} samples per pixel)"
    output = opts.check_output()
    with (
        ProgressBar(show, scene.samples[0] * scene.samples[1], label) as progress,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", PrecisionWarning)  # printed already
        info = render_to_png(
            output,
            scene,
            plan.style,
            threads=opts.threads,
            kernel=opts.kernel,
            progress=progress,
            save_data=opts.save_data,
            stats=opts.stats or opts.stats_json,
            max_memory=opts.memory_limit(),
            source=plan.source,
        )
    report = sys.stderr if opts.to_stdout else sys.stdout
    write_stats(report, scene, info, line=opts.stats, as_json=opts.stats_json)
    if show:
        sys.stderr.write(summary(scene, info, output, plan.source is not None) + "\n")
