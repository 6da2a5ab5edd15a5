"""``Animation``: frames from keyframes, rendered one after another and written as numbered frames,
an animated image or a video.

>>> start = Scene.create(coefs=[1, 0, 0, 0, 0, 0, 1], size=(640, 360))     # doctest: +SKIP
>>> end = start.with_options(viewport=Viewport.centered(0.5 + 0.3j, 0.01, 0.01 * 360 / 640))
>>> anim = Animation.between(start, end, duration=5)
>>> for frame in anim: ...           # a Render per frame
>>> anim.save("zoom.mp4")            # or frames/, zoom.webp, zoom.gif, zoom.apng

What moves how between keyframes is the timeline's business (``nbcli.timeline``);
how frames are written, ``nbcli.sequence``'s. Here each frame is rendered on all
cores while the writer's thread encodes the one before.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ._native import check_kernel
from ._version import __version__
from .api import Render, png_deflate, precision_warnings, render
from .checks import thread_count
from .compression import Deflate
from .errors import OutputError, ParameterError
from .images import output_format
from .outfile import check_writable
from .params import PNG_KEY, png_text
from .pipeline import check_memory
from .precision import PrecisionWarning
from .scene import Scene
from .sequence import (
    Encoder,
    animated_encoder,
    check_animated_options,
    check_video_size,
    frame_pattern,
    frames_encoder,
    output_kind,
    read_frame,
    read_frame_text,
    video_encoder,
)
from .style import Style
from .timeline import Keyframe, Timeline, parse_fps

__all__ = ["DEFAULT_DURATION", "Animation", "Keyframe"]

DEFAULT_DURATION = 5.0  # seconds, when an animation between two pictures is given no length


class Animation:
    """Frames rendered from keyframes (see ``nbcli.timeline`` for how values move between them).

    ``fps``: frames per second; the length is ``frames`` or ``duration``
    (seconds), or else the last keyframe's time. Iterating gives a ``Render``
    per frame; ``save`` writes them all.
    """

    def __init__(
        self,
        keyframes: Sequence[Keyframe],
        *,
        fps: float | Fraction | str = 30,
        frames: int | None = None,
        duration: float | None = None,
    ) -> None:
        self.timeline = Timeline(keyframes, fps=fps, frames=frames, duration=duration)

    @classmethod
    def between(
        cls,
        start: Scene,
        end: Scene,
        style: Style | None = None,
        *,
        end_style: Style | None = None,
        easing: str = "smooth",
        fps: float | Fraction | str = 30,
        frames: int | None = None,
        duration: float | None = None,
    ) -> Animation:
        """From ``start`` to ``end`` (zoom, morph, or both) in ``duration`` seconds or ``frames`` frames
        (default 5 seconds)."""
        rate = parse_fps(fps)
        if duration is None:
            duration = float(frames / rate) if frames is not None else DEFAULT_DURATION
        keys = [Keyframe(0.0, start, style), Keyframe(duration, end, end_style, easing)]
        if frames is not None:
            return cls(keys, fps=rate, frames=frames)
        return cls(keys, fps=rate, duration=duration)

    @property
    def fps(self) -> Fraction:
        return self.timeline.fps

    @property
    def duration(self) -> float:
        return self.timeline.duration

    @property
    def size(self) -> tuple[int, int]:
        return self.timeline.size

    def __len__(self) -> int:
        return self.timeline.count

    def frame(self, k: int) -> tuple[Scene, Style]:
        """The scene and style of frame k (0-based)."""
        return self.timeline.frame(k)

    def render(self, k: int, **options: Any) -> Render:
        """Render frame k (``options`` as for ``nbcli.render``)."""
        scene, style = self.frame(k)
        return render(scene, style, **options)

    def __iter__(self) -> Iterator[Render]:
        for k in range(len(self)):
            yield self.render(k)

    def precision_warnings(self, kernel: str | None = None) -> list[str]:
        """``precision_warnings`` of the keyframes, each once."""
        seen: list[str] = []
        for key in self.timeline.keyframes:
            for w in precision_warnings(key.scene, kernel=kernel):
                if w not in seen:
                    seen.append(w)
        return seen

    def save(
        self,
        path: str | os.PathLike[str],
        *,
        threads: int | None = None,
        kernel: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        keep_frames: str | os.PathLike[str] | None = None,
        resume: bool = True,
        chroma: str = "444",
        crf: int | None = None,
        quality: int | None = None,
        lossless: bool = False,
        max_memory: int | None = None,
        render_frames: FrameRenderer | None = None,
    ) -> dict[str, Any]:
        """Render every frame and write them to ``path``; return what was done.

        The name says how: a folder (``frames/``) or a pattern
        (``frames/%05d.png``) for numbered PNG frames, each with its parameters
        (``nb-render --from frames/00042.png`` renders it again);
        ``.gif``/``.webp``/``.apng`` for an animated image; ``.mp4``/``.mkv``
        (H.264) or ``.webm`` (VP9) for a video (needs the ``video`` extra).
        ``keep_frames``: a folder or pattern where a video or animated image
        also keeps its frames. Frames already there with the same parameters
        are not rendered again (``resume``), so an interrupted render picks up
        where it stopped. ``chroma``: a video's colour resolution, 444 (full) or
        420 (half, the most widely playable); ``crf``: its constant quality
        (lower is better; default 20 for H.264, 32 for VP9). ``quality`` (1-100) and
        ``lossless``: of an animated WebP, or of frames in a lossy format.
        ``progress(done, total)`` is called after each frame. ``render_frames``: what
        renders the frames instead of this process, given the (scene, style) of every
        frame to render, in order, it yields their pixels in that order
        (``nbcli.scale.frames_on`` renders them on a Dask cluster).
        Returns counts (``frames``, ``rendered``, ``skipped``) and times
        (``seconds``; ``render_seconds`` in the renderer, ``encode_seconds`` in
        the encoder's thread).
        """
        out = os.fspath(path)
        kind, pattern = self._check_output(out, keep_frames, chroma, max_memory, quality, lossless)
        run = _Run(
            self, pattern, resume, thread_count(threads), check_kernel(kernel), max_memory, render_frames
        )
        for message in self.precision_warnings(run.kernel):
            warnings.warn(message, PrecisionWarning, stacklevel=2)
        if kind == "video":
            w, h = self.size
            meta = {"comment": f"made by nb-render {__version__}", "title": _title(self)}
            run.encoder = video_encoder(out, w, h, self.fps, chroma=chroma, crf=crf, metadata=meta)
        elif kind == "animated":
            run.encoder = animated_encoder(out, self.fps, len(self), quality=quality, lossless=lossless)
        if pattern is not None:
            mine = kind == "frames"  # else they are kept frames, written at the format's defaults
            run.writer = frames_encoder(
                pattern, threads=run.threads, quality=quality if mine else None, lossless=lossless and mine
            )
        return run.all(progress)

    def _check_output(
        self,
        out: str,
        keep_frames: str | os.PathLike[str] | None,
        chroma: str,
        max_memory: int | None,
        quality: int | None,
        lossless: bool,
    ) -> tuple[str, str | None]:
        """(kind of output, frame pattern or None), refusing before anything is rendered what cannot be written."""
        kind = output_kind(out)
        if kind is None:
            raise ParameterError(
                f"{out}: an animation is written to a folder (frames/), a frame pattern (frames/%05d.png), "
                "an animated image (.gif, .webp, .apng) or a video (.mp4, .mkv, .webm)"
            )
        pattern = frame_pattern(out) if kind == "frames" else None
        if keep_frames is not None:
            if kind == "frames":
                raise ParameterError(
                    "keep_frames is for a video or an animated image; frames are kept anyway"
                )
            pattern = frame_pattern(os.fspath(keep_frames))
        w, h = self.size
        n = len(self)
        if kind != "frames" and self.timeline.depth != 8:
            raise ParameterError(
                "videos and animated images have 8 bits per channel; depth 16 is for PNG frames"
            )
        if kind == "video":
            check_video_size(w, h, chroma)
            if quality is not None or lossless:
                raise ParameterError("--quality and --lossless are not for video; its quality is set by crf")
        if kind == "animated":  # Pillow's encoders hold every frame until the file is written
            check_animated_options(out, quality, lossless)
            check_memory(n * w * h * 3, max_memory, f"an animated image of {n} frames of {w}x{h}")
        if pattern is not None:
            mine = kind == "frames"  # else they are kept frames, written at the format's defaults
            output_format(pattern).check_options(
                quality=quality if mine else None, lossless=lossless and mine, depth=self.timeline.depth
            )
            _make_folder(pattern)
        if kind != "frames":
            check_writable(out)
        return kind, pattern


# Given the (scene, style) of the frames to render, in order: their pixels, in that order.
FrameRenderer = Callable[[list[tuple[Scene, Style]]], Iterable[np.ndarray]]


@dataclass
class _Run:
    """One ``save``: each frame is rendered (or read back from a finished frame) and handed to the
    frame writer and the encoder, which work in their own threads."""

    anim: Animation
    pattern: str | None  # where frames are kept, if they are
    resume: bool
    threads: int
    kernel: str
    max_memory: int | None
    render_frames: FrameRenderer | None = None  # elsewhere (a cluster), or None: here
    encoder: Encoder | None = None  # a video or an animated image
    writer: Encoder | None = None  # numbered frames
    info: dict[str, Any] = field(
        default_factory=lambda: {"frames": 0, "rendered": 0, "skipped": 0, "render_seconds": 0.0}
    )
    rendered: Iterator[np.ndarray] | None = None  # the pixels render_frames yields

    def all(self, progress: Callable[[int, int], None] | None) -> dict[str, Any]:
        n = len(self.anim)
        self.info["frames"] = n
        t0 = time.perf_counter()
        writers = [e for e in (self.writer, self.encoder) if e is not None]
        if self.render_frames is not None:
            todo = [k for k in range(n) if not self.finished(k)]
            self.rendered = iter(self.render_frames([self.anim.frame(k) for k in todo]))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PrecisionWarning)  # issued once, before
                for k in range(n):
                    rgb = self.pixels(k)
                    if self.encoder is not None:
                        self.encoder.put(rgb)
                    if progress is not None:
                        progress(k + 1, n)
            for e in writers:
                e.close()
        except BaseException:
            for e in writers:
                e.abort()
            raise
        self.info["encode_seconds"] = self.encoder.seconds if self.encoder is not None else 0.0
        self.info["write_seconds"] = self.writer.seconds if self.writer is not None else 0.0
        self.info["seconds"] = time.perf_counter() - t0
        return self.info

    def finished(self, k: int) -> bool:
        """Whether frame k is on disk already, with the same parameters (and so is not rendered)."""
        if self.pattern is None or not self.resume:
            return False
        scene, style = self.anim.frame(k)
        path = self.pattern % k
        return read_frame_text(path) == self.record(path, scene, style)[0][PNG_KEY]

    @staticmethod
    def record(path: str, scene: Scene, style: Style) -> tuple[dict[str, str], Deflate | None]:
        """The text a frame file holds (its parameters) and, for a PNG, how it is compressed."""
        deflate = png_deflate(style) if output_format(path).streams else None  # PNGs record it
        return png_text(scene, style, scene.canonical_roots(), deflate), deflate

    def pixels(self, k: int) -> np.ndarray | None:
        """Frame k's pixels: read back from a finished frame on disk, or rendered (and written out)."""
        scene, style = self.anim.frame(k)
        text: dict[str, str] | None = None
        deflate = None
        if self.pattern is not None:
            path = self.pattern % k
            text, deflate = self.record(path, scene, style)
            if self.resume and read_frame_text(path) == text[PNG_KEY]:
                self.info["skipped"] += 1
                if self.encoder is None:
                    return None
                return read_frame(path, (scene.height, scene.width, 3))
        t0 = time.perf_counter()
        if self.rendered is not None:
            rgb = next(self.rendered)
        else:
            rgb = render(
                scene,
                style,
                threads=self.threads,
                kernel=self.kernel,
                keep_data=False,
                max_memory=self.max_memory,
            ).rgb
        self.info["render_seconds"] += time.perf_counter() - t0
        self.info["rendered"] += 1
        if self.writer is not None:
            assert self.pattern is not None
            assert text is not None
            self.writer.put((self.pattern % k, rgb, text, deflate))
        return rgb


def _make_folder(pattern: str) -> None:
    folder = os.path.dirname(pattern) or "."
    try:
        os.makedirs(folder, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{folder} exists and is not a folder") from None
    except OSError as e:
        raise OutputError(f"cannot make the folder {folder}: {e.strerror or e}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write to the folder {folder} (permission denied)")


def _title(anim: Animation) -> str:
    first = anim.timeline.keyframes[0].scene.polynomial
    last = anim.timeline.keyframes[-1].scene.polynomial
    return f"Newton basins of {first}" + (f" to {last}" if last != first else "")
