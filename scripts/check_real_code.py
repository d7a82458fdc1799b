"""Run steplint over the source of large installed packages and report how it went.

Two passes per package: the ordinary run (discovery, reading, the prefilter, and the files
that look like step code), then a run with the prefilter off over every file (or every
N-th with ``--sample-every``), so that the parser, extraction, the model and every rule see
real-world code they were not written for. Nothing is imported: packages are located with
``importlib.util.find_spec``, which for a top-level name only searches ``sys.path``.

Prints files checked and findings per rule; exits 1 when any run had an internal error or
raised, else 0. Usage::

    python scripts/check_real_code.py [--sample-every N] [--jobs N] [PACKAGE ...]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

from steplint.api import configure, load_workspace
from steplint.engine.run import Engine
from steplint.files.workspace import Workspace
from steplint.rules import all_rules

DEFAULT_PACKAGES = ("sagemaker", "libcst", "botocore", "pip", "setuptools", "hypothesis")


def package_directory(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def sampled(workspace: Workspace, every: int) -> Workspace:
    kept = sorted(workspace.sources)[::every]
    return Workspace({display: workspace.sources[display] for display in kept}, list(workspace.problems))


def check_package(name: str, every: int, jobs: int) -> dict:
    """Both passes over one package: counts, findings per rule, and any internal error or crash."""
    directory = package_directory(name)
    if directory is None:
        return {"package": name, "missing": True}
    report = {"package": name, "missing": False, "crashes": [], "internal_errors": [], "findings": Counter()}
    started = time.monotonic()
    try:
        config = configure([str(directory)])
        workspace, _ = load_workspace([str(directory)], config)
        report["files"] = len(workspace.sources) + len(workspace.problems)
        rules = all_rules()
        for label, engine, files in (
            ("prefiltered", Engine(config, rules, jobs=jobs), workspace),
            ("every file", Engine(config, rules, jobs=jobs, prefilter=False), sampled(workspace, every)),
        ):
            result = engine.check(files)
            report[f"{label} files"] = len(files.sources)
            report["internal_errors"] += [f"[{label}] {error}" for error in result.internal_errors]
            report["findings"].update(finding.code for finding in result.findings)
    except Exception:  # noqa: BLE001 - a crash is exactly what this script exists to report
        report["crashes"].append(traceback.format_exc())
    report["seconds"] = time.monotonic() - started
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=list(DEFAULT_PACKAGES))
    parser.add_argument("--sample-every", type=int, default=1, metavar="N",
                        help="with the prefilter off, check every N-th file only (default: every file)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for parsing")
    arguments = parser.parse_args(argv)
    failed = False
    totals: Counter = Counter()
    for name in arguments.packages:
        report = check_package(name, max(1, arguments.sample_every), arguments.jobs)
        if report["missing"]:
            print(f"{name}: not installed, skipped")
            continue
        totals.update(report["findings"])
        per_rule = ", ".join(f"{code} {count}" for code, count in sorted(report["findings"].items())) or "none"
        print(f"{name}: {report.get('files', 0)} files, {report.get('every file files', 0)} checked with the prefilter off, "
              f"{report['seconds']:.1f}s; findings: {per_rule}")
        for error in report["internal_errors"]:
            failed = True
            print(f"  INTERNAL ERROR {error}")
        for crash in report["crashes"]:
            failed = True
            print(f"  CRASH {crash}")
    print("total findings per rule: " + (", ".join(f"{code} {count}" for code, count in sorted(totals.items()))
                                         or "none"))
    print("FAILED: internal errors or crashes" if failed else "OK: no internal error, no crash")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
