"""A small mutation check for steplint's rules and the step model's answer functions.

Each mutant breaks one thing in a rule's code on purpose: a condition negated (``if``,
``while``, a conditional expression, a comprehension's ``if``, a returned comparison), ``and``
swapped with ``or``, ``==``/``!=``, ``in``/``not in``, ``is``/``is not``, ``<``/``>=``,
``>``/``<=`` swapped, one element dropped from a tuple/list/set constant of strings (names,
paths), ``Answer.NO``/``Answer.YES`` replaced with ``Answer.UNKNOWN``, ``True``/``False``
swapped in a ``return``. The mutant is written into a copy of the tree (a temporary
directory holding ``steplint`` assembled from ``linter/`` and ``rules/``, the tests and the
fixtures; the real files are never written), the tests that cover the mutated module run
there (``pytest -x``), and the mutant is *killed* when they fail and *survives* when they pass.

    python scripts/mutate.py                              # every target module
    python scripts/mutate.py --module rules/contract.py   # one module
    python scripts/mutate.py --rule SL101                 # mutants inside one rule's class
    python scripts/mutate.py --list --module rules/files.py   # the mutants, without running them
    python scripts/mutate.py --limit 30 -j 2 --timeout 300
    python scripts/mutate.py --rerun mutants.txt          # only the survivors of an earlier run's output

The report lists surviving mutants per rule (the class a mutant is in, or the helper
function) with file:line and the mutation, then the survival rate per module. Not part of
``python -m pytest``: it runs the selected tests once per mutant.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

RULE_MODULES = ["rules/specification.py", "rules/contract.py", "rules/container_paths.py", "rules/builder.py",
                "rules/alignment.py", "rules/sagemaker_model.py", "rules/hyperparameters.py", "rules/files.py", "rules/unresolved.py",
                "rules/suppressions.py"]
MODEL_MODULE = "linter/model/steps.py"
TARGETS = RULE_MODULES + [MODEL_MODULE]

# The fast tests that cover each module, most specific first (``-x`` stops at the first
# failure, so a mutant caught by its rule's own module is judged quickly). The rule
# examples (tests/test_rule_examples.py) are added, filtered to the module's codes.
TESTS = {
    "rules/specification.py": ["tests/test_rules_sl101.py", "tests/test_rules_specification.py"],
    "rules/contract.py": ["tests/test_rules_sl201.py", "tests/test_rules_contract.py"],
    "rules/container_paths.py": ["tests/test_rules_container_paths.py"],
    "rules/builder.py": ["tests/test_rules_builder.py", "tests/test_builder_rules.py"],
    "rules/alignment.py": ["tests/test_rules_alignment.py", "tests/test_alignment_rules.py"],
    "rules/sagemaker_model.py": ["tests/test_rules_sagemaker_model.py", "tests/test_sagemaker_model_rules.py", "tests/test_yaml_service_limits.py", "tests/test_yaml_property_paths.py"],
    "rules/hyperparameters.py": ["tests/test_hyperparameters_encoded_twice.py", "tests/test_rules_sagemaker_model.py"],
    "rules/files.py": ["tests/test_bad_input.py", "tests/test_adversarial.py"],
    "rules/unresolved.py": ["tests/test_rules_unresolved.py"],
    "rules/suppressions.py": ["tests/test_rules_suppressions.py", "tests/test_suppressions.py"],
    MODEL_MODULE: ["tests/test_model_answers.py", "tests/test_model.py", "tests/test_rules_container_paths.py", "tests/test_rules_alignment.py"],
}
MODEL_CODES = r"SL20[234]|SL40\d"  # the rules that read the step model

COMPARE_SWAPS = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot,
                 ast.IsNot: ast.Is, ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE, ast.LtE: ast.Gt}
COPIED = ("tests", "fixtures", "pyproject.toml", "README.md", "docs")


@dataclass(frozen=True)
class Mutant:
    module: str  # repository-relative path
    line: int
    owner: str  # the rule code, or the class/function the mutant is in
    description: str
    start: int  # character offsets of the replaced text in the module's source
    end: int
    replacement: str

    def apply(self, source: str) -> str:
        return source[:self.start] + self.replacement + source[self.end:]

    def label(self) -> str:
        return f"{self.module}:{self.line}: {self.description}"


# -- finding mutants ---------------------------------------------------------------------------


class _Offsets:
    def __init__(self, source: str):
        self.starts = [0]
        for line in source.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.source = source

    def of(self, node: ast.AST) -> tuple[int, int]:
        # ast columns are UTF-8 byte offsets
        def at(line, col):
            text = self.source[self.starts[line - 1]:self.starts[line]]
            return self.starts[line - 1] + len(text.encode("utf-8")[:col].decode("utf-8"))
        return at(node.lineno, node.col_offset), at(node.end_lineno, node.end_col_offset)


def _string_collection(node: ast.AST) -> bool:
    return (isinstance(node, (ast.Tuple, ast.List, ast.Set)) and len(node.elts) >= 1
            and all(isinstance(element, ast.Constant) and isinstance(element.value, str) for element in node.elts)
            and not isinstance(getattr(node, "ctx", ast.Load()), ast.Store))


def _negatable_return(value: ast.AST | None) -> bool:
    if isinstance(value, ast.Compare | ast.BoolOp):
        return True
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not):
        return True
    return False


def find_mutants(module: str) -> list[Mutant]:
    source = (REPO / module).read_text(encoding="utf-8")
    tree = ast.parse(source)
    offsets = _Offsets(source)
    found: list[Mutant] = []
    owners: dict[int, str] = {}

    def owner_of(node: ast.AST) -> str:
        return owners.get(id(node), "<module>")

    # who owns what: a rule class (by its code), else the top-level class or function
    for top in tree.body:
        name = None
        if isinstance(top, ast.ClassDef):
            name = top.name
            for statement in top.body:
                if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                        and isinstance(statement.targets[0], ast.Name) and statement.targets[0].id == "code"
                        and isinstance(statement.value, ast.Constant)):
                    name = statement.value.value
        elif isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = f"{top.name}()"
        elif isinstance(top, ast.Assign):
            name = ", ".join(ast.unparse(target) for target in top.targets)
        if name is not None:
            for node in ast.walk(top):
                owners[id(node)] = name

    def add(node: ast.AST, description: str, replacement: str, where: ast.AST | None = None):
        start, end = offsets.of(where or node)
        found.append(Mutant(module, (where or node).lineno, owner_of(node), description, start, end, replacement))

    def text(node: ast.AST) -> str:
        start, end = offsets.of(node)
        return source[start:end]

    def negate(test: ast.AST, what: str):
        add(test, f"{what}: `{_short(ast.unparse(test))}` negated", f"(not ({text(test)}))")

    # only code that runs: function bodies, and module-level constants named in capitals
    roots: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            roots.append(node)
    constants = [top for top in tree.body if isinstance(top, ast.Assign) and all(
        isinstance(target, ast.Name) and target.id.isupper() for target in top.targets)]
    seen: set[int] = set()
    for root in roots:
        for node in ast.walk(root):
            if id(node) in seen or node is root:
                continue
            seen.add(id(node))
            if isinstance(node, (ast.If, ast.While, ast.IfExp)):
                negate(node.test, {ast.If: "if", ast.While: "while", ast.IfExp: "conditional"}[type(node)])
            elif isinstance(node, ast.comprehension):
                for condition in node.ifs:
                    negate(condition, "comprehension filter")
            elif isinstance(node, ast.Return) and _negatable_return(node.value):
                negate(node.value, "return")
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Constant) and isinstance(
                    node.value.value, bool):
                add(node.value, f"return {node.value.value} -> {not node.value.value}", str(not node.value.value))
            if isinstance(node, ast.BoolOp):
                other = "or" if isinstance(node.op, ast.And) else "and"
                swapped = ast.BoolOp(op=ast.Or() if other == "or" else ast.And(), values=node.values)
                add(node, f"`{_short(ast.unparse(node))}`: {'and' if other == 'or' else 'or'} -> {other}",
                    f"({ast.unparse(swapped)})")
            elif isinstance(node, ast.Compare):
                for index, op in enumerate(node.ops):
                    swap = COMPARE_SWAPS.get(type(op))
                    if swap is None:
                        continue
                    ops = list(node.ops)
                    ops[index] = swap()
                    mutated = ast.Compare(left=node.left, ops=ops, comparators=node.comparators)
                    add(node, f"`{_short(ast.unparse(node))}` -> `{_short(ast.unparse(mutated))}`",
                        f"({ast.unparse(mutated)})")
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Answer"
                  and node.attr in ("NO", "YES")):
                add(node, f"Answer.{node.attr} -> Answer.UNKNOWN", "Answer.UNKNOWN")
            elif _string_collection(node):
                _drop_elements(node, add, text)
    for constant in constants:
        for node in ast.walk(constant.value):
            if _string_collection(node):
                _drop_elements(node, add, text)
    return found


def _drop_elements(node, add, text):
    kind = {ast.Tuple: "tuple", ast.List: "list", ast.Set: "set"}[type(node)]
    for index, element in enumerate(node.elts):
        rest = [text(other) for position, other in enumerate(node.elts) if position != index]
        if kind == "set":
            replacement = "{" + ", ".join(rest) + "}" if rest else "set()"
        elif kind == "list":
            replacement = "[" + ", ".join(rest) + "]"
        else:
            replacement = "(" + ", ".join(rest) + ("," if len(rest) == 1 else "") + ")"
        add(node, f"{repr(element.value)} dropped from a {kind} of strings", replacement)


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


# -- running them ---------------------------------------------------------------------------------


def build_tree(directory: Path) -> Path:
    """A copy of what the tests need, with ``steplint`` assembled as the editable install maps it."""
    site = directory / "site"
    shutil.copytree(REPO / "linter", site / "steplint", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "rules", site / "steplint" / "rules", ignore=shutil.ignore_patterns("__pycache__"))
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, directory / name, ignore=shutil.ignore_patterns("__pycache__", ".steplint_cache"))
        elif source.is_file():
            shutil.copy2(source, directory / name)
    return directory


def copy_path(directory: Path, module: str) -> Path:
    """Where ``module`` (a repository path) lives in a tree made by build_tree."""
    if module.startswith("linter/"):
        return directory / "site" / "steplint" / module[len("linter/"):]
    if module.startswith("rules/"):
        return directory / "site" / "steplint" / "rules" / module[len("rules/"):]
    raise ValueError(module)


def environment(directory: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(directory / "site"), str(directory)]),
           "PYTHONDONTWRITEBYTECODE": "1", "HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "default")}
    return env


def codes_in(module: str) -> list[str]:
    return sorted(set(re.findall(r'^\s+code = "(SL\d+)"', (REPO / module).read_text(), re.M)))


DESELECTED: set[str] = set()  # tests that fail on the unmutated tree


def test_command(module: str, rule: str | None) -> list[list[str]]:
    """The pytest runs that judge a mutant of ``module``: the module's test files, then the
    rule examples of its codes (each run with -x; the mutant is killed if either fails)."""
    files = [path for path in TESTS.get(module, []) if (REPO / path).is_file()]
    base = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header", "-o", "addopts="]
    base += [option for test in sorted(DESELECTED) for option in ("--deselect", test)]
    runs = []
    if files:
        runs.append(base + files)
    codes = [rule] if rule else codes_in(module)
    if module == MODEL_MODULE:
        expression = " or ".join(code for code in _all_codes() if re.fullmatch(MODEL_CODES, code))
    else:
        expression = " or ".join(codes)
    if expression:
        runs.append(base + ["tests/test_rule_examples.py", "-k", expression])
    return runs


def _helpers_called(module: str, code: str) -> set[str]:
    """``name()`` for each module-level function the rule class ``code`` calls by name (one level)."""
    tree = ast.parse((REPO / module).read_text(encoding="utf-8"))
    functions = {top.name for top in tree.body if isinstance(top, ast.FunctionDef)}
    for top in tree.body:
        if isinstance(top, ast.ClassDef) and f'code = "{code}"' in ast.get_source_segment(
                (REPO / module).read_text(encoding="utf-8"), top):
            return {f"{node.func.id}()" for node in ast.walk(top) if isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name) and node.func.id in functions}
    return set()


def _all_codes() -> list[str]:
    return sorted({code for module in RULE_MODULES for code in codes_in(module)})


def judge(directory: Path, mutant: Mutant, timeout: float) -> tuple[str, float, str]:
    """('killed' | 'survived' | 'timeout' | 'error', seconds, detail) for one mutant."""
    target = copy_path(directory, mutant.module)
    original = target.read_text(encoding="utf-8")
    mutated = mutant.apply(original)
    try:
        compile(mutated, str(target), "exec")
    except SyntaxError as error:
        return "error", 0.0, f"mutant does not compile: {error}"
    started = time.monotonic()
    target.write_text(mutated, encoding="utf-8")
    try:
        for command in test_command(mutant.module, mutant.owner if mutant.owner.startswith("SL") else None):
            try:
                run = subprocess.run(command, cwd=directory, env=environment(directory), capture_output=True,
                                     text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                return "timeout", time.monotonic() - started, ""
            if run.returncode == 5:  # nothing collected
                continue
            if run.returncode != 0:
                failed = [line for line in run.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
                return "killed", time.monotonic() - started, (failed[0] if failed else run.stdout[-300:])
        return "survived", time.monotonic() - started, ""
    finally:
        target.write_text(original, encoding="utf-8")


def sanity_check(directory: Path) -> None:
    """The copy imports its own steplint, and the unmutated tests pass there."""
    probe = subprocess.run([sys.executable, "-c", "import steplint.rules, steplint; print(steplint.__file__)"],
                           cwd=directory, env=environment(directory), capture_output=True, text=True)
    if not probe.stdout.strip().startswith(str(directory)):
        raise SystemExit(f"the copy does not import its own steplint: {probe.stdout}{probe.stderr}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--module", action="append", help="a target module (repeatable), e.g. rules/alignment.py")
    parser.add_argument("--rule", help="only mutants inside this rule's class, e.g. SL101")
    parser.add_argument("--limit", type=int, help="at most N mutants per module (a seeded random sample)")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("-j", "--jobs", type=int, default=1, help="mutants judged in parallel (one tree copy each)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per pytest run (a timeout counts as killed)")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--no-baseline", action="store_true", help="skip running the unmutated tests first")
    parser.add_argument("--rerun", metavar="REPORT", help="judge again only the mutants a previous run's output "
                                                          "(saved to REPORT) lists as surviving")
    arguments = parser.parse_args(argv)

    modules = arguments.module or TARGETS
    for module in modules:
        if module not in TARGETS:
            parser.error(f"{module} is not a target: {', '.join(TARGETS)}")
    if arguments.rule:
        modules = [module for module in modules if arguments.rule in codes_in(module)] or parser.error(
            f"no target module defines {arguments.rule}")
    mutants: list[Mutant] = []
    for module in modules:
        found = find_mutants(module)
        if arguments.rule:
            helpers = _helpers_called(module, arguments.rule)
            found = [mutant for mutant in found if mutant.owner == arguments.rule or mutant.owner in helpers]
        if arguments.limit is not None and len(found) > arguments.limit:
            found = sorted(random.Random(arguments.seed).sample(found, arguments.limit), key=lambda m: m.start)
        mutants.extend(found)
    if arguments.rerun:
        survived = set(re.findall(r"^\s*\d+/\d+ survived .*?\] (.*)$", Path(arguments.rerun).read_text(), re.M))
        mutants = [mutant for mutant in mutants if mutant.label() in survived]
    if arguments.list:
        for mutant in mutants:
            print(f"[{mutant.owner}] {mutant.label()}")
        print(f"{len(mutants)} mutants")
        return 0

    with tempfile.TemporaryDirectory(prefix="steplint-mutants-") as temporary:
        trees = [build_tree(Path(temporary) / f"tree{index}") for index in range(max(1, arguments.jobs))]
        sanity_check(trees[0])
        if not arguments.no_baseline:
            for module in modules:
                for command in test_command(module, arguments.rule):
                    run = subprocess.run([part for part in command if part != "-x"] + ["-rfE"], cwd=trees[0],
                                         env=environment(trees[0]), capture_output=True, text=True,
                                         timeout=arguments.timeout * 3)
                    failing = re.findall(r"^(?:FAILED|ERROR) (\S+)", run.stdout, re.M)
                    if run.returncode not in (0, 5) and not failing:
                        print(f"the unmutated tests fail for {module}: {' '.join(command[2:])}\n{run.stdout[-2000:]}")
                        return 2
                    for test in failing:  # a mutant cannot be judged by a test that fails without it
                        print(f"baseline: {test} fails without any mutant; it is left out")
                        DESELECTED.add(test)
        free = list(trees)
        results: dict[Mutant, tuple] = {}
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(trees)) as pool:
            pending = {}
            queue = list(mutants)
            while queue or pending:
                while queue and free:
                    tree = free.pop()
                    mutant = queue.pop(0)
                    pending[pool.submit(judge, tree, mutant, arguments.timeout)] = (mutant, tree)
                done, _ = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in done:
                    mutant, tree = pending.pop(future)
                    free.append(tree)
                    results[mutant] = future.result()
                    status, seconds, _ = results[mutant]
                    print(f"{len(results):4}/{len(mutants)} {status:8} {seconds:5.1f}s [{mutant.owner}] "
                          f"{mutant.label()}", flush=True)
    report(mutants, results, time.monotonic() - started, arguments)
    return 0


def report(mutants, results, seconds, arguments) -> None:
    print("\nSurviving mutants, per rule:")
    by_owner: dict = {}
    for mutant in mutants:
        if results[mutant][0] == "survived":
            by_owner.setdefault((mutant.module, mutant.owner), []).append(mutant)
    for (module, owner), survivors in sorted(by_owner.items()):
        print(f"  {owner} ({module}):")
        for mutant in survivors:
            print(f"    {mutant.label()}")
    if not by_owner:
        print("  none")
    print("\nPer module (killed = a test failed or timed out; mutants that do not compile are left out):")
    print(f"  {'module':32} {'mutants':>7} {'killed':>6} {'survived':>8} {'survival':>8}")
    for module in dict.fromkeys(mutant.module for mutant in mutants):
        judged = [results[m][0] for m in mutants if m.module == module and results[m][0] != "error"]
        killed = sum(status in ("killed", "timeout") for status in judged)
        survived = judged.count("survived")
        rate = f"{100 * survived / len(judged):.0f}%" if judged else "-"
        print(f"  {module:32} {len(judged):7} {killed:6} {survived:8} {rate:>8}")
    print(f"\n{len(mutants)} mutants in {seconds / 60:.1f} min"
          + (f" (at most {arguments.limit} per module, seed {arguments.seed})" if arguments.limit else "")
          + (f", rule {arguments.rule}" if arguments.rule else ""))


if __name__ == "__main__":
    sys.exit(main())
