"""Measure steplint's precision on a real spec-driven code base.

Runs steplint (as a subprocess, ``--format json --no-cache``) over a checkout of a
specification-driven SageMaker pipeline tree, prints the findings per rule, a reproducible
random sample of findings per rule for triage, and, given a triage file, the precision per
rule (findings judged true / findings judged). Nothing in the linted tree is imported or
executed: steplint reads it as text, and this script only reads steplint's JSON report.

Where the tree comes from (one of):

``--tree DIR``
    an existing checkout.
``--git-dir GIT_DIR [--rev REV]``
    a (bare) git directory; the tree of ``REV`` is extracted to a temporary directory
    (removed afterwards unless ``--keep``). The default ``REV`` is the parent of the newest
    commit that deleted a file matching ``--deleted-glob`` (default
    ``src/cursus/steps/specs/*_spec.py``), found with ``git log --diff-filter=D``: for
    ``TianpeiLuke/cursus`` that is the last commit whose Python specs and contracts still
    exist. Blobs missing from the object store (a partial mirror) are skipped and counted.

What is linted (``--paths``, relative to the tree): by default, the package that holds the
step code, found as the parent of each ``steps/`` directory that has a ``specs/`` directory
of ``*_spec.py`` files (``src/cursus`` in cursus). The package rather than ``steps/`` alone,
because the step registry (``registry/step_names_original.py``, which SL106 checks
``compatible_sources`` against) and the base classes live beside ``steps/``; and not the whole
checkout, because cursus also keeps per-project copies of the scripts
(``projects/*/dockers``), which make every contract's ``entry_point`` ambiguous (steplint then
cannot tell which script a contract describes and says nothing about it). steplint's
configuration is the tree's own ``[tool.steplint]`` (cursus has none: the defaults). No
``script-roots`` are needed when the scripts are inside the linted paths (cursus:
``src/cursus/steps/scripts``).

Triage file (``--triage FILE``): tab-separated, one judged finding per line, columns
``code``, ``file`` (as steplint reports it, relative to the tree), ``line`` (``LINE`` or
``LINE:COL`` where one line has several findings of a rule), ``verdict`` (``true`` or
``false``; anything else is an error) and ``reason`` (one line). Blank lines, lines starting
with ``#`` and a header line whose first column is ``code`` are ignored. A verdict is true
only when the finding's stated defect and stated consequence both hold; unsure verdicts are
recorded as ``false``. When the tree is also given, each triage row must match a finding of
the run (rows that match none are reported and are not counted).

Usage::

    python scripts/precision.py --git-dir /work/.mirror/TianpeiLuke+cursus/repo
    python scripts/precision.py --git-dir GIT_DIR --sample 20 --seed 1
    python scripts/precision.py --git-dir GIT_DIR --triage scripts/precision_triage_cursus.tsv
    python scripts/precision.py --tree /tmp/cursus-py --paths src/cursus --json-out findings.json
    python scripts/precision.py --triage scripts/precision_triage_cursus.tsv   # precision only

Exit status: 0 when the measurement ran (findings are what it measures, not a failure),
2 on a usage error, a git or steplint failure, or a malformed triage file.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

DEFAULT_DELETED_GLOB = "src/cursus/steps/specs/*_spec.py"


class PrecisionError(Exception):
    """A problem this script reports in one line and exits 2 for."""


@dataclass(frozen=True)
class Finding:
    """One finding of steplint's JSON report."""

    code: str
    file: str
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Verdict:
    """One row of a triage file: ``line`` is a line number, ``column`` None unless given."""

    code: str
    file: str
    line: int
    column: int | None
    verdict: bool
    reason: str
    where: str  # "FILE:LINENO" of the row, for messages


# --- obtaining the tree -----------------------------------------------------------------------

def git(git_dir: str, *arguments: str, binary: bool = False):
    """Run ``git --git-dir=GIT_DIR ARGUMENTS``; its stdout (text unless ``binary``)."""
    result = subprocess.run(["git", f"--git-dir={git_dir}", *arguments], capture_output=True, text=not binary)
    if result.returncode != 0:
        error = result.stderr if not binary else result.stderr.decode("utf-8", "replace")
        raise PrecisionError(f"git {' '.join(arguments)}: {error.strip()}")
    return result.stdout


def default_rev(git_dir: str, deleted_glob: str) -> str:
    """The parent of the newest commit that deleted a file matching ``deleted_glob``."""
    commits = git(git_dir, "log", "--diff-filter=D", "--format=%H", "--", deleted_glob).split()
    if not commits:
        raise PrecisionError(f"no commit in {git_dir} deleted a file matching {deleted_glob}; give --rev")
    return git(git_dir, "rev-parse", f"{commits[0]}^").strip()


def extract(git_dir: str, rev: str, destination: Path) -> tuple[int, list[str]]:
    """Write the files of ``rev`` below ``destination``; (files written, paths skipped).

    Reads the tree with ``git ls-tree`` and the blobs with ``git cat-file --batch`` rather
    than ``git archive``, so a blob missing from a partial mirror skips that file instead of
    ending the archive. Symbolic links and submodules are skipped."""
    listing = git(git_dir, "ls-tree", "-r", "-z", "--full-tree", rev, binary=True)
    entries = []
    skipped = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        path = raw_path.decode("utf-8", "surrogateescape")
        parts = PurePosixPath(path).parts
        if kind != "blob" or mode == "120000" or PurePosixPath(path).is_absolute() or ".." in parts:
            skipped.append(path)
            continue
        entries.append((sha, path, mode))
    written = 0
    process = subprocess.Popen(["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        for sha, path, mode in entries:
            process.stdin.write(sha.encode() + b"\n")
            process.stdin.flush()
            header = process.stdout.readline().split()
            if len(header) < 2 or header[1] != b"blob":
                skipped.append(path)
                continue
            size = int(header[2])
            data = process.stdout.read(size)
            process.stdout.read(1)  # the newline after the content
            target = destination.joinpath(*PurePosixPath(path).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            if mode == "100755":
                target.chmod(0o755)
            written += 1
    finally:
        process.stdin.close()
        process.wait()
    return written, skipped


def default_paths(tree: Path) -> list[str]:
    """The packages holding step code: the parent of every ``steps/`` directory that has a
    ``specs/`` directory with ``*_spec.py`` files (outermost first, nested ones dropped)."""
    found = set()
    for specs in tree.rglob("specs"):
        if specs.is_dir() and specs.parent.name == "steps" and any(specs.glob("*_spec.py")):
            found.add(specs.parent.parent.relative_to(tree).as_posix())
    kept = []
    for path in sorted(found, key=lambda p: (p.count("/"), p)):
        if not any(path == k or path.startswith(k + "/") for k in kept if k != "."):
            kept.append(path)
    if not kept:
        raise PrecisionError(f"no steps/specs/*_spec.py below {tree}; give --paths")
    return kept


# --- running steplint -------------------------------------------------------------------------

def steplint_command() -> list[str]:
    """steplint from the running interpreter's environment; ``-P`` keeps the linted tree off
    ``sys.path`` (Python 3.11+), else the console script beside the interpreter."""
    if sys.version_info >= (3, 11):
        return [sys.executable, "-P", "-m", "steplint"]
    script = Path(sys.executable).with_name("steplint")
    return [str(script) if script.exists() else "steplint"]


def run_steplint(tree: Path, paths: list[str], extra: list[str]) -> list[Finding]:
    """steplint's findings on ``paths`` (relative to ``tree``, run from ``tree``)."""
    command = [*steplint_command(), "--format", "json", "--no-cache", *extra, *paths]
    result = subprocess.run(command, cwd=tree, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise PrecisionError(f"steplint exited {result.returncode}: {result.stderr.strip() or result.stdout.strip()}")
    for line in result.stderr.splitlines():
        print(f"steplint: {line}" if not line.startswith("steplint") else line, file=sys.stderr)
    return parse_report(result.stdout)


def parse_report(text: str) -> list[Finding]:
    """Findings from steplint's JSON report (a list of objects with ``code``, ``filename``,
    ``location.row``/``column`` and ``message``), sorted by code, file, line, column."""
    try:
        report = json.loads(text)
    except json.JSONDecodeError as error:
        raise PrecisionError(f"steplint's JSON report does not parse: {error}") from None
    findings = [Finding(item["code"], item["filename"], int(item["location"]["row"]),
                        int(item["location"]["column"]), item["message"]) for item in report]
    return sorted(findings, key=lambda f: (f.code, f.file, f.line, f.column, f.message))


# --- printing ---------------------------------------------------------------------------------

def counts_text(findings: list[Finding]) -> str:
    """Findings per rule, one ``CODE  COUNT`` line each, then the total."""
    counts = Counter(finding.code for finding in findings)
    lines = [f"{code}  {count:4d}" for code, count in sorted(counts.items())]
    lines.append(f"total  {len(findings)}")
    return "\n".join(lines)


def sample(findings: list[Finding], size: int, seed: int) -> dict[str, list[Finding]]:
    """Per rule, ``size`` findings (all when the rule has at most ``size``), drawn with a
    generator seeded by ``seed`` and the rule's code, so the sample of one rule does not
    depend on the findings of another; each sample in file/line order."""
    by_rule: dict = defaultdict(list)
    for finding in findings:
        by_rule[finding.code].append(finding)
    chosen = {}
    for code, group in sorted(by_rule.items()):
        if len(group) <= size:
            chosen[code] = list(group)
        else:
            rng = random.Random(f"{seed}:{code}")
            chosen[code] = sorted(rng.sample(group, size), key=lambda f: (f.file, f.line, f.column))
    return chosen


def sample_text(chosen: dict[str, list[Finding]], totals: Counter) -> str:
    lines = []
    for code, group in chosen.items():
        lines.append(f"== {code}: {len(group)} of {totals[code]}")
        for finding in group:
            lines.append(f"{finding.file}:{finding.line}:{finding.column}\t{finding.message}")
    return "\n".join(lines)


# --- triage -----------------------------------------------------------------------------------

def read_triage(path: Path) -> list[Verdict]:
    """The rows of a triage file (see the module docstring); a malformed row is an error."""
    verdicts = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        columns = raw.split("\t")
        if columns[0] == "code":
            continue
        where = f"{path}:{number}"
        if len(columns) != 5:
            raise PrecisionError(f"{where}: expected 5 tab-separated columns, found {len(columns)}")
        code, file, line, verdict, reason = (column.strip() for column in columns)
        if verdict.lower() not in ("true", "false"):
            raise PrecisionError(f"{where}: verdict must be 'true' or 'false', not {verdict!r}")
        if not reason:
            raise PrecisionError(f"{where}: the reason is empty")
        line_text, _, column_text = line.partition(":")
        try:
            line_number = int(line_text)
            column = int(column_text) if column_text else None
        except ValueError:
            raise PrecisionError(f"{where}: line must be LINE or LINE:COL, not {line!r}") from None
        verdicts.append(Verdict(code, file, line_number, column, verdict.lower() == "true", reason, where))
    return verdicts


def match(verdicts: list[Verdict], findings: list[Finding]) -> tuple[list[Verdict], list[str]]:
    """The verdicts that judge a finding of the run, and one problem per row that does not
    (no such finding, or more rows than findings at that place). Rows giving a column are
    matched first, so a row giving only the line takes one of the findings left there."""
    left = Counter((f.code, f.file, f.line, f.column) for f in findings)
    matched, problems = [], []
    for verdict in sorted(verdicts, key=lambda v: v.column is None):
        if verdict.column is not None:
            key = (verdict.code, verdict.file, verdict.line, verdict.column)
        else:
            key = next((k for k in sorted(left) if k[:3] == (verdict.code, verdict.file, verdict.line) and left[k]),
                       None)
        if key is not None and left[key] > 0:
            left[key] -= 1
            matched.append(verdict)
        else:
            column = "" if verdict.column is None else f":{verdict.column}"
            problems.append(f"{verdict.where}: no (further) {verdict.code} finding at "
                            f"{verdict.file}:{verdict.line}{column}")
    return matched, problems


def precision_text(verdicts: list[Verdict], totals: Counter | None) -> str:
    """Per rule: findings (when a run was made), judged, true, false, precision; then all."""
    judged = Counter(v.code for v in verdicts)
    true = Counter(v.code for v in verdicts if v.verdict)
    codes = sorted(set(judged) | set(totals or ()))
    header = "rule    findings  judged  true  false  precision" if totals is not None else \
             "rule    judged  true  false  precision"
    lines = [header]
    for code in codes + ["all"]:
        j = sum(judged.values()) if code == "all" else judged[code]
        t = sum(true.values()) if code == "all" else true[code]
        share = f"{t / j:.2f}" if j else "-"
        if totals is not None:
            n = sum(totals.values()) if code == "all" else totals[code]
            lines.append(f"{code:<6}  {n:8d}  {j:6d}  {t:4d}  {j - t:5d}  {share:>9}")
        else:
            lines.append(f"{code:<6}  {j:6d}  {t:4d}  {j - t:5d}  {share:>9}")
    return "\n".join(lines)


# --- command line -----------------------------------------------------------------------------

def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--tree", type=Path, help="a checkout of a spec-driven tree")
    source.add_argument("--git-dir", help="a git directory whose tree at --rev is extracted and checked")
    parser.add_argument("--rev", help="the commit to extract (default: the parent of the newest commit that "
                                      "deleted a file matching --deleted-glob)")
    parser.add_argument("--deleted-glob", default=DEFAULT_DELETED_GLOB,
                        help=f"pathspec for the default --rev (default: {DEFAULT_DELETED_GLOB})")
    parser.add_argument("--keep", action="store_true", help="keep the extracted tree (its path is printed)")
    parser.add_argument("--paths", nargs="+", metavar="PATH",
                        help="what steplint checks, relative to the tree (default: the packages holding steps/specs)")
    parser.add_argument("--steplint-arg", action="append", default=[], metavar="ARG",
                        help="an extra argument for steplint (repeatable), e.g. --steplint-arg=--jobs=2")
    parser.add_argument("--sample", type=int, metavar="N", help="print N random findings per rule (all when fewer)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample (default: 0)")
    parser.add_argument("--triage", type=Path, metavar="FILE", help="triage TSV: print precision per rule")
    parser.add_argument("--json-out", type=Path, metavar="FILE", help="also write steplint's findings as JSON")
    arguments = parser.parse_args(argv)
    if arguments.rev and not arguments.git_dir:
        parser.error("--rev needs --git-dir")
    if arguments.tree is None and arguments.git_dir is None and arguments.triage is None:
        parser.error("give --tree or --git-dir (or --triage alone for precision without a run)")
    if arguments.sample is not None and arguments.sample < 1:
        parser.error("--sample must be at least 1")
    if arguments.sample is not None and arguments.tree is None and arguments.git_dir is None:
        parser.error("--sample needs a run: give --tree or --git-dir")
    return arguments


def measure(arguments, tree: Path) -> list[Finding]:
    paths = arguments.paths or default_paths(tree)
    version = subprocess.run([*steplint_command(), "--version"], capture_output=True, text=True).stdout.strip()
    print(f"{version or 'steplint'}: {' '.join(paths)} (in {tree})")
    findings = run_steplint(tree, paths, arguments.steplint_arg)
    if arguments.json_out:
        arguments.json_out.write_text(json.dumps([f.__dict__ for f in findings], indent=1) + "\n", encoding="utf-8")
    print("\nfindings per rule")
    print(counts_text(findings))
    return findings


def main(argv=None) -> int:
    arguments = parse_arguments(argv)
    temporary = None
    try:
        verdicts = read_triage(arguments.triage) if arguments.triage else None
        findings = None
        if arguments.git_dir:
            rev = arguments.rev or default_rev(arguments.git_dir, arguments.deleted_glob)
            commit = git(arguments.git_dir, "rev-parse", "--verify", f"{rev}^{{commit}}").strip()
            temporary = Path(tempfile.mkdtemp(prefix="steplint-precision-"))
            written, skipped = extract(arguments.git_dir, commit, temporary)
            subject = git(arguments.git_dir, "log", "-1", "--format=%h %ad %s", "--date=short", commit).strip()
            print(f"extracted {written} files of {subject}" + (f" ({len(skipped)} skipped: missing blobs, "
                                                                f"links or submodules)" if skipped else ""))
            findings = measure(arguments, temporary)
        elif arguments.tree:
            if not arguments.tree.is_dir():
                raise PrecisionError(f"{arguments.tree}: not a directory")
            findings = measure(arguments, arguments.tree.resolve())
        totals = Counter(f.code for f in findings) if findings is not None else None
        if arguments.sample and findings is not None:
            print(f"\nsample: at most {arguments.sample} per rule, seed {arguments.seed}")
            print(sample_text(sample(findings, arguments.sample, arguments.seed), totals))
        if verdicts is not None:
            if findings is not None:
                verdicts, problems = match(verdicts, findings)
                for problem in problems:
                    print(f"warning: {problem} (not counted)", file=sys.stderr)
            print(f"\nprecision ({arguments.triage}; true = the stated defect and consequence hold)")
            print(precision_text(verdicts, totals))
    except PrecisionError as error:
        print(f"precision: error: {error}", file=sys.stderr)
        return 2
    finally:
        if temporary is not None:
            if arguments.keep:
                print(f"\nkept the extracted tree in {temporary}")
            else:
                shutil.rmtree(temporary, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
