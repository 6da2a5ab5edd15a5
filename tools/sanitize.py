"""Run nb-render under AddressSanitizer + UndefinedBehaviorSanitizer (Linux, GCC).

    python tools/sanitize.py pytest [PYTEST ARGS...]
        Runs the test suite against an nbcli that was installed with the sanitizers
        built in (see `nox -s sanitize`, which installs it and then calls this). The
        sanitizer runtimes the extension links against are preloaded into this
        Python and every child process it starts (the CLI tests run the installed
        script), leak detection is off (CPython does not free everything at exit),
        and any sanitizer report fails the run: the process that hit it exits with
        code 86, and every report is also written to a log folder that is checked
        afterwards, so an error in a child process whose exit code a test does not
        look at still fails the run.

    python tools/sanitize.py lsan [--library LIB]
        Builds the C++ library alone with the `sanitize` CMake preset (or takes
        LIB, a sanitized libnbr.a as it is: `nox -s sanitize` passes the one it has
        just built for the extension, so the kernels are compiled once), links
        tools/lsan_driver.cpp against it and runs it with LeakSanitizer on.

Exit code 0 only if the tests passed and no sanitizer said anything.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SANITIZER_EXIT = 86  # distinct from pytest's and the CLI's own exit codes
RUNTIMES = ("libasan", "libubsan")


def say(msg: str) -> None:
    print(f"sanitize: {msg}", flush=True)


def installed_extension() -> Path:
    """The installed nbcli._core, found without importing it (that needs the runtime preloaded)."""
    for key in ("platlib", "purelib"):
        found = sorted(Path(sysconfig.get_paths()[key], "nbcli").glob("_core*.so"))
        if found:
            return found[0]
    sys.exit("sanitize: nbcli is not installed in this environment (run `nox -s sanitize`)")


def sanitizer_runtimes(ext: Path) -> list[str]:
    """The libasan/libubsan the extension was linked against, as ldd resolves them."""
    out = subprocess.run(["ldd", str(ext)], capture_output=True, text=True, check=True).stdout
    libs = {}
    for line in out.splitlines():
        m = re.match(r"\s*(lib(?:asan|ubsan)\S*)\s+=>\s+(\S+)", line)
        if m:
            libs[m.group(1).split(".")[0]] = m.group(2)
    missing = [r for r in RUNTIMES if r not in libs]
    if missing:
        sys.exit(
            f"sanitize: {ext.name} is not linked against {', '.join(missing)}: it was not built with "
            "NBR_SANITIZE=address,undefined by GCC, so a run would prove nothing.\n" + out
        )
    return [libs[r] for r in RUNTIMES]


def sanitizer_env(logdir: Path, leaks: bool) -> dict[str, str]:
    common = f"exitcode={SANITIZER_EXIT}:log_path={logdir}/%s:print_summary=1"
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(
        [
            common % "asan",
            f"detect_leaks={int(leaks)}",
            "halt_on_error=1",
            "detect_stack_use_after_return=1",
            "check_initialization_order=1",
            "strict_init_order=1",
        ]
    )
    env["UBSAN_OPTIONS"] = ":".join([common % "ubsan", "halt_on_error=1", "print_stacktrace=1"])
    return env


def reports(logdir: Path) -> int:
    """Prints every sanitizer report written to logdir; returns how many there were."""
    found = sorted(p for p in logdir.iterdir() if p.is_file())
    for p in found:
        print(f"\n===== sanitizer report {p.name} =====", file=sys.stderr)
        print(p.read_text(errors="replace"), file=sys.stderr)
    return len(found)


def finish(rc: int, logdir: Path, what: str) -> int:
    n = reports(logdir)
    if n:
        say(f"FAILED: {n} sanitizer report(s) from {what} (printed above)")
        return rc or SANITIZER_EXIT
    if rc == SANITIZER_EXIT:
        say(f"FAILED: {what} exited with the sanitizer exit code {SANITIZER_EXIT}")
    elif rc:
        say(f"FAILED: {what} exited with {rc}")
    else:
        say(f"{what}: passed, no sanitizer reports")
    return rc


def run_pytest(args: list[str]) -> int:
    ext = installed_extension()
    preload = sanitizer_runtimes(ext)
    say(f"{ext} links {', '.join(preload)}")
    # A command started in the background by a non-interactive shell inherits
    # SIGINT ignored, and so would every test's child process: the Ctrl-C tests
    # would then wait for a render of several minutes. A handled signal is reset
    # to the default on exec, so pytest and its children start with SIGINT live.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    with tempfile.TemporaryDirectory(prefix="nbr-sanitize-") as tmp:
        logdir = Path(tmp)
        env = sanitizer_env(logdir, leaks=False)
        env["LD_PRELOAD"] = ":".join([*preload, *filter(None, [os.environ.get("LD_PRELOAD")])])
        # Python objects in plain malloc'd memory, so ASan sees overruns of them too.
        env["PYTHONMALLOC"] = "malloc"
        # tests/conftest.py skips the few tests marked sanitizer_unsafe.
        env["NB_RENDER_SANITIZE"] = "1"
        # The console script, not `python -m pytest`: that would put the source tree
        # (and its unbuilt nbcli/) first on sys.path.
        pytest = Path(sys.executable).parent / "pytest"
        cmd = [str(pytest), "-p", "no:cacheprovider", *args]
        say("running " + " ".join(cmd))
        rc = subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode
        return finish(rc, logdir, "pytest")


def run_lsan(library: Path | None) -> int:
    if library is None:
        for cmd in (["cmake", "--preset", "sanitize"], ["cmake", "--build", "--preset", "sanitize"]):
            subprocess.run(cmd, cwd=ROOT, check=True)
        library = ROOT / "build" / "sanitize" / "libnbr.a"
    elif not library.is_file() or b"__asan_report_" not in library.read_bytes():
        sys.exit(f"sanitize: {library} is not a C++ library built with NBR_SANITIZE=address,undefined")
    cxx = os.environ.get("CXX") or shutil.which("g++") or "c++"
    exe = library.with_name("lsan_driver")
    subprocess.run(
        [cxx, "-std=c++17", "-g", "-O1", "-fsanitize=address,undefined", "-fno-omit-frame-pointer",
         "-Wall", "-Wextra", "-Werror", f"-I{ROOT / 'native' / 'include'}",
         str(ROOT / "tools" / "lsan_driver.cpp"), str(library), "-pthread", "-o", str(exe)],
        check=True,
    )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="nbr-lsan-") as tmp:
        logdir = Path(tmp)
        say(f"running {exe} with LeakSanitizer on")
        rc = subprocess.run([str(exe)], env=sanitizer_env(logdir, leaks=True), check=False).returncode
        return finish(rc, logdir, "lsan_driver")


def main() -> int:
    if not sys.platform.startswith("linux"):
        sys.exit("sanitize: Linux only (GCC's libasan is preloaded with LD_PRELOAD)")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["pytest", "lsan"])
    ap.add_argument(
        "args", nargs=argparse.REMAINDER, help="pytest: passed on to pytest; lsan: [--library LIB]"
    )
    ns = ap.parse_args()
    if ns.what == "pytest":
        return run_pytest(ns.args)
    lsan = argparse.ArgumentParser(prog=f"{ap.prog} lsan")
    lsan.add_argument("--library", type=Path, help="a libnbr.a built with the sanitizers, used as it is")
    return run_lsan(lsan.parse_args(ns.args).library)


if __name__ == "__main__":
    sys.exit(main())
