"""Where steplint keeps its own files: per user, outside every project it reads.

A checked-out repository is untrusted input: nothing steplint later *reads back* (caches,
fix journals, the cache's signing key) may live where repository content can put files.
So everything goes below the user's cache and state directories (``platformdirs``: on
Linux ``$XDG_CACHE_HOME/steplint`` and ``$XDG_STATE_HOME/steplint``, by default
``~/.cache/steplint`` and ``~/.local/state/steplint``), one subdirectory per project,
named by a digest of the project root's real path.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import platformdirs

APP = "steplint"


def cache_root() -> Path:
    """The user's steplint cache directory (it may not exist yet)."""
    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def state_root() -> Path:
    """The user's steplint state directory, for files that must survive a cache wipe
    (the fix journal); it may not exist yet."""
    return Path(platformdirs.user_state_dir(APP, appauthor=False))


def journal_root() -> Path:
    """``<state root>/journal``: where ``--fix`` keeps the journals of its transactions."""
    return state_root() / "journal"


def project_key(root: Path) -> str:
    """A stable name for a project: 24 hex digits of the digest of its root's real path."""
    real = os.path.realpath(root)
    return hashlib.blake2b(real.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def project_cache_dir(root: Path) -> Path:
    """``<cache root>/projects/<project key>``: the default cache directory of one project."""
    return cache_root() / "projects" / project_key(root)
