"""Adversarial inputs for steplint's parse guard, and their timing through the command line.

Each case is one module that mentions a step class (so steplint parses it) in a small
project that also holds a healthy *canary* spec with a dynamically built field: a run that
went on to check the other files reports ``SL904`` for the canary. ``expect`` is what
steplint must report for the module: ``SL901`` (CPython rejects it), ``SL905`` (CPython
accepts it, steplint does not analyse it) or None (it is checked like any other file).
``tests/test_adversarial.py`` runs every case; ``python bench/run.py --adversarial`` (or
this file) times them.

Usage: ``python bench/adversarial.py [--repeat 3] [CASE ...]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

# a spec file: the prefilter parses files that use a step class, not those that only import one
SPEC_HEAD = "from steps.core import DependencySpec, StepSpecification\nCASE_SPEC = StepSpecification(step_type='Case')\n"
CORE = "class StepSpecification: ...\nclass DependencySpec: ...\nclass ScriptContract: ...\n"
CANARY = "steps/specs/canary_spec.py"
CANARY_TEXT = (SPEC_HEAD + "\nCANARY_SPEC = StepSpecification(\n    step_type='Canary',\n"
               "    dependencies=[DependencySpec(logical_name=n) for n in ('a', 'b')],\n)\n")
CASE_PATH = "steps/specs/case_spec.py"


@dataclass(frozen=True)
class Case:
    """One adversarial module: ``build()`` returns its text after the import of the step
    classes; ``expect`` is the code steplint reports for it (None: none). A
    ``benchmark_only`` case is too slow for the test suite."""

    name: str
    description: str
    build: Callable[[], str]
    expect: str | None
    benchmark_only: bool = False


def unary_chain(operator: str, count: int) -> str:
    """``x = - - ... 1``: ``count`` unary operators (``operator`` is ``"-"`` or ``"not "``)."""
    return "x = " + operator * count + "1\n"


def binary_chain(operator: str, count: int) -> str:
    """``x = 1 + 1 + ...``: ``count`` operands."""
    return "x = " + operator.join(["2"] * count) + "\n"


def trailer_chain(trailer: str, count: int) -> str:
    """``x = a.b.b...``, ``f()()...``, ``a[0][0]...``: ``count`` trailers."""
    return "x = a" + trailer * count + "\n"


def lambdas(count: int) -> str:
    return "x = " + "lambda: " * count + "1\n"


def adjacent_strings(count: int) -> str:
    """``count`` adjacent string literals, one implicit concatenation."""
    return "x = " + " ".join(["'a'"] * count) + "\n"


def comprehension_clauses(count: int) -> str:
    return "x = [a " + "for a in b " * count + "]\n"


def many_chains(chains: int, links: int) -> str:
    """``chains`` subscript chains of ``links`` links each, every one within the depth bound."""
    return "".join(f"x{index} = a" + "[0]" * links + "\n" for index in range(chains))


def literal_dict(size: int) -> str:
    """A generated dict literal of about ``size`` characters, one nested entry per line."""
    lines, index, total = ["DATA = {\n"], 0, 0
    while total < size:
        line = f"    'key_{index:06d}': {{'id': {index}, 'name': 'item {index}', 'tags': ['a', 'b']}},\n"
        lines.append(line)
        total += len(line)
        index += 1
    return "".join(lines) + "}\n"


def flat_assignments(size: int) -> str:
    """``VALUE_n = n`` lines, about ``size`` characters."""
    lines, index, total = [], 0, 0
    while total < size:
        line = f"VALUE_{index} = {index}\n"
        lines.append(line)
        total += len(line)
        index += 1
    return "".join(lines)


def real_string_table(count: int) -> str:
    """Like Python's own ``encodings/cp1252.py``: one string of ``count`` adjacent literals,
    one per line with a comment."""
    return ("DECODING_TABLE = (\n" + "".join(f"    '\\x{index % 256:02x}'  # 0x{index % 256:02X}\n"
                                             for index in range(count)) + ")\n")


CASES = (
    Case("unary-100k", "x = - - ... 1, 100,000 minus signs (crashed LibCST: SIGSEGV)",
         lambda: unary_chain("-", 100_000), "SL901"),
    Case("not-10k", "x = not not ... 1, 10,000 times (crashed LibCST after 25 s)",
         lambda: unary_chain("not ", 10_000), "SL901"),
    Case("not-1000", "x = not not ... 1, 1,000 times: valid Python", lambda: unary_chain("not ", 1_000), "SL905"),
    Case("plus-1000", "1 + 1 + ..., 1,000 terms: valid Python", lambda: binary_chain(" + ", 1_000), "SL905"),
    Case("plus-5000", "1 + 1 + ..., 5,000 terms (11 s in LibCST)", lambda: binary_chain(" + ", 5_000), "SL901"),
    Case("power-2000", "2 ** 2 ** ..., 2,000 terms: valid Python", lambda: binary_chain(" ** ", 2_000), "SL905"),
    Case("attribute-1000", "a.b.b..., 1,000 links: valid Python", lambda: trailer_chain(".b", 1_000), "SL905"),
    Case("attribute-5000", "a.b.b..., 5,000 links (17 s in LibCST)", lambda: trailer_chain(".b", 5_000), "SL901"),
    Case("call-1000", "f()()..., 1,000 calls: valid Python", lambda: trailer_chain("()", 1_000), "SL905"),
    Case("call-5000", "f()()..., 5,000 calls (23 s in LibCST)", lambda: trailer_chain("()", 5_000), "SL901"),
    Case("subscript-1000", "a[0][0]..., 1,000 subscripts: valid Python",
         lambda: trailer_chain("[0]", 1_000), "SL905"),
    Case("subscript-5000", "a[0][0]..., 5,000 subscripts (over 60 s in LibCST)",
         lambda: trailer_chain("[0]", 5_000), "SL901"),
    Case("lambda-2000", "lambda: lambda: ..., 2,000 deep: valid Python", lambda: lambdas(2_000), "SL905"),
    Case("strings-20000", "20,000 adjacent string literals: valid Python (LibCST rejects them)",
         lambda: adjacent_strings(20_000), "SL905"),
    Case("comprehension-1000", "[a for a in b for a in b ...], 1,000 clauses: valid Python",
         lambda: comprehension_clauses(1_000), "SL905"),
    Case("many-chains", "300 subscript chains of 250 links, each within the depth bound",
         lambda: many_chains(300, 250), "SL905"),
    Case("dict-1mb", "a 1 MB generated dict literal, one nested entry per line",
         lambda: literal_dict(1_000_000), "SL905"),
    Case("assignments-1.5mb", "1.5 MB of VALUE_n = n lines", lambda: flat_assignments(1_500_000), "SL905"),
    Case("dict-300kb", "a 300 KB generated dict literal: within the bounds, checked",
         lambda: literal_dict(300_000), None),
    Case("string-table-256", "256 adjacent literals with comments, as in Python's encodings: checked",
         lambda: real_string_table(256), None),
    Case("dict-800kb", "a 0.8 MB generated dict literal, just within the work bound: the slowest file checked",
         lambda: literal_dict(800_000), None, benchmark_only=True),
)


def case_by_name(name: str) -> Case:
    for case in CASES:
        if case.name == name:
            return case
    raise KeyError(name)


def base_files() -> dict:
    """``{relative path: text}``: the step classes and the canary spec."""
    return {"steps/core.py": CORE, CANARY: CANARY_TEXT}


def project_files(case: Case) -> dict:
    """``{relative path: text}`` of the project a case runs in."""
    return {**base_files(), CASE_PATH: SPEC_HEAD + case.build()}


def write_files(root: Path, files: dict) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def run_case(case: Case, root: Path) -> tuple[float, subprocess.CompletedProcess]:
    """Wall-clock seconds of one ``steplint --no-cache .`` run in ``root``, and the run."""
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "steplint", "--no-cache", "."], cwd=root, capture_output=True,
                            text=True, timeout=600)
    return time.monotonic() - started, result


def verdict(result: subprocess.CompletedProcess) -> str:
    """What the run reported for the case's file: its code, or "checked"."""
    codes = [line.split(": ")[1].split()[0] for line in result.stdout.splitlines() if line.startswith(CASE_PATH + ":")]
    return ",".join(codes) or "checked"


def measure(cases, repeat: int) -> list:
    """``(case, median seconds, verdict, canary reported)`` per case; each run a subprocess."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="steplint-adversarial-") as work:
        for case in cases:
            root = write_files(Path(work) / case.name, project_files(case))
            times, result = [], None
            for _ in range(repeat):
                seconds, result = run_case(case, root)
                times.append(seconds)
            canary = any(line.startswith(f"{CANARY}:6:5: SL904") for line in result.stdout.splitlines())
            rows.append((case, statistics.median(times), verdict(result), canary, result.returncode))
            print(f"  {case.name}: done", file=sys.stderr)
    return rows


def report(rows) -> str:
    lines = [f"  {'case':20} {'size':>9} {'median s':>9} {'verdict':8} {'expected':8} {'canary':6} description"]
    for case, seconds, found, canary, _ in rows:
        size = len(SPEC_HEAD + case.build())
        lines.append(f"  {case.name:20} {size:9,} {seconds:9.2f} {found:8} {case.expect or 'checked':8} "
                     f"{'yes' if canary else 'NO':6} {case.description}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Time steplint on adversarial inputs.")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (default: 3)")
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    arguments = parser.parse_args(argv)
    cases = [case_by_name(name) for name in arguments.cases] if arguments.cases else list(CASES)
    rows = measure(cases, max(1, arguments.repeat))
    print("adversarial inputs, steplint --no-cache on a project of 3 files (interpreter start included):")
    print(report(rows))
    return 0 if all(found == (case.expect or "checked") and canary for case, _, found, canary, _ in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
