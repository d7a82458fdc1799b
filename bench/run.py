"""Benchmark steplint against the LibCST parse floor, on the same files, side by side.

Corpora: ``generated`` (a spec-driven project of ``--steps`` steps from bench/generate.py),
``sagemaker`` (the installed SageMaker Python SDK's own source, found with
``importlib.util.find_spec`` without importing it) and ``real`` (real spec-driven code: the
public cursus repository at its last revision with Python specs, ``d97a6054``, extracted
from ``--real-git-dir`` or cloned once into ``~/.cache/steplint-bench``; skipped with a
message when neither works) and ``pipelines`` (plain SageMaker SDK pipelines: the 24 pipeline
example projects of aws/amazon-sagemaker-examples pinned in ``bench/sdk_pipelines.py``, at
revision ``2d519b52c``, notebooks turned into ``pipeline.py``, each project a directory with
its own git repository under one root; built once into ``~/.cache/steplint-bench`` from
``--examples-git-dir`` or a sparse fetch of that revision, skipped with a message when neither
works; no contract, and the pre-commit runs edit one ``pipeline.py``). For each corpus and
repetition:

- floor: ``libcst.parse_module`` of every file steplint would discover, one process
  (time measured inside that process, so interpreter start is not counted), once with
  Python's default settings and once with the cyclic garbage collector off, as steplint's
  command line runs (ratios are to the first);
- cold, 1 worker / cold, default workers: empty cache (``--jobs 1`` / no ``--jobs``);
- warm: nothing changed, cache present;
- touched: one contract edited (a comment added), whole project, warm cache;
- first run given files: ``steplint <a spec>``, which loads the project around it (possibly
  more than the directory the other runs check) and writes the project index;
- pre-commit: then that spec edited, ``steplint <that file>`` from the project root, warm
  cache and index (a scoped run);
- one-file floor: a child process that only imports LibCST and parses that spec (what any
  LibCST-based run on one changed file pays at least; wall clock with interpreter start);
- parse guard: what ``steplint.readers.python.parse_guard`` adds before LibCST sees a file (``ast.parse``
  and the measuring walk) on the same files, timed like the floor, cyclic GC off.

``--adversarial`` adds (or, without ``--corpus``, runs only) the adversarial inputs of
``bench/adversarial.py``: each case through ``steplint --no-cache`` in a small project,
the median wall time, what steplint reported and whether the other files were checked.

Every steplint run is a subprocess timed by wall clock including interpreter start; its
peak memory is the child's ``ru_maxrss`` from ``os.wait4`` (which covers its reaped
worker processes too). Medians over ``--repeat`` repetitions are printed with ratios to
the floor and to the cold single-worker run.

``--pre-commit 100,400,1600`` adds (or, without ``--corpus``, runs only) the pre-commit run
at several project sizes: a generated project per size, its cache warmed by a cold run (its
peak memory is reported) and by the first run given the edited spec (which checks the whole
project and writes the index scoped runs start from; reported as "first run"), then per
repetition one spec edited, ``steplint <that spec>`` and the one-file floor, interleaved;
the ratio should not grow with the size.

Usage: ``python bench/run.py [--steps 500] [--repeat 3] [--corpus generated --corpus sagemaker --corpus real
--corpus pipelines] [--pre-commit 100,400,1600] [--real-git-dir DIR] [--examples-git-dir DIR] [--adversarial]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import adversarial  # noqa: E402
import sdk_pipelines  # noqa: E402
from generate import generate  # noqa: E402

FLOOR_SCRIPT = """
import gc, sys, time, libcst
if sys.argv[2] == "gc-off":
    gc.disable()
from steplint.files.discovery import discover
from pathlib import Path
files = discover([sys.argv[1]], Path(sys.argv[1]), ()).files
texts = []
for path in files:
    try:
        texts.append(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        pass
start = time.perf_counter()
for text in texts:
    try:
        libcst.parse_module(text)
    except libcst.ParserSyntaxError:
        pass
print(time.perf_counter() - start, len(texts))
"""


GUARD_SCRIPT = """
import gc, sys, time
gc.disable()
from steplint.files.discovery import discover
from steplint.readers.python.parse_guard import parse_obstacle
from pathlib import Path
files = discover([sys.argv[1]], Path(sys.argv[1]), ()).files
texts = []
for path in files:
    try:
        texts.append(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        pass
start = time.perf_counter()
for text in texts:
    parse_obstacle(text)
print(time.perf_counter() - start, len(texts))
"""


FLOOR = "floor: libcst.parse_module, 1 process"
GUARD = "parse guard: ast.parse + walk, 1 process, GC off"
FLOOR_GC_OFF = "floor, cyclic GC off (as steplint's CLI runs)"
ONE_FILE = "one-file floor: python, import libcst, parse it"
PRE_COMMIT = "pre-commit: steplint <one changed spec>, warm"
FIRST_GIVEN = "first run given that spec (writes the index)"
ONE_FILE_FLOOR = "import sys, libcst; libcst.parse_module(open(sys.argv[1], encoding='utf-8').read())"


# Children keep their compiled bytecode, as installed packages do: with PYTHONDONTWRITEBYTECODE
# set (some CI images set it), every run would compile steplint's source again.
CHILD_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run_child(command: list, cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, stdout) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=CHILD_ENV)
    out = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, out


def steplint(arguments: list) -> list:
    return [sys.executable, "-m", "steplint", "--format", "json", *arguments]


def sagemaker_root() -> Path:
    spec = importlib.util.find_spec("sagemaker")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the sagemaker package is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def touch(path: Path, note: str) -> str:
    original = path.read_text(encoding="utf-8")
    path.write_text(original + f"# {note}\n", encoding="utf-8")
    return original


def measure_corpus(name: str, root: Path, cwd: Path, cache: Path, contract: Path | None, spec: Path | None,
                   repeat: int) -> dict:
    results: dict = {}

    def record(label: str, seconds: float, memory: float | None = None) -> None:
        results.setdefault(label, {"seconds": [], "memory": []})
        results[label]["seconds"].append(seconds)
        if memory is not None:
            results[label]["memory"].append(memory)

    target = [str(root), "--cache-dir", str(cache)]
    for repetition in range(repeat):
        _, _, out = run_child([sys.executable, "-c", FLOOR_SCRIPT, str(root), "gc-on"], cwd)
        floor, files = out.split()
        record(FLOOR, float(floor))
        results["files"] = int(files)
        _, _, out = run_child([sys.executable, "-c", FLOOR_SCRIPT, str(root), "gc-off"], cwd)
        record(FLOOR_GC_OFF, float(out.split()[0]))
        _, _, out = run_child([sys.executable, "-c", GUARD_SCRIPT, str(root)], cwd)
        record(GUARD, float(out.split()[0]))
        shutil.rmtree(cache, ignore_errors=True)
        record("steplint cold, 1 worker", *run_child(steplint(target + ["--jobs", "1"]), cwd)[:2])
        shutil.rmtree(cache, ignore_errors=True)
        record("steplint cold, default workers", *run_child(steplint(target), cwd)[:2])
        record("steplint warm, nothing changed", *run_child(steplint(target), cwd)[:2])
        if contract is not None:
            original = touch(contract, f"touched {repetition}")
            try:
                record("steplint warm, one contract changed", *run_child(steplint(target), cwd)[:2])
            finally:
                contract.write_text(original, encoding="utf-8")
            run_child(steplint(target), cwd)
        if spec is not None:
            record(ONE_FILE,
                   *run_child([sys.executable, "-c", ONE_FILE_FLOOR, str(spec)], cwd)[:2])
            # the first run given files loads the project around them (possibly more than the
            # directory checked above) and writes the index that scoped runs start from
            record(FIRST_GIVEN, *run_child(steplint([str(spec), "--cache-dir", str(cache)]), cwd)[:2])
            original = touch(spec, f"touched {repetition}")
            try:
                record(PRE_COMMIT,
                       *run_child(steplint([str(spec), "--cache-dir", str(cache)]), cwd)[:2])
            finally:
                spec.write_text(original, encoding="utf-8")
        print(f"  {name}: repetition {repetition + 1}/{repeat} done", file=sys.stderr)
    return results


REAL_REPOSITORY = "https://github.com/TianpeiLuke/cursus"
REAL_REVISION = "d97a6054"  # the parent of the commit that deleted the Python specs
REAL_PATH = "src/cursus"


def real_tree(work: Path, git_dir: Path | None) -> Path | None:
    """The real corpus's tree (``src/cursus`` of cursus at ``REAL_REVISION``), extracted once
    below ``~/.cache/steplint-bench``; None (with a message) when there is no way to get it."""
    sys.path.insert(0, str(HERE.parent / "scripts"))
    from precision import PrecisionError, extract

    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "steplint-bench"
    tree = cache / f"cursus-{REAL_REVISION}"
    if (tree / REAL_PATH).is_dir():
        return tree / REAL_PATH
    if git_dir is None:
        git_dir = cache / "cursus.git"
        if not git_dir.exists():
            clone = subprocess.run(["git", "clone", "--bare", "--filter=blob:none", REAL_REPOSITORY, str(git_dir)],
                                   capture_output=True, text=True)
            if clone.returncode != 0:
                print(f"real corpus skipped: cannot clone {REAL_REPOSITORY}: {clone.stderr.strip()[:200]}",
                      file=sys.stderr)
                return None
    try:
        extract(str(git_dir), REAL_REVISION, tree)
    except PrecisionError as error:
        print(f"real corpus skipped: {error}", file=sys.stderr)
        return None
    return tree / REAL_PATH


def first(root: Path, pattern: str) -> Path | None:
    found = sorted(root.rglob(pattern))
    return found[0] if found else None


def measure_pre_commit(sizes: list, repeat: int, work: Path) -> dict:
    """Per project size: the cold run that warms the cache (seconds, peak MB), then per
    repetition the one-file floor and ``steplint <one changed spec>``, interleaved."""
    results: dict = {}
    projects = {}
    for size in sizes:
        project = work / f"pre-commit-{size}"
        generate(project, size)
        spec = project / "src" / "benchproj" / "steps" / "specs" / "pytorch_0003_spec.py"
        cache = project / ".steplint_cache"
        seconds, memory, _ = run_child(steplint([str(project), "--cache-dir", str(cache)]), project)
        results[size] = {"cold": (seconds, memory), "floor": [], "pre-commit": [], "memory": []}
        # the first run given files checks the whole project and writes the index scoped runs use
        original = touch(spec, "first")
        try:
            results[size]["first"] = run_child(steplint([str(spec), "--cache-dir", str(cache)]), project)[:2]
        finally:
            spec.write_text(original, encoding="utf-8")
        projects[size] = (project, spec, cache)
    for repetition in range(repeat):
        for size, (project, spec, cache) in projects.items():
            results[size]["floor"].append(run_child([sys.executable, "-c", ONE_FILE_FLOOR, str(spec)], project)[0])
            original = touch(spec, f"touched {repetition}")
            try:
                seconds, memory, _ = run_child(steplint([str(spec), "--cache-dir", str(cache)]), project)
            finally:
                spec.write_text(original, encoding="utf-8")
            results[size]["pre-commit"].append(seconds)
            results[size]["memory"].append(memory)
        print(f"  pre-commit: repetition {repetition + 1}/{repeat} done", file=sys.stderr)
    return results


def pre_commit_report(results: dict) -> str:
    lines = ["pre-commit run by project size (generated projects; median, min-max):",
             f"  {'steps':>6} {'one-file floor s':>18} {'pre-commit s':>20} {'x floor':>8} {'peak MB':>8} "
             f"{'cold s':>7} {'cold peak MB':>12} {'first run s':>11} {'first MB':>8}"]
    for size, data in results.items():
        floor, run = statistics.median(data["floor"]), statistics.median(data["pre-commit"])
        lines.append(f"  {size:>6} {floor:8.2f} ({min(data['floor']):.2f}-{max(data['floor']):.2f}) "
                     f"{run:10.2f} ({min(data['pre-commit']):.2f}-{max(data['pre-commit']):.2f}) {run / floor:8.2f} "
                     f"{max(data['memory']):8.0f} {data['cold'][0]:7.1f} {data['cold'][1]:12.0f} "
                     f"{data['first'][0]:11.2f} {data['first'][1]:8.0f}")
    return "\n".join(lines)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {model}, "
            f"Python {platform.python_version()}, {platform.system()}, load average at start {load:.2f}")


def report(name: str, results: dict) -> str:
    rows = [(label, data) for label, data in results.items() if label != "files"]
    floor = statistics.median(results[FLOOR]["seconds"])
    cold = statistics.median(results["steplint cold, 1 worker"]["seconds"])
    lines = [f"{name}: {results['files']} files",
             f"  {'measurement':48} {'median s':>9} {'x floor':>8} {'x cold-1':>9} {'peak MB':>8}"]
    for label, data in rows:
        seconds = statistics.median(data["seconds"])
        memory = f"{max(data['memory']):8.0f}" if data["memory"] else f"{'-':>8}"
        lines.append(f"  {label:48} {seconds:9.2f} {seconds / floor:8.2f} {seconds / cold:9.3f} {memory}")
    gc_off = statistics.median(results[FLOOR_GC_OFF]["seconds"])
    lines.append(f"  cold, 1 worker / floor with GC off: {cold / gc_off:.2f}")
    guard = statistics.median(results[GUARD]["seconds"])
    lines.append(f"  parse guard / floor with GC off: {guard / gc_off:.3f}; / cold, 1 worker: {guard / cold:.3f}")
    if PRE_COMMIT in results and ONE_FILE in results:
        ratio = statistics.median(results[PRE_COMMIT]["seconds"]) / statistics.median(results[ONE_FILE]["seconds"])
        lines.append(f"  pre-commit / one-file floor: {ratio:.2f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark steplint against the LibCST parse floor.")
    parser.add_argument("--steps", type=int, default=500, help="steps in the generated project (default: 500)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per measurement (default: 3)")
    parser.add_argument("--corpus", action="append", choices=("generated", "sagemaker", "real", "pipelines"),
                        help="corpora to run (default: all four)")
    parser.add_argument("--real-git-dir", type=Path,
                        help="a (bare) git directory of the cursus repository, instead of cloning it")
    parser.add_argument("--examples-git-dir", type=Path,
                        help="a (bare) git directory of aws/amazon-sagemaker-examples holding revision "
                             f"{sdk_pipelines.EXAMPLES_REVISION[:9]}, instead of fetching it")
    parser.add_argument("--pre-commit", help="project sizes in steps for the pre-commit run, e.g. 100,400,1600")
    parser.add_argument("--json", type=Path, help="also write the raw timings here")
    parser.add_argument("--adversarial", action="store_true",
                        help="time the adversarial inputs of bench/adversarial.py (alone, unless --corpus is given)")
    arguments = parser.parse_args(argv)
    alone = arguments.adversarial or arguments.pre_commit
    corpora = arguments.corpus or ([] if alone else ["generated", "sagemaker", "real", "pipelines"])
    print(f"machine: {machine()}")
    raw = {}
    with tempfile.TemporaryDirectory(prefix="steplint-bench-") as work:
        work = Path(work)
        for corpus in corpora:
            if corpus == "generated":
                project = work / "generated"
                generate(project, arguments.steps)
                steps = project / "src" / "benchproj" / "steps"
                results = measure_corpus(
                    f"generated project, {arguments.steps} steps", project, project, project / ".steplint_cache",
                    steps / "contracts" / "pytorch_0003_contract.py", steps / "specs" / "pytorch_0003_spec.py",
                    arguments.repeat)
            elif corpus == "real":
                tree = real_tree(work, arguments.real_git_dir)
                if tree is None:
                    continue
                results = measure_corpus(f"cursus {REAL_REVISION}", tree, tree.parent.parent, work / "real-cache",
                                         first(tree, "*_contract.py"), first(tree, "*_spec.py"), arguments.repeat)
            elif corpus == "pipelines":
                tree = sdk_pipelines.pipelines_tree(arguments.examples_git_dir)
                if tree is None:
                    continue
                results = measure_corpus("SDK pipelines", tree, tree, work / "pipelines-cache", None,
                                         tree / sdk_pipelines.PRE_COMMIT_FILE, arguments.repeat)
            else:
                results = measure_corpus("sagemaker source", sagemaker_root(), work, work / "sagemaker-cache",
                                         None, None, arguments.repeat)
            raw[corpus] = results
            print(report({"sagemaker": "sagemaker", "real": f"cursus {REAL_REVISION} ({REAL_PATH})",
                          "pipelines": f"SageMaker examples {sdk_pipelines.EXAMPLES_REVISION[:9]}, "
                                       f"{len(sdk_pipelines.PROJECTS)} pipeline projects"}.get(
                corpus, f"generated ({arguments.steps} steps)"), results))
            sys.stdout.flush()
        if arguments.pre_commit:
            sizes = [int(size) for size in arguments.pre_commit.split(",")]
            raw["pre-commit"] = measure_pre_commit(sizes, arguments.repeat, work)
            print(pre_commit_report(raw["pre-commit"]))
    if arguments.adversarial:
        rows = adversarial.measure(adversarial.CASES, arguments.repeat)
        print(f"adversarial inputs (median of {arguments.repeat}; steplint --no-cache on a 3-file project, "
              "interpreter start included):")
        print(adversarial.report(rows))
        raw["adversarial"] = {case.name: {"seconds": seconds, "verdict": found, "canary": canary}
                              for case, seconds, found, canary, _ in rows}
    if arguments.json is not None:
        arguments.json.write_text(json.dumps(raw, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
