"""Golden test: fixed nb-render commands must keep giving the same pictures, the same PNG bytes and the same
metadata.

``tests/golden/scenes.json`` holds a list of scenes, each one or more ``nb-render`` command lines run one
after the other in an empty folder (later commands may read earlier outputs with ``--from``), and what
every file they wrote looked like when the file was recorded:

- each PNG: the SHA-256 of the file's bytes; the SHA-256, shape and dtype of its decoded pixels (8-bit
  with Pillow, 16-bit with ``tests/pngdecode.py``); its text chunks, with the ``nb-render`` parameters
  parsed as JSON;
- each ``--save-data`` ``.npz``: per array its dtype, shape and the SHA-256 of its bytes, the parsed
  ``parameters``, and one SHA-256 over all of that together with the exact ``parameters`` string (not
  over the zip file, whose compressed bytes depend on zlib).

Every scene runs through the installed ``nb-render`` console script (the one next to this Python, else
the one on PATH) with ``-q`` and ``NB_RENDER_KERNEL`` set to the first kernel that uses fused
multiply-adds and that this CPU supports (avx2, avx512 and neon agree bit for bit; the ``baseline``
kernel, which rounds separately, can differ on a few boundary pixels). Without such a kernel the test is
skipped.

For each scene, ``test_golden_scene`` asserts that the decoded pixels, the metadata (except the
``version`` field and the ``Software`` chunk) and the arrays of the ``.npz`` files are as recorded.
``test_golden_bytes`` asserts that the PNG files are the same byte for byte and that the ``.npz``
parameters are the same text; it needs the nb-render version that made the recording (stored in the JSON
file) and, for the PNG bytes, the same PNG compressor (library and version: every PNG records its own,
see ``nbcli.compression``), and is skipped with the reason otherwise.

Run it like the other tests, against the installed package (``pytest tests/test_golden.py``); the scenes
run side by side and take a few seconds. A failure names the scene, its commands and what differs.
Setting ``NB_GOLDEN_THREADS=N`` adds ``--threads N`` to every command: the outputs must not depend on it.

Regenerating. Only when a change is *meant* to alter the output (a new compressor, a palette fix, a new
parameter in the metadata, ...) or to add scenes, rewrite the recording with the package installed::

    python tests/test_golden.py --regenerate

It keeps the scene list (edit ``commands`` in the JSON file to add or change scenes), records every
output again and prints which scenes changed; review that list, and commit the JSON file together with
the change that explains it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from pngdecode import decode

import nbcli

GOLDEN = Path(__file__).resolve().parent / "golden" / "scenes.json"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _load() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


DATA = _load()
SCENES: dict[str, dict[str, Any]] = {s["name"]: s for s in DATA["scenes"]}


# ---- running the scenes ----------------------------------------------------------------------------------


def fused_kernel() -> str | None:
    """The first kernel with fused multiply-adds that this CPU runs, or None."""
    for k in nbcli.available_kernels():
        if k["fused"] and k["supported"]:
            return str(k["name"])
    return None


def script() -> str | None:
    """The installed console script: next to this interpreter, else on PATH."""
    name = "nb-render.exe" if os.name == "nt" else "nb-render"
    cand = Path(sys.executable).parent / name
    return str(cand) if cand.exists() else shutil.which("nb-render")


def run_scene(
    scene: dict[str, Any], folder: Path, exe: str, kernel: str, environ: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """Run the scene's commands in `folder` (empty) and describe every file they wrote. `environ`:
    the environment, copied in the main thread (pytest changes os.environ while a test runs, and
    copying it in a worker thread meanwhile can fail)."""
    env = dict(environ, NB_RENDER_KERNEL=kernel)
    threads = environ.get("NB_GOLDEN_THREADS")
    extra = ["--threads", threads] if threads else []
    for args in scene["commands"]:
        args = ["-q", *extra, *args]
        r = subprocess.run([exe, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise AssertionError(
                f"scene {scene['name']}: `nb-render {shlex.join(args)}` exited with {r.returncode}:\n{r.stderr}"
            )
    return {p.name: describe(p) for p in sorted(folder.iterdir()) if p.suffix in (".png", ".npz")}


def run_all(
    pool: ThreadPoolExecutor, scenes: list[dict[str, Any]], exe: str, kernel: str, root: Path
) -> dict[str, Future]:
    """Start the scenes side by side (most of each command's time is Python's start-up)."""
    futures = {}
    environ = dict(os.environ)
    for scene in scenes:
        folder = root / scene["name"]
        folder.mkdir()
        futures[scene["name"]] = pool.submit(run_scene, scene, folder, exe, kernel, environ)
    return futures


def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 1)))


# ---- describing the outputs ------------------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _array_record(a: np.ndarray) -> dict[str, Any]:
    a = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<") if a.dtype.byteorder == ">" else a.dtype)
    return {"dtype": a.dtype.str, "shape": list(a.shape), "sha256": sha256(a.tobytes())}


def describe(path: Path) -> dict[str, Any]:
    return describe_png(path) if path.suffix == ".png" else describe_npz(path)


def describe_png(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC and data[12:16] == b"IHDR", f"{path.name} is not a PNG"
    depth, colour_type = data[24], data[25]
    with Image.open(path) as im:
        text = dict(im.text)
        if depth == 8:
            assert (im.mode, colour_type) == ("RGB", 2), (path.name, im.mode, colour_type)
            pixels = np.asarray(im)
    if depth != 8:
        pixels = decode(data)  # Pillow reads 16-bit RGB only as 8-bit
    if "nb-render" in text:
        text["nb-render"] = json.loads(text["nb-render"])
    return {"file_sha256": sha256(data), "pixels": _array_record(pixels), "text": text}


def describe_npz(path: Path) -> dict[str, Any]:
    arrays: dict[str, Any] = {}
    whole = hashlib.sha256()
    with np.load(path, allow_pickle=False) as z:
        names = sorted(z.files)
        for name in names:
            a = z[name]
            if name == "parameters":
                params = str(a)
                whole.update(b"parameters\0" + params.encode())
                continue
            rec = _array_record(a)
            arrays[name] = rec
            whole.update(f"{name}\0{rec['dtype']}\0{rec['shape']}\0{rec['sha256']}\0".encode())
    assert "parameters" in names, f"{path.name} has no parameters"
    return {"arrays": arrays, "parameters": json.loads(params), "contents_sha256": whole.hexdigest()}


def compressor(rec: dict[str, Any]) -> str | None:
    """The PNG compressor (library and version) a PNG's parameters record, if any."""
    png = rec.get("text", {}).get("nb-render", {}).get("png")
    return f"{png.get('library')} {png.get('version')}" if isinstance(png, dict) else None


def comparable(rec: dict[str, Any]) -> dict[str, Any]:
    """What must not change whatever the version or compressor: no version fields (of nb-render and
    of the PNG compressor), no Software chunk, no bytes."""
    out = {k: v for k, v in rec.items() if k not in ("file_sha256", "contents_sha256")}
    if "text" in out:
        out["text"] = {k: v for k, v in out["text"].items() if k != "Software"}
        if isinstance(out["text"].get("nb-render"), dict):
            record = {k: v for k, v in out["text"]["nb-render"].items() if k != "version"}
            if isinstance(record.get("png"), dict):
                record["png"] = {k: v for k, v in record["png"].items() if k != "version"}
            out["text"]["nb-render"] = record
    if "parameters" in out:
        out["parameters"] = {k: v for k, v in out["parameters"].items() if k != "version"}
    return out


def differences(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Where two JSON-like values differ, as short lines."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for k in sorted(set(expected) | set(actual)):
            if k not in actual:
                out.append(f"{where}.{k}: missing (recorded {expected[k]!r})")
            elif k not in expected:
                out.append(f"{where}.{k}: new, {actual[k]!r}")
            else:
                out += differences(expected[k], actual[k], f"{where}.{k}")
        return out
    return [] if expected == actual else [f"{where}: recorded {expected!r}, now {actual!r}"]


# ---- the tests -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def outputs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future]]:
    kernel = fused_kernel()
    if kernel is None:
        pytest.skip(
            "no kernel with fused multiply-adds (avx2, avx512, neon) runs on this CPU; the recording needs one"
        )
    exe = script()
    if exe is None:
        pytest.fail("the nb-render console script is not installed")
    # start every scene selected in this run (all, or those chosen with -k) at once
    here, selected = Path(__file__).resolve(), set()
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if item.path == here and callspec is not None and "name" in callspec.params:
            selected.add(callspec.params["name"])
    scenes = [s for name, s in SCENES.items() if name in selected]
    with _pool() as pool:
        futures = run_all(pool, scenes, exe, kernel, tmp_path_factory.mktemp("golden"))
        yield futures
        for f in futures.values():
            f.cancel()


def _result(outputs: dict[str, Future], name: str) -> dict[str, dict[str, Any]]:
    got = outputs[name].result()
    recorded = SCENES[name]["outputs"]
    assert sorted(got) == sorted(recorded), f"{name}: wrote {sorted(got)}, recorded {sorted(recorded)}"
    return got


@pytest.mark.parametrize("name", list(SCENES))
def test_golden_scene(outputs: dict[str, Future], name: str) -> None:
    """Pixels, metadata and saved data as recorded."""
    got = _result(outputs, name)
    problems = []
    for fname, rec in SCENES[name]["outputs"].items():
        problems += [f"{fname}{d}" for d in differences(comparable(rec), comparable(got[fname]))]
    commands = "; ".join("nb-render " + shlex.join(args) for args in SCENES[name]["commands"])
    assert not problems, f"{name} ({commands}):\n" + "\n".join(problems)


@pytest.mark.parametrize("name", list(SCENES))
def test_golden_bytes(outputs: dict[str, Future], name: str) -> None:
    """The same files byte for byte (PNG) and the same parameters text (npz), where that can be expected."""
    got = _result(outputs, name)
    made_by = DATA["recorded_with"]
    if nbcli.__version__ != made_by["nb_render"]:
        pytest.skip(
            f"recorded with nb-render {made_by['nb_render']}, this is {nbcli.__version__}: the version is "
            "part of the metadata, so the files cannot be identical (pixels and parameters are still checked)"
        )
    problems = [
        f"{fname}: contents differ (recorded {rec['contents_sha256']}, now {got[fname]['contents_sha256']})"
        for fname, rec in SCENES[name]["outputs"].items()
        if "contents_sha256" in rec and rec["contents_sha256"] != got[fname]["contents_sha256"]
    ]
    assert not problems, f"{name}:\n" + "\n".join(problems)
    for fname, rec in SCENES[name]["outputs"].items():
        if "file_sha256" in rec and compressor(rec) != compressor(got[fname]):
            pytest.skip(
                f"{fname} was recorded with the PNG compressor {compressor(rec)}, and is now compressed with "
                f"{compressor(got[fname])}: the bytes may differ (pixels and parameters are still checked)"
            )
    problems = [
        f"{fname}: PNG bytes differ (recorded {rec['file_sha256']}, now {got[fname]['file_sha256']})"
        for fname, rec in SCENES[name]["outputs"].items()
        if "file_sha256" in rec and rec["file_sha256"] != got[fname]["file_sha256"]
    ]
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_golden_scenes_are_well_formed() -> None:
    assert len(SCENES) == len(DATA["scenes"]), "scene names must be unique"
    for name, scene in SCENES.items():
        assert scene["commands"] and scene["outputs"], name
        for args in scene["commands"]:
            assert all(isinstance(a, str) for a in args), name


# ---- regenerating ----------------------------------------------------------------------------------------


def _dumps(obj: Any, indent: int = 0, width: int = 110) -> str:
    """JSON, one value per line only where it does not fit on one line."""
    flat = json.dumps(obj, ensure_ascii=False)
    if len(flat) + indent <= width or not isinstance(obj, (dict, list)) or not obj:
        return flat
    pad = " " * (indent + 2)
    if isinstance(obj, dict):
        items = [f"{pad}{json.dumps(k)}: {_dumps(v, indent + 2, width)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [f"{pad}{_dumps(v, indent + 2, width)}" for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def _default_compressor() -> str:
    from nbcli.compression import default_deflate

    d = default_deflate()
    return f"{d.library} {d.version()}"


def regenerate() -> int:
    kernel, exe = fused_kernel(), script()
    if kernel is None or exe is None:
        print("cannot regenerate: " + ("no fused multiply-add kernel" if kernel is None else "no nb-render"))
        return 1
    old = _load()
    with tempfile.TemporaryDirectory() as root, _pool() as pool:
        futures = run_all(pool, old["scenes"], exe, kernel, Path(root))
        results = {name: f.result() for name, f in futures.items()}
    scenes = []
    for s in old["scenes"]:
        new = results[s["name"]]
        before = s.get("outputs")
        status = "new" if not before else ("unchanged" if before == new else "CHANGED")
        if status == "CHANGED":
            status += ": " + ", ".join(
                f for f in sorted(set(before) | set(new)) if before.get(f) != new.get(f)
            )
        print(f"{s['name']}: {status}")
        scenes.append({"name": s["name"], "commands": s["commands"], "outputs": new})
    data = {
        "about": old.get("about", ""),
        "recorded_with": {
            "nb_render": nbcli.__version__,
            "png_compressor": _default_compressor(),
            "kernel": kernel,
        },
        "scenes": scenes,
    }
    GOLDEN.write_text(_dumps(data) + "\n", encoding="utf-8")
    print(
        f"wrote {len(scenes)} scenes to {GOLDEN.name} (nb-render {nbcli.__version__}, PNG compressor "
        f"{_default_compressor()}, kernel {kernel})"
    )
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Golden outputs of nb-render (see the module docstring).")
    parser.add_argument("--regenerate", action="store_true", help="record every scene's outputs again")
    if not parser.parse_args().regenerate:
        parser.error("run the test with pytest; --regenerate rewrites the recording")
    sys.exit(regenerate())
