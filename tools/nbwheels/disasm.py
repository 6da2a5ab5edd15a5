"""The machine code check: each kernel's functions are found in the disassembly of
the shipped module, and what its architecture says of them holds (``arches``): on
x86-64 the baseline kernel uses no AVX (no VEX/EVEX instructions, no ymm/zmm/mask
registers) and the AVX2 and AVX-512 kernels do use ymm and zmm registers; on aarch64
the NEON kernel uses vectors of two doubles."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .arches import Kernel
from .build import build_dir
from .context import Context
from .proc import StepFailed, note, run
from .report import Row


def check_asm(ctx: Context, row: Row, raw: Path, wheel: Path) -> None:
    """Disassemble the unstripped copy of the shipped module and check every kernel."""
    arch = row.arch
    unstripped = _unstripped_module(ctx, row, raw, wheel)
    dis = run([arch.tool("objdump"), "-d", "-C", "--no-show-raw-insn", unstripped], capture=True).stdout
    funcs = split_functions(dis)
    report = []
    for kernel in arch.kernels:
        mine = {n: body for n, body in funcs.items() if any(s in n for s in kernel.symbols)}
        if not mine:
            raise StepFailed(f"no {kernel.name} kernel functions found in the disassembly")
        report.append(_check_kernel(kernel, mine))
        report += [f"    {n[:150]}" for n in sorted(mine)]
    for line in report:
        note(line)
    row.asm = "ok"


def _unstripped_module(ctx: Context, row: Row, raw: Path, wheel: Path) -> Path:
    """The build folder's unstripped copy of the wheel's module, once its machine code
    is shown to be the shipped module's."""
    tag = "-".join(raw.name[: -len(".whl")].split("-")[2:5])
    dest = ctx.work / "unpacked" / row.key
    with zipfile.ZipFile(wheel) as z:
        z.extractall(dest)
    shipped = sorted(dest.glob("nbcli/_core*.so"))
    if len(shipped) != 1:
        raise StepFailed("no extension module in the wheel")
    unstripped = build_dir(ctx) / f"zig-{tag}" / (shipped[0].name + ".unstripped")
    if not unstripped.exists():
        raise StepFailed(f"no unstripped copy of the module at {unstripped}")
    texts = []
    for i, f in enumerate((unstripped, shipped[0])):
        out = ctx.work / f"text-{row.key}-{i}.bin"
        run([row.arch.tool("objcopy"), "-O", "binary", "--only-section=.text", f, out])
        texts.append(out.read_bytes())
    if not texts[0] or texts[0] != texts[1]:
        raise StepFailed("the unstripped module's .text differs from the shipped one")
    return unstripped


def _check_kernel(kernel: Kernel, funcs: dict[str, list[str]]) -> str:
    """One line of report for ``kernel``, made of ``funcs``, or StepFailed."""
    ninsn = sum(len(b) for b in funcs.values())
    said = f"{kernel.name}: {len(funcs)} function(s), {ninsn} instructions"
    if kernel.forbids is not None:
        bad = [(n, ins) for n, body in funcs.items() for ins in body if re.search(kernel.forbids, ins)]
        if bad:
            for n, ins in bad[:10]:
                note(f"in the {kernel.name} kernel: {n}: {ins}")
            raise StepFailed(f"{len(bad)} instructions of the {kernel.name} kernel match {kernel.forbids!r}")
        said += f", none matching {kernel.forbids!r}"
    if kernel.uses is not None:
        hits = sum(1 for body in funcs.values() for ins in body if re.search(kernel.uses, ins))
        if hits == 0:
            raise StepFailed(
                f"no instruction of the {kernel.name} kernel matches {kernel.uses!r}: "
                "is the check looking at the right code?"
            )
        said += f", {hits} matching {kernel.uses!r}"
    return said


def split_functions(dis: str) -> dict[str, list[str]]:
    """objdump's output as function name -> its instructions."""
    funcs: dict[str, list[str]] = {}
    cur: list[str] | None = None
    for line in dis.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            cur = funcs.setdefault(m.group(1), [])
        elif cur is not None and re.match(r"^\s+[0-9a-f]+:\t", line):
            cur.append(line.split("\t", 1)[1].strip())
        elif not line.strip():
            cur = None
    return funcs
