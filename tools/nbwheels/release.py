"""The release path, end to end, here: a local package index (pypiserver, listening on
127.0.0.1 only, for the length of this step) receives the sdist and the wheels by
``twine upload``, twice (the second time with --skip-existing, which must succeed and
change nothing); then ``pip install nb-render`` from that index alone (no other index,
no pip configuration) must install the wheel made for each place, in a fresh venv on
this machine and in each chroot, and render a PNG; ``pipx install nb-render`` from it
too, on this machine. The index serves the dependencies as well, from the wheelhouse
folders the tests filled (a private index that mirrors what the package needs)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from .checks import png_size, python_in
from .chroot import Chroot
from .context import Context
from .places import HOST, Place
from .proc import StepFailed, note, run, say
from .report import Results, Row
from .venvs import make_venv, venv_bin

# pip's settings that would add another source of packages, or none.
PIP_SOURCES = ["PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL", "PIP_NO_INDEX", "PIP_CONSTRAINT"]


def release(ctx: Context, results: Results, sdist: Path | None, rows: list[Row]) -> None:
    files = ([sdist] if sdist else []) + [r.wheel for r in rows if r.wheel is not None]
    if not files:
        return
    say("release path: twine upload to a local index, then pip and pipx install from it alone")
    uploads = ctx.work / "index"
    uploads.mkdir(parents=True, exist_ok=True)
    try:
        with index(ctx, [uploads, ctx.cache / "wheelhouse"]) as url:
            upload(ctx, results, url, uploads, files)
            for row in rows:
                with contextlib.ExitStack() as stack:
                    place: Place = HOST
                    if row.tested_in is not None:
                        place = stack.enter_context(Chroot(ctx, row.tested_in))
                    what = f"pip {row.label} ({place.name})"
                    _step(results, what, functools.partial(pip_install, ctx, row, url, place))
            if rows and rows[0].tested_in is None:
                _step(results, f"pipx {rows[0].label} (host)", lambda: pipx_install(ctx, rows[0], url))
    except StepFailed as e:
        results.release["index"] = "FAIL"
        results.fail(f"release path: {e}")


def _step(results: Results, what: str, fn: Callable[[], None]) -> None:
    try:
        fn()
        results.release[what] = "ok"
    except StepFailed as e:
        results.release[what] = "FAIL"
        results.fail(f"release path, {what}: {e}")


@contextlib.contextmanager
def index(ctx: Context, folders: list[Path]) -> Iterator[str]:
    """pypiserver serving ``folders`` (uploads go to the first) on 127.0.0.1; its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    # -a . -P .: no authentication (it listens on this machine only); no fallback to PyPI
    cmd = [ctx.tool("pypi-server"), "run", "--host", "127.0.0.1", "--port", port, "-a", ".", "-P", "."]
    cmd += ["--disable-fallback", "--log-file", ctx.logs / "pypiserver.log", *folders]
    print(f"    $ {' '.join(map(str, cmd))} &", flush=True)
    server = subprocess.Popen(
        [str(c) for c in cmd], env=ctx.tool_env(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        _wait_for(url, server)
        note(f"index at {url}/simple/ (pid {server.pid})")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        note("index stopped")


def _wait_for(url: str, server: subprocess.Popen[bytes]) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for _ in range(300):
        if server.poll() is not None:
            raise StepFailed(f"pypiserver exited with status {server.returncode}")
        try:
            with opener.open(f"{url}/simple/", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise StepFailed("pypiserver did not answer within 30 s")


def _listing(url: str, project: str) -> str:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{url}/simple/{project}/", timeout=10) as r:
        return str(r.read().decode())


def _digests(folder: Path) -> dict[str, str]:
    return {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.iterdir()) if f.is_file()
    }


def upload(ctx: Context, results: Results, url: str, uploads: Path, files: list[Path]) -> None:
    """twine upload, then again with --skip-existing: that must succeed and change nothing."""
    env = ctx.tool_env()
    env.update(TWINE_USERNAME="nb-render", TWINE_PASSWORD="local", NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
    twine = [
        ctx.tool("twine"),
        "upload",
        "--non-interactive",
        "--disable-progress-bar",
        "--repository-url",
        url,
    ]
    run([*twine, *files], env=env, log=ctx.logs / "twine-upload.log")
    first = _digests(uploads)
    if sorted(first) != sorted(f.name for f in files):
        raise StepFailed(f"the index holds {sorted(first)}, not what was uploaded")
    run([*twine, "--skip-existing", *files], env=env, log=ctx.logs / "twine-upload-again.log")
    if _digests(uploads) != first:
        raise StepFailed("twine upload --skip-existing changed what the index holds")
    listed = _listing(url, "nb-render")
    missing = [f.name for f in files if f.name not in listed]
    if missing:
        raise StepFailed(f"the index does not list {', '.join(missing)}")
    note(f"uploaded {len(files)} file(s), again with --skip-existing: nothing changed; all listed")
    results.release["twine upload"] = "ok"


def only_index(env: dict[str, str], url: str) -> dict[str, str]:
    """``env`` with pip reading no configuration and no other source than the index."""
    env = {k: v for k, v in env.items() if k not in PIP_SOURCES}
    env.update(
        PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL=f"{url}/simple/", NO_PROXY="127.0.0.1", no_proxy="127.0.0.1"
    )
    return env


def _version(row: Row) -> str:
    assert row.wheel is not None
    return row.wheel.name.split("-")[1]


def pip_install(ctx: Context, row: Row, url: str, place: Place) -> None:
    """``pip install nb-render`` from the index in a fresh venv in ``place``: it must
    take the wheel made for it (not the sdist), and render."""
    assert row.wheel is not None
    venv = make_venv(
        python_in(row, place),
        ctx.work / "venvs" / f"index-{row.key}",
        [],
        log_dir=ctx.logs,
        fresh=True,
        place=place,
    )
    env = only_index(place.environ(), url)
    pip = [venv_bin(venv, "python"), "-m", "pip"]
    place.run(
        [*pip, "install", "--index-url", f"{url}/simple/", f"nb-render=={_version(row)}"],
        env=env,
        log=ctx.logs / f"index-pip-{row.key}.log",
    )
    show = "import importlib.metadata as m; print(m.distribution('nb-render').read_text('WHEEL'))"
    wheel_meta = place.run([venv_bin(venv, "python"), "-c", show], env=env, capture=True).stdout
    tag = "-".join(row.wheel.name[: -len(".whl")].split("-")[2:5])
    if f"Tag: {tag.split('.')[0]}" not in wheel_meta and f"Tag: {tag}" not in wheel_meta:
        raise StepFailed(f"pip installed something else than {row.wheel.name}:\n{wheel_meta}")
    out = ctx.work / f"index-{row.key}.png"
    place.run([venv_bin(venv, "nb-render"), "-c", "1,0,0,-1", "-s", "96x64", "-q", out], env=env)
    if png_size(out) != (96, 64):
        raise StepFailed(f"nb-render wrote a {png_size(out)} image, not 96x64")
    note(f"{place.name}: pip installed {row.wheel.name} from the index; it rendered {out.name}")


def pipx_install(ctx: Context, row: Row, url: str) -> None:
    """``pipx install nb-render`` from the index, with pipx's environments made afresh
    (timed: the index serves folders on this machine)."""
    home = ctx.work / "pipx-index"
    env = only_index(ctx.tool_env(), url)
    env.update(PIPX_HOME=str(home), PIPX_BIN_DIR=str(home / "bin"), PIPX_MAN_DIR=str(home / "man"))
    env["PIPX_DEFAULT_PYTHON"] = str(row.py.path)
    cmd = [
        ctx.tool("pipx"),
        "install",
        "--index-url",
        f"{url}/simple/",
        "--python",
        row.py.path,
        f"nb-render=={_version(row)}",
    ]
    t0 = time.perf_counter()
    run(cmd, env=env, log=ctx.logs / "index-pipx.log")
    seconds = time.perf_counter() - t0
    note(f"pipx install from the index: {seconds:.1f} s")
    if row.pipx_time is None:  # not timed from the wheelhouse in this run: this is the time
        row.pipx_time = seconds
    out = home / "index.png"
    run([home / "bin" / "nb-render", "-c", "1,0,0,-1", "-s", "96x64", "-q", out], env=env)
    if png_size(out) != (96, 64):
        raise StepFailed(f"pipx's nb-render wrote a {png_size(out)} image, not 96x64")
    note(f"pipx installed nb-render {_version(row)} from the index; it rendered {out.name}")
