"""One run of the command: check the options, plan the render, render it, report."""

from __future__ import annotations

import sys
import warnings
from dataclasses import replace

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
        from ..api import render_to_file, single_precision_warnings
        from ..images import MetadataWarning, output_format
        from ..outfile import check_writable
        from ..precision import PrecisionWarning
        from .plan import make_plan

        check_writable(opts.output)  # a directory or a missing folder: say that, not "no extension"
        fmt = output_format(opts.output, opts.format)
        plan = make_plan(opts)
        if plan.style.depth != 8 and not fmt.streams and "depth" not in opts.given:
            plan = replace(plan, style=replace(plan.style, depth=8))  # --from a 16-bit PNG, to JPEG: 8 bits
        fmt.check_options(quality=opts.quality, lossless=opts.lossless, depth=plan.style.depth)
        fmt.check_size(plan.scene.width, plan.scene.height)
        check_kernel(opts.kernel)
        warned = plan.source is None and single_precision_warnings(plan.scene, kernel=opts.kernel)
    except ParameterError as e:
        raise CommandLineError(str(e)) from None
    for warning in warned or ():
        sys.stderr.write(f"{PROG}: warning: {warning}\n")
    if fmt.text is None:
        sys.stderr.write(
            f"{PROG}: note: {fmt.title} files cannot hold the parameters, so --from cannot read this image "
            "back (PNG, JPEG, WebP, TIFF, GIF and AVIF can)\n"
        )

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
            warnings.simplefilter("ignore", MetadataWarning)
            info = render_to_file(
                opts.output,
                scene,
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
    except KeyboardInterrupt:
        raise Interrupted() from None
    report = sys.stderr if opts.to_stdout else sys.stdout
    write_stats(report, scene, info, line=opts.stats, as_json=opts.stats_json)
    if show:
        sys.stderr.write(summary(scene, info, opts.output, plan.source is not None) + "\n")
