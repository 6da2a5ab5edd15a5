"""Animations from the command line: outputs chosen by name, --from on a frame, resume, keyframe
files and their mistakes, a missing PyAV, Ctrl-C and SIGTERM, the progress bar over frames."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest
from conftest import OUTSIDE, default_signals, run_cli, run_on_a_terminal, script, wait_for
from PIL import Image

av = pytest.importorskip("av")

ZOOM = ["-c", "1,0,0,0,0,0,1", "-s", "48x32", "--zoom-to", "0.5+0.3j", "--zoom-width", "0.05"]
# two roots turning across the positive real axis: they swap their order by angle
SWAP = ["-r", "0.866-0.5j,-0.866+0.5j", "--to-roots", "0.866+0.5j,-0.866-0.5j", "-s", "40", "--width", "3"]


def _files(folder):
    return sorted(p.name for p in folder.rglob("*"))


def test_zoom_to_video_and_animated_images(tmp_path):
    for name in ("z.mp4", "z.webm", "z.gif", "z.webp", "z.apng"):
        res = run_cli(*ZOOM, "--frames", "6", str(tmp_path / name))
        assert res.returncode == 0, res.stderr
        assert res.stderr == b""  # silent in a pipe
    with av.open(str(tmp_path / "z.mp4")) as f:
        assert sum(1 for _ in f.decode(video=0)) == 6
        assert f.streams.video[0].codec_context.pix_fmt == "yuv444p"
    with Image.open(tmp_path / "z.webp") as im:
        assert im.n_frames == 6
    res = run_cli(*ZOOM, "--duration", "0.5s", "--fps", "12", "--chroma", "420", str(tmp_path / "d.mp4"))
    assert res.returncode == 0, res.stderr
    with av.open(str(tmp_path / "d.mp4")) as f:
        s = f.streams.video[0]
        assert s.average_rate == 12 and s.codec_context.pix_fmt == "yuv420p"
        assert sum(1 for _ in f.decode(s)) == 6


def test_frames_keep_their_colours_and_render_again_exactly_from_from(tmp_path):
    frames = tmp_path / "frames"
    res = run_cli(*SWAP, "--frames", "8", "--shading", "flat", str(frames) + "/")
    assert res.returncode == 0, res.stderr
    assert _files(frames) == [f"{k:05d}.png" for k in range(8)]
    with Image.open(frames / "00007.png") as im:
        params = json.loads(im.text["nb-render"])
    assert params["style"]["color_index"] == [1, 0]  # the roots swapped order; their colours did not
    for k in (0, 3, 7):
        again = tmp_path / f"again{k}.png"
        res = run_cli("--from", str(frames / f"{k:05d}.png"), str(again))
        assert res.returncode == 0, res.stderr
        assert again.read_bytes() == (frames / f"{k:05d}.png").read_bytes()
    # a new polynomial from a frame gets the colours of a still again
    res = run_cli("--from", str(frames / "00007.png"), "-c", "1,0,-1", str(tmp_path / "new.png"))
    assert res.returncode == 0, res.stderr
    with Image.open(tmp_path / "new.png") as im:
        assert "color_index" not in json.loads(im.text["nb-render"])["style"]


def test_a_frame_folder_resumes_and_says_how_many_frames_it_kept(tmp_path):
    frames = tmp_path / "f"
    args = [*ZOOM, "--frames", "5", str(frames / "%03d.png")]
    assert run_cli(*args).returncode == 0
    assert _files(frames) == ["000.png", "001.png", "002.png", "003.png", "004.png"]
    os.remove(frames / "002.png")
    res = run_cli(*args)
    assert res.returncode == 0, res.stderr
    assert (
        res.stderr.decode().strip()
        == f"nb-render: {frames}/%03d.png: kept 4 frames already rendered, rendered 1"
    )
    res = run_cli("-q", *args)
    assert res.returncode == 0 and res.stderr == b""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-c", "1,0,-1", "-s", "16"], "holds an animation"),  # .mp4 without animation options
        ([*ZOOM, "--frames", "3"], "holds one picture"),  # animation options, still output
        (["-c", "1,0,-1", "--frames", "3"], "say what moves"),
        ([*ZOOM, "--frames", "0"], "--frames"),
        ([*ZOOM, "--duration", "soon"], "--duration"),
        ([*ZOOM, "--fps", "fast"], "frames per second"),
        ([*ZOOM, "--easing", "bouncy"], "easing"),
        ([*ZOOM, "--chroma", "422"], "--chroma"),
        ([*ZOOM, "--to-relax", "0.5"], "--method relaxed"),
        ([*ZOOM, "--to-coefs", "1,x"], "cannot read coefficient"),
        ([*ZOOM, "--zoom-width", "-1"], "width"),
        (["-c", "1,0,-1", "-s", "33x24", "--zoom-to", "1", "--chroma", "420"], "even width"),
        ([*ZOOM, "--keep-frames", "k/"], "--keep-frames"),
    ],
)
def test_bad_animation_requests_fail_in_one_line_before_writing(tmp_path, args, message):
    out = "out.png" if "holds one picture" in message else "out.mp4"
    if message == "--keep-frames":
        out = "frames/"
    res = run_cli(*args, out, cwd=str(tmp_path))
    err = res.stderr.decode()
    assert res.returncode == 2, err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert _files(tmp_path) == []


def test_without_pyav_video_is_a_one_line_error_naming_the_extra(tmp_path):
    blocker = tmp_path / "block" / "av"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('PyAV is not installed here')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "block")}
    out = tmp_path / "out"
    out.mkdir()
    res = run_cli(*ZOOM, "--frames", "3", str(out / "z.mp4"), env=env)
    err = res.stderr.decode()
    assert res.returncode == 2, err
    assert err.count("\n") == 1 and "pip install 'nb-render[video]'" in err
    assert _files(out) == []
    assert (
        run_cli(*ZOOM, "--frames", "3", str(out / "z.gif"), env=env).returncode == 0
    )  # Pillow needs no PyAV


GOOD_KEYFRAMES = """\
fps = 8
size = "40x30"

[[keyframe]]
time = 0
coefs = [1, 0, 0, -1]
center = 0
width = 4

[[keyframe]]
time = "0.5s"
center = "0.3+0.2j"
width = 0.5
itmax = 80

[[keyframe]]
frame = 8
coefs = "1,0,0,0,-1"
palette = "okabe-ito"
easing = "linear"
"""


def test_keyframe_file(tmp_path):
    kf = tmp_path / "tour.toml"
    kf.write_text(GOOD_KEYFRAMES)
    res = run_cli("--keyframes", str(kf), str(tmp_path / "frames") + "/")
    assert res.returncode == 0, res.stderr
    names = _files(tmp_path / "frames")
    assert len(names) == 8  # 1 s at 8 fps: the last keyframe's time
    params = [json.loads(Image.open(tmp_path / "frames" / n).text["nb-render"]) for n in names]
    assert params[0]["polynomial"] == "z^3 - 1" and params[-1]["polynomial"] == "z^4 - 1"
    assert params[0]["size"] == [40, 30]
    assert [p["style"]["palette"] for p in params] == ["default"] * 7 + ["okabe-ito"]
    widths = [p["viewport"]["xmax"] - p["viewport"]["xmin"] for p in params]
    assert widths[0] == pytest.approx(4) and min(widths) == pytest.approx(0.5, rel=0.05)
    # the command line wins over the file, and its options set what the file does not
    res = run_cli(
        "--keyframes", str(kf), "--fps", "4", "-s", "20x16", "--shading", "flat", str(tmp_path / "b") + "/"
    )
    assert res.returncode == 0, res.stderr
    names = _files(tmp_path / "b")
    assert len(names) == 4
    p = json.loads(Image.open(tmp_path / "b" / names[-1]).text["nb-render"])
    assert p["size"] == [20, 16] and p["style"]["shading"] == "flat"


BAD_KEYFRAMES = [
    (
        "[[keyframe]]\ntime = 0\ncoefs = '1,0,-1'\n[[keyframe]]\ntime = 1\nzoom = 3\n",
        "line 6",
        "unknown key 'zoom'",
    ),
    ("[[keyframe]]\ntime = 0\ncoefs = '1,0,-1'\n[[keyframe]]\ntime = 1\nitmax = 'many'\n", "line 6", "itmax"),
    (
        "[[keyframe]]\ntime = 0\ncoefs = '1,0,-1'\n[[keyframe]]\ntime = 1\nmark-roots = 1\n",
        "line 6",
        "true or false",
    ),
    ("[[keyframe]]\ntime = 2\ncoefs = '1,0,-1'\n[[keyframe]]\ntime = 1\n", "line 5", "times must increase"),
    (
        "[[keyframe]]\ntime = 0\ncoefs = '1,0,-1'\n[[keyframe]]\ntime = 1\ncenter = '1+x'\n",
        "line 6",
        "center",
    ),
    (
        "[[keyframe]]\ntime = 0\ncoefs = '1,0,-1'\n[[keyframe]]\ntime = 1\npalette = 'nope'\n",
        "line 6",
        "palette",
    ),
    ("[[keyframe]]\ntime = 0\ncoefs = '1,0,-1'\n\n[[keyframe]]\ncenter = 1\n", "line 5", "no time"),
    ("[[keyframe]\ntime = 0\n", "line 1", "not valid TOML"),
    ("fps = 10\nspeed = 2\n[[keyframe]]\ntime = 0\n", "line 2", "unknown setting 'speed'"),
    (
        "fps = 'fast'\n[[keyframe]]\ntime = 0\ncoefs = '1,0,-1'\n[[keyframe]]\ntime = 1\n",
        "",
        "frames per second",
    ),
    ("[[keyframe]]\ntime = 0\ncoefs = '1,0,-1'\n[[keyframe]]\ntime = 1\neasing = 'bouncy'\n", "", "easing"),
    (
        "[[keyframe]]\ntime = 0\ncoefs = '1,0,-1'\n[[keyframe]]\ntime = 1\nxmin = -1\nxmax = 1\ncenter = 0\n",
        "line 4",
        "not both",
    ),
    ("title = 'no keyframes'\n", "", "unknown setting"),
    ("[[keyframe]]\ntime = 1\nwidth = 2\n", "", "polynomial"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD_KEYFRAMES)
def test_bad_keyframe_files_are_one_line_naming_file_line_and_key(tmp_path, text, line, message):
    kf = tmp_path / "bad.toml"
    kf.write_text(text)
    out = tmp_path / "out"
    out.mkdir()
    res = run_cli("--keyframes", str(kf), str(out / "a.mp4"), cwd=str(tmp_path))
    err = res.stderr.decode()
    assert res.returncode == 2, err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    if line:
        assert f"{kf}: {line}" in err
    assert _files(out) == []


def test_missing_keyframe_file(tmp_path):
    res = run_cli("--keyframes", str(tmp_path / "none.toml"), str(tmp_path / "a.mp4"))
    assert res.returncode == 2 and b"cannot read the keyframe file" in res.stderr


# A frame that takes a while: degree 20, a tolerance never reached, so every pixel runs to itmax.
SLOW_FRAMES = ["-c", "1," + ",".join(["0"] * 19) + ",1", "-s", "96x64", "-n", "3000", "--tol", "1e-300"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.parametrize("out", ["frames/", "movie.mp4"])
def test_a_signal_stops_an_animation_keeping_finished_frames_only(tmp_path, spawn, sig, code, out):
    keep = ["--keep-frames", str(tmp_path / "frames")] if out.endswith(".mp4") else []
    proc = spawn(
        [script(), *SLOW_FRAMES, "--zoom-to", "0.1", "--frames", "400", *keep, f"{tmp_path}/{out}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=OUTSIDE,
        preexec_fn=default_signals,
    )
    wait_for((tmp_path / "frames" / "00001.png").exists, proc, "its second frame")
    proc.send_signal(sig)
    t0 = time.monotonic()
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - t0 < 5, "it should stop within a second or so"
    assert proc.returncode == code, err
    assert b"Traceback" not in err and err.count(b"\n") == 1
    names = _files(tmp_path)
    assert "movie.mp4" not in names and not [n for n in names if n.endswith(".part") or n.startswith(".")]
    frames = sorted((tmp_path / "frames").iterdir())
    assert 2 <= len(frames) < 400
    for f in frames:  # every frame left is complete
        with Image.open(f) as im:
            im.load()
            assert "nb-render" in im.text


@pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals")
def test_progress_bar_over_frames_on_a_terminal(tmp_path):
    args = [
        *SLOW_FRAMES,
        "--zoom-to",
        "0.2",
        "--frames",
        "60",
    ]  # over a second even when fast (12 frames took 0.3 s)
    code, text = run_on_a_terminal(*args, str(tmp_path / "z.gif"), columns=120)
    assert code == 0, text
    assert "frames" in text and "/60" in text  # the bar counts frames
    assert "wrote" in text and "60 frames of 96x64" in text


def test_animation_api_and_command_line_agree(tmp_path):
    import nbcli
    from nbcli.animation import Animation
    from nbcli.scene import Viewport

    res = run_cli(*ZOOM, "--frames", "4", "--easing", "linear", str(tmp_path / "cli") + "/")
    assert res.returncode == 0, res.stderr
    start = nbcli.Scene.create(coefs=[1, 0, 0, 0, 0, 0, 1], size=(48, 32))
    end = start.with_options(viewport=Viewport.centered(0.5 + 0.3j, 0.05, 0.05 * 32 / 48))
    a = Animation.between(start, end, frames=4, easing="linear")
    for k, r in enumerate(a):
        with Image.open(tmp_path / "cli" / f"{k:05d}.png") as im:
            assert np.array_equal(np.asarray(im.convert("RGB")), r.rgb)
