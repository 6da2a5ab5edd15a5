"""Batches: many jobs in one process, every line checked before anything is rendered."""

from __future__ import annotations

import pytest
from conftest import run_cli

LINES = [
    "-c 1,0,0,-1 a.png",
    "# a comment, and a blank line next",
    "",
    "--roots '1, -1, 1j' --palette okabe-ito b.png   # trailing comment",
    "-e 'z^5 - 1' -s 24x16 c.png",
    "-c 1,0,0,1 --zoom-to 0.5 --frames 3 anim/",
]


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_a_batch_renders_what_single_calls_render(tmp_path):
    (tmp_path / "jobs.txt").write_text("\n".join(LINES) + "\n")
    res = run_cli("-s", "32", "--batch", "jobs.txt", cwd=str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert res.stderr == b"" and res.stdout == b""  # silent in a pipe
    assert _files(tmp_path) == [
        "a.png",
        "anim",
        "anim/00000.png",
        "anim/00001.png",
        "anim/00002.png",
        "b.png",
        "c.png",
        "jobs.txt",
    ]
    single = tmp_path / "single"
    single.mkdir()
    for args, name in (
        (["-c", "1,0,0,-1", "-s", "32"], "a.png"),
        (["-e", "z^5 - 1", "-s", "24x16"], "c.png"),
    ):
        assert run_cli(*args, name, cwd=str(single)).returncode == 0
        assert (single / name).read_bytes() == (tmp_path / name).read_bytes()  # -s 24x16 won over -s 32


def test_batch_from_standard_input_with_stats(tmp_path):
    jobs = "-c 1,0,-1 --stats-json x.png\n-c 1,0,1 --stats-json y.png\n"
    res = run_cli("-s", "16", "--batch", "-", cwd=str(tmp_path), input=jobs.encode())
    assert res.returncode == 0, res.stderr
    lines = res.stdout.decode().splitlines()
    assert len(lines) == 2 and '"polynomial": "z^2 - 1"' in lines[0] and '"z^2 + 1"' in lines[1]


BAD = [
    "-c 1,0,-1 ok1.png",
    "-c 1,x bad.png",  # line 2
    "-c 1,0,1 ok1.png",  # line 3: the same output as line 1
    "--roots 'unclosed bad2.png",  # line 4
    "-c 1,0,1 --nope bad3.png",  # line 5
    "-c 1,0,1",  # line 6: no output
    "-c 1,0,1 --batch other.txt bad4.png",  # line 7
    "-c 1,0,0,1 ok2.png",
]


def test_invalid_lines_stop_the_batch_before_anything_is_rendered(tmp_path):
    (tmp_path / "jobs.txt").write_text("\n".join(BAD) + "\n")
    res = run_cli("-s", "16", "--batch", "jobs.txt", cwd=str(tmp_path))
    err = res.stderr.decode().splitlines()
    assert res.returncode == 2, err
    assert [e.split(":")[3] for e in err[:-1]] == ["2", "3", "4", "5", "6", "7"]
    assert "cannot read coefficient" in err[0] and "written by jobs.txt:1" in err[1]
    assert "No closing quotation" in err[2] and "--nope" in err[3] and "no output" in err[4]
    assert "--batch cannot be used in a job" in err[5]
    assert "6 of 8 jobs in jobs.txt are invalid; nothing was rendered" in err[-1]
    assert _files(tmp_path) == ["jobs.txt"]
    res = run_cli("-s", "16", "--batch", "jobs.txt", "--keep-going", cwd=str(tmp_path))
    assert res.returncode == 2
    assert _files(tmp_path) == ["jobs.txt", "ok1.png", "ok2.png"]
    assert res.stderr.decode().splitlines()[-1].endswith("6 invalid jobs in jobs.txt were skipped")


def test_a_job_that_fails_while_rendering_exits_1(tmp_path):
    # a job that does not fit in the memory it may use fails only once it is rendered
    jobs = "-c 1,0,-1 one.png\n-c 1,0,1 --max-memory 10 two.png\n-c 1,0,0,1 three.png\n"
    (tmp_path / "jobs.txt").write_text(jobs)
    res = run_cli("-s", "16", "--batch", "jobs.txt", cwd=str(tmp_path))
    err = res.stderr.decode().splitlines()
    assert res.returncode == 1, err
    assert "jobs.txt:2:" in err[0] and "memory" in err[0]
    assert "--keep-going" in err[-1]
    assert _files(tmp_path) == ["jobs.txt", "one.png"]
    res = run_cli("-s", "16", "--batch", "jobs.txt", "--keep-going", cwd=str(tmp_path))
    assert res.returncode == 1
    assert _files(tmp_path) == ["jobs.txt", "one.png", "three.png"]
    assert res.stderr.decode().splitlines()[-1].endswith("1 of 3 jobs in jobs.txt failed")


def test_a_missing_output_folder_is_an_invalid_line(tmp_path):
    (tmp_path / "jobs.txt").write_text("-c 1,0,-1 one.png\n-c 1,0,1 missing/two.png\n")
    res = run_cli("-s", "16", "--batch", "jobs.txt", cwd=str(tmp_path))
    assert res.returncode == 2 and b"jobs.txt:2:" in res.stderr and b"does not exist" in res.stderr
    assert _files(tmp_path) == ["jobs.txt"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--batch", "none.txt"], "cannot read the batch file"),
        (["--batch", "jobs.txt", "out.png"], "do not also give OUTPUT"),
        (["-c", "1,0,-1", "--keep-going", "out.png"], "--keep-going goes with --batch"),
    ],
)
def test_batch_usage_errors(tmp_path, args, message):
    (tmp_path / "jobs.txt").write_text("-c 1,0,-1 a.png\n")
    res = run_cli(*args, cwd=str(tmp_path))
    assert res.returncode == 2 and message in res.stderr.decode()
    assert _files(tmp_path) == ["jobs.txt"]


def test_batch_groups_of_options_do_not_mix(tmp_path):
    # the batch gives --coefs and a view; a line with its own --roots and --center takes neither
    (tmp_path / "jobs.txt").write_text("--roots 1,-1 --center 0.5 a.png\n-s 8 b.png\n")
    res = run_cli(
        "-c", "1,0,0,-1", "--xmin", "-1", "--xmax", "1", "-s", "16", "--batch", "jobs.txt", cwd=str(tmp_path)
    )
    assert res.returncode == 0, res.stderr
    assert _files(tmp_path) == ["a.png", "b.png", "jobs.txt"]
