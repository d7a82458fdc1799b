"""Compare scoped runs with a whole-project run on a real tree.

Runs ``steplint --output-format json TARGET`` once (the whole project, every finding), then
for a random sample of the files steplint checks: ``steplint FILE --verbose``, after a first
run given files has written the project index, and compares its report with the whole
run's findings that involve FILE (its file, its related files, the files its fix edits),
in order, field by field. Prints each difference, how many runs were scoped, and why the
others checked the whole project. Nothing is written below ROOT; the cache is a temporary
directory.

Usage: ``python scripts/scoped_equivalence.py ROOT [--target .] [--sample 120] [--seed 1]``
(ROOT must hold a project marker such as ``.git`` or ``pyproject.toml``: without one a run
given files loads no project around them).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--target", default=".", help="what to check from ROOT (default: .)")
    parser.add_argument("--sample", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    root = os.path.realpath(arguments.root)
    with tempfile.TemporaryDirectory() as cache:
        def steplint(*args):
            return subprocess.run([sys.executable, "-m", "steplint", *args, "--cache-dir", cache,
                                   "--output-format", "json"], cwd=root, capture_output=True, text=True, timeout=900)

        def shown(path: str) -> str:
            return os.path.relpath(path, root) if os.path.isabs(path) else os.path.normpath(path)

        def involved(finding: dict) -> set:
            paths = {shown(finding["filename"]), *(shown(path) for path in finding.get("related") or ())}
            for edit in (finding.get("fix") or {}).get("edits", ()):
                paths.add(shown(edit["filename"]))
            return paths

        whole = json.loads(steplint(arguments.target).stdout)
        files = subprocess.run([sys.executable, "-m", "steplint", "--show-files", arguments.target], cwd=root,
                               capture_output=True, text=True, timeout=300).stdout.split()
        sample = random.Random(arguments.seed).sample(files, min(arguments.sample, len(files)))
        steplint(sample[0])  # the first run given files checks the whole project and writes the index
        scoped, differences, reasons = 0, 0, Counter()
        for display in sample:
            run = steplint(display, "--verbose")
            note = next((line for line in run.stderr.splitlines()
                         if line.startswith(("steplint: scoped", "steplint: whole project"))), "no note")
            if note.startswith("steplint: scoped"):
                scoped += 1
            else:
                reasons[note] += 1
            wanted = [finding for finding in whole if display in involved(finding)]
            if json.loads(run.stdout or "[]") != wanted:
                differences += 1
                print(f"DIFFERENT: {display} ({note})")
    print(f"{len(sample)} files of {len(files)}: {scoped} runs scoped, {differences} reports different")
    for note, count in reasons.most_common():
        print(f"  {count} × {note}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
