"""The facts cache: extracted ``ModuleFacts`` (or the SL901 problem) per file, on disk.

Entries are keyed by (display path, module name) and record the content digest they were
built from, so an edited file misses and its entry is replaced (the cache does not grow
with every edit). Everything lives in ``<project root>/.steplint_cache/facts/<salt>/``:
one ``snapshot`` holding all entries, plus a small ``delta-*`` file per run that added
entries, so a run that re-extracts one file writes one small file. After a few deltas,
or when a run added many entries, they are folded into a new snapshot. A warm run reads
one snapshot and a few deltas instead of one file per source file.

The salt is steplint's version, a fingerprint of the extraction code and the configuration
that affects extraction (``[tool.steplint.names]``), so an upgrade or a renamed base class
never reads stale facts. A corrupt, truncated or foreign file is ignored and rebuilt.
Every file is written to a temporary name and renamed into place (``os.replace``), so
concurrent runs never see half-written files; when two runs write at once, one run's new
entries may be lost, which only costs a later run some re-extraction. Only facts are
cached: rules always run on the full project model, so cross-file findings stay correct
when one side of a link changes.
"""

from __future__ import annotations

import copyreg
import dataclasses
import hashlib
import importlib
import operator
import os
import pickle
import shutil
import tempfile
import time
from pathlib import Path

from steplint import __version__

CACHE_DIR_NAME = ".steplint_cache"
FORMAT = 2
# The modules whose code decides what facts look like; their bytes are part of the salt.
EXTRACTION_MODULES = ("facts.py", "values.py", "extract.py", "evaluate.py", "builder_facts.py", "names.py",
                      "positions.py", "walk.py", "engine.py")
UNREADABLE = (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError, ValueError,
              KeyError, ModuleNotFoundError, RecursionError)


# Modules whose frozen dataclasses make up facts. Pickling them by constructor call skips the
# generic slots-dataclass ``__setstate__``, which looks up ``fields()`` per object and made
# loading the cache several times slower.
FACT_MODULES = ("steplint.values", "steplint.facts", "steplint.builder_facts", "steplint.engine")


def _constructor_reducer(cls: type):
    """A reducer pickling ``cls`` instances as a constructor call with their field values."""
    names = [field.name for field in dataclasses.fields(cls)]
    getter = operator.attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (cls, (getter(obj),))
    return lambda obj: (cls, getter(obj))


def register_fast_pickling() -> None:
    for module_name in FACT_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (isinstance(value, type) and value.__module__ == module_name and dataclasses.is_dataclass(value)
                    and dataclasses.fields(value) and all(field.init for field in dataclasses.fields(value))):
                copyreg.pickle(value, _constructor_reducer(value))


def code_fingerprint() -> str:
    """A digest of steplint's version and the extraction code it runs."""
    return files_fingerprint(f"{__version__}:{FORMAT}", EXTRACTION_MODULES)


def files_fingerprint(prefix: str, relative_paths) -> str:
    """A digest of ``prefix`` and the named files of the installed steplint package (each
    file's name and bytes; an unreadable file counts by its name)."""
    digest = hashlib.blake2b(prefix.encode(), digest_size=16)
    package = Path(__file__).parent
    for name in relative_paths:
        digest.update(name.encode())
        try:
            digest.update((package / name).read_bytes())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


SNAPSHOT = "snapshot"
DELTA_PREFIX = "delta-"
MAX_DELTAS = 8
STALE_SALT_SECONDS = 7 * 24 * 3600


class FactsCache:
    """Facts on disk, keyed by path and module name under one salt; validated by content digest."""

    def __init__(self, directory: Path, names) -> None:
        self.directory = Path(directory)
        self.salt = f"{code_fingerprint()}:{names!r}"
        salt_name = hashlib.blake2b(self.salt.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
        self._facts_dir = self.directory / "facts"
        self._salt_dir = self._facts_dir / salt_name
        self._entries: dict | None = None
        self._deltas_read: list = []
        self._new: dict = {}
        self._ready = False
        self.enabled = True
        self.hits = 0
        self.misses = 0

    @classmethod
    def for_root(cls, root: Path, names, directory: Path | None = None) -> "FactsCache":
        return cls(Path(directory) if directory is not None else Path(root) / CACHE_DIR_NAME, names)

    def get(self, display: str, module_name: str, digest: str):
        """``(facts, problem)`` stored for this exact content, or None."""
        if not self.enabled:
            return None
        key = (display, module_name)
        record = self._new.get(key) or self._load().get(key)
        if record is None or record[0] != digest:
            self.misses += 1
            return None
        self.hits += 1
        return record[1]

    def put(self, display: str, module_name: str, digest: str, value: tuple) -> None:
        """Remember ``(facts, problem)`` for this content; ``flush`` writes what was put."""
        if self.enabled:
            self._new[(display, module_name)] = (digest, value)

    def flush(self) -> None:
        """Write the entries put since the last flush: a delta, or a new snapshot that folds
        in the deltas read. An unwritable cache is switched off, never an error."""
        if not self.enabled or not self._new:
            return
        known = self._load()
        new, self._new = self._new, {}
        try:
            self._prepare()
            fold = len(self._deltas_read) + 1 > MAX_DELTAS or len(new) * 5 > len(known)
            known.update(new)
            if fold:
                self._write(self._salt_dir / SNAPSHOT, known)
                for delta in self._deltas_read:
                    remove_quietly(str(delta))
                self._deltas_read = []
                self._forget_stale_salts()
            else:
                delta = self._salt_dir / f"{DELTA_PREFIX}{time.time_ns():020d}-{os.getpid()}"
                self._write(delta, new)
                self._deltas_read.append(delta)
        except (OSError, pickle.PicklingError, RecursionError):
            self.enabled = False

    def _load(self) -> dict:
        """All entries of the snapshot and the deltas, read once."""
        if self._entries is None:
            register_fast_pickling()
            self._entries = self._read(self._salt_dir / SNAPSHOT)
            try:
                deltas = sorted(path for path in self._salt_dir.iterdir() if path.name.startswith(DELTA_PREFIX))
            except OSError:
                deltas = []
            for delta in deltas:
                self._entries.update(self._read(delta))
                self._deltas_read.append(delta)
        return self._entries

    def _read(self, path: Path) -> dict:
        try:
            data = path.read_bytes()
        except OSError:
            return {}
        try:
            record = pickle.loads(data)
        except UNREADABLE:
            return {}
        if (not isinstance(record, tuple) or len(record) != 3 or record[0] != FORMAT or record[1] != self.salt
                or not isinstance(record[2], dict)):
            return {}
        return {key: value for key, value in record[2].items() if _well_formed(key, value)}

    def _write(self, path: Path, entries: dict) -> None:
        write_atomically(path, pickle.dumps((FORMAT, self.salt, entries), protocol=pickle.HIGHEST_PROTOCOL))

    def _forget_stale_salts(self) -> None:
        """Remove the caches of other salts (older steplint versions, other settings) unused for a week."""
        now = time.time()
        for entry in self._facts_dir.iterdir():
            if entry == self._salt_dir:
                continue
            try:
                if now - entry.stat().st_mtime <= STALE_SALT_SECONDS:
                    continue
                if entry.is_dir():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
            except OSError:
                pass

    def _prepare(self) -> None:
        if self._ready:
            return
        self._salt_dir.mkdir(parents=True, exist_ok=True)
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by steplint: the cache is not part of the project\n*\n", encoding="utf-8")
        tag = self.directory / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# steplint facts cache\n",
                           encoding="utf-8")
        self._ready = True


def _well_formed(key, value) -> bool:
    return (isinstance(key, tuple) and len(key) == 2 and isinstance(value, tuple) and len(value) == 2
            and isinstance(value[1], tuple) and len(value[1]) == 2)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place, so a
    concurrent reader sees the old file or the new one, never half of one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        remove_quietly(temporary)
        raise


def remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
