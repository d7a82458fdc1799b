"""The files of one run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from steplint.files.sources import ReadProblem, read_source


class LazySources(Mapping):
    """Display path -> ``SourceFile`` for files read when first asked for.

    A run given a few files loads the rest of their project as context; a scoped run
    (``steplint.engine.scoped``) needs only a few of them, so the others are not read unless
    something asks. Iterating lists every display path (readable or not); asking for a file
    that cannot be read records its ``ReadProblem`` in ``problems`` and raises KeyError,
    as if the file were absent from an eagerly read workspace. ``Workspace.materialise``
    reads them all.
    """

    def __init__(self, paths: dict, read: dict, problems: list) -> None:
        self.paths = paths  # display -> Path, every file (read or not)
        self._read = read  # display -> SourceFile, read so far
        self._problems = problems
        self._failed: set = set()

    def __getitem__(self, display: str):
        source = self._read.get(display)
        if source is not None:
            return source
        if display not in self.paths or display in self._failed:
            raise KeyError(display)
        read = read_source(self.paths[display], display)
        if isinstance(read, ReadProblem):
            self._failed.add(display)
            self._problems.append(read)
            raise KeyError(display)
        self._read[display] = read
        return read

    def __iter__(self):
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def __contains__(self, display) -> bool:
        return display in self.paths and display not in self._failed

    def is_read(self, display: str) -> bool:
        """Whether the file has been read (asking for it would not touch the disk)."""
        return display in self._read

    def read_all(self) -> dict:
        """Every readable file, read now: display -> ``SourceFile``, in ``paths`` order."""
        sources = {}
        for display in self.paths:
            try:
                sources[display] = self[display]
            except KeyError:
                continue
        return sources


class _Texts(Mapping):
    """Display path -> text of the files of ``LazySources``, each read when asked for."""

    def __init__(self, sources: LazySources) -> None:
        self._sources = sources

    def __getitem__(self, display: str) -> str:
        return self._sources[display].text

    def __iter__(self):
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)


@dataclass
class Workspace:
    """The files of one run: decoded sources by display path, and files that could not be read.

    ``sources`` is a dict, or ``LazySources`` for a project's context files that are read
    only when asked for; ``read_at_ns`` (``time.time_ns()`` before the first file was read,
    or None) tells which files' modification times are too close to the read to trust."""

    sources: Mapping = field(default_factory=dict)
    problems: list = field(default_factory=list)
    read_at_ns: int | None = None

    @classmethod
    def from_reads(cls, reads) -> "Workspace":
        workspace = cls()
        for read in reads:
            if isinstance(read, ReadProblem):
                workspace.problems.append(read)
            else:
                workspace.sources[read.display] = read
        return workspace

    @property
    def is_lazy(self) -> bool:
        """Whether some files are read only when asked for."""
        return isinstance(self.sources, LazySources)

    def path_of(self, display: str) -> Path:
        """The file a display path names, without reading it. Raises KeyError."""
        if isinstance(self.sources, LazySources):
            return self.sources.paths[display]
        return self.sources[display].path

    def displays(self):
        """Every display path of the workspace's readable (or not yet read) files."""
        return iter(self.sources)

    def texts(self) -> Mapping:
        """Display path -> text of every file; a lazy workspace reads a file when its text is asked for."""
        if isinstance(self.sources, LazySources):
            return _Texts(self.sources)
        return {display: source.text for display, source in self.sources.items()}

    def materialise(self) -> None:
        """Read every file not read yet, in place: ``sources`` becomes a dict."""
        if isinstance(self.sources, LazySources):
            self.sources = self.sources.read_all()

    def replaced(self, texts: dict) -> "Workspace":
        self.materialise()
        sources = dict(self.sources)
        for display, text in texts.items():
            sources[display] = sources[display].with_text(text)
        return Workspace(sources, list(self.problems))
