"""Faults a hostile test campaign found, one class per section; each test would have caught its fault.

docs/reliability.md lists the classes, these tests, and how to run them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import (
    OUTSIDE,
    TERMINATING_SIGNALS,
    default_signals,
    run_cli,
    run_python,
    script,
    wait_for,
    wait_until_signals_are_handled,
    wait_until_writing,
)

import nbcli
import nbcli.params
import nbcli.png
from nbcli._native import DATA_FIELDS, LIMITS
from nbcli.poly import parse_polynomial

POSIX = pytest.mark.skipif(os.name == "nt", reason="POSIX signals and files")
MOST = LIMITS.max_degree


def _one_line_error(res: subprocess.CompletedProcess, code: int, *words: str) -> str:
    err = res.stderr.decode() if isinstance(res.stderr, bytes) else res.stderr
    assert res.returncode == code, err
    assert err.count("\n") == 1 and err.startswith("nb-render: error: "), err
    assert "Traceback" not in err
    for w in words:
        assert w in err, err
    return err


# ---- one degree limit for every input path ----------------------------------------------------------


def _csv(values) -> str:
    return ",".join(repr(float(v)) for v in values)


@pytest.mark.parametrize(
    "args",
    [
        ["--coefs", _csv([1] * (MOST + 2))],
        ["--roots", _csv(range(MOST + 1))],
        ["--expr", f"z^{MOST} * z"],
    ],
    ids=["coefs", "roots", "expr"],
)
def test_degree_limit_on_the_command_line(tmp_path, args):
    res = run_cli(*args, "-s", "8x8", str(tmp_path / "x.png"))
    _one_line_error(res, 2, f"{MOST + 1}", f"limit of {MOST}")
    assert list(tmp_path.iterdir()) == []


def test_degree_limit_in_the_api():
    for call in (
        lambda: nbcli.Scene.create(coefs=[1] * (MOST + 2)),
        lambda: nbcli.Scene.create(roots=list(range(MOST + 1))),
        lambda: nbcli.compute(8, 8, [1] * (MOST + 2)),
        lambda: nbcli.render(coefs=[1] * (MOST + 2), size=(8, 8)),
    ):
        with pytest.raises(ValueError, match=f"limit of {MOST}"):
            call()


def test_degree_limit_itself_renders_and_reads_back(tmp_path):
    # the highest degree renders on every path and its file is accepted again by --from
    coefs = np.random.default_rng(2).standard_normal(MOST + 1)
    out, again = tmp_path / "a.png", tmp_path / "b.png"
    res = run_cli("--coefs", _csv(coefs), "-s", "12x8", "--stats-json", str(out))
    assert res.returncode == 0, res.stderr
    assert len(json.loads(res.stdout)["roots"]) == MOST
    res = run_cli("--from", str(out), str(again))
    assert res.returncode == 0, res.stderr
    assert again.read_bytes() == out.read_bytes()


# ---- repeated roots ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--expr", "(z-1)^17"],
        ["--coefs", _csv(parse_polynomial("(z-1)^17").real)],
        ["--roots", _csv([1] * 17)],
    ],
    ids=["expr", "coefs", "roots"],
)
def test_a_repeated_root_is_one_basin(tmp_path, args):
    res = run_cli(*args, "-s", "24x16", "--stats-json", str(tmp_path / "x.png"))
    assert res.returncode == 0, res.stderr
    stats = json.loads(res.stdout)
    assert len(stats["roots"]) == 1 and abs(complex(*stats["roots"][0]) - 1) < 1e-12
    assert stats["multiplicities"] == [17]
    assert stats["root_share"] == [1.0]


def test_several_multiple_roots_on_the_command_line(tmp_path):
    out = tmp_path / "x.png"
    res = run_cli("-e", "(z-1)^3 (z+1)^2 (z-2j)^4", "-s", "24x16", "--stats", "--stats-json", str(out))
    assert res.returncode == 0, res.stderr
    record, line = res.stdout.decode().splitlines()
    assert sorted(json.loads(record)["multiplicities"]) == [2, 3, 4]
    assert "3 roots (multiplicities" in line
    # the roots come from the factors, so --from gets them back exactly
    again = tmp_path / "y.png"
    assert run_cli("--from", str(out), str(again)).returncode == 0
    assert again.read_bytes() == out.read_bytes()


# ---- root finding is interruptible -------------------------------------------------------------------


@POSIX
def test_root_finding_stops_at_ctrl_c_within_a_second():
    # Root finding at the degree limit takes about a second, the hardest polynomials several: a
    # signal must act during it (a LAPACK eigenvalue solve, as before, cannot be interrupted).
    code = (
        "import os, signal, threading, time, numpy as np\n"
        "from nbcli.poly import root_set, parse_polynomial\n"
        "hard = parse_polynomial('(z-1)^1000')\n"
        "sent = []\n"
        "def fire():\n"
        "    sent.append(time.monotonic())\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "threading.Timer(1.0, fire).start()\n"
        "try:\n"
        "    while True:\n"
        "        root_set(hard)\n"
        "except KeyboardInterrupt:\n"
        "    print(time.monotonic() - sent[0])\n"
    )
    res = run_python(code, preexec_fn=default_signals)
    assert res.returncode == 0, res.stderr
    assert float(res.stdout) < 2.0  # within a second, with slack for a loaded machine


@POSIX
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_command_stops_during_root_finding(tmp_path, spawn, sig, code):
    coefs = _csv(parse_polynomial("(z-1)^1000").real)
    proc = spawn(
        [script(), "--coefs", coefs, "-s", "2000x2000", str(tmp_path / "x.png")],
        stderr=subprocess.PIPE,
        cwd=OUTSIDE,
        preexec_fn=default_signals,
    )
    wait_until_signals_are_handled(proc)
    time.sleep(0.3)  # into the second or two of root finding that follow
    start = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert time.monotonic() - start < 5
    assert err.count(b"\n") <= 1 and b"Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@POSIX
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_raised_where_python_ignores_exceptions_still_stops(spawn, sig):
    # A signal that arrives while Python runs a __del__ or a weakref callback (the import
    # system's lock clean-up: seen under qemu, where start-up is slow) raises a Stop that
    # Python only prints. Before, the command then went on, deaf to further signals.
    code = (
        "import time\n"
        "from nbcli import signals\n"
        "signals.install()\n"
        "class Slow:\n"
        "    def __del__(self):\n"
        "        print('in', flush=True)\n"
        "        time.sleep(5)\n"
        "try:\n"
        "    Slow()\n"
        "    time.sleep(10)\n"
        "    print('went on', flush=True)\n"
        "except signals.Stop as e:\n"
        "    print('stopped', e.signum, flush=True)\n"
    )
    proc = spawn(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=OUTSIDE,
        preexec_fn=default_signals,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "in"
    time.sleep(0.2)
    start = time.monotonic()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert out.split() == ["stopped", str(int(sig))], (out, err)
    assert time.monotonic() - start < 4  # not after the 5 s of __del__ and more
    assert "Traceback" not in err


# ---- every ending leaves no temporary file ---------------------------------------------------------

# A render that takes a minute: signals arrive while it runs.
SLOW = ["-c", "1," + ",".join(["0"] * 19) + ",1", "-s", "1500x1500", "-n", "100000", "--tol", "1e-300"]

# The same command with the unnamed-file path of outfile switched off (O_TMPFILE hidden): the
# render writes a named hidden .part file, which every ending must remove.
WITHOUT_TMPFILE = (
    "import os, sys\n"
    "if hasattr(os, 'O_TMPFILE'):\n"
    "    del os.O_TMPFILE\n"
    "from nbcli.__main__ import main\n"
    "sys.argv[0] = 'nb-render'\n"
    "main()\n"
)


def _start(spawn, tmp_path, args, named: bool, **kw) -> subprocess.Popen:
    cmd = [sys.executable, "-c", WITHOUT_TMPFILE, *args] if named else [script(), *args]
    kw.setdefault("preexec_fn", default_signals)
    return spawn(cmd, stderr=subprocess.PIPE, cwd=tmp_path, **kw)


def _stop_with(proc: subprocess.Popen, signum: int) -> None:
    """Send ``signum`` to the running command: it must end with 128 + signum and one line."""
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signum, err
    assert err.count(b"\n") == 1 and b"Traceback" not in err, err


@POSIX
@pytest.mark.parametrize("named", [False, True], ids=["unnamed", "named"])
@pytest.mark.parametrize("sig", TERMINATING_SIGNALS)
def test_terminating_signals_leave_no_temporary_file(tmp_path, spawn, sig, named):
    signum = getattr(signal, sig)
    (tmp_path / "old.png").write_bytes(b"old")
    proc = _start(spawn, tmp_path, [*SLOW, "old.png"], named)
    wait_until_writing(proc, tmp_path)
    if named:  # the hidden file exists while the render runs: the test sees what must be removed
        assert any(p.name.endswith(".part") for p in tmp_path.iterdir())
    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
    _stop_with(proc, signum)
    assert [p.name for p in tmp_path.iterdir()] == ["old.png"]
    assert (tmp_path / "old.png").read_bytes() == b"old"


@POSIX
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP"])
def test_terminating_signals_leave_no_temporary_store(tmp_path, spawn, sig):
    # a .zarr store is a folder, made under a hidden name: every ending the process sees removes it
    pytest.importorskip("zarr")
    signum = getattr(signal, sig)
    (tmp_path / "old.zarr").mkdir()
    (tmp_path / "old.zarr" / "zarr.json").write_text('{"zarr_format": 3, "node_type": "group"}')
    proc = _start(spawn, tmp_path, [*SLOW, "old.zarr"], named=False)
    wait_for(lambda: any(p.name.endswith(".part") for p in tmp_path.iterdir()), proc, "the hidden store")
    _stop_with(proc, signum)
    assert [p.name for p in tmp_path.iterdir()] == ["old.zarr"]
    assert [p.name for p in (tmp_path / "old.zarr").iterdir()] == ["zarr.json"]


# A signal in the instant a temporary name exists but before the code that removes it knows it:
# the child sends itself SIGTERM right after the file system call that makes the name (the handler
# runs at the next bytecode), then lists the folder and what each entry holds.
AT_THE_INSTANT = (
    "import os, signal, sys\n"
    "from nbcli import outfile, signals, zarrfile\n"
    "signals.install()\n"
    "where, folder = sys.argv[1], sys.argv[2]\n"
    "target = os.path.join(folder, 'old.zarr' if where.startswith('store') else 'old.png')\n"
    "def after(module, name, when):\n"
    "    real = getattr(module, name)\n"
    "    def wrapped(*args, **kw):\n"
    "        result = real(*args, **kw)\n"
    "        if when(*args):\n"
    "            os.kill(os.getpid(), signal.SIGTERM)\n"
    "        return result\n"
    "    setattr(module, name, wrapped)\n"
    "hidden = lambda path: os.path.basename(path).startswith('.')\n"
    "if where == 'named':\n"
    "    after(outfile, '_named', lambda p: True)\n"
    "elif where in ('probe', 'link'):\n"
    "    after(outfile, '_link_fd', lambda fd, name: hidden(name) and ('.probe.' in name) == (where == 'probe'))\n"
    "elif where == 'store-made':\n"
    "    after(os, 'mkdir', lambda path, *mode: hidden(path))\n"
    "else:  # store-replaced: the old store moved aside, the new one not yet in place\n"
    "    after(os, 'replace', lambda src, dst: dst.endswith('.old'))\n"
    "try:\n"
    "    if where == 'named':\n"
    "        with outfile.atomic_path(target) as tmp, open(tmp, 'wb') as f:\n"
    "            f.write(b'new')\n"
    "    elif where.startswith('store'):\n"
    "        with zarrfile.atomic_store(target) as tmp:\n"
    "            with open(os.path.join(tmp, 'zarr.json'), 'w') as f:\n"
    "                f.write('new')\n"
    "    else:\n"
    "        with outfile.atomic_output(target) as f:\n"
    "            f.write(b'new')\n"
    "    print('went on')\n"
    "except signals.Stop as e:\n"
    "    print('stopped', e.signum)\n"
    "for name in sorted(os.listdir(folder)):\n"
    "    path = os.path.join(folder, name)\n"
    "    if os.path.isdir(path):\n"
    "        path = os.path.join(path, 'zarr.json')\n"
    "    print(name, open(path).read())\n"
)


@POSIX
@pytest.mark.parametrize("where", ["named", "probe", "link", "store-made", "store-replaced"])
def test_a_stop_in_the_instant_a_temporary_name_exists_leaves_nothing(tmp_path, where):
    # named: a writer's hidden file (atomic_path, also where O_TMPFILE is missing); probe: the test
    # whether this file system can name an unnamed file; link: an unnamed file linked under a
    # hidden name to replace the old one; store-made / store-replaced: a .zarr store's hidden
    # folder made, and the old store moved aside for the new one
    if where in ("probe", "link") and not _unnamed_files_work(tmp_path):
        pytest.skip("this file system cannot name an O_TMPFILE file")
    if where.startswith("store"):
        (tmp_path / "old.zarr").mkdir()
        (tmp_path / "old.zarr" / "zarr.json").write_text("old")
    else:
        (tmp_path / "old.png").write_text("old")
    res = subprocess.run(
        [sys.executable, "-c", AT_THE_INSTANT, where, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=OUTSIDE,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == f"stopped {int(signal.SIGTERM)}", lines
    name = "old.zarr" if where.startswith("store") else "old.png"
    # nothing hidden left; the old file as it was, or the new one whole where the stop came
    # as it was being put in place (the command still ends as stopped)
    expected = ["new"] if where in ("link", "store-replaced") else ["old"]
    assert lines[1:] in ([f"{name} {content}"] for content in expected), lines


@POSIX
def test_a_signal_during_deferred_work_stops_the_command_after_it():
    # a Zarr write is deferred work: stopped in its middle, zarr's own thread would go on writing
    # into the folder the clean-up removes (and asyncio complain of a pending task at exit)
    res = run_python(
        "import os, signal\n"
        "from nbcli import signals\n"
        "signals.install()\n"
        "done = []\n"
        "try:\n"
        "    with signals.deferred():\n"
        "        with signals.deferred():\n"
        "            os.kill(os.getpid(), signal.SIGTERM)\n"
        "            done.append('inner')\n"
        "        done.append('outer')\n"
        "        raise ValueError('what the block raised')\n"
        "except signals.Terminated as e:\n"
        "    print(done, e.exit_code)\n"
        "with signals.deferred():\n"
        "    pass\n"  # nothing held any more
        "print('after')\n"
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.split("\n")[:2] == [f"['inner', 'outer'] {128 + signal.SIGTERM}", "after"]


@POSIX
def test_an_ignored_hangup_stays_ignored(tmp_path, spawn):
    # nohup starts a program with SIGHUP ignored: nb-render must not undo that
    def ignore_hangup() -> None:
        default_signals()
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    proc = _start(
        spawn,
        tmp_path,
        ["-e", "z^3 - 1", "-s", "1200x900", "-n", "400", "out.png"],
        False,
        preexec_fn=ignore_hangup,
    )
    wait_until_writing(proc, tmp_path)
    proc.send_signal(signal.SIGHUP)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]


def _unnamed_files_work(folder) -> bool:
    from nbcli import outfile

    fd = outfile._unnamed(str(folder))
    if fd is None:
        return False
    os.close(fd)
    return True


@POSIX
def test_kill_9_leaves_nothing_behind(tmp_path, spawn):
    if not _unnamed_files_work(tmp_path):
        pytest.skip("this file system cannot name an O_TMPFILE file (no O_TMPFILE, or linkat refused)")
    (tmp_path / "old.png").write_bytes(b"old")
    proc = _start(spawn, tmp_path, [*SLOW, "old.png"], False)
    wait_until_writing(proc, tmp_path)
    # past the first moment of writing, when nb-render links a probe file to learn whether this
    # file system can name an unnamed file: a SIGKILL in that instant leaves the probe
    time.sleep(0.5)
    proc.kill()
    proc.communicate(timeout=30)
    assert [p.name for p in tmp_path.iterdir()] == ["old.png"]
    assert (tmp_path / "old.png").read_bytes() == b"old"


# ---- Ctrl-C during start-up -----------------------------------------------------------------------

# The command, with Ctrl-C arriving while a given module is being imported (deterministic: an
# import hook sends the signal at that moment).
DURING_IMPORT = (
    "import os, signal, sys\n"
    "module = sys.argv[1]\n"
    "class Hook:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == module:\n"
    "            os.kill(os.getpid(), signal.SIGINT)\n"
    "        return None\n"
    "sys.meta_path.insert(0, Hook())\n"
    "sys.argv = ['nb-render', '-e', 'z^3 - 1', '-s', '16', 'out.png']\n"
    "from nbcli.__main__ import main\n"
    "main()\n"
)


@POSIX
@pytest.mark.parametrize("module", ["nbcli.cli", "typer", "numpy", "nbcli._core", "nbcli.poly.aberth"])
def test_ctrl_c_during_start_up_ends_like_ctrl_c_later(tmp_path, module):
    res = subprocess.run(
        [sys.executable, "-c", DURING_IMPORT, module],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        preexec_fn=default_signals,
    )
    assert res.returncode == 130, res.stderr
    assert res.stderr == b"nb-render: interrupted\n"
    assert list(tmp_path.iterdir()) == []


# ---- output files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("named", [False, True], ids=["unnamed", "named"])
@pytest.mark.parametrize("length", [241, 250, 255])
def test_longest_legal_file_names_are_written(tmp_path, length, named):
    name = "n" * (length - 4) + ".png"
    args = ["-e", "z^3 - 1", "-s", "16", name]
    if named:
        res = subprocess.run(
            [sys.executable, "-c", WITHOUT_TMPFILE, *args], cwd=tmp_path, capture_output=True
        )
    else:
        res = run_cli(*args, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert [p.name for p in tmp_path.iterdir()] == [name]


@POSIX
def test_a_replaced_store_keeps_its_permission_bits(tmp_path):
    pytest.importorskip("zarr")
    store = tmp_path / "private.zarr"
    assert run_cli("-e", "z^3 - 1", "-s", "16", str(store)).returncode == 0
    store.chmod(0o700)
    res = run_cli("-e", "z^4 - 1", "-s", "16", str(store))
    assert res.returncode == 0, res.stderr
    assert store.stat().st_mode & 0o777 == 0o700
    assert [p.name for p in tmp_path.iterdir()] == ["private.zarr"]


def test_longest_legal_store_names_are_written(tmp_path):
    pytest.importorskip("zarr")
    name = "n" * (255 - 5) + ".zarr"
    for _ in range(2):  # made, then replaced
        res = run_cli("-e", "z^3 - 1", "-s", "16", name, cwd=tmp_path)
        assert res.returncode == 0, res.stderr
        assert [p.name for p in tmp_path.iterdir()] == [name]


@POSIX
@pytest.mark.parametrize("named", [False, True], ids=["unnamed", "named"])
def test_a_replaced_file_keeps_its_permission_bits(tmp_path, named):
    out = tmp_path / "out.png"
    args = ["-e", "z^3 - 1", "-s", "16", "out.png"]
    cmd = [sys.executable, "-c", WITHOUT_TMPFILE, *args] if named else [script(), *args]
    for mode in (0o600, 0o640, 0o604):
        out.write_bytes(b"old")
        out.chmod(mode)
        res = subprocess.run(cmd, cwd=tmp_path, capture_output=True)
        assert res.returncode == 0, res.stderr
        assert out.read_bytes()[:4] == b"\x89PNG"
        assert out.stat().st_mode & 0o777 == mode
    for umask, mode in ((0o077, 0o600), (0o002, 0o664), (0o022, 0o644)):  # a new file: the umask's bits
        out.unlink()
        res = subprocess.run(cmd, cwd=tmp_path, capture_output=True, preexec_fn=lambda u=umask: os.umask(u))
        assert res.returncode == 0, res.stderr
        assert out.stat().st_mode & 0o777 == mode


# ---- closed and full standard streams, broken pipes -------------------------------------------------


def _run(tmp_path, args, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([script(), *args], cwd=tmp_path, timeout=120, **kw)


def _close(*fds: int):
    def close() -> None:
        for fd in fds:
            os.close(fd)

    return close


@POSIX
def test_image_to_a_closed_standard_output(tmp_path):
    res = _run(tmp_path, ["-e", "z^3 - 1", "-s", "16", "-"], preexec_fn=_close(1))
    _one_line_error(res, 1, "standard output is closed")
    assert list(tmp_path.iterdir()) == []


@POSIX
def test_statistics_to_a_closed_standard_output(tmp_path):
    res = _run(tmp_path, ["-e", "z^3 - 1", "-s", "16", "--stats", "out.png"], preexec_fn=_close(1))
    _one_line_error(res, 1, "standard output is closed", "--stats")
    assert list(tmp_path.iterdir()) == []  # refused before anything is rendered


@POSIX
def test_statistics_to_a_full_disk_keep_the_image(tmp_path):
    with open("/dev/full", "wb") as full:
        res = _run(tmp_path, ["-e", "z^3 - 1", "-s", "16", "--stats-json", "out.png"], stdout=full)
    _one_line_error(res, 1, "cannot write the statistics", "No space left", "out.png was written and is kept")
    assert (tmp_path / "out.png").read_bytes()[:4] == b"\x89PNG"
    assert nbcli.params.read_parameters(tmp_path / "out.png")["size"] == [16, 16]


@POSIX
def test_image_to_a_full_disk(tmp_path):
    with open("/dev/full", "wb") as full:
        res = _run(tmp_path, ["-e", "z^3 - 1", "-s", "64", "-"], stdout=full)
    _one_line_error(res, 1, "cannot write to standard output", "No space left")


@POSIX
def test_a_closed_pipe_ends_quietly_as_on_sigpipe(tmp_path, spawn):
    # nb-render ... - | head -c 100: the reader goes away; no traceback, no message, status 141
    proc = spawn(
        [script(), "-e", "z^3 - 1", "-s", "1024", "-"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stdout.read(100)[:4] == b"\x89PNG"
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGPIPE and err == b""
    res = subprocess.run(  # the statistics into a closed pipe: the image is written all the same
        f"'{script()}' -e 'z^3 - 1' -s 16 --stats out.png | head -c 0",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
    )
    assert b"Traceback" not in res.stderr and b"error" not in res.stderr
    assert (tmp_path / "out.png").read_bytes()[:4] == b"\x89PNG"


@POSIX
def test_closed_or_full_standard_error_and_input(tmp_path):
    # messages that cannot be shown are lost, nothing more: the exit codes stay right
    res = _run(tmp_path, ["-e", "z^3 - 1", "--size", "0", "x.png"], preexec_fn=_close(2))
    assert res.returncode == 2
    with open("/dev/full", "wb") as full:
        res = _run(tmp_path, ["-e", "z^3 - 1", "--size", "0", "x.png"], stderr=full)
    assert res.returncode == 2
    res = _run(tmp_path, ["-e", "z^3 - 1", "-s", "16", "out.png"], preexec_fn=_close(0, 2))
    assert res.returncode == 0
    assert (tmp_path / "out.png").read_bytes()[:4] == b"\x89PNG"


# ---- untrusted input files --------------------------------------------------------------------------


@POSIX
@pytest.mark.parametrize("kind", ["fifo", "fifo.npz", "device", "link-to-device", "directory"])
def test_special_files_are_refused_at_once(tmp_path, kind):
    path = tmp_path / kind
    if kind.startswith("fifo"):
        os.mkfifo(path)  # reading it would wait for a writer forever
    elif kind == "device":
        path = "/dev/zero"  # reading it would never end
    elif kind == "link-to-device":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    res = run_cli("--from", str(path), str(tmp_path / "out.png"))
    _one_line_error(res, 2, "not a regular file")
    assert not (tmp_path / "out.png").exists()


@POSIX
def test_special_files_are_refused_for_batch_files_too(tmp_path):
    os.mkfifo(tmp_path / "jobs")
    res = run_cli("--batch", str(tmp_path / "jobs"))
    _one_line_error(res, 2, "named pipe")


def _data_file(path, size: tuple[int, int], arrays: dict[str, np.ndarray] | None = None) -> None:
    """A .npz as --save-data writes one, for a scene of ``size``, with the given arrays (or zeros)."""
    import zipfile

    scene = nbcli.Scene.create(expr="z^3 - 1", size=size)
    params = json.dumps(nbcli.params.parameters(scene, nbcli.Style(), scene.canonical_roots()))
    w, h = size
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, dtype in DATA_FIELDS.items():
            with z.open(name + ".npy", "w", force_zip64=True) as f:
                a = (arrays or {}).get(name)
                if a is None:  # zeros, written row by row: megabytes on disk, gigabytes unpacked
                    np.lib.format.write_array_header_1_0(
                        f,
                        {
                            "descr": np.lib.format.dtype_to_descr(dtype),
                            "fortran_order": False,
                            "shape": (h, w),
                        },
                    )
                    row = np.zeros(w, dtype).tobytes()
                    for _ in range(h):
                        f.write(row)
                else:
                    np.lib.format.write_array(f, a)
        with z.open("parameters.npy", "w") as f:
            np.lib.format.write_array(f, np.array(params))


@POSIX
@pytest.mark.sanitizer_unsafe("it measures the peak resident memory, which AddressSanitizer inflates")
def test_a_data_file_that_would_not_fit_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.npz"
    _data_file(big, (6000, 6000))  # 480 MiB of samples, 2 MB on disk
    assert big.stat().st_size < 8 << 20
    # The peak is read in a small Python that starts the command: a child's peak counts the
    # memory of the process it was forked from, and this test process may be large by now.
    args = [script(), "--from", str(big), "--max-memory", "100M", str(tmp_path / "out.png")]
    code = (
        "import json, resource, subprocess, sys\n"
        f"p = subprocess.run({args!r}, stderr=subprocess.PIPE, text=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps([p.returncode, p.stderr, peak]))"
    )
    res = run_python(code)
    assert res.returncode == 0, res.stderr
    returncode, err, peak_kib = json.loads(res.stdout)
    assert returncode == 1, err
    assert err.count("\n") == 1 and "needs about 480.7 MiB" in err and "big.npz" in err, err
    assert peak_kib < 300 << 10  # what starting the command takes, not the file's arrays
    assert not (tmp_path / "out.png").exists()


def test_a_decompression_bomb_in_a_data_file_is_refused(tmp_path):
    bomb = tmp_path / "bomb.npz"
    # an 8x8 scene whose 'root' array claims (and unpacks to) 100 MB
    _data_file(bomb, (8, 8), {"root": np.zeros((10000, 5000), np.int16)})
    res = run_cli("--from", str(bomb), str(tmp_path / "out.png"))
    _one_line_error(res, 2, "bomb.npz", "'root' unpacks to 100000", "more than the 128 bytes")


def _with_record(tmp_path, change) -> str:
    """A PNG nb-render wrote, its parameters changed by ``change(record)``."""
    out = tmp_path / "src.png"
    assert run_cli("-e", "z^3 - 1", "-s", "8", str(out)).returncode == 0
    record = nbcli.params.read_parameters(out)
    change(record)
    rgb = np.zeros((8, 8, 3), np.uint8)
    nbcli.png.write_png(tmp_path / "hostile.png", rgb, {"nb-render": json.dumps(record)})
    return str(tmp_path / "hostile.png")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("version", "\x1b]0;owned\x07\x1b[31mred\u202e"),
        ("version", "9" * 1_000_000),
        ("method", "\x1b[31m" + "x" * 900_000),
        ("precision", "\x9b31m" * 10_000),
    ],
    ids=["escapes", "long-version", "long-method", "c1-controls"],
)
def test_text_from_a_file_is_escaped_and_capped(tmp_path, field, value):
    def change(record: dict) -> None:
        record[field] = value

    res = run_cli("--from", _with_record(tmp_path, change), str(tmp_path / "out.png"))
    err = res.stderr.decode()
    assert res.returncode in (0, 2) and err.count("\n") == 1, err
    assert len(err) < 1200
    assert not any(ch in err for ch in "\x1b\x07\x9b\u202e")


def test_printable_escapes_and_caps():
    from nbcli.cli.options import printable

    assert printable("a\x1b[31mb\tc\n\nd") == "a\\x1b[31mb c d"
    assert printable("\u202eevil") == "\\u202eevil"
    assert printable("ünïcödé × ≤ z³") == "ünïcödé × ≤ z³"
    assert len(printable("x" * 5000)) == 1000 and printable("x" * 5000).endswith("...")


# ---- the native driver: threads at interpreter exit, signals while joining, thread limits ---------

# A render in a thread when the interpreter shuts down: the thread wants the GIL back, and Python
# 3.11-3.13 ends it with pthread_exit (a forced unwind that must not be swallowed), 3.14 parks it.
DAEMON_AT_EXIT = (
    "import sys, threading, time\n"
    "import nbcli\n"
    "compute = nbcli.compute  # loaded here: the thread must be rendering when the script ends\n"
    "def work():\n"
    "    compute(1000, 1000, [1, 0, 0, 0, 0, 0, 1], itmax=30000, tol=1e-300)\n"
    "threading.Thread(target=work, daemon=True).start()\n"
    "time.sleep(float(sys.argv[1]))\n"
)
# Ctrl-C while the main thread waits in Thread.join() on a rendering thread. Python 3.11 and 3.12
# finalise while that thread renders; 3.13 and later first wait for it (it is not a daemon: the
# longer render took 102 s on the baseline kernel on 3.13.0), so there the render is shorter (a
# few seconds), and the process ends when the render does.
CTRL_C_IN_JOIN = (
    "import os, signal, sys, threading\n"
    "import nbcli\n"
    "compute = nbcli.compute\n"
    "itmax = 30000 if sys.version_info < (3, 13) else 2000\n"
    "def work():\n"
    "    compute(1000, 1000, [1, 0, 0, 0, 0, 0, 1], itmax=itmax, tol=1e-300)\n"
    "t = threading.Thread(target=work)\n"
    "t.start()\n"
    "threading.Timer(float(sys.argv[1]), lambda: os.kill(os.getpid(), signal.SIGINT)).start()\n"
    "t.join()\n"
)


@POSIX
@pytest.mark.parametrize("scenario", ["daemon-at-exit", "ctrl-c-in-join"])
def test_a_rendering_thread_never_aborts_the_process(kernel, scenario):
    code = DAEMON_AT_EXIT if scenario == "daemon-at-exit" else CTRL_C_IN_JOIN
    env = dict(os.environ, NB_RENDER_KERNEL=kernel)
    # the moments the script ends at (the render polls every 50 ms meanwhile); NB_RENDER_ABORT_RUNS
    # runs more of them, spread over the same 1.1 s, for a longer hunt
    runs = max(2, int(os.environ.get("NB_RENDER_ABORT_RUNS", "4")))
    delays = [f"{0.2 + 1.1 * i / (runs - 1):.3f}" for i in range(runs)]

    # The child sets Python's own SIGINT handler itself (pytest may have SIGINT ignored): no
    # preexec_fn, which is unsafe when, as here, several threads start processes at once
    # (on a free-threaded Python the forked child hung).
    code = "import signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n" + code

    def one(delay: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", code, delay], capture_output=True, env=env, cwd=OUTSIDE, timeout=120
        )

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(one, delays))
    for delay, res in zip(delays, results, strict=True):
        # the script's own ending (0; 130 after a KeyboardInterrupt), never an abort (134, "FATAL:
        # exception not rethrown": the forced unwind was swallowed) or a crash (139)
        allowed = {0} if scenario == "daemon-at-exit" else {130, -signal.SIGINT}
        if sys.version_info >= (3, 13):
            allowed.add(0)  # the shorter render may end before the Ctrl-C, which then stops nothing
        assert res.returncode in allowed, (delay, res.returncode, res.stderr.decode()[-400:])
        assert b"FATAL" not in res.stderr and b"terminate called" not in res.stderr


def test_renders_in_atexit_callbacks_still_work():
    # the core's own atexit callback keeps rendering threads away from the GIL from then on
    # (gil.hpp); callbacks that run after it, in the thread that exits or in a thread they
    # join, must still render, with progress
    res = run_python(
        "import atexit, threading\n"
        "def late():\n"
        "    import nbcli\n"
        "    seen = []\n"
        "    r = nbcli.render(expr='z^3 - 1', size=96, progress=lambda d, t: seen.append(d))\n"
        "    out = {}\n"
        "    t = threading.Thread(target=lambda: out.update(r=nbcli.render(expr='z^4 - 1', size=96)))\n"
        "    t.start()\n"
        "    t.join()\n"
        "    print('late', r.rgb.shape, bool(seen), out['r'].rgb.shape)\n"
        "atexit.register(late)\n"
        "import nbcli\n"
        "nbcli.render(expr='z^3 - 1', size=8)  # the core is loaded: its callback runs before late()\n"
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "late (96, 96, 3) True (96, 96, 3)", res.stdout


def _address_space_of_a_small_render() -> int:
    """Bytes of address space a process that renders a small image reaches (VmPeak)."""
    res = run_python(
        "import nbcli\n"
        "nbcli.render(expr='z^3 - 1', size=64, threads=1)\n"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmPeak:')))\n"
    )
    assert res.returncode == 0, res.stderr
    return int(res.stdout) * 1024


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux's /proc")
@pytest.mark.sanitizer_unsafe(
    "AddressSanitizer reserves terabytes of address space: the limit stops it at start"
)
@pytest.mark.emulation_unsafe(
    "an address-space limit applies to qemu-user's own process, not to the program's threads"
)
def test_threads_the_system_cannot_start_are_done_without(tmp_path):
    # --threads 256 under an address-space limit that leaves room for a few thread stacks only
    import resource

    limit = _address_space_of_a_small_render() + (160 << 20)

    def tight() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    out = tmp_path / "out.png"
    res = subprocess.run(
        [script(), "-e", "z^3 - 1", "-s", "512", "--threads", "256", "--stats-json", str(out)],
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
        preexec_fn=tight,
    )
    err = res.stderr.decode()
    assert res.returncode == 0, err
    assert err.count("\n") == 1 and "could not start" in err and "rendering with" in err, err
    assert "internal error" not in err
    assert 1 <= json.loads(res.stdout)["threads"] < 256
    assert out.read_bytes()[:4] == b"\x89PNG"
    # the same through the API: a warning, and the image
    res = run_python(
        "import warnings, nbcli\n"
        "from nbcli.pipeline import ResourceLimitWarning\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    r = nbcli.render(expr='z^3 - 1', size=512, threads=256)\n"
        "print(r.stats['threads'], [x.category.__name__ for x in w])\n",
        preexec_fn=tight,
    )
    assert res.returncode == 0, res.stderr
    threads, categories = res.stdout.split(" ", 1)
    assert 1 <= int(threads) < 256 and "ResourceLimitWarning" in categories


@pytest.mark.parametrize("started", [0, 1, 2])
def test_png_compressor_threads_the_system_cannot_start_are_done_without(monkeypatch, started):
    # the PNG writer's own threads: the system starts `started` of them, then refuses
    import threading

    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, (1200, 900, 3), dtype=np.uint8)  # four groups of rows
    expected = nbcli.png.encode_png(rgb, threads=1)
    real_start, count = threading.Thread.start, [0]
    refused = threading.Event()

    def start(self: threading.Thread) -> None:
        if count[0] >= started:
            refused.set()
            raise RuntimeError("can't start new thread")
        count[0] += 1
        run = self.run
        # the threads that start stay busy until the system has refused one, so that the
        # pool cannot hand the next group to an idle thread instead of asking for another
        self.run = lambda: (refused.wait(10), run())  # type: ignore[method-assign]
        real_start(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    assert nbcli.png.encode_png(rgb, threads=8) == expected  # the same bytes, nothing lost
    assert count[0] == started and refused.is_set()


def test_an_encoder_thread_the_system_cannot_start_is_a_resource_limit(monkeypatch, tmp_path):
    import threading

    from nbcli.errors import ResourceLimit
    from nbcli.sequence import Encoder

    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    with pytest.raises(ResourceLimit, match=r"could not start a thread to write the video.*ulimit"):
        Encoder(lambda frames: None, "nb-render video")
