"""The results of a run: one row per wheel (a CPython on an architecture), the sdist,
twine, the release path; the tables at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .arches import Arch
from .distros import Distro
from .proc import fmt_time
from .pythons import Interp


@dataclass
class Row:
    py: Interp  # the CPython it is built with (on this machine or in a chroot)
    arch: Arch
    tested_in: Distro | None = None  # None: this machine
    built: str = "-"
    audit: str = "-"
    asm: str = "-"
    tests: dict[str, str] = field(default_factory=dict)  # kernel -> result
    pipx: str = "-"
    chroot: str = "-"  # the extra test in a foreign system, for the host's oldest Python
    wheel: Path | None = None
    pipx_time: float | None = None  # seconds to pipx install it from a local folder
    version_time: float | None = None  # seconds for `nb-render --version` (median)

    def __post_init__(self) -> None:
        if not self.tests:
            self.tests = {k.name: "-" for k in self.arch.kernels}

    @property
    def key(self) -> str:
        """For file and folder names: "3.11-x86_64"."""
        return f"{self.py.version}-{self.arch.name}"

    @property
    def label(self) -> str:
        return f"{self.py.version} {self.arch.name}"

    @property
    def where(self) -> str:
        """Where it is tested."""
        return "host" if self.tested_in is None else self.tested_in.name

    @property
    def emulated(self) -> bool:
        return not self.arch.native

    def cells(self) -> list[str]:
        return [
            self.label,
            self.py.where,
            self.built,
            self.audit,
            self.asm,
            self.where,
            ", ".join(f"{k} {v}" for k, v in self.tests.items()),
            self.pipx,
            self.chroot,
        ]


HEAD = ["wheel", "built in", "built", "auditwheel", "machine code", "tested in", "tests", "pipx", "chroot"]


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    sdist: dict[str, str] = field(default_factory=dict)
    twine: str = "-"
    release: dict[str, str] = field(default_factory=dict)  # where -> result
    failures: list[str] = field(default_factory=list)

    def fail(self, what: str) -> None:
        self.failures.append(what)

    def summary(self, elapsed: float) -> None:
        print("\n" + "=" * 100)
        if self.rows:
            _table(HEAD, [r.cells() for r in self.rows])
            print()
            _table(["wheel", "size", "pipx install", "nb-render --version"], [_numbers(r) for r in self.rows])
            print()
        if self.sdist:
            print("sdist:  " + ", ".join(f"{k} {v}" for k, v in self.sdist.items()))
        print(f"twine check: {self.twine}")
        if self.release:
            print("release path: " + ", ".join(f"{k} {v}" for k, v in self.release.items()))
        print(f"time: {fmt_time(elapsed)}")
        if self.failures:
            print(f"\nFAILED ({len(self.failures)}):")
            for f in self.failures:
                print(f"  - {f}")
        else:
            print("\nall passed")
        print("=" * 100)


def _numbers(r: Row) -> list[str]:
    name = r.wheel.name if r.wheel else r.label
    size = f"{r.wheel.stat().st_size / 1e6:.2f} MB" if r.wheel and r.wheel.exists() else "-"
    qemu = " (qemu)" if r.emulated else ""
    pipx = f"{r.pipx_time:.1f} s{qemu}" if r.pipx_time is not None else "-"
    version = f"{r.version_time * 1000:.0f} ms{qemu}" if r.version_time is not None else "-"
    return [name, size, pipx, version]


def _table(head: list[str], rows: list[list[str]]) -> None:
    table = [head, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for j, r in enumerate(table):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))
