"""How paths are shown: relative to the working directory, real paths memoised per directory."""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path


def display_path(path: Path, cwd: Path | None = None) -> str:
    """How a path is shown: relative to the working directory when below it; symbolic links
    are followed (a broken one keeps its own name)."""
    base = _base(os.getcwd() if cwd is None else os.path.abspath(cwd))
    real = _real_path(os.path.abspath(path))
    if real == base:
        return "."
    if real.startswith(base + os.sep):
        relative = real[len(base) + 1:]
        return relative if os.sep == "/" else Path(relative).as_posix()
    return Path(path).as_posix()


@functools.lru_cache(maxsize=4096)
def _real_directory(directory: str) -> str:
    return os.path.realpath(directory)


@functools.lru_cache(maxsize=16)
def _base(directory: str) -> str:
    """The real path of an absolute directory, without a trailing separator."""
    return _real_directory(directory).rstrip(os.sep)


def forget_real_paths() -> None:
    """Drop the memoised real paths (a new run may see moved symbolic links)."""
    _real_directory.cache_clear()
    _base.cache_clear()


def _real_path(absolute: str) -> str:
    """``os.path.realpath`` (which, unlike ``Path.resolve``, never raises on a link loop), with
    the directory part memoised; a path that does not exist stays as it is."""
    try:
        mode = os.lstat(absolute).st_mode
    except OSError:
        return absolute
    if stat.S_ISLNK(mode):
        return os.path.realpath(absolute) if os.path.exists(absolute) else absolute
    directory, name = os.path.split(absolute)
    return os.path.join(_real_directory(directory), name) if name else _real_directory(directory)
