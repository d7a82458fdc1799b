"""Directory operations for steplint's own files that never follow a symbolic link.

A cache directory may end up somewhere a repository can put files (``--cache-dir`` inside
a checkout, or a committed ``.steplint_cache -> ../..``). Every operation here therefore
works relative to an open directory descriptor: each level is opened with ``O_NOFOLLOW``,
files are created with ``O_EXCL | O_NOFOLLOW``, renamed and removed with ``dir_fd``, so a
symbolic link planted anywhere below the root is never followed and nothing outside the
root is ever read, written or deleted. Removal is by exact name, and only of names the caller
says steplint created (``prune``).

Errors: every operation raises ``OSError`` (``ELOOP``/``ENOTDIR`` for a symbolic link
where a directory or file is expected); callers treat that as "no cache".
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import time
from pathlib import Path

_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(
    os, "O_CLOEXEC", 0)
TEMP_PREFIX = ".tmp-"


def supported() -> bool:
    """Whether this platform has the descriptor-relative calls everything here needs (POSIX)."""
    return (hasattr(os, "O_NOFOLLOW") and hasattr(os, "O_DIRECTORY") and os.open in os.supports_dir_fd
            and os.unlink in os.supports_dir_fd and os.rename in os.supports_dir_fd
            and os.mkdir in os.supports_dir_fd and os.scandir in os.supports_fd)


class SafeDir:
    """An open directory; names given to its methods are single path components."""

    def __init__(self, fd: int, path: Path) -> None:
        self.fd = fd
        self.path = path

    @classmethod
    def open(cls, path: Path, create: bool = False) -> "SafeDir":
        """Open ``path`` as a directory. Its parents are trusted (the user chose them); the
        directory itself must not be a symbolic link. With ``create``, missing directories
        are made (mode 0700 for the last one). Raises OSError."""
        path = Path(path)
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                pass
        return cls(os.open(path, _DIRECTORY_FLAGS), path)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> "SafeDir":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def subdir(self, name: str, create: bool = False) -> "SafeDir":
        """The child directory ``name`` (made with mode 0700 when ``create``); a symbolic
        link there raises OSError (ELOOP or ENOTDIR)."""
        _check_name(name)
        if create:
            try:
                os.mkdir(name, 0o700, dir_fd=self.fd)
            except FileExistsError:
                pass
        return SafeDir(os.open(name, _DIRECTORY_FLAGS, dir_fd=self.fd), self.path / name)

    def read(self, name: str, limit: int | None = None) -> bytes:
        """The bytes of the regular file ``name``; raises OSError for anything else (a
        symbolic link, a FIFO, a directory) and for files larger than ``limit`` bytes."""
        _check_name(name)
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0),
                     dir_fd=self.fd)
        try:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode):
                raise OSError(errno.EINVAL, "not a regular file", name)
            if limit is not None and status.st_size > limit:
                raise OSError(errno.EFBIG, "file too large", name)
            chunks = []
            while True:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def create_exclusive(self, name: str, data: bytes | list) -> None:
        """Create the file ``name`` (mode 0600) holding ``data`` (bytes, or a list of byte
        strings written one after another, so a large file need not be joined in memory);
        raises FileExistsError when the name is taken (by anything, a symbolic link included)."""
        _check_name(name)
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
                     0o600, dir_fd=self.fd)
        try:
            for part in (data if isinstance(data, list) else (data,)):
                _write_all(fd, part)
        except BaseException:
            os.close(fd)
            self.remove(name)
            raise
        os.close(fd)

    def write_atomically(self, name: str, data: bytes | list) -> None:
        """Write ``data`` (as ``create_exclusive`` takes it) to a temporary name and rename it
        to ``name`` in one step, so a concurrent reader sees the old file or the new one; a
        symbolic link at ``name`` is replaced, never followed. Raises OSError (the temporary
        file is removed)."""
        _check_name(name)
        temporary = f"{TEMP_PREFIX}{secrets.token_hex(8)}"
        self.create_exclusive(temporary, data)
        try:
            os.replace(temporary, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except BaseException:
            self.remove(temporary)
            raise

    def entries(self) -> list:
        """``[(name, lstat result), ...]`` of the directory's entries (never following links)."""
        found = []
        with os.scandir(self.fd) as iterator:
            for entry in iterator:
                try:
                    found.append((entry.name, entry.stat(follow_symlinks=False)))
                except OSError:
                    continue
        return found

    def remove(self, name: str) -> bool:
        """Unlink the file (or symbolic link itself) ``name``; False when that fails."""
        try:
            os.unlink(name, dir_fd=self.fd)
        except OSError:
            return False
        return True

    def remove_dir(self, name: str) -> bool:
        """Remove the empty directory ``name``; False when that fails (not empty, a link...)."""
        try:
            os.rmdir(name, dir_fd=self.fd)
        except OSError:
            return False
        return True

    def touch(self) -> None:
        """Set the directory's modification time to now (marks it as used)."""
        os.utime(self.fd)

    def prune(self, ours, keep, stale_temp_seconds: float = 3600) -> None:
        """Remove the entries steplint created here that are no longer wanted.

        ``ours(name)`` says whether a name is one steplint creates; only such entries are
        ever touched. Regular files for which ``keep(name, lstat)`` is False are removed;
        so are directories, after pruning their content the same way with nothing kept
        (removed when that leaves them empty). Temporary files (``.tmp-*``) older than
        ``stale_temp_seconds`` are left-overs of a killed run and go too. Symbolic links
        and entries of other kinds are never followed nor removed; errors are ignored.
        """
        now = time.time()
        for name, status in self.entries():
            if not ours(name):
                continue
            if stat.S_ISREG(status.st_mode):
                if name.startswith(TEMP_PREFIX):
                    if now - status.st_mtime > stale_temp_seconds:
                        self.remove(name)
                elif not keep(name, status):
                    self.remove(name)
            elif stat.S_ISDIR(status.st_mode) and not keep(name, status):
                try:
                    child = self.subdir(name)
                except OSError:
                    continue
                with child:
                    child.prune(ours, lambda *_: False, stale_temp_seconds=0)
                self.remove_dir(name)


def _check_name(name: str) -> None:
    if not name or name in (".", "..") or "/" in name or "\0" in name or (os.altsep and os.altsep in name):
        raise OSError(errno.EINVAL, "not a single path component", name)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
