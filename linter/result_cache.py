"""Whole-run results: a run whose inputs are all unchanged reports the stored findings.

Findings are cross-file, so one run's result depends on every file of the project, the
configuration, which files are reported on, steplint's own code and the installed
packages whose data or parser the rules use (LibCST, botocore, the SageMaker SDK). The key
hashes all of them, so nothing is reused when any input differs; the facts cache still
serves the files that did not change. Fixes are built before a result is stored, so the
stored findings carry them. Entries live in ``<cache dir>/results/``, are written to a
temporary name and renamed into place, and only the newest few are kept. A corrupt or
foreign entry is a miss.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from steplint import __version__
from steplint.cache import UNREADABLE, files_fingerprint, remove_quietly, write_atomically

RESULTS_DIR_NAME = "results"
KEEP = 8
FORMAT = 1
DATA_PACKAGES = ("libcst", "botocore", "sagemaker")


def package_fingerprint() -> str:
    """A digest of every file of the installed steplint package (engine, rules, reference data)."""
    package = Path(__file__).parent
    files = sorted(path.relative_to(package).as_posix() for path in package.rglob("*")
                   if path.suffix in (".py", ".json") and "__pycache__" not in path.parts)
    return files_fingerprint(f"{__version__}:{FORMAT}", files)


def data_packages_fingerprint() -> str:
    """Where the packages the rules read data from are installed, and when they last changed."""
    from steplint.sagemaker_data import package_dirs

    parts = []
    for name in DATA_PACKAGES:
        for directory in package_dirs(name):
            try:
                parts.append(f"{directory}:{directory.stat().st_mtime_ns}")
            except OSError:
                parts.append(f"{directory}:missing")
    return "\n".join(parts)


class ResultCache:
    """Stored ``RunResult``s keyed by everything a run's findings depend on."""

    def __init__(self, directory: Path, config, rules) -> None:
        self.directory = Path(directory) / RESULTS_DIR_NAME
        self._salt = "\0".join((package_fingerprint(), data_packages_fingerprint(), repr(config),
                                ",".join(rule.code for rule in rules)))
        self.enabled = True
        self.hits = 0

    def key(self, workspace, report_paths) -> str:
        digest = hashlib.blake2b(self._salt.encode("utf-8", "surrogatepass"), digest_size=20)
        for display, source in sorted(workspace.sources.items()):
            digest.update(f"\0{display}\0{source.digest}".encode("utf-8", "surrogatepass"))
        for problem in workspace.problems:
            digest.update(f"\0problem\0{problem.display}\0{problem.message}".encode("utf-8", "surrogatepass"))
        scope = "all" if report_paths is None else "\0".join(sorted(report_paths))
        digest.update(f"\0scope\0{scope}".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def get(self, key: str):
        """The stored ``RunResult`` for ``key``, or None."""
        if not self.enabled:
            return None
        try:
            data = (self.directory / key).read_bytes()
        except OSError:
            return None
        try:
            record = pickle.loads(data)
        except UNREADABLE:
            return None
        if not isinstance(record, tuple) or len(record) != 3 or record[:2] != (FORMAT, key):
            return None
        self.hits += 1
        return record[2]

    def put(self, key: str, result) -> None:
        """Store a result whose findings' fixes are built; an unwritable cache is switched off."""
        if not self.enabled:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomically(self.directory / key, pickle.dumps((FORMAT, key, result),
                                                                protocol=pickle.HIGHEST_PROTOCOL))
            self._prune()
        except (OSError, pickle.PicklingError, RecursionError):
            self.enabled = False

    def _prune(self) -> None:
        entries = []
        for path in self.directory.iterdir():
            if path.name.startswith(".tmp-"):
                continue
            try:
                entries.append((path.stat().st_mtime_ns, path))
            except OSError:
                pass
        for _, path in sorted(entries, reverse=True)[KEEP:]:
            remove_quietly(str(path))

