"""Animations and batches, measured (docs/benchmarks.md#animations).

    python benchmarks/animation.py             # everything: about 10 minutes on 2 cores
    python benchmarks/animation.py --quick     # smaller and shorter: about 2 minutes
    python benchmarks/animation.py --only batch,zoom,morph,chroma

- batch:  200 stills of 256x256 (z^3 + c, c around the unit circle): one ``--batch``
          call against a shell loop of 200 ``nb-render`` calls, timed side by side.
- zoom:   a 10 s 1920x1080 zoom at 30 fps (300 frames) of z^6 + 1 into a basin border,
          to MP4, end to end with the installed command (frames/s, peak RSS against a
          single frame's render); then the same frames in this process, each split
          into kernel, colouring and encoding.
- morph:  a 1280x720 morph to an animated WebP, end to end.
- chroma: the zoom's frames as H.264 in 4:4:4 and in 4:2:0 at the same file size:
          PSNR against the rendered frames, over the whole picture and at basin borders.

Needs the ``video`` extra (PyAV). Prints one line per measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import cpu_name  # the main suite's helper

import nbcli
from nbcli import _native
from nbcli.animation import Animation
from nbcli.api import job
from nbcli.scene import Scene, Viewport
from nbcli.sequence import video_encoder

Z6 = "1,0,0,0,0,0,1"
TARGET = "0.3+0.5196152j"  # a basin border of z^6 + 1 (on the ray at 60 degrees, between two roots)
MORPH = ["-r", "0.866-0.5j,-0.866+0.5j,-1j", "--to-roots", "0.866+0.5j,-0.866-0.5j,1j", "--width", "3.2"]


def script() -> str:
    found = Path(sys.executable).parent / "nb-render"
    return str(found) if found.exists() else (shutil.which("nb-render") or "nb-render")


def say(line: str) -> None:
    print(line, flush=True)


# One command's wall time, peak RSS and CPU time, measured from a small process of its own (a
# child's ru_maxrss includes the memory of the process it was forked from, up to its exec).
_RUN_ONE = """
import json, os, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - t0
print(json.dumps({"wall": wall, "max_rss_kb": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime,
                  "code": os.waitstatus_to_exitcode(status)}))
"""


def run_child(cmd: list[str]) -> dict[str, float]:
    """Wall time, CPU time (user + system) and peak resident memory of one command."""
    out = subprocess.run([sys.executable, "-c", _RUN_ONE, *cmd], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout)
    if r["code"] != 0:
        raise subprocess.CalledProcessError(r["code"], cmd)
    return {"wall": r["wall"], "cpu": r["cpu"], "max_rss_mb": r["max_rss_kb"] / 1024}


# ---- batch ----------------------------------------------------------------------------------


def batch(n: int, work: Path) -> dict[str, Any]:
    """One --batch call against a shell loop of n calls, alternating, best of two each."""
    lines = []
    for i in range(n):
        c = np.exp(2j * np.pi * i / n)
        lines.append(f"-c '1,0,0,{c.real:.6f}{c.imag:+.6f}j' -s 256 -q s{i:03d}.png")
    (work / "jobs.txt").write_text("\n".join(lines) + "\n")
    loop = f'while IFS= read -r line; do eval "{script()}" "$line" || exit 1; done < jobs.txt'
    times: dict[str, list[float]] = {"batch": [], "loop": []}
    for _ in range(2):
        for name, cmd in (("batch", [script(), "--batch", "jobs.txt"]), ("loop", ["bash", "-c", loop])):
            t0 = time.perf_counter()
            subprocess.run(cmd, cwd=work, check=True)
            times[name].append(time.perf_counter() - t0)
            assert len(list(work.glob("s*.png"))) == n
            for p in work.glob("s*.png"):
                p.unlink()
    b, s = min(times["batch"]), min(times["loop"])
    say(
        f"batch: {n} stills 256x256: --batch {b:.2f} s ({n / b:.0f}/s), shell loop {s:.2f} s ({n / s:.1f}/s): {s / b:.1f}x"
    )
    return {"stills": n, "batch_s": b, "loop_s": s, "ratio": s / b}


# ---- zoom -----------------------------------------------------------------------------------


def zoom_args(size: str, frames: int) -> list[str]:
    return ["-c", Z6, "-s", size, "--center", "0", "--width", "4", "--zoom-to", TARGET, "--zoom-width", "0.004",
            "--frames", str(frames), "--fps", "30"]  # fmt: skip


def zoom(size: str, seconds: float, work: Path) -> dict[str, Any]:
    w, h = (int(v) for v in size.split("x"))
    frames = round(seconds * 30)
    load = os.getloadavg()[0]
    run = run_child([script(), *zoom_args(size, frames), str(work / "zoom.mp4")])
    fps = frames / run["wall"]
    cpu = run["cpu"] / frames
    say(
        f"zoom: {frames} frames {size} to MP4 end to end: {run['wall']:.1f} s, {fps:.1f} frames/s "
        f"(load average {load:.1f} at the start); {1000 * cpu:.0f} ms of CPU per frame, so "
        f"{_native.default_threads() / cpu:.1f} frames/s with {_native.default_threads()} cores to itself"
    )
    one = run_child([script(), *zoom_args(size, 1), str(work / "one.mp4")])
    still = run_child(
        [script(), "-c", Z6, "-s", size, "--center", "0", "--width", "4", str(work / "one.png")]
    )
    say(
        f"zoom: peak RSS {run['max_rss_mb']:.0f} MB; the same command for 1 frame {one['max_rss_mb']:.0f} MB "
        f"({run['max_rss_mb'] / one['max_rss_mb']:.2f}x); a single frame's render to PNG "
        f"{still['max_rss_mb']:.0f} MB ({run['max_rss_mb'] / still['max_rss_mb']:.2f}x)"
    )
    split = zoom_split(w, h, seconds, work)
    return {"frames": frames, "size": size, "wall_s": run["wall"], "fps": fps, "cpu_ms": 1000 * cpu,
            "load": load, "rss_mb": run["max_rss_mb"], "one_frame_rss_mb": one["max_rss_mb"],
            "still_rss_mb": still["max_rss_mb"], **split}  # fmt: skip


def zoom_animation(w: int, h: int, seconds: float) -> Animation:
    start = Scene.create(coefs=[1, 0, 0, 0, 0, 0, 1], size=(w, h), center=0, span=4)
    end = start.with_options(viewport=Viewport.centered(complex(TARGET), 0.004, 0.004 * h / w))
    return Animation.between(start, end, duration=seconds, fps=30)


def zoom_split(w: int, h: int, seconds: float, work: Path) -> dict[str, Any]:
    """The same zoom in this process, every 5th frame: time per frame in the kernel, in colouring,
    in encoding (each alone, one after the other)."""
    anim = zoom_animation(w, h, seconds)
    sample = range(0, len(anim), 5)
    n = len(sample)
    threads = _native.default_threads()
    kernel = colour = 0.0
    frames = []
    for k in sample:
        scene, style = anim.frame(k)
        roots = scene.canonical_roots()
        work_job = job(scene, style, roots)
        t0 = time.perf_counter()
        out, _ = _native.iterate(
            work_job.problem, work_job.xs, work_job.ys, threads=threads, data=True, smooth=True
        )
        t1 = time.perf_counter()
        pal = work_job.colouring.palette
        rgb = _native.colorize(out["root"], out["iterations"], pal, out["smooth"])
        if work_job.colouring.finishing:
            rgb = work_job.colouring.finish(rgb, out["root"], None, 0)
        t2 = time.perf_counter()
        kernel += t1 - t0
        colour += t2 - t1
        frames.append(rgb)
    enc = video_encoder(str(work / "split.mp4"), w, h, anim.fps)
    t0 = time.perf_counter()
    for rgb in frames:
        enc.put(rgb)
    enc.close()
    encode = enc.seconds / len(frames)
    per = {"kernel_ms": 1000 * kernel / n, "colour_ms": 1000 * colour / n, "encode_ms": 1000 * encode}
    say(
        f"zoom: per frame (every 5th, each stage alone) {per['kernel_ms']:.0f} ms kernel, "
        f"{per['colour_ms']:.0f} ms colouring, {per['encode_ms']:.0f} ms encoding (H.264 4:4:4, in the "
        "encoder's thread)"
    )
    return per


# ---- morph ----------------------------------------------------------------------------------


def morph(size: str, seconds: float, work: Path) -> dict[str, Any]:
    frames = round(seconds * 30)
    run = run_child([script(), *MORPH, "-s", size, "--duration", f"{seconds}s", str(work / "morph.webp")])
    fps = frames / run["wall"]
    say(f"morph: {1000 * run['cpu'] / frames:.0f} ms of CPU per frame")
    mb = (work / "morph.webp").stat().st_size / 1e6
    say(f"morph: {frames} frames {size} to animated WebP: {run['wall']:.1f} s, {fps:.1f} frames/s, {mb:.1f} MB, "
        f"peak RSS {run['max_rss_mb']:.0f} MB")  # fmt: skip
    return {"frames": frames, "size": size, "wall_s": run["wall"], "fps": fps, "rss_mb": run["max_rss_mb"]}


# ---- chroma ---------------------------------------------------------------------------------


def _psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> float:
    d = (a.astype(np.float64) - b) ** 2
    err = d[mask].mean() if mask is not None else d.mean()
    return float(10 * np.log10(255**2 / max(err, 1e-12)))


def _encode(
    frames: list[np.ndarray], path: Path, fps: Any, chroma: str, crf: int
) -> tuple[int, list[np.ndarray]]:
    import av

    h, w = frames[0].shape[:2]
    enc = video_encoder(str(path), w, h, fps, chroma=chroma, crf=crf)
    for f in frames:
        enc.put(f)
    enc.close()
    with av.open(str(path)) as f:
        decoded = [fr.to_ndarray(format="rgb24") for fr in f.decode(video=0)]
    return path.stat().st_size, decoded


def chroma(w: int, h: int, seconds: float, work: Path) -> dict[str, Any]:
    """4:4:4 against 4:2:0 at the same file size (4:4:4's CRF raised until it is no larger)."""
    anim = zoom_animation(w, h, seconds)
    renders = [anim.render(k, keep_data=True) for k in range(len(anim))]
    frames = [r.rgb for r in renders]
    borders = []
    for r in renders:  # pixels next to a basin border, where the colours change sharply
        root = r.root
        assert root is not None
        edge = np.zeros(root.shape, bool)
        edge[:, 1:] |= root[:, 1:] != root[:, :-1]
        edge[1:] |= root[1:] != root[:-1]
        borders.append(edge)
    size420, dec420 = _encode(frames, work / "c420.mp4", anim.fps, "420", 20)
    rows = []
    for crf in range(20, 40):
        size444, dec444 = _encode(frames, work / "c444.mp4", anim.fps, "444", crf)
        rows.append((crf, size444, dec444))
        if size444 <= size420:
            break
    crf, size444, dec444 = rows[-1]
    q = {}
    for name, dec in (("420", dec420), ("444", dec444)):
        q[name] = (
            float(np.mean([_psnr(d, f) for d, f in zip(dec, frames, strict=True)])),
            float(np.mean([_psnr(d, f, m) for d, f, m in zip(dec, frames, borders, strict=True)])),
        )
    size444_same = rows[0][1]
    say(
        f"chroma: {len(frames)} frames {w}x{h}: 4:2:0 CRF 20 {size420 / 1e3:.0f} kB, PSNR {q['420'][0]:.1f} dB "
        f"(at borders {q['420'][1]:.1f}); 4:4:4 CRF {crf} {size444 / 1e3:.0f} kB, PSNR {q['444'][0]:.1f} dB "
        f"(at borders {q['444'][1]:.1f}); 4:4:4 at CRF 20 is {size444_same / size420:.2f}x the size"
    )
    return {"frames": len(frames), "size": f"{w}x{h}", "kb_420": size420 / 1e3, "psnr_420": q["420"][0],
            "border_420": q["420"][1], "crf_444": crf, "kb_444": size444 / 1e3, "psnr_444": q["444"][0],
            "border_444": q["444"][1], "same_crf_ratio": size444_same / size420}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller and shorter")
    ap.add_argument("--only", default="batch,zoom,morph,chroma", help="sections, comma-separated")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args(argv)
    only = set(args.only.split(","))
    say(f"nb-render {nbcli.__version__}, kernel {nbcli.selected_kernel()}, {_native.default_threads()} threads, "
        f"{cpu_name()}")  # fmt: skip
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if "batch" in only:
            results["batch"] = batch(50 if args.quick else 200, work)
        if "zoom" in only:
            results["zoom"] = zoom("960x540" if args.quick else "1920x1080", 2 if args.quick else 10, work)
        if "morph" in only:
            results["morph"] = morph("640x360" if args.quick else "1280x720", 2 if args.quick else 4, work)
        if "chroma" in only:
            results["chroma"] = chroma(640, 360, 1 if args.quick else 2, work)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
