"""Running commands: echoed, optionally logged to a file, failures as ``StepFailed``."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

# The repository: tools/nbwheels/proc.py -> the folder that holds tools/.
ROOT = Path(__file__).resolve().parent.parent.parent

Env = Mapping[str, str]


class StepFailed(Exception):
    """One step of the job failed; the message says which and why."""


def say(msg: str) -> None:
    print(f"\n==> {msg}", flush=True)


def note(msg: str) -> None:
    print(f"    {msg}", flush=True)


def fmt_time(s: float) -> str:
    return f"{int(s // 60)}m{s % 60:04.1f}s" if s >= 60 else f"{s:.1f}s"


def run(
    cmd: Sequence[object],
    *,
    log: Path | None = None,
    cwd: Path | None = None,
    env: Env | None = None,
    capture: bool = False,
    check: bool = True,
    where: str | None = None,
    shown: Sequence[object] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command, echoing it (or ``shown`` in its place, after ``[where]``). With
    ``log``, its output goes to that file and the end of it is shown if the command
    fails; with ``capture``, to ``stdout``."""
    args = [str(c) for c in cmd]
    echo = " ".join(shlex.quote(str(a)) for a in (args if shown is None else shown))
    print(f"    {f'[{where}] ' if where else ''}$ {echo}", flush=True)
    try:
        if log is not None:
            p = _run_logged(args, log, cwd=cwd, env=env)
        else:
            out = subprocess.PIPE if capture else None
            err = subprocess.STDOUT if capture else None
            p = subprocess.run(args, cwd=cwd, env=env, stdout=out, stderr=err, text=True, check=False)
    except OSError as e:  # e.g. the program does not exist
        raise StepFailed(f"cannot run {args[0]}: {e}") from None
    if check and p.returncode != 0:
        name = Path(str((shown or args)[0])).name
        raise StepFailed(f"{name} exited with status {p.returncode}" + (f" (in {where})" if where else ""))
    return p


def _run_logged(
    args: list[str], log: Path, *, cwd: Path | None, env: Env | None
) -> subprocess.CompletedProcess[str]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as f:
        p = subprocess.run(args, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT, text=True, check=False)
    if p.returncode != 0:
        lines = log.read_text(errors="replace").splitlines()
        print("\n".join("    | " + line for line in lines[-40:]))
        note(f"(full log: {log})")
    return p
