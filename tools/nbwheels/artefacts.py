"""What a run leaves: ``twine check`` on the wheels and the sdist, then a copy in dist/."""

from __future__ import annotations

import shutil
from pathlib import Path

from .context import Context
from .proc import StepFailed, note, run, say
from .report import Results


def twine_check(ctx: Context, results: Results, files: list[Path]) -> None:
    if not files:
        return
    say("twine check")
    try:
        run([ctx.tool("twine"), "check", "--strict", *files], env=ctx.tool_env())
        results.twine = "ok"
    except StepFailed as e:
        results.twine = "FAIL"
        results.fail(f"twine check: {e}")


def publish(ctx: Context, files: list[Path]) -> None:
    ctx.out.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy2(f, ctx.out / f.name)
    if files:
        say(f"copied {len(files)} file(s) to {ctx.out}")
        for f in files:
            note(f.name)
