"""Adversarial input through the command line: code that crashed or stalled LibCST, valid
code LibCST mis-parses, and files too large to parse quickly. Every run finishes within a
generous bound, prints no traceback, is not killed by a signal, reports the file with the
right code and still checks the other files (the *canary* spec's ``SL904``).

``SL901`` is code CPython itself rejects (checked here with ``ast.parse``); ``SL905`` is code
CPython accepts but steplint does not analyse. The cases live in ``bench/adversarial.py``,
which also times them (``python bench/run.py --adversarial``).
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REPO, fast_and_full, run_steplint, write_project

BOUND_SECONDS = 30  # generous: the real times are in the benchmark


def _load_cases():
    spec = importlib.util.spec_from_file_location("bench_adversarial", REPO / "bench" / "adversarial.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_adversarial", module)
    spec.loader.exec_module(module)
    return module


adversarial = _load_cases()


def lint(root, text: str) -> tuple[float, subprocess.CompletedProcess]:
    """Seconds and result of ``steplint .`` on the canary project plus ``text`` as a spec module."""
    write_project(root, {**adversarial.base_files(), adversarial.CASE_PATH: text})
    started = time.monotonic()
    result = run_steplint("--fail-on", "warning", ".", cwd=root)  # the canary's SL904 (a warning) exits 1
    return time.monotonic() - started, result


def case_lines(result) -> list:
    return [line for line in result.stdout.splitlines() if line.startswith(adversarial.CASE_PATH + ":")]


def assert_survived(seconds: float, result) -> None:
    """Bounded, no traceback, not killed by a signal, the other files checked."""
    output = result.stdout + result.stderr
    assert seconds < BOUND_SECONDS, f"took {seconds:.1f} s"
    assert "Traceback" not in output and "internal error" not in output, output[-2000:]
    assert result.returncode == 1, (result.returncode, output[-2000:])  # the canary's SL904: never a signal
    assert any(line.startswith(f"{adversarial.CANARY}:6:5: SL904") for line in result.stdout.splitlines()), output


def cpython_accepts(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, MemoryError, RecursionError):
        return False
    return True


# Megabyte-scale files (the size and work bounds, and the largest file checked within them):
# several seconds each, so in the slow suite.
SCALE = {"dict-1mb", "assignments-1.5mb", "dict-300kb"}


@pytest.mark.parametrize("case", [pytest.param(case, marks=[pytest.mark.slow] if case.name in SCALE else [])
                                  for case in adversarial.CASES if not case.benchmark_only],
                         ids=lambda case: case.name)
def test_adversarial_input(tmp_path, case):
    """Each case survives; valid Python (the issue's plus-1000, not-1000, lambda-2000 and
    strings-20000 among them, once reported as SL901) is never a syntax error: CPython
    accepts it, so steplint says it does not analyse it (SL905), not that it is broken."""
    text = adversarial.SPEC_HEAD + case.build()
    seconds, result = lint(tmp_path, text)
    assert_survived(seconds, result)
    found = case_lines(result)
    if case.expect is None:
        assert found == [], found
        return
    [line] = found
    assert f": {case.expect} " in line, line
    assert "not checked" in line or "Python cannot compile" in line or "syntax error" in line, line
    assert cpython_accepts(text) == (case.expect != "SL901")
    if case.expect == "SL905":
        assert ": SL905 too-complex: " in line and "SL901" not in result.stdout, line


def test_depth_is_reported_with_its_line(tmp_path):
    text = adversarial.SPEC_HEAD + "\nDEEP = " + " + ".join(["1"] * 500) + "\n"
    seconds, result = lint(tmp_path, text)
    assert_survived(seconds, result)
    # below the module: the assignment, 499 operators and the innermost operand
    assert case_lines(result) == [f"{adversarial.CASE_PATH}:4:1: SL905 too-complex: code nested 501 levels deep "
                                  "(line 4); steplint analyses up to 400: the file is not checked"]


@pytest.mark.parametrize("warnings", ["default", "error"])
def test_python_warnings_about_the_code_are_neither_printed_nor_syntax_errors(tmp_path, warnings):
    """``ast.parse`` warns about an invalid escape or ``1if`` (errors under ``-W error``);
    that is Python's business when the module is imported, not steplint's output, and no
    reason to skip the file."""
    text = adversarial.SPEC_HEAD + "PATTERN = '\\d+'\nODD = 1if 1else 2\nX_SPEC = StepSpecification(step_type='X')\n"
    write_project(tmp_path, {**adversarial.base_files(), adversarial.CASE_PATH: text})
    environment = {"PYTHONWARNINGS": "error::SyntaxWarning,error::DeprecationWarning"} if warnings == "error" else {}
    result = run_steplint(".", cwd=tmp_path, env=environment)
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr, result.stderr
    assert case_lines(result) == []


CHAINS = {
    "unary": lambda n: adversarial.unary_chain("-", n),
    "not": lambda n: adversarial.unary_chain("not ", n),
    "plus": lambda n: adversarial.binary_chain(" + ", n),
    "power": lambda n: adversarial.binary_chain(" ** ", n),
    "or": lambda n: adversarial.binary_chain(" or ", n),
    "attribute": lambda n: adversarial.trailer_chain(".b", n),
    "call": lambda n: adversarial.trailer_chain("()", n),
    "subscript": lambda n: adversarial.trailer_chain("[0]", n),
    "lambda": adversarial.lambdas,
    "strings": adversarial.adjacent_strings,
    "comprehension": adversarial.comprehension_clauses,
    "conditional": lambda n: "x = " + "a if b else " * n + "c\n",
}


@fast_and_full(3, 15)  # each example is a steplint run and a fresh interpreter
def test_any_chain_is_bounded_and_a_syntax_error_only_when_cpython_says_so(tmp_path_factory, max_examples):
    @settings(max_examples=max_examples, deadline=None)
    @given(kind=st.sampled_from(sorted(CHAINS)), length=st.integers(min_value=1, max_value=8000),
           chains=st.integers(min_value=1, max_value=3))
    def check(kind, length, chains):
        text = adversarial.SPEC_HEAD + CHAINS[kind](length) * chains
        seconds, result = lint(tmp_path_factory.mktemp("chain"), text)
        assert_survived(seconds, result)
        found = case_lines(result)
        assert all(": SL901 " in line or ": SL905 " in line for line in found), found
        # Where CPython gives up on deep code depends on how deep its caller's stack already is
        # (hypothesis raises this process's recursion limit): ask fresh interpreters, one
        # parsing from deeper in its stack than steplint does, one from the top of it.
        if any(": SL901 " in line for line in found):
            assert not cpython_accepts_in_child(text, stack_depth=200)
        else:
            assert cpython_accepts_in_child(text, stack_depth=0)

    check()


def cpython_accepts_in_child(text: str, stack_depth: int) -> bool:
    """Whether ``ast.parse`` accepts ``text`` in a fresh interpreter, called ``stack_depth``
    frames down its stack."""
    program = ("import ast, sys\n"
               "def parse(depth):\n"
               "    return parse(depth - 1) if depth else ast.parse(sys.stdin.read())\n"
               f"parse({stack_depth})\n")
    check = subprocess.run([sys.executable, "-c", program], input=text, capture_output=True, text=True, timeout=60)
    return check.returncode == 0
