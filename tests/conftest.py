from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import settings

# The property-based tests run with a fixed seed, so that a test run (CI's among them)
# never passes or fails by luck; HYPOTHESIS_PROFILE=explore tries new examples each run
# (a search for new faults: what it finds becomes a fixed test).
settings.register_profile("fixed", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))

# `python -m pytest` run in a checkout puts the checkout first on sys.path, where the
# source folder nbcli/ (which has no compiled _core) would shadow the installed package.
# Drop that entry so the tests always run against the installed nb-render.
_CHECKOUT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _CHECKOUT]

import nbcli
from nbcli import _native

SUPPORTED = [k.name for k in _native.kernels() if k.supported]
ALL = [k.name for k in _native.kernels()]
FUSED = {k.name: k.fused for k in _native.kernels()}

# (method, relax): every method, relaxed Newton with a real and with a non-real factor
VARIANTS = [
    ("newton", 1.0),
    ("relaxed", 0.75),
    ("relaxed", 0.7 + 0.4j),
    ("halley", 1.0),
    ("schroder", 1.0),
    ("householder", 1.0),
]
VARIANT_IDS = [m if m != "relaxed" else f"relaxed{a}" for m, a in VARIANTS]


# Under the sanitizers (`nox -s sanitize` sets NB_RENDER_SANITIZE=1) a few tests
# cannot mean what they say. Mark such a test @pytest.mark.sanitizer_unsafe("why"),
# or list it here; keep this short: every test skipped here is one the sanitizers
# do not watch.
SANITIZER_UNSAFE = {
    "test_robustness.py::test_no_leak_over_many_small_renders": (
        "measures RSS, which ASan inflates by holding freed memory in quarantine; "
        "leaks in the C++ library are checked by LeakSanitizer instead"
    ),
}


# Under user-mode emulation (the aarch64 wheel's tests under qemu: the wheel tool sets
# NB_RENDER_EMULATED=1) the process's memory and limits are the emulator's, not the
# program's. Mark a test that measures or limits them @pytest.mark.emulation_unsafe("why").
SKIPPED_WHEN = {
    "sanitizer_unsafe": ("NB_RENDER_SANITIZE", "under the sanitizers", SANITIZER_UNSAFE),
    "emulation_unsafe": ("NB_RENDER_EMULATED", "under emulation", {}),
}


def pytest_configure(config: pytest.Config) -> None:
    for mark, (variable, where, _) in SKIPPED_WHEN.items():
        config.addinivalue_line("markers", f"{mark}(reason): skipped when {variable}=1 ({where})")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for mark, (variable, where, listed) in SKIPPED_WHEN.items():
        if os.environ.get(variable) != "1":
            continue
        for item in items:
            marker = item.get_closest_marker(mark)
            name = f"{item.path.name}::{getattr(item, 'originalname', item.name)}"
            reason = (marker.args[0] if marker and marker.args else None) or listed.get(name)
            if marker or reason:
                item.add_marker(pytest.mark.skip(reason=f"{where}: {reason or mark}"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (pyproject.toml): a worker per core, at most 8. Each test already
    renders on every core, and each worker holds its own NumPy, Dask and PyAV."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(8, cores))


def pytest_report_header(config: pytest.Config) -> list[str]:
    line = (
        f"nb-render {nbcli.__version__}: kernels {', '.join(ALL)}; this CPU runs {', '.join(SUPPORTED)}; "
        f"selected {_native.selected_kernel()}"
    )
    return [line]


@pytest.fixture(autouse=True)
def _restore_selected_kernel():
    """Tests that select a kernel leave the selection as they found it: a run forced onto
    one kernel (NB_RENDER_KERNEL=baseline pytest) stays on it for every later test."""
    before = _native.selected_kernel()
    yield
    if _native.selected_kernel() != before:
        _native.select_kernel(before)


@pytest.fixture(params=ALL)
def kernel(request: pytest.FixtureRequest) -> str:
    """Every kernel compiled in (skipped where this CPU cannot run it)."""
    if request.param not in SUPPORTED:
        pytest.skip(f"this CPU cannot run the {request.param} kernel")
    return str(request.param)


# The signals the tests send to a running command, each of which ends it by default.
TERMINATING_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGXCPU")


def default_signals() -> None:
    """In a child process (``preexec_fn``): each signal the tests send does what it does by
    default, however the test run was started: a shell without job control starts background
    commands with SIGINT and SIGQUIT ignored, and ``nohup`` ignores SIGHUP; nb-render rightly
    keeps an ignored signal ignored."""
    for name in TERMINATING_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_DFL)


@pytest.fixture
def spawn():
    """``spawn(cmd, **popen_args)`` starts a child process that is gone when the test ends,
    however it ends: killed if it still runs, reaped, its pipes closed. A test that failed
    half-way would otherwise leave its child running, and the garbage collector would
    report the child's pipes in whichever test it ran next."""
    children: list[subprocess.Popen] = []

    def start(cmd: list[str], **kw) -> subprocess.Popen:
        children.append(subprocess.Popen(cmd, **kw))
        return children[-1]

    yield start
    for proc in children:
        proc.kill()
        proc.__exit__(None, None, None)  # close its pipes and wait for it


def wait_for(condition, proc: subprocess.Popen, what: str, seconds: float = 60) -> None:
    """Poll ``condition`` until it holds; fail if the command ends or ``seconds`` pass first."""
    end = time.monotonic() + seconds
    while not condition():
        assert proc.poll() is None, f"the command ended before {what}"
        assert time.monotonic() < end, f"the command did not get to {what} in {seconds} s"
        time.sleep(0.02)


def wait_until_writing(proc: subprocess.Popen, folder: Path) -> None:
    """Wait until the command has a file open in ``folder``: its output, still unnamed (an
    O_TMPFILE file) or under a hidden name. A signal sent after this reaches a render under
    way, however slow the start-up (emulation, a loaded machine). Where the system does not
    show open files (no /proc), wait two seconds instead."""
    fds = Path(f"/proc/{proc.pid}/fd")
    if not fds.is_dir():
        time.sleep(2.0)
        return
    prefix = str(Path(folder).resolve()) + os.sep

    def writing() -> bool:
        try:
            return any(os.readlink(fd).startswith(prefix) for fd in fds.iterdir())
        except OSError:  # a descriptor closed while we looked: look again
            return False

    wait_for(writing, proc, f"writing in {folder}")


def wait_until_signals_are_handled(proc: subprocess.Popen) -> None:
    """Wait until the command has loaded nb-render's native core, which it imports only after
    installing its signal handlers (``nbcli/__main__.py`` installs them first of all).
    Not SigCgt in /proc/<pid>/status: under qemu-user that is the emulator's, which catches
    every signal from the start. Where the system does not show it (no /proc), wait a
    second instead."""
    maps = Path(f"/proc/{proc.pid}/maps")
    if not maps.exists():
        time.sleep(1.0)
        return

    def loaded() -> bool:
        try:
            return f"{os.sep}nbcli{os.sep}_core." in maps.read_text()
        except OSError:  # the process ended meanwhile: wait_for reports it
            return False

    wait_for(loaded, proc, "loading nb-render's core")


def script() -> str:
    """The installed console script, next to this interpreter."""
    name = "nb-render.exe" if os.name == "nt" else "nb-render"
    cand = Path(sys.executable).parent / name
    if cand.exists():
        return str(cand)
    found = shutil.which("nb-render")
    if not found:
        pytest.fail("the nb-render console script is not installed")
    return found


def run_cli(*args: str, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("cwd", OUTSIDE)
    return subprocess.run([script(), *args], capture_output=True, timeout=120, **kw)


def run_on_a_terminal(*args: str, columns: int = 100) -> tuple[int, str]:
    """Run the installed script with a pseudo-terminal for its standard streams: (exit code, all it wrote)."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [script(), *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=OUTSIDE,
        env={**os.environ, "COLUMNS": str(columns), "TERM": "xterm"},
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    return proc.returncode, b"".join(chunks).decode(errors="replace")


def run_python(code: str, **kw) -> subprocess.CompletedProcess:
    """Run Python code in a child process, away from the source tree (so the installed nbcli is used)."""
    kw.setdefault("cwd", OUTSIDE)
    kw.setdefault("timeout", 120)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, **kw)


OUTSIDE = str(Path(__file__).resolve().parent)  # tests/ has no nbcli/ in it
