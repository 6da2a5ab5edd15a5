"""Writers of frame sequences: numbered frames in a folder, animated GIF/WebP/APNG (Pillow),
MP4/WebM (PyAV, the ``video`` extra).

The output's name says which: a folder (``frames/``) or a pattern
(``frames/%05d.png``, or any image format nb-render writes) for numbered frames, ``.gif``/``.webp``/``.apng`` for an
animated image, ``.mp4``/``.mkv`` (H.264) or ``.webm`` (VP9) for a video.

Every writer is an ``Encoder``: frames are handed to it in order and it encodes
them in a thread of its own, through a queue two frames deep, so the next
frame renders while the previous one is compressed or encoded, and memory holds
only a few frames. (Pillow's animated-image encoders are the exception: they
keep every frame until the file is complete.) A file is written under a
temporary name and renamed when complete; an aborted writer leaves nothing but
the frames it finished.
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

import numpy as np

from .compression import Deflate
from .errors import InputFileError, MissingExtra, ParameterError, ResourceLimit
from .images import RECORD_KEY, output_format, read_record, write_image
from .outfile import atomic_output, atomic_path
from .png import read_png_text, write_png

__all__ = [
    "ANIMATED_FORMATS",
    "CHROMA",
    "VIDEO_FORMATS",
    "Encoder",
    "animated_encoder",
    "frame_pattern",
    "frames_encoder",
    "output_kind",
    "read_frame",
    "read_frame_text",
    "require_av",
    "video_encoder",
]

# extension -> (container, codec)
VIDEO_FORMATS = {".mp4": ("mp4", "libx264"), ".mkv": ("matroska", "libx264"), ".webm": ("webm", "libvpx-vp9")}
# extension -> Pillow's format
ANIMATED_FORMATS = {".gif": "GIF", ".webp": "WEBP", ".apng": "PNG"}
DEFAULT_PATTERN = "%05d.png"
CHROMA = ("444", "420")  # chroma sampling of a video: full, or halved both ways
_PATTERN = re.compile(r"%(0?)(\d*)d")


def output_kind(name: str) -> str | None:
    """'frames', 'animated' or 'video' for a name that holds a sequence; None for one picture."""
    if name == "-":
        return None
    if _PATTERN.search(os.path.basename(name)) or name.endswith(("/", os.sep)) or os.path.isdir(name):
        return "frames"
    ext = os.path.splitext(name)[1].lower()
    if ext in VIDEO_FORMATS:
        return "video"
    if ext in ANIMATED_FORMATS:
        return "animated"
    return None


def frame_pattern(name: str) -> str:
    """The printf-style pattern of numbered frames: a folder gets '%05d.png' in it."""
    base = os.path.basename(name)
    if not _PATTERN.search(base):
        if _PATTERN.search(name):
            raise ParameterError(f"{name!r}: the frame number (%05d) belongs in the file name, not a folder")
        return os.path.join(name, DEFAULT_PATTERN)
    if len(_PATTERN.findall(base)) != 1 or "%" in _PATTERN.sub("", base):
        raise ParameterError(
            f"{name!r}: a frame pattern has one frame number such as %05d and no other %; e.g. frames/%05d.png"
        )
    output_format(base)  # an image format nb-render writes (the error lists them)
    return name


def require_av() -> Any:
    """The PyAV module, or a one-line error naming the extra that installs it."""
    try:
        import av
    except ImportError:
        raise MissingExtra(
            "writing video needs PyAV, which is not installed: pip install 'nb-render[video]'"
        ) from None
    return av


class Cancelled(Exception):
    """The writer was aborted: whatever it was writing must not be completed."""


_END = object()


class Encoder:
    """Runs ``consume(frames)`` in a thread of its own over the frames ``put`` here, in order.

    ``put`` waits while two frames are queued, and raises the encoder's error if
    it failed. ``close`` waits until everything is written; ``abort`` makes the
    encoder stop at the next frame without completing its file.
    """

    def __init__(self, consume: Callable[[Iterator[Any]], None], name: str, depth: int = 2) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._cancel = threading.Event()
        self._error: BaseException | None = None
        self.seconds = 0.0  # time the encoder's thread spent working (not waiting for frames)
        self._waited = 0.0
        self._thread = threading.Thread(target=self._run, args=(consume,), name=name, daemon=True)
        try:
            self._thread.start()
        except RuntimeError as e:  # "can't start new thread"
            raise ResourceLimit(
                f"the system could not start a thread to write the {name.removeprefix('nb-render ')} ({e}): "
                "a limit on threads or memory, such as ulimit -u or ulimit -v"
            ) from None

    def _frames(self) -> Iterator[Any]:
        while True:
            t0 = time.perf_counter()
            item = self._queue.get()
            self._waited += time.perf_counter() - t0
            if self._cancel.is_set():
                raise Cancelled()
            if item is _END:
                return
            yield item

    def _run(self, consume: Callable[[Iterator[Any]], None]) -> None:
        t0 = time.perf_counter()
        try:
            consume(self._frames())
        except BaseException as e:  # noqa: BLE001 - handed to the thread that calls put or close
            self._error = e
        self.seconds = time.perf_counter() - t0 - self._waited

    def _check(self) -> None:
        if self._error is not None and not isinstance(self._error, Cancelled):
            raise self._error
        if not self._thread.is_alive():
            raise RuntimeError("the encoder stopped early")

    def put(self, frame: Any) -> None:
        while True:
            self._check()
            try:
                self._queue.put(frame, timeout=0.05)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        """Finish the file: wait for the encoder to write the frames queued and end it."""
        self.put(_END)
        while self._thread.is_alive():
            self._thread.join(0.05)
        if self._error is not None:
            raise self._error

    def abort(self) -> None:
        """Stop without completing the file (frames already finished stay)."""
        self._cancel.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        with contextlib.suppress(queue.Full):  # it was just emptied
            self._queue.put_nowait(_END)
        while self._thread.is_alive():
            self._thread.join(0.05)


# ---- numbered frames ---------------------------------------------------------------------


def read_frame_text(path: str) -> str | None:
    """The nb-render parameters of a complete frame on disk, or None (missing, not ours, damaged)."""
    fmt = output_format(path)
    try:
        if fmt.streams:
            return read_png_text(path).get(RECORD_KEY)
        return read_record(path, fmt) if fmt.text is not None else None
    except (OSError, InputFileError):
        return None


def read_frame(path: str, shape: tuple[int, int, int]) -> np.ndarray:
    """The pixels of a frame on disk (to encode it again), checked against the expected shape."""
    from PIL import Image

    with Image.open(path) as im:
        rgb = np.asarray(im.convert("RGB"))
    if rgb.shape != shape:
        raise ParameterError(
            f"{path}: a frame of {rgb.shape[1]}x{rgb.shape[0]}, expected {shape[1]}x{shape[0]}"
        )
    return rgb


def frames_encoder(
    pattern: str, *, threads: int, quality: int | None = None, lossless: bool = False
) -> Encoder:
    """Writes (path, rgb, text, PNG compression) items as images in the format of ``pattern``, each
    atomically."""
    fmt = output_format(pattern)
    fmt.check_options(quality=quality, lossless=lossless, depth=8)

    def consume(items: Iterator[tuple[str, np.ndarray, dict[str, str], Deflate | None]]) -> None:
        for path, rgb, text, deflate in items:
            if fmt.streams:
                write_png(path, rgb, text, threads=threads, deflate=deflate)
            else:
                with atomic_output(path) as f:
                    write_image(f, rgb, fmt, text, quality=quality, lossless=lossless)

    return Encoder(consume, "nb-render frames")


# ---- animated images ---------------------------------------------------------------------


def _durations(count: int, fps: Fraction, unit: int) -> list[int]:
    """Frame durations in milliseconds, multiples of ``unit``, whose running sum stays on time."""
    ends = [round(float((k + 1) * 1000 / fps) / unit) * unit for k in range(count)]
    return [max(unit, b - a) for a, b in zip([0, *ends], ends, strict=False)]


def animated_encoder(
    path: str, fps: Fraction, count: int, *, quality: int | None = None, lossless: bool = False
) -> Encoder:
    """An animated GIF, WebP or APNG (by the extension of ``path``) of ``count`` frames, looping.

    ``quality`` (1-100, default 90) and ``lossless`` are WebP's."""
    fmt = ANIMATED_FORMATS[os.path.splitext(path)[1].lower()]
    check_animated_options(path, quality, lossless)
    unit = 10 if fmt == "GIF" else 1  # GIF counts in hundredths of a second
    options: dict[str, Any] = {"save_all": True, "loop": 0, "duration": _durations(count, fps, unit)}
    if fmt == "WEBP":
        options.update(lossless=lossless, quality=quality if quality is not None else 90, method=4)
    elif fmt == "PNG":
        options.update(compress_level=6)

    def consume(frames: Iterator[np.ndarray]) -> None:
        from PIL import Image

        first = next(frames, None)
        if first is None:
            return
        rest: Iterator[Any] | list[Any] = (Image.fromarray(rgb) for rgb in frames)
        if fmt != "GIF":  # WebP and APNG read the frames more than once; GIF quantises each as it comes
            rest = list(rest)
        with atomic_output(path) as f:
            Image.fromarray(first).save(f, format=fmt, append_images=rest, **options)

    return Encoder(consume, "nb-render animated image")


def check_animated_options(path: str, quality: int | None, lossless: bool) -> None:
    """Quality settings only where the animated format has them (WebP)."""
    if os.path.splitext(path)[1].lower() == ".webp":
        if quality is not None and (isinstance(quality, bool) or not 1 <= quality <= 100):
            raise ParameterError(f"quality must be from 1 to 100 (got {quality})")
        return
    if quality is not None or lossless:
        kind = "a GIF (256 colours a frame)" if path.lower().endswith(".gif") else "an APNG (always lossless)"
        raise ParameterError(f"--quality and --lossless are for animated WebP, not {kind}")


# ---- video ---------------------------------------------------------------------------------


def video_encoder(
    path: str,
    width: int,
    height: int,
    fps: Fraction,
    *,
    chroma: str = "444",
    crf: int | None = None,
    metadata: dict[str, str] | None = None,
) -> Encoder:
    """An MP4/MKV (H.264) or WebM (VP9) video; ``chroma`` 444 (full colour resolution) or 420."""
    av = require_av()
    container_format, codec = VIDEO_FORMATS[os.path.splitext(path)[1].lower()]
    check_video_size(width, height, chroma)
    pix_fmt = "yuv444p" if chroma == "444" else "yuv420p"
    if codec == "libx264":
        options = {"crf": str(crf if crf is not None else 20), "preset": "veryfast"}
        container_options = {"movflags": "+faststart"} if container_format == "mp4" else {}
    else:  # VP9: constant quality, the encoder's fast real-time settings
        options = {
            "crf": str(crf if crf is not None else 32),
            "b": "0",
            "deadline": "realtime",
            "cpu-used": "8",
            "row-mt": "1",
        }
        container_options = {}

    def consume(frames: Iterator[np.ndarray]) -> None:
        with atomic_path(path) as tmp:
            out = av.open(tmp, mode="w", format=container_format, options=container_options)
            try:
                if metadata:
                    out.metadata.update(metadata)
                stream = out.add_stream(codec, rate=fps)
                stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
                cc = stream.codec_context
                cc.colorspace, cc.color_primaries, cc.color_trc, cc.color_range = (
                    1,
                    1,
                    1,
                    1,
                )  # BT.709, limited
                stream.options = options
                for rgb in frames:
                    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
                    frame = frame.reformat(format=pix_fmt, dst_colorspace="ITU709", dst_color_range="MPEG")
                    for packet in stream.encode(frame):
                        out.mux(packet)
                for packet in stream.encode():
                    out.mux(packet)
            finally:
                out.close()

    return Encoder(consume, "nb-render video")


def check_video_size(width: int, height: int, chroma: str) -> None:
    if chroma not in CHROMA:
        raise ParameterError(f"unknown chroma sampling {chroma!r}; choose {' or '.join(CHROMA)}")
    if chroma == "420" and (width % 2 or height % 2):
        raise ParameterError(
            f"4:2:0 video needs an even width and height (got {width}x{height}); "
            f"use --size {width + width % 2}x{height + height % 2} or 4:4:4"
        )
    if math.prod((width, height)) > 8192 * 4352:  # H.264's largest level; VP9's is similar
        raise ParameterError(f"{width}x{height} is larger than video encoders accept (8192x4352)")
