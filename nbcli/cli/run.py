"""One run of the command: check the options, plan the render, render it, report."""

from __future__ import annotations

import sys
import warnings
from typing import Any

from ..errors import ParameterError
from .options import PROG, CommandLineError, Options
from .report import ProgressBar, summary, write_stats


class Interrupted(BaseException):
    """Ctrl-C arrived (kept apart from KeyboardInterrupt, which Click turns into Abort after
    printing a blank line)."""


class Terminated(BaseException):
    """SIGTERM arrived."""


def run(opts: Options) -> None:
    """Render what ``opts`` ask for; errors are raised for ``main`` to report."""
    try:
        opts.check()
        limit = opts.memory_limit()
        # imported here, not at the top: numpy and the core load only when there is work
        from .._native import check_kernel
        from ..api import render_to_png, single_precision_warnings
        from ..precision import PrecisionWarning
        from .plan import make_plan

        plan = make_plan(opts)
        check_kernel(opts.kernel)
        warned = plan.source is None and single_precision_warnings(plan.scene, kernel=opts.kernel)
    except ParameterError as e:
        raise CommandLineError(str(e)) from None
    for warning in warned or ():
        sys.stderr.write(f"{PROG}: warning: {warning}\n")

    scene = plan.scene
    show = not opts.quiet and sys.stderr.isatty()
    label = "recolouring" if plan.source is not None else "rendering"
    if scene.aa > 1:  # the bar counts samples, so supersampling's cost shows
        label += f" ({scene.aa}x{scene.aa} samples per pixel)"
    try:
        with (
            ProgressBar(show, scene.samples[0] * scene.samples[1], label) as progress,
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore", PrecisionWarning)  # printed above already
            if opts.scheduler is not None and plan.source is None:
                info = _on_cluster(opts, plan, progress)
            elif opts.to_zarr:
                from ..api import ZARR_FIELDS, render_to_zarr

                info = render_to_zarr(
                    opts.output,
                    scene,
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
            else:
                info = render_to_png(
                    opts.output,
                    scene,
                    plan.style,
                    threads=opts.threads,
                    kernel=opts.kernel,
                    progress=progress,
                    save_data=opts.save_data,
                    stats=opts.stats or opts.stats_json,
                    max_memory=limit,
                    source=plan.source,
                )
    except KeyboardInterrupt:
        raise Interrupted() from None
    report = sys.stderr if opts.to_stdout else sys.stdout
    if opts.scheduler is not None and plan.source is not None and show:
        sys.stderr.write(f"{PROG}: note: recoloured here; nothing to compute on the cluster\n")
    write_stats(report, scene, info, line=opts.stats, as_json=opts.stats_json)
    if show:
        sys.stderr.write(summary(scene, info, opts.output, plan.source is not None) + "\n")


def _on_cluster(opts: Options, plan: Any, progress: Any) -> dict[str, Any]:
    """The render on the Dask cluster at ``--scheduler``: a .zarr written by the workers, or
    a PNG whose bands the workers render and this process writes."""
    from ..api import ZARR_FIELDS
    from ..outfile import check_writable
    from ..scale import connect, render_to_png_on, render_to_zarr_on

    assert opts.scheduler is not None
    if not opts.to_zarr:
        check_writable(opts.output)  # before connecting: a bad name fails at once
    client = connect(opts.scheduler.strip())
    try:
        if opts.to_zarr:
            return render_to_zarr_on(
                client,
                opts.output,
                plan.scene,
                plan.style,
                fields=opts.zarr_fields() or ZARR_FIELDS,
                chunks=opts.chunks,
                threads=opts.threads or 1,
                kernel=opts.kernel,
                progress=progress,
                stats=opts.stats or opts.stats_json,
            )
        return render_to_png_on(
            client,
            opts.output,
            plan.scene,
            plan.style,
            threads=opts.threads or 1,
            kernel=opts.kernel,
            progress=progress,
            save_data=opts.save_data,
            stats=opts.stats or opts.stats_json,
        )
    finally:
        _close(client)


def _close(client: Any) -> None:
    import contextlib

    with contextlib.suppress(Exception):
        client.close(timeout=2)
