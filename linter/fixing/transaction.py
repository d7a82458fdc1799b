"""Transactional writes for ``--fix``: every file a run changes is replaced, or none is.

Why a transaction and a journal
-------------------------------
Renaming a fully written temporary file over its target is atomic for *one* file. A fix
that spans files (a spec's dependency and its contract entry) needs more: a failure or a
crash between two renames would leave exactly the drift steplint reports. So everything
one ``--fix`` run changes is written as one transaction (simplest, and every multi-file
fix is then all-or-nothing whatever else the run fixed), with a write-ahead journal for
crashes:

1. **Check**, nothing written yet: every target still holds the bytes steplint read, is a
   regular file, may be opened for writing (``os.open(O_WRONLY | O_APPEND)`` modifies
   nothing, and fails with EPERM on an immutable file and EACCES without permission), and
   its directory lets steplint create the temporary file. Every problem is reported, one
   line each; any problem and nothing is written.
2. **Prepare**: the journal ``<state_root>/journal/txn-<32 hex>.json`` is written in state
   ``"prepare"`` (targets, temporaries, backups, SHA-256 of old and new content) and
   fsynced, with its directory. Nothing is created beside a target before the journal
   names it, so a crash can never leave a side file that no journal lists.
3. **Stage**: for each target, a temporary ``.<name>.<12 hex>.steplint-tmp`` in the
   target's directory holding the new bytes with the target's mode and owner, fsynced;
   and a backup ``.<name>.<12 hex>.steplint-bak``: a hard link to the target (the old
   inode itself, so putting it back restores content, mode and owner exactly), or a copy
   of the bytes read where the file system refuses the link. The directories are
   fsynced, then every target is read again: one changed since step 1 stops the
   transaction. (A file edited between this last read and its rename, a window of
   microseconds, is still overwritten: no rename-based writer can close it.)
4. **Commit point**: the journal is replaced by state ``"commit"``. Each version of the
   journal is written to ``<name>.tmp``, fsynced and renamed over ``<name>``, so a journal
   is always whole: the rename is the commit point.
5. **Rename** every temporary over its target (``os.replace``), fsync the directories,
   remove the backups and the journal. If the directories cannot be flushed, the fixes
   are written but a power loss could still undo a rename: the journal and backups then
   stay (with a warning), and the next run's recovery finds every target new and removes
   them.

A failure before the commit point removes the temporaries, backups and journal: no
target was touched. A failure during the renames puts each backup back over its target
already renamed, then cleans up. SIGINT and SIGTERM are held from step 2 to the end, so
Ctrl-C takes effect only once the transaction is done (``kill -9`` is what recovery is for).

Why the journal lives in the per-user state directory (``steplint.engine.userdirs.state_root()``)
and not in the project: a checked-out repository is untrusted, and a journal it could
plant would make the next run rename files. Locks: a rename gives the journal a new
inode, so the writer holds an exclusive ``flock`` on *every* version of its journal until
it is done, and creates each version (create, then lock) under a shared lock of the
journal directory, which recovery takes exclusively while it looks; so recovery never
sees an unlocked file of a live transaction. If the journal directory cannot be created
or written (or the platform has no ``fcntl``), no fix is written at all: writing without
crash safety is not offered.

Recovery (``recover``), at the start of every steplint run, before any file is read, for
each of the user's journals whose locks it can take (whichever project it belongs to):

- only an unfinished ``<name>.tmp``: the first version was never complete, so nothing was
  staged; it is removed.
- ``"prepare"`` (a crash before the commit point): roll back. The targets were never
  touched; the listed temporaries and backups are removed.
- ``"commit"``: roll forward when every target holds its new content or its old content
  with its temporary intact (a crash among the renames); otherwise an in-process rollback
  had begun (a target is old and its temporary already used), so the targets holding new
  content get their backups back. Either way each fix ends wholly new or wholly old. A
  target holding anything else (edited since, deleted, or no longer its own real path)
  is left alone with a warning, and the rest is finished.

Then the temporaries, backups and journal are removed, and one line says what was done.
Recovery only ever renames or removes the temporaries and backups a journal lists, and
only when they sit in their target's directory, are named as steplint names them, and are
regular files (never a symbolic link); targets are recorded by real path, and one that no
longer resolves to itself counts as changed. A journal that is not well formed is left
alone with a warning.

Shapes and errors
-----------------
``Change(path, old, new)``: a file to replace, the bytes read from it, the bytes to write.
``apply(changes)`` returns a list of one-line warnings when every file was written, and
raises ``TransactionFailed`` otherwise: ``problems`` is a list of one-line messages (one
per file that stopped the transaction, or one for the journal), then either a line saying
that no file was changed or, should putting a backup back itself fail, one line per
target that could not be restored (the journal then stays, and the next run's recovery
undoes the transaction). ``recover()`` returns the lines to print on stderr; file-system
trouble becomes a warning line, never an exception. ``WriteError`` (the base of
``TransactionFailed``) is the one-file error ``steplint.fixing.fixer.write_atomically`` raises.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import signal
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from steplint.engine import userdirs

try:
    import fcntl
except ImportError:  # not POSIX (Windows): no locks, so no journal, so ``--fix`` writes nothing
    fcntl = None

FORMAT = 1
JOURNAL_NAME = re.compile(r"^txn-(?P<id>[0-9a-f]{32})\.json(?P<unfinished>\.tmp)?$")
TEMP_SUFFIX, BACKUP_SUFFIX = ".steplint-tmp", ".steplint-bak"
_SIDE_NAME = re.compile(r"^\.(?P<name>.+)\.[0-9a-f]{12}(?P<suffix>\.steplint-(?:tmp|bak))$", re.DOTALL)
_OPEN_FLAGS = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
DIRECTORY_LOCK_WAIT = 2.0  # seconds recovery waits for a run creating a journal file


class WriteError(Exception):
    """A fixed file could not be written (read-only, changed on disk meanwhile, ...)."""


class TransactionFailed(WriteError):
    """A transaction was not written; ``problems`` are one-line messages saying why (and,
    rarely, which target could not be put back)."""

    def __init__(self, problems: list) -> None:
        super().__init__(problems[0])
        self.problems = problems


@dataclass(frozen=True)
class Change:
    """One file of a transaction: its path, the bytes read from it, the bytes to write."""

    path: Path
    old: bytes
    new: bytes


@dataclass(frozen=True)
class _Entry:
    """A checked change: real path, side files, and the target's mode and owner."""

    target: str
    temp: str
    backup: str
    old: bytes
    new: bytes
    mode: int
    uid: int
    gid: int

    def record(self) -> dict:
        return {"target": self.target, "temp": self.temp, "backup": self.backup,
                "old": _digest(self.old), "new": _digest(self.new)}


def journal_dir() -> Path:
    """Where the journals live: ``<state root>/journal`` (per user, outside every project)."""
    return userdirs.journal_root()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _side_name(target: str, suffix: str) -> str:
    directory, name = os.path.split(target)
    return os.path.join(directory, f".{name}.{os.urandom(6).hex()}{suffix}")


# ---------------------------------------------------------------------------- writing


def apply(changes) -> list:
    """Write every change or none; raise TransactionFailed with one line per problem.
    Returns warnings (one line each) about a transaction that was written."""
    entries, problems = _checked(changes)
    if problems:
        raise TransactionFailed([*problems, _nothing_written(len(changes))])
    if not entries:
        return []
    with _interrupts_deferred():
        journal = _Journal.create()
        try:
            _prepare_and_commit(journal, entries)
            return _rename_all(journal, entries)
        finally:
            journal.close()


def _checked(changes) -> tuple[list, list]:
    """The changes as entries (one per real path), and why any of them cannot be written."""
    entries: dict[str, _Entry] = {}
    problems = []
    for change in changes:
        target = os.path.realpath(change.path)
        if target in entries:
            if entries[target].new != change.new:
                problems.append(f"{target}: reached by two paths with different fixes; not written")
            continue
        status = _writable(target, change.old)
        if isinstance(status, str):
            problems.append(status)
            continue
        entries[target] = _Entry(target, _side_name(target, TEMP_SUFFIX), _side_name(target, BACKUP_SUFFIX),
                                 change.old, change.new, stat.S_IMODE(status.st_mode), status.st_uid, status.st_gid)
    return [entries[target] for target in sorted(entries)], problems


def _writable(target: str, expected: bytes) -> os.stat_result | str:
    """The target's status when it may be replaced now, else why not: it must hold
    ``expected``, be a regular file that may be opened for writing (a probe that changes
    nothing), in a directory that allows new files."""
    try:
        status = os.lstat(target)
        if not stat.S_ISREG(status.st_mode):
            return f"{target}: cannot write fix: not a regular file"
        if _read(target) != expected:
            return f"{target}: changed on disk after steplint read it; not overwritten"
        probe = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | _OPEN_FLAGS)
        os.close(probe)
    except FileNotFoundError:
        return f"{target}: disappeared before the fix could be written"
    except OSError as error:
        return f"{target}: cannot write fix: {_reason(error)}"
    if not os.access(target, os.W_OK):
        return f"{target}: cannot write fix: file is read-only"
    directory = os.path.dirname(target)
    if not os.access(directory, os.W_OK | os.X_OK):
        return (f"{target}: cannot write fix: its directory {directory} does not allow new files "
                "(a fix is written to a temporary file beside its target)")
    return status


def _read(path: str) -> bytes:
    """The bytes of a regular file, without following a symbolic link at ``path``."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | _OPEN_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        chunks = []
        while chunk := os.read(handle, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(handle)


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view):]


def _fsync_directories(paths) -> None:
    for directory in sorted({os.path.dirname(path) for path in paths}):
        handle = os.open(directory, _DIRECTORY_FLAGS)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _prepare_and_commit(journal: "_Journal", entries: list) -> None:
    """Steps 2 to 4: journal "prepare", temporaries and backups, re-check, journal "commit".
    On any failure, undo them and raise TransactionFailed."""
    try:
        journal.write("prepare", entries)
    except OSError as error:
        journal.discard()
        raise TransactionFailed([f"cannot write the fix journal in {journal.directory}: {_reason(error)}; "
                                 "no fix was written"]) from None
    made: list = []
    try:
        for entry in entries:
            _stage(entry, made)
        _sync_staged(made)
        problems = [problem for entry in entries if (problem := _changed_since(entry)) is not None]
        if not problems:
            try:
                journal.write("commit", entries)
            except OSError as error:
                problems = [f"cannot write the fix journal in {journal.directory}: {_reason(error)}"]
    except _StageError as error:
        problems = [str(error)]
    except BaseException:
        _remove_files(made)
        journal.discard()
        raise
    if problems:
        _remove_files(made)
        journal.discard()
        raise TransactionFailed([*problems, _nothing_written(len(entries))])


class _StageError(Exception):
    """Staging one target failed; the message names it."""


def _stage(entry: _Entry, made: list) -> None:
    """Write ``entry``'s temporary and backup files; append each to ``made`` once it exists."""
    try:
        _create_file(entry.temp, entry.new, entry, made)
        try:
            os.link(entry.target, entry.backup, follow_symlinks=False)
            made.append(entry.backup)
        except OSError:  # no hard links here (or not allowed): keep the bytes read instead
            _create_file(entry.backup, entry.old, entry, made)
    except OSError as error:
        raise _StageError(f"{entry.target}: cannot write fix: {_reason(error)}") from None


def _sync_staged(made: list) -> None:
    """Make the names of the staged files durable before the commit point."""
    for directory in sorted({os.path.dirname(path) for path in made}):
        try:
            _fsync_directories([os.path.join(directory, "-")])
        except OSError as error:
            raise _StageError(f"{directory}: cannot write fix: cannot flush the directory: {_reason(error)}") from None


def _create_file(path: str, data: bytes, entry: _Entry, made: list) -> None:
    """A new file at ``path`` (never an existing one) with ``data``, the target's owner
    (when allowed) and mode, fsynced."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _OPEN_FLAGS, 0o600)
    made.append(path)
    try:
        _write_all(handle, data)
        if (entry.uid, entry.gid) != (os.getuid(), os.getgid()):
            try:
                os.fchown(handle, entry.uid, entry.gid)
            except PermissionError:
                pass  # only root may give a file away; the owner stays the one running steplint
        os.fchmod(handle, entry.mode)
        os.fsync(handle)
    finally:
        os.close(handle)


def _changed_since(entry: _Entry) -> str | None:
    try:
        current = _read(entry.target)
    except OSError:
        current = None
    if current != entry.old:
        return f"{entry.target}: changed on disk after steplint read it; not overwritten"
    return None


def _nothing_written(count: int) -> str:
    return (f"no fix was written: the {count} file{'s' if count != 1 else ''} of this run are replaced "
            "together or not at all, and every one is as it was")


def _rename_all(journal: "_Journal", entries: list) -> list:
    """Step 5: rename every temporary over its target, then clean up; on a failed rename,
    put the backups back and raise TransactionFailed. Returns warnings."""
    renamed: list = []
    try:
        for entry in entries:
            os.replace(entry.temp, entry.target)
            renamed.append(entry)
    except OSError as error:
        failed = entries[len(renamed)]
        trouble = _undo_renames(journal, entries, renamed)
        raise TransactionFailed([f"{failed.target}: cannot write fix: {_reason(error)}",
                                 *(trouble or [_nothing_written(len(entries))])]) from None
    except BaseException:
        _undo_renames(journal, entries, renamed)
        raise
    try:
        _fsync_directories(entry.target for entry in entries)
    except OSError as error:  # written, but a power loss might still undo some renames
        return [f"the fixes are written, but not every directory could be flushed to disk ({_reason(error)}); "
                f"the journal {journal.directory / journal.name} and the backups stay until the next "
                "steplint run checks them"]
    _remove_files([entry.backup for entry in entries])
    journal.discard()
    return []


def _undo_renames(journal: "_Journal", entries: list, renamed: list) -> list:
    """Put each renamed target's backup back, then clean up; when one cannot be put back,
    keep everything for the next run's recovery and say so (one line per target)."""
    trouble = []
    for entry in reversed(renamed):
        try:
            os.replace(entry.backup, entry.target)
        except OSError as error:
            trouble.append(f"{entry.target}: could not be restored after a failed fix: {_reason(error)}; "
                           f"its old content is kept as {entry.backup} and the next steplint run restores it")
    if not trouble:
        _remove_files([path for entry in entries for path in (entry.temp, entry.backup)])
        journal.discard()
    return trouble


def _remove_files(paths) -> None:
    """Remove the files steplint made; one already gone is fine."""
    for path in paths:
        try:
            os.unlink(path)
        except OSError:
            pass  # already gone, or not removable: nothing more can be done about it here


@contextmanager
def _interrupts_deferred():
    """Hold SIGINT and SIGTERM while a transaction runs, so an interrupted ``--fix``
    leaves every fix wholly applied or not at all; a held signal is delivered (a
    KeyboardInterrupt) as soon as the transaction is done."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # no POSIX signal masks here
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _Journal:
    """One transaction's journal file. Every version is written to ``<name>.tmp``, locked,
    fsynced and renamed over ``<name>``; all stay locked until ``close``."""

    def __init__(self, directory: Path, directory_handle: int) -> None:
        self.directory = directory
        self.name = f"txn-{os.urandom(16).hex()}.json"
        self._directory_handle = directory_handle
        self._locked: list = []

    @classmethod
    def create(cls) -> "_Journal":
        """The journal of a new transaction; TransactionFailed when its directory cannot
        be made or opened."""
        directory = journal_dir()
        try:
            if fcntl is None:
                raise OSError(errno.ENOSYS, "no file locks (fcntl) on this platform")
            return cls(directory, _open_journal_directory(directory, create=True))
        except OSError as error:
            raise TransactionFailed([f"cannot keep a fix journal in {directory}: {_reason(error)}; "
                                     "no fix was written (fixes are only written with a journal, so that "
                                     "a crash cannot leave one half-applied)"]) from None

    def write(self, state: str, entries: list) -> None:
        """Replace the journal by one in ``state``, durably. Raises OSError."""
        data = json.dumps({"format": FORMAT, "state": state, "pid": os.getpid(),
                           "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                           "files": [entry.record() for entry in entries]}, indent=1).encode()
        unfinished = self.name + ".tmp"
        fcntl.flock(self._directory_handle, fcntl.LOCK_SH)
        try:
            handle = os.open(unfinished, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _OPEN_FLAGS, 0o600,
                             dir_fd=self._directory_handle)
            self._locked.append(handle)
            fcntl.flock(handle, fcntl.LOCK_EX)
        finally:
            fcntl.flock(self._directory_handle, fcntl.LOCK_UN)
        _write_all(handle, data)
        os.fsync(handle)
        os.rename(unfinished, self.name, src_dir_fd=self._directory_handle, dst_dir_fd=self._directory_handle)
        os.fsync(self._directory_handle)

    def discard(self) -> None:
        """Remove the journal (the transaction is over: done or undone)."""
        for name in (self.name + ".tmp", self.name):
            try:
                os.unlink(name, dir_fd=self._directory_handle)
            except FileNotFoundError:
                pass
        try:
            os.fsync(self._directory_handle)
        except OSError:
            pass  # if the removal is lost, recovery finds every target done and removes it again

    def close(self) -> None:
        """Release the locks (recovery may act on a journal left behind from now on)."""
        for handle in self._locked:
            os.close(handle)
        self._locked.clear()
        os.close(self._directory_handle)


def _open_journal_directory(directory: Path, create: bool) -> int:
    """A handle on the journal directory (never through a symbolic link). Raises OSError."""
    if create:
        directory.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            pass
    return os.open(directory, _DIRECTORY_FLAGS | _OPEN_FLAGS)


# --------------------------------------------------------------------------- recovery


def recover() -> list:
    """Finish or undo the transactions of crashed runs; the lines to print on stderr."""
    directory = journal_dir()
    if fcntl is None:
        return []  # no journal is ever written here
    try:
        handle = _open_journal_directory(directory, create=False)
    except (FileNotFoundError, NotADirectoryError):
        return []  # no journal was ever written (or can be): nothing to recover
    except OSError as error:
        return [f"steplint: warning: cannot look for interrupted fixes in {directory}: {_reason(error)}"]
    try:
        if not _lock_directory(handle):
            return [f"steplint: warning: another steplint run is creating a fix journal in {directory} "
                    "(or is stopped while doing so); interrupted fixes were not looked for this time"]
        names: dict[str, list] = {}
        for name in sorted(os.listdir(handle)):
            match = JOURNAL_NAME.match(name)
            if match:
                names.setdefault(match["id"], []).append(name)
        lines = []
        for journal_names in names.values():
            lines.extend(_recover_journal(directory, handle, journal_names))
        return lines
    finally:
        os.close(handle)


def _lock_directory(handle: int) -> bool:
    """Take the journal directory exclusively; writers hold it shared only while creating a
    journal file, so waiting longer than DIRECTORY_LOCK_WAIT means one is stopped there."""
    deadline = time.monotonic() + DIRECTORY_LOCK_WAIT
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)


def _recover_journal(directory: Path, directory_handle: int, names: list) -> list:
    """Recover one transaction (its journal and any unfinished next version of it), unless
    a live process holds it."""
    handles = []
    try:
        for name in names:
            try:
                handle = os.open(name, os.O_RDONLY | _OPEN_FLAGS, dir_fd=directory_handle)
            except FileNotFoundError:
                continue
            handles.append(handle)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return []  # a live run is writing it
        journal = next((name for name in names if not name.endswith(".tmp")), None)
        # an unfinished version alone was never a journal: nothing was staged yet
        lines, keep = ([], False) if journal is None else _recover_from(directory / journal, directory_handle, journal)
        if not keep:
            for name in names:
                try:
                    os.unlink(name, dir_fd=directory_handle)
                except FileNotFoundError:
                    pass
            _fsync_quietly([os.path.join(directory, names[0])])
        return lines
    except OSError as error:
        return [f"steplint: warning: cannot recover the interrupted fix {directory / names[0]}: {_reason(error)}"]
    finally:
        for handle in handles:
            os.close(handle)


def _recover_from(path: Path, directory_handle: int, name: str) -> tuple[list, bool]:
    """Act on one journal: the lines saying what was done, and whether the journal must stay."""
    try:
        handle = os.open(name, os.O_RDONLY | _OPEN_FLAGS, dir_fd=directory_handle)
        try:
            raw = b"".join(iter(lambda: os.read(handle, 1 << 20), b""))
        finally:
            os.close(handle)
        journal = json.loads(raw)
    except (OSError, ValueError) as error:
        return [f"steplint: warning: {path}: unreadable fix journal ({error}); left alone"], True
    entries = _journal_entries(journal)
    if entries is None:
        return [f"steplint: warning: {path}: not a fix journal steplint wrote; left alone"], True
    if journal["state"] == "prepare":
        _remove_side_files(entries)
        return [f"steplint: rolled back a fix interrupted before its commit point (no file had been changed): "
                f"{_listing(entry['target'] for entry in entries)}"], False
    return _finish_committed(path, entries)


def _journal_entries(journal) -> list | None:
    """The journal's entries when it is well formed and names only side files steplint
    makes beside their targets; None otherwise."""
    if not isinstance(journal, dict) or journal.get("format") != FORMAT:
        return None
    if journal.get("state") not in ("prepare", "commit") or not isinstance(journal.get("files"), list):
        return None
    entries = journal["files"]
    for entry in entries:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(key), str)
                                                  for key in ("target", "temp", "backup", "old", "new")):
            return None
        if not os.path.isabs(entry["target"]):
            return None
        for key, suffix in (("temp", TEMP_SUFFIX), ("backup", BACKUP_SUFFIX)):
            directory, name = os.path.split(entry[key])
            match = _SIDE_NAME.match(name)
            if (directory != os.path.dirname(entry["target"]) or match is None
                    or match["name"] != os.path.basename(entry["target"]) or match["suffix"] != suffix):
                return None
    return entries


def _content(path: str) -> str | None:
    """The digest of a regular file at ``path`` that is its own real path, else None."""
    try:
        if os.path.realpath(path) != path or not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return _digest(_read(path))
    except OSError:
        return None


def _finish_committed(path: Path, entries: list) -> tuple[list, bool]:
    """A journal past its commit point: roll forward when every target can get its new
    content, else roll back; targets changed since are left alone. The lines saying what
    was done, and whether the journal must stay (neither way could be finished)."""
    states = {entry["target"]: _target_state(entry) for entry in entries}
    lines = [f"steplint: warning: {entry['target']}: changed since an interrupted fix was committed; left alone"
             for entry in entries if states[entry["target"]] == "other"]
    live = [entry for entry in entries if states[entry["target"]] != "other"]
    forward = all(states[entry["target"]] == "new" or _content(entry["temp"]) == entry["new"] for entry in live)
    if forward:
        try:
            for entry in live:
                if states[entry["target"]] == "old":
                    os.replace(entry["temp"], entry["target"])
                    states[entry["target"]] = "new"
        except OSError as error:
            lines.append(f"steplint: warning: {entry['target']}: cannot complete an interrupted fix: "
                         f"{_reason(error)}; rolling it back")
            forward = False
    if not forward:
        stuck = [entry for entry in live if states[entry["target"]] == "new"
                 and not _restore(entry)]
        if stuck:
            return [*lines, f"steplint: warning: cannot finish or undo the interrupted fix of {path}: "
                            f"{_listing(entry['target'] for entry in stuck)}: no intact backup; left alone"], True
    _fsync_quietly(entry["target"] for entry in live)
    _remove_side_files(entries)
    done = "completed" if forward else "rolled back"
    targets = _listing(entry["target"] for entry in live) if live else "no file"
    return [*lines, f"steplint: {done} a fix interrupted after its commit point: {targets}"], False


def _target_state(entry: dict) -> str:
    digest = _content(entry["target"])
    if digest == entry["new"]:
        return "new"
    if digest == entry["old"]:
        return "old"
    return "other"


def _restore(entry: dict) -> bool:
    """Put the intact backup back over a target holding the new content."""
    if _content(entry["backup"]) != entry["old"]:
        return False
    try:
        os.replace(entry["backup"], entry["target"])
    except OSError:
        return False
    return True


def _remove_side_files(entries: list) -> None:
    """Remove the temporaries and backups a (validated) journal lists, if they are regular
    files; a symbolic link or anything else at such a name is left alone."""
    for entry in entries:
        for path in (entry["temp"], entry["backup"]):
            try:
                if stat.S_ISREG(os.lstat(path).st_mode):
                    os.unlink(path)
            except FileNotFoundError:
                pass


def _fsync_quietly(paths) -> None:
    try:
        _fsync_directories(paths)
    except OSError:
        pass  # the renames are visible; recovery cannot do more about durability


def _listing(paths, shown: int = 5) -> str:
    """Up to ``shown`` paths, and how many more."""
    paths = sorted(paths)
    more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
    return ", ".join(paths[:shown]) + more
