"""The results of a run: one row per CPython, the sdist, twine; the table at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .kernels import KERNELS
from .proc import fmt_time
from .pythons import Interp


@dataclass
class Row:
    py: Interp
    built: str = "-"
    audit: str = "-"
    asm: str = "-"
    tests: dict[str, str] = field(default_factory=lambda: dict.fromkeys(KERNELS, "-"))
    pipx: str = "-"
    chroot: str = "-"
    wheel: Path | None = None

    def cells(self) -> list[str]:
        return [
            self.py.version,
            self.built,
            self.audit,
            self.asm,
            *self.tests.values(),
            self.pipx,
            self.chroot,
        ]


HEAD = ["Python", "built", "auditwheel", "no-AVX check", *(f"tests:{k}" for k in KERNELS), "pipx", "chroot"]


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    sdist: dict[str, str] = field(default_factory=dict)
    twine: str = "-"
    failures: list[str] = field(default_factory=list)

    def fail(self, what: str) -> None:
        self.failures.append(what)

    def summary(self, elapsed: float) -> None:
        print("\n" + "=" * 100)
        if self.rows:
            table = [HEAD] + [r.cells() for r in self.rows]
            widths = [max(len(r[i]) for r in table) for i in range(len(HEAD))]
            for j, r in enumerate(table):
                print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
                if j == 0:
                    print("  ".join("-" * w for w in widths))
            print()
        if self.sdist:
            print("sdist:  " + ", ".join(f"{k} {v}" for k, v in self.sdist.items()))
        print(f"twine check: {self.twine}")
        print(f"time: {fmt_time(elapsed)}")
        if self.failures:
            print(f"\nFAILED ({len(self.failures)}):")
            for f in self.failures:
                print(f"  - {f}")
        else:
            print("\nall passed")
        print("=" * 100)
