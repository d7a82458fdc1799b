"""Whole-run results: a run whose inputs are all unchanged reports the stored findings.

Findings are cross-file, so one run's result depends on every file of the project, the
configuration, which files are reported on, steplint's own code (every file of the
installed ``steplint`` and ``steplint.rules`` packages, data files included, wherever an
editable install keeps them, so the SageMaker data files it ships too), the installed
LibCST (the parser), and the SageMaker SDK release the project pins (its requirements files
and ``pyproject.toml`` are not Python files, so the pin itself is part of the key,
``steplint.sagemaker.pins``). The key hashes all of them, so nothing is reused
when any input differs; the facts cache still serves the files that did not change. Fixes
are built before a result is stored, so the stored findings carry them. Entries live in
``<cache dir>/results/`` as signed JSON (``steplint.engine.cache_codec``), are written to a
temporary name and renamed into place, and only the newest few are kept. A corrupt,
foreign or unsigned entry is a miss.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from pathlib import Path

from steplint import __version__
from steplint.engine.cache import (
    MAX_CACHE_FILE_BYTES,
    files_fingerprint,
    is_ours,
    open_cache_dir,
)
from steplint.engine.run import RunResult
from steplint.engine.safe_dir import SafeDir

RESULTS_DIR_NAME = "results"
KEEP = 8
FORMAT = 2
DATA_PACKAGES = ("libcst",)
STEPLINT_PACKAGES = ("steplint", "steplint.rules", "steplint.reference")
_ENTRY = re.compile(r"[0-9a-f]{40}")


def package_files() -> list:
    """``[(label, directory, relative path), ...]``: every file of the installed steplint
    packages (code and data, not byte code), each once, in a stable order. In an editable
    install ``steplint.rules`` lives outside the ``steplint`` directory: both are covered."""
    found: dict = {}
    for package in STEPLINT_PACKAGES:
        spec = importlib.util.find_spec(package)
        for location in (spec.submodule_search_locations or ()) if spec is not None else ():
            directory = Path(location)
            for path in sorted(directory.rglob("*")):
                if "__pycache__" in path.parts or path.suffix == ".pyc" or not path.is_file():
                    continue
                found.setdefault(os.path.realpath(path), (package, directory, path.relative_to(directory).as_posix()))
    return sorted(found.values(), key=lambda item: (item[0], item[2]))


def package_fingerprint() -> str:
    """A digest of every file of the installed steplint packages (engine, rules, data)."""
    digest = hashlib.blake2b(f"{__version__}:{FORMAT}".encode(), digest_size=16)
    for label, directory, relative in package_files():
        digest.update(f"\0{label}\0".encode())
        digest.update(files_fingerprint("", (relative,), directory).encode())
    return digest.hexdigest()


def data_packages_fingerprint() -> str:
    """Where the installed packages the findings depend on (the parser) are, and when they last changed."""
    from steplint.sagemaker.data import package_dirs

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

    def __init__(self, directory: Path, config) -> None:
        self.directory = Path(directory)
        from steplint.readers import project_pins

        self._pins = project_pins(config)
        # the rules are part of the package files; the configuration says which run
        self._salt = "\0".join((package_fingerprint(), data_packages_fingerprint(), repr(config)))
        self.enabled = True
        self.hits = 0

    def key(self, workspace, report_paths) -> str:
        """40 hex digits naming the result of checking ``workspace`` reporting on ``report_paths``."""
        digest = hashlib.blake2b(self._salt.encode("utf-8", "surrogatepass"), digest_size=20)
        pins = self._pins.describe(str(source.path) for source in workspace.sources.values())
        digest.update(f"\0pins\0{pins}".encode("utf-8", "surrogatepass"))
        for display, source in sorted(workspace.sources.items()):
            digest.update(f"\0{display}\0{source.digest}".encode("utf-8", "surrogatepass"))
        for problem in workspace.problems:
            digest.update(f"\0problem\0{problem.display}\0{problem.message}".encode("utf-8", "surrogatepass"))
        scope = "all" if report_paths is None else "\0".join(sorted(report_paths))
        digest.update(f"\0scope\0{scope}".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def get(self, key: str) -> RunResult | None:
        """The stored result for ``key``, or None."""
        if not self.enabled:
            return None
        from steplint.engine.cache_codec import CacheFormatError, decode

        try:
            with SafeDir.open(self.directory) as root, root.subdir(RESULTS_DIR_NAME) as results:
                record = decode("results", results.read(key, limit=MAX_CACHE_FILE_BYTES))
        except (OSError, CacheFormatError):
            return None
        if not (isinstance(record, tuple) and len(record) == 5 and record[:2] == (FORMAT, key)
                and isinstance(record[2], tuple) and isinstance(record[3], tuple) and isinstance(record[4], int)):
            return None
        self.hits += 1
        return RunResult(list(record[2]), list(record[3]), record[4])

    def put(self, key: str, result: RunResult) -> None:
        """Store a result whose findings' fixes are built; an unwritable cache is switched off."""
        if not self.enabled:
            return
        from steplint.engine.cache_codec import encode

        try:
            data = encode("results", (FORMAT, key, tuple(result.findings), tuple(result.internal_errors),
                                      result.files_checked))
            with open_cache_dir(self.directory, create=True) as root, \
                    root.subdir(RESULTS_DIR_NAME, create=True) as results:
                results.write_atomically(key, data)
                self._prune(results)
        except (OSError, TypeError, ValueError, RecursionError):
            self.enabled = False

    @staticmethod
    def _prune(results: SafeDir) -> None:
        """Keep the ``KEEP`` newest entries; remove older ones and stale temporary files."""
        entries = sorted(((status.st_mtime_ns, name) for name, status in results.entries()
                          if _ENTRY.fullmatch(name)), reverse=True)
        keep = {name for _, name in entries[:KEEP]}
        results.prune(is_ours, lambda name, status: name in keep or not _ENTRY.fullmatch(name))
