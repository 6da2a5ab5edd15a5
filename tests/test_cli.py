"""The nb-render command line, in-process (CliRunner) and as the installed script (subprocess)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
from conftest import OUTSIDE, default_signals, run_cli, run_on_a_terminal, script, wait_until_writing
from PIL import Image
from typer.testing import CliRunner

import nbcli
from nbcli.cli import app

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _meta(path):
    with Image.open(path) as im:
        return im.size, json.loads(im.text["nb-render"]), np.asarray(im.convert("RGB"))


def test_clirunner_renders_the_readme_example(tmp_path):
    out = tmp_path / "out.png"
    res = CliRunner().invoke(app, ["--coefs", "1,0,0,0,0,0,1", "--size", "160x120", str(out)])
    assert res.exit_code == 0, res.output
    size, meta, rgb = _meta(out)
    assert size == (160, 120)
    assert meta["polynomial"] == "z^6 + 1"
    assert meta["coefs"] == [[1, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [1, 0]]
    assert len({tuple(p) for p in rgb.reshape(-1, 3)}) > 50  # a picture, not a flat fill


def test_clirunner_options_reach_the_scene(tmp_path):
    out = tmp_path / "o.png"
    res = CliRunner().invoke(
        app,
        [
            "-c",
            "1,-2+7.5j,0,12j,5.1233+0.1j",
            "--center",
            "0.2+0.5j",
            "--width",
            "1.5",
            "-s",
            "90x60",
            "-n",
            "40",
            "--tol",
            "1e-9",
            "-j",
            "1",
            "-p",
            "okabe-ito",
            "--shading",
            "iterations",
            "--nonconverged-color",
            "#fff",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    size, meta, _ = _meta(out)
    assert size == (90, 60)
    vp = meta["viewport"]
    assert (vp["xmin"] + vp["xmax"]) / 2 == pytest.approx(0.2)
    assert (vp["ymin"] + vp["ymax"]) / 2 == pytest.approx(0.5)
    assert vp["xmax"] - vp["xmin"] == pytest.approx(1.5)
    assert vp["ymax"] - vp["ymin"] == pytest.approx(1.0)
    assert meta["itmax"] == 40 and meta["tol"] == 1e-9
    assert meta["coefs"][1] == [-2, 7.5]
    assert meta["style"] == {
        "palette": "okabe-ito",
        "shading": "iterations",
        "nonconverged": "#fff",
        "boundary": None,
        "mark_roots": False,
        "depth": 8,
    }


def test_roots_option_and_bounds(tmp_path):
    out = tmp_path / "r.png"
    res = CliRunner().invoke(
        app,
        [
            "--roots",
            "1,-1,1j,-1j",
            "--xmin",
            "-3",
            "--xmax",
            "3",
            "--ymin",
            "-1.5",
            "--ymax",
            "1.5",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    size, meta, _ = _meta(out)
    assert size == (1024, 512)
    assert meta["polynomial"] == "z^4 - 1"
    assert meta["roots"] == [[1, 0], [-1, 0], [0, 1], [0, -1]]


def test_cli_image_equals_api_image(tmp_path):
    out = tmp_path / "a.png"
    assert CliRunner().invoke(app, ["-c", "1,0,-2,2", "-s", "64x48", str(out)]).exit_code == 0
    _, _, rgb = _meta(out)
    r = nbcli.render(coefs=[1, 0, -2, 2], size=(64, 48))
    np.testing.assert_array_equal(rgb, r.rgb)


def test_installed_script_renders(tmp_path):
    out = tmp_path / "out.png"
    res = run_cli("--coefs", "1,0,0,0,0,0,1", str(out))
    assert res.returncode == 0, res.stderr
    assert res.stdout == b"" and res.stderr == b""  # silent when not on a terminal
    size, meta, _ = _meta(out)
    assert size == (1024, 1024)
    assert meta["version"] == nbcli.__version__
    assert meta["viewport"] == {"xmin": -2, "xmax": 2, "ymin": -2, "ymax": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]


def test_python_dash_m_works(tmp_path):
    out = tmp_path / "m.png"
    res = subprocess.run(
        [sys.executable, "-m", "nbcli", "-c", "1,0,-1", "-s", "32x32", str(out)],
        capture_output=True,
        cwd=OUTSIDE,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert out.read_bytes().startswith(PNG_MAGIC)


def test_stdout_output():
    res = run_cli("-c", "1,0,-1", "-s", "40x30", "-")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(PNG_MAGIC)
    import io

    with Image.open(io.BytesIO(res.stdout)) as im:
        assert im.size == (40, 30)
        assert "nb-render" in im.text


def test_version_and_help():
    res = run_cli("--version")
    assert res.returncode == 0
    line = res.stdout.decode().strip()
    assert line.startswith(f"nb-render {nbcli.__version__} (kernel {nbcli.selected_kernel()}")
    res = run_cli("--help")
    assert res.returncode == 0
    text = res.stdout.decode()
    for opt in (
        "--coefs",
        "--roots",
        "--size",
        "--xmin",
        "--center",
        "--width",
        "--itmax",
        "--tol",
        "--threads",
        "--quiet",
        "--version",
        "Examples",
    ):
        assert opt in text


BAD = [
    (["-c", "1,x,-1"], "cannot read coefficient 2"),
    (["-c", "0,0,0"], "all coefficients are zero"),
    (["-c", "7"], "degree 0"),
    (["-c", "1,nan"], "not finite"),
    (["-c", "1,inf"], "not finite"),
    (["-c", "1,,2"], "empty"),
    ([], "exactly one of --coefs, --roots or --expr"),
    (["-c", "1,2", "-r", "1"], "exactly one of --coefs, --roots or --expr"),
    (["-c", "1,0,-1", "-s", "0x10"], "must be positive"),
    (["-c", "1,0,-1", "-s", "-5x10"], "must be positive"),
    (["-c", "1,0,-1", "-s", "wide"], "WIDTHxHEIGHT"),
    (["-c", "1,0,-1", "-s", "100000x100000"], "between 1 and"),
    (["-c", "1,0,-1", "--xmin", "1", "--xmax", "0", "--ymin", "0", "--ymax", "1"], "empty viewport"),
    (["-c", "1,0,-1", "--xmin", "1"], "both xmin and xmax"),
    (["-c", "1,0,-1", "--width", "0"], "width must be > 0"),
    (["-c", "1,0,-1", "--xmin", "nan", "--xmax", "1"], "finite"),
    (["-c", "1,0,-1", "--itmax", "0"], "--itmax"),
    (["-c", "1,0,-1", "--itmax", "many"], "--itmax"),
    (["-c", "1,0,-1", "--tol", "0"], "--tol"),
    (["-c", "1,0,-1", "--tol", "-1"], "--tol"),
    (["-c", "1,0,-1", "--threads", "0"], "--threads"),
    (["-c", "1,0,-1", "--threads", "5000"], "--threads"),
    (["-c", "1,0,-1", "--palette", "nope"], "unknown palette"),
    (["-c", "1,0,-1", "--nonconverged-color", "#12"], "colour"),
    (["-c", "1,0,-1", "--kernel", "turbo"], "unknown kernel"),
    (["-c", "1,0,-1", "--no-such-option"], "No such option"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a) or "none" for a, _ in BAD])
def test_bad_input_one_line_exit_2_no_file(tmp_path, args, message):
    out = tmp_path / "bad.png"
    res = run_cli(*args, str(out))
    err = res.stderr.decode()
    assert res.returncode == 2, err
    assert err.count("\n") == 1 and err.startswith("nb-render: error: "), err
    assert message in err
    assert "Traceback" not in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_unwritable_destination_exit_1(tmp_path):
    res = run_cli("-c", "1,0,-1", str(tmp_path / "missing" / "o.png"))
    assert res.returncode == 1
    assert b"does not exist" in res.stderr and res.stderr.count(b"\n") == 1
    res = run_cli("-c", "1,0,-1", str(tmp_path))
    assert res.returncode == 1
    assert b"is a directory" in res.stderr


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="needs POSIX permissions as a non-root user")
def test_read_only_directory_exit_1(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o555)
    try:
        res = run_cli("-c", "1,0,-1", str(d / "o.png"))
    finally:
        d.chmod(0o755)
    assert res.returncode == 1
    assert b"permission denied" in res.stderr


def test_permission_denied_is_reported_in_one_line(tmp_path, monkeypatch, capsys):
    """As root the real check above cannot run; simulate a directory we may not write to."""
    from nbcli import cli

    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if str(p) == str(tmp_path) else real_access(p, mode)
    )
    with pytest.raises(SystemExit) as e:
        cli.main(["-c", "1,0,-1", str(tmp_path / "o.png")])
    assert e.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "permission denied" in err
    assert list(tmp_path.iterdir()) == []


def test_write_failure_leaves_no_partial_file(tmp_path, monkeypatch):
    """If encoding fails half-way, the temporary file is removed and the old file kept."""
    from nbcli import png

    out = tmp_path / "keep.png"
    out.write_bytes(b"precious")

    def failing_compress(rows, level, last):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(png, "_compress", failing_compress)
    r = nbcli.render(coefs=[1, 0, -1], size=(16, 16))
    with pytest.raises(OSError, match="No space"):
        r.save(out)
    assert out.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.png"]


def test_existing_file_is_untouched_by_a_failed_run(tmp_path):
    out = tmp_path / "keep.png"
    out.write_bytes(b"precious")
    res = run_cli("-c", "1,0,0", "--tol", "-1", str(out))
    assert res.returncode == 2
    assert out.read_bytes() == b"precious"


def test_existing_file_is_replaced_whole(tmp_path):
    out = tmp_path / "x.png"
    out.write_bytes(b"old")
    assert run_cli("-c", "1,0,-1", "-s", "20x20", str(out)).returncode == 0
    assert out.read_bytes().startswith(PNG_MAGIC)
    assert [p.name for p in tmp_path.iterdir()] == ["x.png"]


SLOW = [
    "-c",
    "1," + ",".join(["0"] * 19) + ",1",
    "-s",
    "3000x3000",
    "-n",
    "100000",
    "--tol",
    "1e-300",
    "-j",
    "2",
]


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_render_promptly_and_leaves_no_file(tmp_path, spawn, sig, code):
    out = tmp_path / "never.png"
    out_old = tmp_path / "old.png"
    out_old.write_bytes(b"old")
    proc = spawn(
        [script(), *SLOW, str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=OUTSIDE,
        preexec_fn=default_signals,
    )
    wait_until_writing(proc, tmp_path)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert b"Traceback" not in err
    assert err.count(b"\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.png"]
    assert out_old.read_bytes() == b"old"


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_api_raises_keyboardinterrupt_promptly():
    code = (
        "import os, signal, threading, nbcli\n"
        "threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()\n"
        "try:\n"
        "    nbcli.compute(3000, 3000, [1] + [0]*19 + [1], itmax=100000, tol=1e-300)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=OUTSIDE,
        timeout=60,
        preexec_fn=default_signals,
    )
    assert res.stdout.strip() == "interrupted", res.stderr


@pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals")
def test_progress_bar_and_summary_on_a_terminal(tmp_path):
    out = tmp_path / "tty.png"
    args = ["-c", "1," + ",".join(["0"] * 11) + ",1", "-s", "300x300", "--aa", "2", "-n", "2000"]
    code, text = run_on_a_terminal(*args, "--tol", "1e-300", "-j", "1", str(out))
    assert code == 0, text
    assert "wrote" in text and "300x300" in text
    assert "rendering" in text  # the progress bar appeared (the render takes well over 0.3 s)
    assert "2x2 samples per pixel" in text  # supersampling's cost is in the bar


def test_quiet_on_a_terminal_is_silent(tmp_path):
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [script(), "-q", "-c", "1,0,-1", "-s", "50x50", str(tmp_path / "q.png")],
        stdout=slave,
        stderr=slave,
        cwd=OUTSIDE,
    )
    os.close(slave)
    proc.wait(timeout=60)
    try:
        data = os.read(master, 65536)
    except OSError:
        data = b""
    os.close(master)
    assert proc.returncode == 0
    assert data == b""


@pytest.mark.parametrize("name", ["", "sub/"])
def test_output_without_a_file_name_is_a_usage_error(tmp_path, name):
    (tmp_path / "sub").mkdir()
    res = run_cli("-c", "1,0,-1", "-s", "8x8", name, cwd=str(tmp_path))
    assert res.returncode == 2, res.stderr
    assert b"no file name" in res.stderr and res.stderr.count(b"\n") == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["sub"]


def test_bad_kernel_environment_variable_is_a_usage_error(tmp_path):
    env = {**os.environ, "NB_RENDER_KERNEL": "turbo"}
    for args in (["-c", "1,0,-1", "-s", "8x8", str(tmp_path / "k.png")], ["--version"]):
        res = run_cli(*args, env=env)
        assert res.returncode == 2, res.stderr
        assert res.stderr.startswith(b"nb-render: error: NB_RENDER_KERNEL=unknown kernel 'turbo'")
        assert res.stderr.count(b"\n") == 1
    assert list(tmp_path.iterdir()) == []
