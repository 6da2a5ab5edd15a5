"""Animations from the command line: the options (and a keyframe file) -> an ``Animation``; then
rendering it with a progress bar over frames.

The options of a still give the first frame. What moves is given by
``--zoom-to``/``--zoom-width`` and ``--to-coefs``/``--to-roots``/``--to-expr``/
``--to-relax`` (one move to the end), or by ``--keyframes FILE`` (any option at
any time). Each keyframe is planned like ``--from`` the keyframe before it:
what it does not name stays as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputFileError, ParameterError
from ..poly.exact import exact_text
from .keyframes import FileKeyframe, read_keyframes
from .options import PROG, CommandLineError, Options, parse_duration, say
from .plan import Plan, make_plan, start_from
from .report import ProgressBar

if TYPE_CHECKING:
    from ..animation import Animation
    from ..scene import Scene

MOTION_OPTIONS = frozenset({"zoom_to", "zoom_width", "to_coefs", "to_roots", "to_expr", "to_relax"})


@dataclass(frozen=True)
class AnimationPlan:
    animation: Animation
    output: str
    keep_frames: str | None
    chroma: str


def plan_animation(opts: Options) -> AnimationPlan:
    """The animation the options ask for (ParameterError, exit 2, for anything that cannot be made)."""
    from ..animation import Animation
    from ..sequence import CHROMA, frame_pattern, output_kind
    from ..timeline import Keyframe, easing_name, parse_fps

    output = opts.check_output()
    motion = opts.given & MOTION_OPTIONS
    if opts.keyframes is not None and motion:
        shown = ", ".join("--" + m.replace("_", "-") for m in sorted(motion))
        raise CommandLineError(f"--keyframes gives the motion; do not also give {shown}")
    if opts.keyframes is None and not motion:
        raise CommandLineError(
            "say what moves: --zoom-to and/or --zoom-width, --to-coefs/--to-roots/--to-expr, --to-relax, "
            "or --keyframes FILE"
        )
    if opts.chroma not in CHROMA:
        raise CommandLineError(f"--chroma {opts.chroma!r}: choose {' or '.join(CHROMA)}")
    kind = output_kind(output)
    if opts.keep_frames is not None:
        if kind == "frames":
            raise CommandLineError(
                "--keep-frames is for a video or an animated image; frames are kept anyway"
            )
        frame_pattern(opts.keep_frames)
    if kind == "frames":
        frame_pattern(output)
    kf = read_keyframes(opts.keyframes) if opts.keyframes is not None else None
    settings: dict[str, Any] = kf.settings if kf is not None else {}

    def setting(name: str, value: Any) -> Any:
        return value if name in opts.given or name not in settings else settings[name]

    fps = parse_fps(setting("fps", opts.fps))
    easing = easing_name(setting("easing", opts.easing))
    frames = setting("frames", opts.frames)
    duration_text = setting("duration", opts.duration)
    if "frames" in opts.given and "duration" not in opts.given:
        duration_text = None  # the command line's length wins over the file's
    if "duration" in opts.given and "frames" not in opts.given:
        frames = None
    duration = parse_duration(duration_text) if duration_text is not None else None
    if frames is not None and duration is not None:
        raise CommandLineError("give the length by --duration or by --frames, not both")
    if frames is not None and frames < 1:
        raise CommandLineError(f"--frames must be at least 1 (got {frames})")
    if "size" in settings and "size" not in opts.given:
        opts = dataclasses.replace(opts, size=settings["size"], given=opts.given | {"size"})

    first = kf.keyframes[0] if kf is not None and kf.keyframes[0].time == 0 else None
    start_opts = _start_options(opts, first)
    if kf is not None and not start_opts.given & {"coefs", "roots", "expr", "from_file"}:
        raise CommandLineError(
            f"give the polynomial with --coefs, --roots, --expr or --from, or in a keyframe at time 0 of {kf.path}"
        )
    start_opts.check()
    start = _plan_at(start_opts, None, first)
    keys = [Keyframe(0.0, start.scene, start.style)]
    if kf is not None:
        prev = start
        for fk in kf.keyframes[1 if first is not None else 0 :]:
            plan = _plan_at(_keyframe_options(opts, fk, prev.scene), prev, fk)
            keys.append(Keyframe(fk.time, plan.scene, plan.style, easing=easing_name(fk.easing or easing)))
            prev = plan
    else:
        from ..animation import DEFAULT_DURATION

        if "to_relax" in opts.given and start.scene.method != "relaxed":
            raise CommandLineError("--to-relax moves the factor of --method relaxed; add --method relaxed")
        end = _plan_at(_end_options(opts, start.scene), start, None)
        length = duration if duration is not None else (float(frames / fps) if frames else DEFAULT_DURATION)
        keys.append(Keyframe(length, end.scene, end.style, easing=easing))
        if frames is None:
            duration = length
    anim = Animation(keys, fps=fps, frames=frames, duration=duration)
    return AnimationPlan(anim, output, opts.keep_frames, opts.chroma)


def _start_options(opts: Options, first: FileKeyframe | None) -> Options:
    """The command line's options, with a keyframe at time 0 filling in what they do not give."""
    if first is None:
        return opts
    fill = {f: v for f, v in first.values.items() if f not in opts.given}
    if opts.given & {"center", "width", "xmin", "xmax", "ymin", "ymax", "fit"}:
        fill = {
            f: v
            for f, v in fill.items()
            if f not in ("center", "width", "xmin", "xmax", "ymin", "ymax", "fit")
        }
    if opts.given & {"coefs", "roots", "expr"}:
        fill = {f: v for f, v in fill.items() if f not in ("coefs", "roots", "expr")}
    return dataclasses.replace(opts, **fill, given=opts.given | frozenset(fill))


def _keyframe_options(opts: Options, fk: FileKeyframe, prev: Scene) -> Options:
    """A keyframe's options: only what it names is given; a centre alone keeps the width, a width alone
    the centre."""
    values = dict(fk.values)
    if "center" in values and not fk.given() & {"width", "xmin", "xmax", "ymin", "ymax", "fit"}:
        values["width"] = exact_text(prev.viewport.exact_view.width)
    elif "width" in values and not fk.given() & {"center", "xmin", "xmax", "ymin", "ymax", "fit"}:
        values["center"] = prev.viewport.center_text()
    blank = Options(output=opts.output)
    return dataclasses.replace(blank, **values, given=frozenset(values))


def _end_options(opts: Options, start: Scene) -> Options:
    """The end of a move given by --zoom-to, --zoom-width and --to-*."""
    values: dict[str, Any] = {}
    if opts.to_coefs is not None:
        values["coefs"] = opts.to_coefs
    if opts.to_roots is not None:
        values["roots"] = opts.to_roots
    if opts.to_expr is not None:
        values["expr"] = opts.to_expr
    if opts.to_relax is not None:
        values["relax"] = opts.to_relax
    if len({"coefs", "roots", "expr"} & values.keys()) > 1:
        raise CommandLineError(
            "give the polynomial to morph into with one of --to-coefs, --to-roots or --to-expr"
        )
    if opts.zoom_to is not None or opts.zoom_width is not None:
        vp = start.viewport
        values["center"] = opts.zoom_to if opts.zoom_to is not None else vp.center_text()
        values["width"] = opts.zoom_width if opts.zoom_width is not None else exact_text(vp.exact_view.width)
    blank = Options(output=opts.output)
    return dataclasses.replace(blank, **values, given=frozenset(values))


def _plan_at(opts: Options, prev: Plan | None, fk: FileKeyframe | None) -> Plan:
    """Plan one keyframe (``prev``: the one before, whose values it keeps), naming the keyframe in errors."""
    base = start_from(prev.scene, prev.style) if prev is not None else None
    try:
        plan = make_plan(opts, base)
    except ParameterError as e:
        if fk is None or isinstance(e, InputFileError):
            raise
        raise InputFileError(f"{fk.line}: keyframe {fk.number}: {e}") from None
    return plan


def run_animation(plan: AnimationPlan, opts: Options, *, show: bool) -> dict[str, Any]:
    """Render the animation with a progress bar over frames (on a terminal), and report."""
    anim = plan.animation
    n = len(anim)
    w, h = anim.size
    client = None
    if opts.scheduler is not None:  # frames rendered on a Dask cluster, written here in order
        from ..scale import connect, frames_on

        client = connect(opts.scheduler.strip())
    try:
        with ProgressBar(show, n, f"{w}x{h}", unit="frames") as progress:
            info = anim.save(
                plan.output,
                threads=opts.threads if client is None else None,
                kernel=opts.kernel,
                progress=progress,
                keep_frames=plan.keep_frames,
                chroma=plan.chroma,
                quality=opts.quality,
                lossless=opts.lossless,
                max_memory=opts.memory_limit(),
                render_frames=None
                if client is None
                else frames_on(client, threads=opts.threads or 1, kernel=opts.kernel),
            )
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.close(timeout=2)
    if show or (info["skipped"] and not opts.quiet):
        say(_summary(plan, info, show))
    return info


def _summary(plan: AnimationPlan, info: dict[str, Any], show: bool) -> str:
    anim = plan.animation
    w, h = anim.size
    kept, rendered = info["skipped"], info["rendered"]
    where = plan.keep_frames or plan.output
    if not show:
        return f"{PROG}: {where}: kept {kept} frames already rendered, rendered {rendered}"
    rate = f", {rendered / info['seconds']:.1f} frames/s" if rendered and info["seconds"] > 0 else ""
    also = f"; kept {kept} frames already rendered in {where}" if kept else ""
    return (
        f"{PROG}: wrote {plan.output} ({info['frames']} frames of {w}x{h} at {float(anim.fps):g} fps, "
        f"{anim.duration:g} s) in {info['seconds']:.1f} s{rate}{also}"
    )
