"""Benchmark the YAML reader: read every ``*.step.yaml`` under a directory.

In one process (interpreter start not counted), per repetition: parse every file into
located nodes (``steplint.readers.yaml.nodes.parse``), build the facts
(``read_interface``), expand the variants (``views``) and build the steps without scripts
(``steps.step_of``); for comparison, ``yaml.safe_load`` of the same files with the same
loader class (the project's own loader, minus pydantic). Then ``steplint check --no-cache``
of the directory as a subprocess, wall clock including interpreter start.

With no directory, the interface files of the bundled fixtures are copied ``--copies``
times (default 9: 63 files, about the size of a real project's interface directory).

Usage: ``python bench/yaml_interfaces.py [DIR] [--repeat 5] [--copies 9]``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from steplint.readers.yaml.interface import read_interface, views
from steplint.readers.yaml.nodes import parse, pyyaml
from steplint.readers.yaml.steps import step_of

LOADER = pyyaml()[1]

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"


def corpus(copies: int, target: Path) -> Path:
    sources = sorted(FIXTURES.glob("yaml_interface*/**/*.step.yaml"))
    for copy in range(copies):
        for source in sources:
            shutil.copy(source, target / f"c{copy}_{source.name}")
    return target


def timed(function, texts: dict, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(texts)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def read_all(texts: dict) -> int:
    steps = 0
    for path, text in texts.items():
        facts = read_interface(path, text)
        for view in views(facts):
            step_of(view, None)
            steps += 1
    return steps


def parse_all(texts: dict) -> None:
    for text in texts.values():
        parse(text)


def safe_load_all(texts: dict) -> None:
    for text in texts.values():
        yaml.load(text, Loader=LOADER)  # noqa: S506 - LOADER is CSafeLoader / SafeLoader


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--copies", type=int, default=9)
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(arguments.directory) if arguments.directory else corpus(arguments.copies, Path(scratch))
        files = sorted(root.rglob("*.step.yaml"))
        texts = {str(path): path.read_text(encoding="utf-8") for path in files}
        size = sum(len(text) for text in texts.values())
        steps = read_all(texts)
        print(f"{len(files)} interface files, {size / 1024:.0f} KiB, {steps} steps (base + variants); "
              f"loader {LOADER.__name__}; median of {arguments.repeat}")
        print(f"  yaml.safe_load (same loader class):  {timed(safe_load_all, texts, arguments.repeat) * 1000:8.1f} ms")
        print(f"  nodes.parse (events -> nodes):       {timed(parse_all, texts, arguments.repeat) * 1000:8.1f} ms")
        print(f"  facts + variants + steps:            {timed(read_all, texts, arguments.repeat) * 1000:8.1f} ms")
        runs = []
        for _ in range(arguments.repeat):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "steplint", "check", "--no-cache", str(root)],
                           capture_output=True, check=False)
            runs.append(time.perf_counter() - start)
        print(f"  steplint check --no-cache DIR (wall): {statistics.median(runs) * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
