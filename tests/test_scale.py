"""Beyond one machine: lazy Dask arrays, Zarr stores and ``--scheduler`` on a real Dask cluster
(a LocalCluster of 2 worker processes), compared pixel for pixel with local renders; and the
faults: a worker killed mid-render, a scheduler unreachable or gone, Ctrl-C, no Dask installed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import default_signals

import nbcli
from nbcli import Scene, Style

distributed = pytest.importorskip("distributed")
zarr = pytest.importorskip("zarr")

# The workers run the tiles' native code, which tests/test_tiles.py checks under the sanitizers;
# the cluster adds only Python, and sanitized worker processes would only make the run slower.
pytestmark = pytest.mark.sanitizer_unsafe("Dask worker processes run the native code test_tiles.py covers")

SCRIPT = str(Path(sys.executable).with_name("nb-render"))
DATA = ("root", "iterations", "smooth", "residual")
SCENE = Scene.create(roots=[1, -1, 1j, -1j, 0.5 + 0.5j], size=(150, 110), aa=2)
STYLE = Style(palette="okabe-ito", boundary="#ffffff", mark_roots=True)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as c:
        yield c


@pytest.fixture
def client(cluster):
    with distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def whole():
    return nbcli.render(SCENE, STYLE)


def run(*args, env=None, **kw):
    full = {**os.environ, **(env or {})}
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, env=full, timeout=120, **kw)


def test_to_dask_is_lazy_and_exact(client, whole):
    lazy = nbcli.to_dask(SCENE, STYLE, chunks=(40, 64), fields=("rgb", *DATA))
    assert lazy.rgb.shape == (110, 150, 3) and lazy.rgb.chunks[0] == (40, 40, 30)
    assert lazy.root.shape == (220, 300) and lazy.root.chunks[1] == (128, 128, 44)
    assert not client.processing() or not any(client.processing().values())  # nothing ran yet
    assert np.array_equal(lazy.rgb.compute(), whole.rgb)  # on the cluster (the default client)
    r = lazy.compute()
    for k in DATA:
        assert np.array_equal(getattr(r, k), getattr(whole, k)), k
    assert np.array_equal(lazy.rgb[50:60, 100:140].compute(), whole.rgb[50:60, 100:140])
    with pytest.raises(AttributeError, match="not asked for"):
        _ = nbcli.to_dask(SCENE, STYLE).root


def test_to_dask_without_a_cluster_uses_threads(whole):
    lazy = nbcli.to_dask(SCENE, STYLE, chunks=50, fields="rgb")
    assert np.array_equal(lazy.rgb.compute(scheduler="threads"), whole.rgb)


def check_store(path, scene, style, fields):
    g = zarr.open_group(str(path), mode="r")
    assert sorted(g.keys()) == sorted(fields)
    record = g.attrs["nb-render"]
    assert Scene.from_dict(record) == scene and Style.from_dict(record["style"]) == style
    direct = nbcli.render(scene, style)
    for f in fields:
        assert np.array_equal(g[f][:], getattr(direct, f)), f


def test_workers_write_a_zarr_store(client, tmp_path):
    out = tmp_path / "s.zarr"
    info = nbcli.to_dask(SCENE, STYLE, chunks=32, fields=("rgb", "root", "iterations", "smooth")).to_zarr(
        out, stats=True
    )
    check_store(out, SCENE, STYLE, ("rgb", "root", "iterations", "smooth"))
    assert info["root_share"] == nbcli.render(SCENE, STYLE).stats["root_share"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.zarr"]  # no temporary folder left


def test_local_zarr_and_recolouring_from_it(tmp_path):
    out = tmp_path / "a.zarr"
    r = subprocess.run(
        [SCRIPT, "-r", "1,-1,1j,-1j,0.5+0.5j", "--size", "150x110", "--aa", "2", "--chunks", "48", str(out)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    check_store(out, SCENE, Style(), ("rgb", "root", "iterations", "smooth"))
    # recoloured from the store, nothing computed: the same bytes as a direct render with those colours
    colour = ["--palette", "okabe-ito", "--boundary", "#ffffff", "--mark-roots"]
    assert run("--from", str(out), *colour, str(tmp_path / "re.png")).returncode == 0
    SCENE_ARGS = ["-r", "1,-1,1j,-1j,0.5+0.5j", "--size", "150x110", "--aa", "2"]
    assert run(*SCENE_ARGS, *colour, str(tmp_path / "direct.png")).returncode == 0
    assert (tmp_path / "re.png").read_bytes() == (tmp_path / "direct.png").read_bytes()
    # a store with the image only is re-rendered from its parameters
    assert run(*SCENE_ARGS, "--fields", "rgb", str(tmp_path / "img.zarr")).returncode == 0
    assert run("--from", str(tmp_path / "img.zarr"), *colour, str(tmp_path / "re2.png")).returncode == 0
    assert (tmp_path / "re2.png").read_bytes() == (tmp_path / "direct.png").read_bytes()


def test_corrupt_store_is_refused_in_one_line(tmp_path):
    out = tmp_path / "a.zarr"
    assert run("-c", "1,0,0,-1", "--size", "40x30", "--chunks", "16", str(out)).returncode == 0
    root = zarr.open_array(str(out / "root"), mode="r+")
    root[3, 3] = 99  # no such root
    r = run("--from", str(out), "--palette", "pastel", str(tmp_path / "x.png"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "root values out of range" in r.stderr
    assert not (tmp_path / "x.png").exists()
    meta = json.loads((out / "zarr.json").read_text())
    meta["attributes"] = {}
    (out / "zarr.json").write_text(json.dumps(meta))
    r = run("--from", str(out), str(tmp_path / "x.png"))
    assert r.returncode == 2 and "has no nb-render parameters" in r.stderr


def test_cli_on_the_cluster_png_and_zarr(cluster, tmp_path):
    args = ["-r", "1,-1,1j,-1j,0.5+0.5j", "--size", "150x110", "--aa", "2"]
    args += ["--palette", "okabe-ito", "--boundary", "#ffffff", "--mark-roots", "--stats-json"]
    local = run(*args, str(tmp_path / "local.png"))
    remote = run(*args, "--scheduler", cluster.scheduler_address, str(tmp_path / "remote.png"))
    assert remote.returncode == 0, remote.stderr
    assert (tmp_path / "local.png").read_bytes() == (tmp_path / "remote.png").read_bytes()
    assert json.loads(local.stdout)["root_share"] == json.loads(remote.stdout)["root_share"]
    env = {"DASK_SCHEDULER_ADDRESS": cluster.scheduler_address}
    r = run(*args, "--chunks", "40", str(tmp_path / "remote.zarr"), env=env)
    assert r.returncode == 0, r.stderr
    check_store(tmp_path / "remote.zarr", SCENE, STYLE, ("rgb", "root", "iterations", "smooth"))


def test_animation_frames_on_the_cluster(cluster, tmp_path):
    """Each frame is a task; the frames (and an animated image made from them) are the local ones."""
    args = ["-c", "1,0,0,-1", "--size", "64x48", "--zoom-to", "0.3+0.2j", "--zoom-width", "0.5"]
    args += ["--frames", "6", "--boundary", "white", "--mark-roots"]
    assert run(*args, str(tmp_path / "local") + "/").returncode == 0
    r = run(*args, "--scheduler", cluster.scheduler_address, str(tmp_path / "remote") + "/")
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in (tmp_path / "local").iterdir())
    assert names == [f"{k:05d}.png" for k in range(6)]
    assert names == sorted(p.name for p in (tmp_path / "remote").iterdir())
    for n in names:
        assert (tmp_path / "local" / n).read_bytes() == (tmp_path / "remote" / n).read_bytes(), n
    (tmp_path / "remote" / "00003.png").unlink()  # resumed: only the missing frame goes to the cluster
    r = run(*args, "--scheduler", cluster.scheduler_address, str(tmp_path / "remote") + "/")
    assert r.returncode == 0 and "kept 5 frames" in r.stderr and "rendered 1" in r.stderr, r.stderr
    assert (tmp_path / "remote" / "00003.png").read_bytes() == (tmp_path / "local" / "00003.png").read_bytes()
    assert run(*args, str(tmp_path / "local.gif")).returncode == 0
    assert run(*args, "--scheduler", cluster.scheduler_address, str(tmp_path / "remote.gif")).returncode == 0
    assert (tmp_path / "local.gif").read_bytes() == (tmp_path / "remote.gif").read_bytes()


def test_batch_jobs_on_the_cluster(cluster, tmp_path):
    """One connection for the batch; the next jobs' bands are submitted while a job is written."""
    jobs = [
        f"-c 1,0,0,-1 --size 60x40 --palette okabe-ito {tmp_path}/a.png",
        f"-r 1,-1,1j --size 50x50 --boundary white --stats-json {tmp_path}/b.png",
        f"-e 'z^5 - 1' --size 40x30 --aa 2 --mark-roots {tmp_path}/c.webp",
        f"-c 1,0,-2,2 --size 30x30 --save-data {tmp_path}/d.npz {tmp_path}/d.png",
        f"-c 1,0,0,1 --size 30x20 --chunks 16 {tmp_path}/e.zarr",
    ]
    (tmp_path / "jobs.txt").write_text("\n".join(jobs) + "\n")
    remote = run("--batch", str(tmp_path / "jobs.txt"), "--scheduler", cluster.scheduler_address)
    assert remote.returncode == 0, remote.stderr
    moved = tmp_path / "remote"
    moved.mkdir()
    for name in ("a.png", "b.png", "c.webp", "d.png", "d.npz", "e.zarr"):
        (tmp_path / name).rename(moved / name)
    local = run("--batch", str(tmp_path / "jobs.txt"))
    assert local.returncode == 0, local.stderr
    assert json.loads(remote.stdout)["root_share"] == json.loads(local.stdout)["root_share"]
    for name in ("a.png", "b.png", "c.webp", "d.png"):
        assert (moved / name).read_bytes() == (tmp_path / name).read_bytes(), name
    mine, theirs = np.load(moved / "d.npz"), np.load(tmp_path / "d.npz")
    assert all(np.array_equal(mine[k], theirs[k]) for k in DATA)
    g1, g2 = (
        zarr.open_group(str(moved / "e.zarr"), mode="r"),
        zarr.open_group(str(tmp_path / "e.zarr"), mode="r"),
    )
    assert np.array_equal(g1["rgb"][:], g2["rgb"][:])


def test_a_worker_killed_mid_render_changes_nothing(cluster, tmp_path):
    """The scheduler gives the dead worker's tasks to another; the PNG is still byte for byte the local one."""
    from nbcli.scale import render_to_file_on

    scene = Scene.create(
        [1, 0, 0, 0, 0, 0, 1], size=(400, 300), itmax=3000, tol=1e-300
    )  # slow: never converges
    style = Style(boundary="#ffffff")
    nbcli.render_to_png(tmp_path / "local.png", scene, style)
    with distributed.Client(cluster) as c:
        pids = c.run(os.getpid)
        killed = []

        def progress(done, total):
            if not killed:
                killed.append(pids[min(pids)])
                os.kill(killed[0], signal.SIGKILL)

        render_to_file_on(c, tmp_path / "remote.png", scene, style, progress=progress, band_rows=10)
        assert killed
        c.wait_for_workers(2, timeout=60)  # the nanny restarts it, for the tests that follow
    assert (tmp_path / "local.png").read_bytes() == (tmp_path / "remote.png").read_bytes()


def test_unreachable_scheduler_fails_in_one_line(tmp_path):
    out = tmp_path / "x.png"
    env = {"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"}
    for name in ("x.png", "x.zarr"):
        r = run("-c", "1,0,0,-1", "--scheduler", "tcp://127.0.0.1:1", str(tmp_path / name), env=env)
        assert r.returncode == 1, r.stderr
        assert (
            r.stderr.count("\n") == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in r.stderr
        )
    assert not out.exists() and list(tmp_path.iterdir()) == []


def start(*cmd):
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("dask")), *cmd],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_scheduler_gone_mid_render_leaves_nothing(tmp_path, spawn):
    port = 48700 + os.getpid() % 500
    address = f"tcp://127.0.0.1:{port}"
    sched = start("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
    worker = start("worker", address, "--nthreads", "1", "--no-dashboard")
    try:
        (tmp_path / "x.png").write_bytes(b"old")  # an existing file stays as it was
        slow = ["-c", "1,0,0,0,0,0,1", "--size", "800x800", "--itmax", "20000", "--tol", "1e-300"]
        p = spawn(
            [SCRIPT, *slow, "--scheduler", address, str(tmp_path / "x.png")],
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "5s"},  # also how long it retries
        )
        with distributed.Client(address, timeout=20) as c:  # wait until the render runs
            deadline = time.monotonic() + 60
            while not any(c.processing().values()):
                assert time.monotonic() < deadline, "the render never started"
                time.sleep(0.1)
        sched.kill()
        sched.wait()
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 1, err
        assert err.count("\n") == 1 and err.startswith("nb-render: error:") and "Dask" in err, err
        assert [q.name for q in tmp_path.iterdir()] == ["x.png"] and (
            tmp_path / "x.png"
        ).read_bytes() == b"old"
    finally:
        for proc in (worker, sched):
            proc.kill()
            proc.wait()


def test_ctrl_c_cancels_the_clusters_tasks(cluster, tmp_path, spawn):
    slow = [
        "-c",
        "1,0,0,0,0,0,1",
        "--size",
        "600x600",
        "--itmax",
        "20000",
        "--tol",
        "1e-300",
        "--chunks",
        "60",
    ]
    p = spawn(
        [SCRIPT, *slow, "--scheduler", cluster.scheduler_address, str(tmp_path / "x.zarr")],
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_signals,
    )
    with distributed.Client(cluster) as c:
        deadline = time.monotonic() + 60
        while not any(c.processing().values()):
            assert time.monotonic() < deadline, "the render never started"
            time.sleep(0.1)
        p.send_signal(signal.SIGINT)
        t0 = time.monotonic()
        _out, err = p.communicate(timeout=30)
        assert p.returncode == 130 and err.strip() == "nb-render: interrupted"
        assert time.monotonic() - t0 < 10  # promptly (a second here, with a loaded machine's margin)
        deadline = time.monotonic() + 30
        while left := c.run_on_scheduler(
            lambda dask_scheduler: {
                str(k): v.state for k, v in dask_scheduler.tasks.items() if str(k).startswith("write_tile")
            }
        ):
            assert time.monotonic() < deadline, f"tasks left on the cluster: {left}"
            time.sleep(0.1)
    assert list(tmp_path.iterdir()) == []


def test_without_dask_one_line_names_the_extra(tmp_path):
    code = (
        "import sys; sys.modules['dask'] = sys.modules['distributed'] = sys.modules['zarr'] = None; "
        "from nbcli.cli import main; main(sys.argv[1:])"
    )
    for args in (["--scheduler", "tcp://127.0.0.1:1", "x.png"], ["x.zarr"]):
        r = subprocess.run(
            [sys.executable, "-c", code, "-c", "1,0,0,-1", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert r.returncode == 2, r.stderr
        assert r.stderr.count("\n") == 1 and "pip install 'nb-render[dask]'" in r.stderr
    assert list(tmp_path.iterdir()) == []
    code = (
        "import sys; sys.modules['dask'] = None; import nbcli\n"
        "try: nbcli.to_dask(nbcli.Scene.create([1, 0, -1]))\n"
        "except ImportError as e: print(e)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert "pip install 'nb-render[dask]'" in r.stdout
