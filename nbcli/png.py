"""PNG files: a streaming, multi-threaded writer and a careful metadata reader.

Why not Pillow: its PNG encoder needs the whole image in memory, runs on one
core (it was half the wall time of a 4096x4096 render) and cannot write 16-bit
RGB. This writer takes the image in bands of rows, filters them into fixed
groups of rows and compresses the groups on all cores with ISA-L (``isal``,
several times faster than zlib at a similar size once the rows are filtered;
Python's own zlib can be chosen instead), which releases the GIL. The groups
are joined into one zlib stream the way pigz does: each group is a run of raw
deflate blocks ended by a sync flush, the last one by the final block, and the
Adler-32 checksums of the groups are combined. The groups do not depend on the
number of threads or the band sizes, so the same image always gives the same
bytes with the same compressor (library, version, level and filter: see
``Deflate``, which nb-render records in every PNG it writes).

The reader only walks the chunk list up to the image data, checking lengths
and CRCs, and returns the text chunks: metadata of files given to
``--from`` is untrusted input.
"""

from __future__ import annotations

import os
import struct
import time
import zlib
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO

import numpy as np

from .compression import FILTERS, Deflate, default_deflate
from .errors import InputFileError, ParameterError
from .infile import open_regular
from .outfile import PathLike, atomic_output

SIGNATURE = b"\x89PNG\r\n\x1a\n"
GROUP_BYTES = 1 << 20  # uncompressed bytes per independently compressed group of rows
MAX_TEXT = 1 << 20  # the reader's limit for one text chunk (bytes, also after decompression)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))


def _text_chunk(key: str, value: str) -> bytes:
    k = key.encode("latin-1")
    if not 1 <= len(k) <= 79:
        raise ParameterError(f"PNG text keyword {key!r} must have 1 to 79 characters")
    try:
        return _chunk(b"tEXt", k + b"\0" + value.encode("latin-1"))
    except UnicodeEncodeError:  # international text: iTXt, uncompressed UTF-8
        return _chunk(b"iTXt", k + b"\0\0\0\0\0" + value.encode("utf-8"))


def adler32_combine(a1: int, a2: int, len2: int) -> int:
    """The Adler-32 of A + B from adler32(A), adler32(B) and len(B) (zlib's adler32_combine)."""
    base = 65521
    rem = len2 % base
    s1 = a1 & 0xFFFF
    s2 = (rem * s1) % base
    s1 += (a2 & 0xFFFF) + base - 1
    s2 += (a1 >> 16) + (a2 >> 16) + base - rem
    if s1 >= base:
        s1 -= base
    if s1 >= base:
        s1 -= base
    if s2 >= 2 * base:
        s2 -= 2 * base
    if s2 >= base:
        s2 -= base
    return s1 | (s2 << 16)


def _filter(rows: np.ndarray, above: np.ndarray | None, kind: str, out: np.ndarray) -> None:
    """PNG scanlines of ``rows`` (n, row bytes) into ``out`` (n, 1 + row bytes): the filter type
    byte, then the row filtered; ``above`` is the row before the first (None at the top)."""
    out[:, 0] = FILTERS[kind]
    if kind == "none":
        out[:, 1:] = rows
        return
    if above is None:  # the first row of the image: the row above counts as zeros
        out[0, 1:] = rows[0]
    else:
        np.subtract(rows[0], above, out=out[0, 1:])  # modulo 256, as the filter is defined
    np.subtract(rows[1:], rows[:-1], out=out[1:, 1:])


def _compress(scanlines: np.ndarray, deflate: Deflate, last: bool) -> tuple[bytes, int, int, float]:
    """One group: (raw deflate blocks, Adler-32 of the scanlines, their length, CPU seconds)."""
    t0 = time.thread_time()
    mod = deflate.module()
    c = mod.compressobj(deflate.level, zlib.DEFLATED, -15)
    body = c.compress(scanlines) + c.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
    adler = (mod if deflate.library == "isal" else zlib).adler32(scanlines)  # the same value, isal's faster
    return body, adler, scanlines.nbytes, time.thread_time() - t0


class PngWriter:
    """Writes an RGB PNG (8 or 16 bits per channel) given in bands of rows, in order.

    >>> with atomic_output("out.png") as f:                       # doctest: +SKIP
    ...     w = PngWriter(f, width, height, depth=8, text={"Software": "nb-render"})
    ...     for band in bands:            # (rows, width, 3) uint8 arrays, top to bottom
    ...         w.write(band)
    ...     w.close()

    The rows are filtered into the writer's own buffers as they are written, so the
    caller may reuse its arrays. ``seconds`` holds the CPU seconds spent filtering and
    compressing (summed over the threads) and the seconds spent writing to the file.
    """

    def __init__(
        self,
        fp: IO[bytes],
        width: int,
        height: int,
        *,
        depth: int = 8,
        text: dict[str, str] | None = None,
        threads: int = 1,
        deflate: Deflate | None = None,
    ) -> None:
        if depth not in (8, 16):
            raise ParameterError(f"depth must be 8 or 16 (got {depth})")
        if not (1 <= width <= 2**31 - 1 and 1 <= height <= 2**31 - 1):
            raise ParameterError(
                f"a PNG's width and height must be between 1 and 2^31-1 (got {width}x{height})"
            )
        self.deflate = deflate if deflate is not None else default_deflate()
        self.deflate.module()  # ImportError now, not in a compressor thread
        self.fp = fp
        self.width, self.height, self.depth = width, height, depth
        self.dtype = np.uint8 if depth == 8 else np.uint16
        self.row_bytes = width * 3 * depth // 8
        self.group_rows = max(1, GROUP_BYTES // (1 + self.row_bytes))
        self.rows_done = 0  # rows handed to the compressor
        self.group: np.ndarray | None = None  # scanlines of the group being filled
        self.filled = 0  # its rows so far
        self.above: np.ndarray | None = None  # the last row written (for the Up filter)
        self.spare: list[np.ndarray] = []  # group buffers to reuse (fresh memory costs page faults)
        self.threads = max(1, threads)
        self.pool = ThreadPoolExecutor(self.threads) if self.threads > 1 else None
        self.pool_started = False  # whether the pool has started a thread
        self.serial = False  # the system started none: compress on the calling thread
        self.inflight: deque[tuple[Future[tuple[bytes, int, int, float]], np.ndarray]] = deque()
        self.adler = 1
        self.started = False
        self.closed = False
        self.seconds = {"compression": 0.0, "writing": 0.0}
        head = SIGNATURE + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, 2, 0, 0, 0))
        for k, v in (text or {}).items():
            head += _text_chunk(k, v)
        self._out(head)

    def write(self, rows: np.ndarray) -> None:
        """Append rows: an (n, width, 3) array of the writer's depth (uint8 or uint16)."""
        if self.closed:
            raise ParameterError("the PNG is already complete")
        if rows.ndim != 3 or rows.shape[1:] != (self.width, 3) or rows.dtype != self.dtype:
            raise ParameterError(
                f"expected (n, {self.width}, 3) {np.dtype(self.dtype).name} rows, got {rows.shape} {rows.dtype}"
            )
        n = rows.shape[0]
        if self.rows_done + self.filled + n > self.height:
            raise ParameterError("more rows than the image height")
        if n == 0:
            return
        t0 = time.thread_time()
        if self.depth == 16:
            rows = rows.astype(">u2", copy=False)  # PNG's samples are big-endian
        data = rows.reshape(n, -1).view(np.uint8)
        start = 0
        while start < n:
            if self.group is None:
                self.group = (
                    self.spare.pop()
                    if self.spare
                    else np.empty((self.group_rows, 1 + self.row_bytes), np.uint8)
                )
            take = min(self.group_rows - self.filled, n - start)
            part = data[start : start + take]
            _filter(part, self.above, self.deflate.filter, self.group[self.filled : self.filled + take])
            self.above = part[-1]
            self.filled += take
            start += take
            if self.filled == self.group_rows:
                self._submit()
        self.above = np.array(self.above)  # the caller may reuse its array
        self.seconds["compression"] += time.thread_time() - t0

    def _submit(self) -> None:
        assert self.group is not None
        group, scanlines = self.group, self.group[: self.filled]
        self.group = None
        last = self.rows_done + self.filled == self.height
        self.rows_done += self.filled
        self.filled = 0
        if self.pool is None:
            self._emit(_compress(scanlines, self.deflate, last))
            self.spare.append(group)
            return
        self.inflight.append((self._start(scanlines, last), group))
        while len(self.inflight) > 2 * self.threads:  # bounded memory: wait for the oldest group
            self._emit_oldest()

    def _start(self, scanlines: np.ndarray, last: bool) -> Future[tuple[bytes, int, int, float]]:
        """``_compress`` in a pool thread. If the system cannot start another thread (a limit on
        threads or memory), the group waits for one of the threads that did start; if none did,
        it is compressed here, and so is every group after it."""
        assert self.pool is not None
        future: Future[tuple[bytes, int, int, float]] = Future()  # ours: the pool's may be lost
        deflate = self.deflate

        def job() -> None:
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(_compress(scanlines, deflate, last))
                except BaseException as e:  # noqa: BLE001 (passed on to whoever waits for it)
                    future.set_exception(e)

        if not self.serial:
            try:
                self.pool.submit(job)
                self.pool_started = True
                return future
            except RuntimeError:  # "can't start new thread"; the job is queued all the same
                if self.pool_started:  # and a thread that did start will run it
                    return future
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.serial = True
        job()
        return future

    def _emit_oldest(self) -> None:
        future, group = self.inflight.popleft()
        self._emit(future.result())
        self.spare.append(group)

    def _emit(self, part: tuple[bytes, int, int, float]) -> None:
        body, adler, length, seconds = part
        self.seconds["compression"] += seconds
        if not self.started:
            body = b"\x78\x01" + body  # zlib header: deflate, 32K window (FCHECK makes it a multiple of 31)
            self.started = True
        self.adler = adler32_combine(self.adler, adler, length)
        if self.rows_done == self.height and not self.inflight:
            body += struct.pack(">I", self.adler)
        if body:
            self._out(_chunk(b"IDAT", body))

    def _out(self, data: bytes) -> None:
        t0 = time.perf_counter()
        self.fp.write(data)
        self.seconds["writing"] += time.perf_counter() - t0

    def close(self) -> None:
        """Finish the image (all rows must have been written)."""
        if self.closed:
            return
        if self.filled:
            self._submit()
        while self.inflight:
            self._emit_oldest()
        if self.rows_done != self.height:
            raise ParameterError(f"the PNG needs {self.height} rows but got {self.rows_done}")
        self._out(_chunk(b"IEND", b""))
        self.closed = True
        self.abort()

    def abort(self) -> None:
        """Stop the compressor threads (after an error or when done)."""
        if self.pool is not None:
            for f, _ in self.inflight:
                f.cancel()
            self.pool.shutdown(wait=True)
            self.pool = None
            self.inflight.clear()


def stream_png(
    fp: IO[bytes],
    bands: Iterable[np.ndarray],
    width: int,
    height: int,
    depth: int = 8,
    text: dict[str, str] | None = None,
    threads: int = 1,
    deflate: Deflate | None = None,
) -> dict[str, float]:
    """Write a PNG whose rows come in ``bands``, in order (see ``PngWriter``); returns the
    writer's ``seconds``."""
    writer = PngWriter(fp, width, height, depth=depth, text=text, threads=threads, deflate=deflate)
    try:
        for band in bands:
            writer.write(band)
        writer.close()
    finally:
        writer.abort()
    return writer.seconds


def encode_png(
    rgb: np.ndarray,
    text: dict[str, str] | None = None,
    *,
    threads: int = 1,
    deflate: Deflate | None = None,
) -> bytes:
    """A whole (height, width, 3) uint8 or uint16 image as PNG bytes."""
    import io

    buf = io.BytesIO()
    write_png(buf, rgb, text, threads=threads, deflate=deflate)
    return buf.getvalue()


def write_png(
    dest: PathLike | IO[bytes],
    rgb: np.ndarray,
    text: dict[str, str] | None = None,
    *,
    threads: int = 1,
    deflate: Deflate | None = None,
) -> None:
    """Write a whole image to a path (atomically; '-' is standard output) or a binary file."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype not in (np.uint8, np.uint16):
        raise ParameterError(
            f"expected a (height, width, 3) uint8 or uint16 image, got {rgb.shape} {rgb.dtype}"
        )
    depth = 8 if rgb.dtype == np.uint8 else 16
    h, w = rgb.shape[:2]

    def emit(f: IO[bytes]) -> None:
        writer = PngWriter(f, w, h, depth=depth, text=text, threads=threads, deflate=deflate)
        try:
            writer.write(rgb)
            writer.close()
        finally:
            writer.abort()

    if hasattr(dest, "write"):
        emit(dest)  # type: ignore[arg-type]
    else:
        with atomic_output(dest) as f:
            emit(f)


def read_png_text(path: PathLike, *, max_file: int = 1 << 34) -> dict[str, str]:
    """The text chunks (tEXt, zTXt, iTXt) that come before a PNG's image data.

    Treats the file as untrusted: checks the signature, every chunk's length
    and CRC, and limits each text to ``MAX_TEXT`` bytes (also when compressed).
    Raises ValueError with a one-line reason for anything that is not a sound PNG.
    """
    p = os.fspath(path)
    out: dict[str, str] = {}
    with open_regular(p, "PNG file", max_size=max_file) as f:
        if f.read(8) != SIGNATURE:
            raise InputFileError(f"{p} is not a PNG file")
        seen_ihdr = False
        while True:
            head = f.read(8)
            if len(head) < 8:
                raise InputFileError(f"{p} is truncated (no image data)")
            length, kind = struct.unpack(">I4s", head)
            if length > 2**31 - 1 or not kind.isalpha():
                raise InputFileError(f"{p} is corrupt (bad chunk header)")
            if not seen_ihdr and kind != b"IHDR":
                raise InputFileError(f"{p} is corrupt (IHDR missing)")
            seen_ihdr = True
            if kind in (b"IDAT", b"IEND"):
                return out
            if kind not in (b"tEXt", b"zTXt", b"iTXt"):
                if length > (1 << 26):
                    raise InputFileError(f"{p} is corrupt (chunk of {length} bytes)")
                data = f.read(length)
            elif length > MAX_TEXT:
                raise InputFileError(f"{p}: a text chunk of {length} bytes is larger than nb-render accepts")
            else:
                data = f.read(length)
            crc = f.read(4)
            if len(data) < length or len(crc) < 4:
                raise InputFileError(f"{p} is truncated")
            if struct.unpack(">I", crc)[0] != zlib.crc32(data, zlib.crc32(kind)):
                raise InputFileError(f"{p} is corrupt (CRC mismatch in a {kind.decode('ascii')} chunk)")
            if kind in (b"tEXt", b"zTXt", b"iTXt"):
                key, text = _decode_text(kind, data, p)
                out[key] = text


def _inflate_limited(data: bytes, p: str) -> bytes:
    d = zlib.decompressobj()
    try:
        raw = d.decompress(data, MAX_TEXT + 1)
    except zlib.error:
        raise InputFileError(f"{p} is corrupt (bad compressed text)") from None
    if len(raw) > MAX_TEXT or d.unconsumed_tail:
        raise InputFileError(f"{p}: a compressed text chunk expands beyond what nb-render accepts")
    return raw


def _decode_text(kind: bytes, data: bytes, p: str) -> tuple[str, str]:
    key, sep, rest = data.partition(b"\0")
    if not sep or not 1 <= len(key) <= 79:
        raise InputFileError(f"{p} is corrupt (bad text chunk)")
    try:
        if kind == b"tEXt":
            return key.decode("latin-1"), rest.decode("latin-1")
        if kind == b"zTXt":
            if not rest or rest[0] != 0:
                raise InputFileError(f"{p} is corrupt (bad zTXt chunk)")
            return key.decode("latin-1"), _inflate_limited(rest[1:], p).decode("latin-1")
        if len(rest) < 2:
            raise InputFileError(f"{p} is corrupt (bad iTXt chunk)")
        compressed, method = rest[0], rest[1]
        _lang, s1, tail = rest[2:].partition(b"\0")
        _tkey, s2, body = tail.partition(b"\0")
        if not (s1 and s2) or method != 0 or compressed not in (0, 1):
            raise InputFileError(f"{p} is corrupt (bad iTXt chunk)")
        if compressed:
            body = _inflate_limited(body, p)
        return key.decode("latin-1"), body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputFileError(f"{p} is corrupt (text chunk is not valid UTF-8)") from None
