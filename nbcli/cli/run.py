"""One run of the command: check the options, plan the render, render it, report.

A run is prepared first (everything that can fail on bad input: options,
polynomial, files to read, keyframes, the output's format) and then executed,
so that a batch can check every job before it renders any.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..errors import OutputError, ParameterError
from ..signals import Interrupted, PipeClosed, Terminated
from .options import PROG, CommandLineError, Options, say
from .report import ProgressBar, summary, write_stats

__all__ = ["Interrupted", "Prepared", "Terminated", "execute", "prepare", "run"]

if TYPE_CHECKING:
    from .animate import AnimationPlan
    from .plan import Plan


@dataclass(frozen=True)
class Prepared:
    """A checked request: a still (``plan``, in format ``fmt``) or an animation (``animation``)."""

    opts: Options
    plan: Plan | None = None
    fmt: Any = None  # nbcli.images' output format of a still
    animation: AnimationPlan | None = None
    notes: tuple[str, ...] = ()  # 'warning: ...' and 'note: ...' lines to print before rendering

    @property
    def output(self) -> str:
        return self.opts.output or ""


def run(opts: Options) -> None:
    """Render what ``opts`` ask for; errors are raised for ``main`` to report."""
    try:
        _run(opts)
    except BrokenPipeError:  # before Click sees it (it would exit with 1)
        raise PipeClosed() from None


def _run(opts: Options) -> None:
    if opts.batch is not None:
        from .batch import run_batch

        run_batch(opts)
        return
    job = prepare(opts)
    for note in job.notes:
        say(f"{PROG}: {note}")
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
            warned = anim.animation.precision_warnings(opts.kernel)
            return Prepared(opts, animation=anim, notes=tuple(f"warning: {w}" for w in warned))
        opts.check()
        output = opts.check_output()
        from ..api import precision_warnings
        from ..images import output_format
        from ..outfile import check_writable
        from .plan import make_plan

        fmt = None
        if opts.to_zarr:
            from ..zarrfile import check_store_target

            check_store_target(output)
        else:
            check_writable(output)  # a directory or a missing folder: say that, not "no extension"
            fmt = output_format(output, opts.format)
        if (opts.stats or opts.stats_json) and not opts.to_stdout and sys.stdout is None:
            raise OutputError(
                "standard output is closed, so the statistics (--stats, --stats-json) have nowhere to go; "
                "leave it open or redirect it to a file"
            )
        plan = make_plan(opts)
        if fmt is not None:
            if plan.style.depth != 8 and not fmt.streams and "depth" not in opts.given:
                # --from a 16-bit PNG, to JPEG: 8 bits
                plan = replace(plan, style=replace(plan.style, depth=8))
            fmt.check_options(quality=opts.quality, lossless=opts.lossless, depth=plan.style.depth)
            fmt.check_size(plan.scene.width, plan.scene.height)
        check_kernel(opts.kernel)
        warned = precision_warnings(plan.scene, kernel=opts.kernel) if plan.source is None else []
    except ParameterError as e:
        if isinstance(e, CommandLineError):
            raise
        raise CommandLineError(str(e)) from None
    notes = [f"warning: {w}" for w in warned]
    if fmt is not None and fmt.text is None:
        notes.append(
            f"note: {fmt.title} files cannot hold the parameters, so --from cannot read this image "
            "back (PNG, JPEG, WebP, TIFF, GIF and AVIF can)"
        )
    return Prepared(opts, plan=plan, fmt=fmt, notes=tuple(notes))


def execute(job: Prepared, *, show: bool) -> None:
    """Render a prepared run; ``show``: a progress bar and a closing summary (on a terminal)."""
    from ..precision import PrecisionWarning

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PrecisionWarning)  # printed already
            if job.animation is not None:
                from .animate import run_animation

                run_animation(job.animation, job.opts, show=show)
            else:
                _still(job, show)
    except KeyboardInterrupt:
        raise Interrupted() from None


def _still(job: Prepared, show: bool) -> None:
    from ..images import MetadataWarning

    opts, plan, fmt = job.opts, job.plan, job.fmt
    assert plan is not None
    scene = plan.scene
    label = "recolouring" if plan.source is not None else "rendering"
    if scene.aa > 1:  # the bar counts samples, so supersampling's cost shows
        label += f" ({scene.aa}x{scene.aa} samples per pixel)"
    with (
        ProgressBar(show, scene.samples[0] * scene.samples[1], label) as progress,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", MetadataWarning)  # said in a note already
        info = _render(opts, plan, fmt, opts.memory_limit(), progress)
    report = sys.stderr if opts.to_stdout else sys.stdout
    if opts.scheduler is not None and plan.source is not None and show:
        say(f"{PROG}: note: recoloured here; nothing to compute on the cluster")
    write_stats(report, scene, info, line=opts.stats, as_json=opts.stats_json, output=job.output)
    if show:
        say(summary(scene, info, job.output, plan.source is not None))


def _render(opts: Options, plan: Any, fmt: Any, limit: int | None, progress: Any) -> dict[str, Any]:
    """The render itself: on a cluster, into a Zarr store here, or into an image file here."""
    from ..api import render_to_file

    assert opts.output is not None
    if opts.scheduler is not None and plan.source is None:
        from .cluster import on_cluster

        return on_cluster(opts, plan, fmt, progress)
    if fmt is None:
        from ..stores import ZARR_FIELDS, render_to_zarr

        return render_to_zarr(
            opts.output,
            plan.scene,
            plan.style,
            fields=opts.zarr_fields() or ZARR_FIELDS,
            chunks=opts.chunks,
            threads=opts.threads,
            kernel=opts.kernel,
            progress=progress,
            stats=opts.stats or opts.stats_json,
            max_memory=limit,
            source=plan.source,
        )
    return render_to_file(
        opts.output,
        plan.scene,
        plan.style,
        format=fmt.name,
        quality=opts.quality,
        lossless=opts.lossless,
        threads=opts.threads,
        kernel=opts.kernel,
        progress=progress,
        save_data=opts.save_data,
        stats=opts.stats or opts.stats_json,
        max_memory=limit,
        source=plan.source,
        compression=plan.compression,
    )
