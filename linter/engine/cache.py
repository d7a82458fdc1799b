"""The facts cache: extracted ``ModuleFacts`` (or the SL901 problem) per file, and what each
registered reader read from a file (``Reader.read``), on disk.

Entries are keyed by (display path, module name, or ``steplint.engine.run.READER_SLOT`` and the reader's name) and record the content digest they were
built from, so an edited file misses and its entry is replaced (the cache does not grow
with every edit). By default everything lives in the user's cache directory, one
directory per project (``steplint.engine.userdirs.project_cache_dir``: on Linux
``~/.cache/steplint/projects/<digest of the project root's real path>/``), never inside
the checked-out tree: a repository must not be able to put files where steplint reads
its cache. ``--cache-dir`` moves it. Below that directory, ``facts/<salt>/`` holds one
``snapshot`` with all entries plus a small ``delta-*`` file per run that added entries,
so a run that re-extracts one file writes one small file. After a few deltas, or when a
run added many entries, they are folded into a new snapshot. A warm run reads one
snapshot and a few deltas instead of one file per source file. Each entry's value is kept
in the file as its own JSON text, decoded when a run first asks for it: a scoped run
(``steplint.engine.scoped``) that needs a few files' facts builds only theirs. The same
directory holds the ``index`` of the project that scoped runs start from.

Files are signed (``steplint.engine.cache_codec``) and hold data only: a JSON header listing
the entries, each with a digest of its bytes, then each entry's value as JSON
(``FactsCache._read``). The signature covers the header, and an entry is decoded only when
its bytes match the digest the header lists, so a run that uses a few entries of a large
file checks only those; files are read back only when this user's steplint wrote them, so
no cache file can run code or forge findings. Every level
is opened without following symbolic links (``steplint.engine.safe_dir``), and clean-up removes
only names steplint creates, below the cache directory.

The salt is steplint's version, a fingerprint of the extraction code and the configuration
that affects extraction (``[tool.steplint.names]``), so an upgrade or a renamed base class
never reads stale facts. A corrupt, truncated, foreign or unsigned file is ignored and
rebuilt. Every file is written to a temporary name and renamed into place, so concurrent
runs never see half-written files; when two runs write at once, one run's new entries may
be lost, which only costs a later run some re-extraction. Temporary files a killed run
left behind are removed by a later run. Only facts are cached: rules run again on the
model of every step a changed file can affect, so cross-file findings stay correct when one
side of a link changes.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import hashlib
import importlib
import json
import operator
import os
import re
import sys
import time
from pathlib import Path

from steplint import __version__
from steplint.engine.safe_dir import TEMP_PREFIX, SafeDir
from steplint.engine.userdirs import project_cache_dir

FORMAT = 6
# The modules whose code decides what facts look like; their bytes are part of the salt.
EXTRACTION_MODULES = ("model/values.py", "readers/python/facts.py", "readers/python/extract.py",
                      "readers/python/evaluate.py", "readers/python/builder_facts.py", "readers/python/names.py",
                      "readers/python/derived.py", "readers/python/edits.py",
                      "readers/python/positions.py", "readers/python/walk.py", "readers/python/parse_guard.py",
                      "readers/python/parse.py", "readers/python/ast_route.py", "engine/run.py", "engine/parallel.py")


# Modules whose frozen dataclasses make up facts. Worker processes send facts back pickled
# (between steplint's own processes, never through a file); pickling them by constructor
# call skips the generic slots-dataclass ``__setstate__``, which looks up ``fields()`` per
# object.
FACT_MODULES = ("steplint.model.values", "steplint.readers.python.facts", "steplint.readers.python.builder_facts",
                "steplint.files.sources")


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


# Besides each registered reader's package: what the readers' facts are made of and from.
READER_FACT_CODE = ("readers/api.py", "readers/__init__.py", "model", "sagemaker", "files/sources.py")


def reader_code_files() -> tuple:
    """The files (relative to the steplint package) whose bytes decide what the registered
    readers read: each reader's package (``steplint.readers.READER_MODULES``), the step model
    and the SageMaker facts. Found by listing directories; no reader is imported."""
    from steplint.readers import READER_MODULES

    package = Path(__file__).parents[1]
    found = []
    for name in (*READER_FACT_CODE, *(module.split(".", 1)[1].replace(".", "/") for module in READER_MODULES)):
        where = package / name
        if where.is_dir():
            found.extend(sorted(path.relative_to(package).as_posix() for path in where.iterdir()
                                if path.is_file() and path.suffix in (".py", ".json")))
        else:
            found.append(name)
    return tuple(found)


def code_fingerprint() -> str:
    """A digest of steplint's version, the extraction code it runs (the Python reader's, and
    ``reader_code_files``) and the Python version (whose parser decides which files are
    syntax errors, SL901)."""
    return files_fingerprint(f"{__version__}:{FORMAT}:{sys.version_info[:3]}",
                             EXTRACTION_MODULES + reader_code_files())


def files_fingerprint(prefix: str, relative_paths, package: Path | None = None) -> str:
    """A digest of ``prefix`` and the named files below ``package`` (default: the directory
    of the installed ``steplint`` package): each file's name and bytes; an unreadable file
    counts by its name."""
    digest = hashlib.blake2b(prefix.encode(), digest_size=16)
    package = Path(__file__).parents[1] if package is None else package
    for name in relative_paths:
        digest.update(name.encode())
        try:
            digest.update((package / name).read_bytes())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


SNAPSHOT = "snapshot"
INDEX = "index"
INDEX_STAMPS = "index-stamps"
DELTA_PREFIX = "delta-"
MAX_DELTAS = 8
STALE_SALT_SECONDS = 7 * 24 * 3600
STALE_PROJECT_SECONDS = 30 * 24 * 3600
# Every name steplint creates below a cache directory; clean-up touches no other name.
OUR_NAMES = re.compile(r"facts|results|snapshot|index|index-stamps|delta-\d{20}-\d+|[0-9a-f]{24}|[0-9a-f]{40}"
                       rf"|{re.escape(TEMP_PREFIX)}[0-9a-f]{{16}}|\.gitignore|CACHEDIR\.TAG")
MAX_CACHE_FILE_BYTES = 1 << 30


def is_ours(name: str) -> bool:
    """Whether ``name`` is one steplint creates in its cache directories."""
    return OUR_NAMES.fullmatch(name) is not None


def open_cache_dir(directory: Path, create: bool) -> SafeDir:
    """The cache directory itself, opened without following a symbolic link; created (with
    a ``.gitignore`` and a ``CACHEDIR.TAG`` for backup tools) when ``create``. Raises OSError."""
    root = SafeDir.open(directory, create=create)
    if create:
        for name, text in ((".gitignore", "# created by steplint: the cache is not part of any project\n*\n"),
                           ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n# steplint cache\n")):
            try:
                root.create_exclusive(name, text.encode())
            except FileExistsError:
                pass
            except OSError:
                root.close()
                raise
    return root


class FactsCache:
    """Facts on disk, keyed by path and module name under one salt; validated by content digest."""

    def __init__(self, directory: Path, names) -> None:
        self.directory = Path(directory)
        self.salt = f"{code_fingerprint()}:{names!r}"
        self._salt_name = hashlib.blake2b(self.salt.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
        self._entries: dict | None = None
        self._deltas_read: list = []
        self._new: dict = {}
        self._index_token: str | None = None  # digest of the index file read_index read
        self._index_stamps: dict = {}
        self.enabled = True
        self.hits = 0
        self.misses = 0

    @classmethod
    def for_root(cls, root: Path, names, directory: Path | None = None) -> "FactsCache":
        """The cache of the project at ``root``: in ``directory`` when given, else in the
        user's cache directory for that project."""
        return cls(Path(directory) if directory is not None else project_cache_dir(root), names)

    @contextlib.contextmanager
    def _directories(self, create: bool = False):
        """``(cache directory, facts directory, this salt's directory)``, each opened without
        following a symbolic link; made when ``create`` (``open_cache_dir``). Raises OSError."""
        with open_cache_dir(self.directory, create) as root, root.subdir("facts", create=create) as facts, \
                facts.subdir(self._salt_name, create=create) as salt_dir:
            yield root, facts, salt_dir

    def get(self, display: str, module_name: str, digest: str):
        """``(facts, problem)`` stored for this exact content, or None. An entry read from disk
        is decoded on first use: a run that needs a few files' facts builds only theirs."""
        if not self.enabled:
            return None
        key = (display, module_name)
        record = self._new.get(key)
        if record is None:
            record = self._load().get(key)
            if record is not None and record[0] == digest:
                record = self._decoded(key, record)
        if record is None or record[0] != digest:
            self.misses += 1
            return None
        self.hits += 1
        return record[1]

    def _decoded(self, key: tuple, record: list):
        """``(digest, value)`` of a stored entry ``[digest, JSON bytes, value or None, blob
        digest]``; None when its bytes are damaged: they must match the digest the signed
        header lists for them (``_read``) before they are decoded."""
        from steplint.engine.cache_codec import CacheFormatError, decode_value

        if record[2] is None:
            if _blob_digest(record[1]) != record[3]:
                del self._entries[key]
                return None
            try:
                value = decode_value("facts", record[1])
            except CacheFormatError:
                del self._entries[key]
                return None
            if not (isinstance(value, tuple) and len(value) == 2):
                del self._entries[key]
                return None
            record[2] = value
        return record[0], record[2]

    def put(self, display: str, module_name: str, digest: str, value: tuple) -> None:
        """Remember ``(facts, problem)`` for this content; ``flush`` writes what was put."""
        if self.enabled:
            self._new[(display, module_name)] = (digest, value)

    def flush(self) -> None:
        """Write the entries put since the last flush: a delta, or a new snapshot that folds
        in the deltas read; then forget the entries (a later ``get`` reads them again). An
        unwritable cache is switched off, never an error."""
        if not self.enabled or not self._new:
            return
        from steplint.engine.cache_codec import encode_value

        known = self._load()
        new, self._new = self._new, {}
        try:
            new = {key: [digest, blob, value, _blob_digest(blob)] for key, (digest, value) in new.items()
                   for blob in (encode_value("facts", value),)}
        except (TypeError, ValueError, RecursionError):
            self.enabled = False
            return
        try:
            with self._directories(create=True) as (root, facts, salt_dir):
                fold = len(self._deltas_read) + 1 > MAX_DELTAS or len(new) * 5 > len(known)
                known.update(new)
                if fold:
                    salt_dir.write_atomically(SNAPSHOT, self._encode(known))
                    for delta in self._deltas_read:
                        salt_dir.remove(delta)
                    self._deltas_read = []
                    self._clean(root, facts, salt_dir)
                else:
                    delta = f"{DELTA_PREFIX}{time.time_ns():020d}-{os.getpid()}"
                    salt_dir.write_atomically(delta, self._encode(new))
                    self._deltas_read.append(delta)
                    salt_dir.prune(is_ours, lambda name, status: True)  # stale temporary files only
                root.touch()
        except (OSError, TypeError, ValueError, RecursionError):
            self.enabled = False
            return
        # what was read and written is on disk now: a run's later lookups (rare: the facts
        # are in the engine's memo) read it again, instead of every entry's bytes staying
        # in memory while the run builds its fixes and reports
        self._entries, self._deltas_read = None, []

    def read_index(self):
        """The project index stored beside the facts (``steplint.engine.scoped``), as the
        plain value ``write_index`` was given; None when there is none or it is damaged.
        ``index_stamps`` then gives the stamps written for it since."""
        from steplint.engine.cache_codec import CacheFormatError, decode

        self._index_token, self._index_stamps = None, {}
        if not self.enabled:
            return None
        try:
            with self._directories() as (root, facts, salt_dir):
                data = salt_dir.read(INDEX, limit=MAX_CACHE_FILE_BYTES)
                record = decode("index", data)
                if not (isinstance(record, tuple) and len(record) == 3 and record[:2] == (FORMAT, self.salt)):
                    return None
                self._index_token = hashlib.blake2b(data, digest_size=16).hexdigest()
                try:
                    stamps = decode("index", salt_dir.read(INDEX_STAMPS, limit=MAX_CACHE_FILE_BYTES))
                except (OSError, CacheFormatError):
                    stamps = None
        except (OSError, CacheFormatError):
            return None
        if (isinstance(stamps, tuple) and len(stamps) == 4 and stamps[:3] == (FORMAT, self.salt, self._index_token)
                and isinstance(stamps[3], tuple)):
            self._index_stamps = {row[0]: tuple(row[1:]) for row in stamps[3]
                                  if isinstance(row, tuple) and len(row) == 4 and isinstance(row[0], str)}
        return record[2]

    def index_stamps(self) -> dict:
        """Display path -> stamp (plain tuples) written by ``write_index_stamps`` for the index
        ``read_index`` last returned: they replace that index's own."""
        return dict(self._index_stamps)

    def write_index(self, value) -> None:
        """Store ``value`` (plain data: tuples, strings, numbers) as the project index, replacing
        the previous one and the stamps written for it. An unwritable cache is switched off,
        never an error."""
        from steplint.engine.cache_codec import encode

        if not self.enabled:
            return
        try:
            with self._directories(create=True) as (root, facts, salt_dir):
                salt_dir.write_atomically(INDEX, encode("index", (FORMAT, self.salt, value)))
                salt_dir.remove(INDEX_STAMPS)
        except (OSError, TypeError, ValueError, RecursionError):
            self.enabled = False

    def write_index_stamps(self, stamps: dict) -> None:
        """Store new stamps (display path -> plain tuple) for the index ``read_index`` last
        returned, without writing the index again (a few files' stamps instead of the whole
        project's). An unwritable cache is switched off, never an error."""
        from steplint.engine.cache_codec import encode

        if not self.enabled or self._index_token is None:
            return
        rows = tuple((display, *stamp) for display, stamp in sorted(stamps.items()))
        try:
            with self._directories(create=True) as (root, facts, salt_dir):
                salt_dir.write_atomically(INDEX_STAMPS, encode("index", (FORMAT, self.salt, self._index_token, rows)))
        except (OSError, TypeError, ValueError, RecursionError):
            self.enabled = False

    def _load(self) -> dict:
        """All entries of the snapshot and the deltas, read once."""
        if self._entries is None:
            self._entries = {}
            try:
                with self._directories() as (root, facts, salt_dir):
                    self._entries = self._read(salt_dir, SNAPSHOT)
                    deltas = sorted(name for name, _ in salt_dir.entries() if name.startswith(DELTA_PREFIX))
                    for delta in deltas:
                        self._entries.update(self._read(salt_dir, delta))
                        self._deltas_read.append(delta)
            except OSError:
                pass
        return self._entries

    def _read(self, salt_dir: SafeDir, name: str) -> dict:
        """The entries of one cache file (key -> ``[digest, JSON bytes, None, blob digest]``,
        the bytes a view of the file's); empty when it is missing, foreign or damaged.

        Layout (``cache_codec.signed_head``): a signed JSON header ``[FORMAT, salt,
        [[display, module, digest, length, blob digest], ...]]``, then each entry's value as
        JSON, in header order. Only the header is parsed and checked here (its signature
        vouches for each entry through the entry's blob digest, checked when the entry is
        decoded), so a run reading a few entries of a large file hashes only those."""
        from steplint.engine.cache_codec import CacheFormatError, verified_head

        try:
            head, blobs = verified_head("facts", salt_dir.read(name, limit=MAX_CACHE_FILE_BYTES))
            header = json.loads(bytes(head))
        except (OSError, CacheFormatError, ValueError, RecursionError):
            return {}
        if not (isinstance(header, list) and len(header) == 3 and header[:2] == [FORMAT, self.salt]
                and isinstance(header[2], list)):
            return {}
        entries, position = {}, 0
        for row in header[2]:
            if not _well_formed(row) or position + row[3] > len(blobs):
                return {}
            entries[(row[0], row[1])] = [row[2], blobs[position:position + row[3]], None, row[4]]
            position += row[3]
        return entries if position == len(blobs) else {}

    def _encode(self, entries: dict) -> list:
        """A cache file of ``entries`` (key -> ``[digest, JSON bytes, value, blob digest]``) in
        the layout ``_read`` describes: reading it decodes no entry. An entry read from an
        earlier file keeps the blob digest that file's signed header gave it."""
        from steplint.engine.cache_codec import signed_head

        rows, blobs = [], []
        for (display, module), record in entries.items():
            rows.append((display, module, record[0], len(record[1]), record[3]))
            blobs.append(record[1])
        header = json.dumps([FORMAT, self.salt, rows], separators=(",", ":")).encode("utf-8", "surrogatepass")
        return signed_head("facts", header, blobs)

    def _clean(self, root: SafeDir, facts: SafeDir, salt_dir: SafeDir) -> None:
        """Remove what nobody will read again: caches of other salts (older steplint
        versions, other settings) unused for a week, projects of the user's cache unused
        for a month, and temporary files killed runs left behind."""
        now = time.time()
        salt_dir.prune(is_ours, lambda name, status: True)
        facts.prune(is_ours, lambda name, status: name == self._salt_name
                    or now - status.st_mtime <= STALE_SALT_SECONDS)
        if self.directory.parent == project_cache_dir(Path("/")).parent:
            try:
                with SafeDir.open(self.directory.parent) as projects:
                    projects.prune(is_ours, lambda name, status: name == self.directory.name
                                   or now - status.st_mtime <= STALE_PROJECT_SECONDS)
            except OSError:
                pass


def _well_formed(row) -> bool:
    return (isinstance(row, list) and len(row) == 5 and isinstance(row[0], str) and isinstance(row[1], str)
            and isinstance(row[2], str) and type(row[3]) is int and row[3] >= 0 and isinstance(row[4], str))


def _blob_digest(blob) -> str:
    """The digest a cache file's header lists for an entry's bytes."""
    return hashlib.blake2b(blob, digest_size=16).hexdigest()
