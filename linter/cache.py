"""The facts cache: extracted ``ModuleFacts`` (or the SL901 problem) per file, on disk.

One entry per (display path, module name) in ``<project root>/.steplint_cache/facts/``;
the entry records the content digest it was built from, so an edited file misses and its
entry is overwritten (the cache does not grow with every edit). Entries are salted with
steplint's version, a fingerprint of the extraction code and the configuration that
affects extraction (``[tool.steplint.names]``), so an upgrade or a renamed base class
never reads stale facts. A corrupt, truncated or foreign entry is ignored and rebuilt.
Writes go to a temporary file renamed over the entry (``os.replace``), so concurrent runs
never see half-written entries. Only facts are cached: rules always run on the full
project model, so cross-file findings stay correct when one side of a link changes.
"""

from __future__ import annotations

import copyreg
import dataclasses
import hashlib
import importlib
import os
import pickle
import tempfile
from pathlib import Path

from steplint import __version__

CACHE_DIR_NAME = ".steplint_cache"
FORMAT = 1
# The modules whose code decides what facts look like; their bytes are part of the salt.
EXTRACTION_MODULES = ("facts.py", "values.py", "extract.py", "evaluate.py", "builder_facts.py", "names.py",
                      "positions.py", "walk.py", "engine.py")
_UNREADABLE = (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError, ValueError,
               KeyError, ModuleNotFoundError, RecursionError)


# Modules whose frozen dataclasses make up facts. Pickling them by constructor call skips the
# generic slots-dataclass ``__setstate__``, which looks up ``fields()`` per object and made
# loading the cache several times slower.
FACT_MODULES = ("steplint.values", "steplint.facts", "steplint.builder_facts", "steplint.engine")


def _by_constructor(obj):
    return type(obj), tuple(getattr(obj, field.name) for field in dataclasses.fields(obj))


def register_fast_pickling() -> None:
    for module_name in FACT_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (isinstance(value, type) and value.__module__ == module_name and dataclasses.is_dataclass(value)
                    and all(field.init for field in dataclasses.fields(value))):
                copyreg.pickle(value, _by_constructor)


def code_fingerprint() -> str:
    """A digest of steplint's version and the extraction code it runs."""
    digest = hashlib.blake2b(f"{__version__}:{FORMAT}".encode(), digest_size=16)
    package = Path(__file__).parent
    for name in EXTRACTION_MODULES:
        try:
            digest.update((package / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()


class FactsCache:
    """Facts on disk, keyed by path, module name and salt; validated by content digest."""

    def __init__(self, directory: Path, names) -> None:
        register_fast_pickling()
        self.directory = Path(directory)
        self.salt = f"{code_fingerprint()}:{names!r}"
        self._facts_dir = self.directory / "facts"
        self._ready = False
        self.enabled = True
        self.hits = 0
        self.misses = 0

    @classmethod
    def for_root(cls, root: Path, names, directory: Path | None = None) -> "FactsCache":
        return cls(Path(directory) if directory is not None else Path(root) / CACHE_DIR_NAME, names)

    def _entry(self, display: str, module_name: str) -> Path:
        name = hashlib.blake2b(f"{self.salt}\0{display}\0{module_name}".encode("utf-8", "surrogatepass"),
                               digest_size=16).hexdigest()
        return self._facts_dir / name[:2] / name

    def get(self, display: str, module_name: str, digest: str):
        """``(facts, problem)`` stored for this exact content, or None."""
        if not self.enabled:
            return None
        try:
            data = self._entry(display, module_name).read_bytes()
        except OSError:
            self.misses += 1
            return None
        try:
            record = pickle.loads(data)
        except _UNREADABLE:
            record = None
        if (not isinstance(record, tuple) or len(record) != 6 or record[0] != FORMAT or record[1] != self.salt
                or record[2] != display or record[3] != module_name or record[4] != digest
                or not isinstance(record[5], tuple) or len(record[5]) != 2):
            self.misses += 1
            return None
        self.hits += 1
        return record[5]

    def put(self, display: str, module_name: str, digest: str, value: tuple) -> None:
        """Store ``(facts, problem)``; an unwritable cache is switched off, never an error."""
        if not self.enabled:
            return
        try:
            self._prepare()
            entry = self._entry(display, module_name)
            entry.parent.mkdir(exist_ok=True)
            data = pickle.dumps((FORMAT, self.salt, display, module_name, digest, value),
                                protocol=pickle.HIGHEST_PROTOCOL)
            handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                os.replace(temporary, entry)
            except BaseException:
                _remove(temporary)
                raise
        except (OSError, pickle.PicklingError, RecursionError):
            self.enabled = False

    def _prepare(self) -> None:
        if self._ready:
            return
        self._facts_dir.mkdir(parents=True, exist_ok=True)
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by steplint: the cache is not part of the project\n*\n", encoding="utf-8")
        tag = self.directory / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# steplint facts cache\n",
                           encoding="utf-8")
        self._ready = True


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
