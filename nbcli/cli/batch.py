"""Batches (``--batch FILE``): many pictures from one process.

Each line of the job file is one nb-render call without the program name: its
options and its output, quoted as in a shell (``#`` starts a comment). Options
given on the command line with ``--batch`` apply to every line that does not
give its own. Every line is checked before anything is rendered: a bad line is
reported with its number and the reason, and stops the batch (exit 2) unless
``--keep-going``, which renders the valid lines (and goes on past jobs that fail
while rendering). The exit code is 2 if a line was invalid, else 1 if a job
failed, else 0.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import sys
import time
from dataclasses import dataclass
from typing import Any

from ..errors import EXIT_FAILURE, EXIT_USAGE, InputFileError, NbRenderError
from ..infile import open_regular
from .cluster import batch_session
from .main import describe
from .options import BATCH_OPTIONS, POLYNOMIAL_OPTIONS, PROG, VIEW_OPTIONS, CommandLineError, Options, say
from .report import ProgressBar
from .run import Interrupted, Prepared, Terminated, execute, prepare

# Options that go together: a line that gives one of a group takes none of the group from the batch.
_GROUPS = (POLYNOMIAL_OPTIONS | {"from_file"}, VIEW_OPTIONS | {"stretch"})
_NOT_IN_A_JOB = ("--batch", "--keep-going", "--help", "-h", "--version", "-V")


class BatchFailed(NbRenderError):
    """The batch is over with an exit code of its own (its lines were reported one by one)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Line:
    number: int
    where: str  # 'FILE:N' for messages
    job: Prepared


def run_batch(opts: Options) -> None:
    if opts.output is not None:
        raise CommandLineError("with --batch each line names its output; do not also give OUTPUT")
    name, lines = _read(opts.batch or "-")
    jobs: list[Line] = []
    bad = 0
    outputs: dict[str, str] = {}
    for number, text in lines:
        where = f"{name}:{number}"
        try:
            job = prepare(_line_options(text, opts))
            _claim_output(job.output, where, outputs)
            if job.opts.save_data is not None:
                _claim_output(job.opts.save_data, where, outputs)
        except Exception as e:
            described = describe(e)
            if described is None:
                raise
            _report(where, described[0])
            bad += 1
            continue
        jobs.append(Line(number, where, job))
    total = len(jobs) + bad
    if bad and not opts.keep_going:
        raise BatchFailed(
            f"{bad} of {total} jobs in {name} are invalid; nothing was rendered (--keep-going renders the others)",
            EXIT_USAGE,
        )
    failed = _render(jobs, opts, name)
    if bad:
        raise BatchFailed(f"{bad} invalid jobs in {name} were skipped", EXIT_USAGE)
    if failed:
        raise BatchFailed(f"{failed} of {total} jobs in {name} failed", EXIT_FAILURE)


def _render(jobs: list[Line], opts: Options, name: str) -> int:
    """Render the jobs in order; the number that failed."""
    show = not opts.quiet and sys.stderr.isatty()
    failed = 0
    t0 = time.perf_counter()
    with (
        batch_session(opts.scheduler) as session,
        ProgressBar(show, len(jobs), name, unit="jobs") as progress,
    ):
        for i, line in enumerate(jobs):
            if session is not None:  # the next jobs' bands start on the cluster while this one is written
                session.prefetch([j.job for j in jobs[i:]])
            for note in line.job.notes:
                kind, _, text = note.partition(": ")
                say(f"{PROG}: {kind}: {line.where}: {text}")
            try:
                execute(line.job, show=False)
            except (Interrupted, Terminated, KeyboardInterrupt):
                raise
            except Exception as e:
                described = describe(e)
                if described is None:
                    raise
                _report(line.where, described[0])
                failed += 1
                if not opts.keep_going:
                    raise BatchFailed(
                        f"stopped after a job failed: {i} of {len(jobs)} jobs in {name} were rendered "
                        "(--keep-going goes on past failures)",
                        EXIT_FAILURE,
                    ) from None
            if progress is not None:
                progress(i + 1, len(jobs))
    if show:
        done = len(jobs) - failed
        say(f"{PROG}: rendered {done} jobs from {name} in {time.perf_counter() - t0:.1f} s")
    return failed


def _report(where: str, message: str) -> None:
    say(f"{PROG}: error: {where}: {message}")


MAX_BATCH_FILE = 64 << 20  # bytes


def _read(path: str) -> tuple[str, list[tuple[int, str]]]:
    """(name for messages, [(line number, text)]) of the job lines, without blank lines and comments."""
    try:
        if path == "-":
            name, text = "<stdin>", sys.stdin.read()
        else:
            name = path
            with open_regular(path, "batch file (one job a line)", max_size=MAX_BATCH_FILE) as f:
                text = f.read().decode("utf-8")
    except InputFileError as e:  # missing, a directory, a pipe, a device, too large
        raise InputFileError(f"cannot read the batch file: {e}") from None
    except OSError as e:
        raise InputFileError(f"cannot read the batch file {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise InputFileError(f"{path}: not a text file") from None
    lines = [
        (i, t) for i, t in enumerate(text.splitlines(), 1) if t.strip() and not t.lstrip().startswith("#")
    ]
    return name, lines


_COMMAND: Any = None


def _line_options(text: str, batch: Options) -> Options:
    """A job line as options, with the batch command's options where the line gives none."""
    global _COMMAND
    try:
        args = shlex.split(text, comments=True)
    except ValueError as e:
        raise CommandLineError(f"cannot split the line into arguments: {e}") from None
    if args and args[0] in (PROG, "nb-render"):
        args = args[1:]
    for arg in args:
        option = arg.split("=", 1)[0]
        if option in _NOT_IN_A_JOB:
            raise CommandLineError(f"{option} cannot be used in a job line")
    if _COMMAND is None:
        from typer.main import get_command

        from .app import app

        _COMMAND = get_command(app)
    ctx = _COMMAND.make_context(PROG, args)
    line = Options.collect(ctx)
    if line.output is None:
        raise CommandLineError("the line names no output file")
    if line.output == "-":
        raise CommandLineError("a job in a batch cannot write to standard output; give a file name")
    taken = set(line.given)
    for group in _GROUPS:
        if taken & group:
            taken |= group
    inherit = {f: getattr(batch, f) for f in batch.given - BATCH_OPTIONS - taken}
    return dataclasses.replace(line, **inherit, given=line.given | frozenset(inherit))


def _claim_output(output: str, where: str, outputs: dict[str, str]) -> None:
    key = os.path.realpath(output)
    if key in outputs:
        raise CommandLineError(f"{output} is written by {outputs[key]} too; give each job its own output")
    outputs[key] = where
