"""Which SageMaker SDK release a linted project pins, read statically from its files.

SL504 checks framework versions against the image configuration of the SDK the project
will run with. The project of a builder is the nearest directory above its file holding
``pyproject.toml``, ``setup.cfg`` or ``.git`` (``ProjectPins`` is given
``steplint.files.projects.nearest_project``, how a run is split into projects; the
configuration's root when there is none). Its release is, in order:

1. ``sagemaker-version = "2.200.0"`` in ``[tool.steplint]`` (``Config.sagemaker_version``);
2. otherwise an exact pin (``sagemaker==2.200.0`` or ``===``) in the project root's
   ``pyproject.toml`` ``[project] dependencies``, its ``requirements*.txt`` and
   ``requirements/*.txt`` files, and the files those include with ``-r`` / ``-c``
   (constraints count: they decide the release as much as requirements do). When several
   files pin different releases, the oldest wins: a framework version has to work with it.

A range (``>=2.200,<3``), a wildcard (``==2.200.*``), a URL or no mention at all is not a
pin: ``pinned_sdk`` returns None and SL504 uses the newest release steplint's data knows.
Nothing is executed (no ``setup.py``); files are read as text, at most ``MAX_FILE_BYTES``
each, and only inside the project root (an include that leaves it, or a link out of it, is
skipped). Unreadable, undecodable or malformed files are skipped; nothing here raises for
the project's content.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from steplint.sagemaker.data import release_key

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_INCLUDE_DEPTH = 8
PACKAGE = "sagemaker"

_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(?P<rest>.*)$")
_INCLUDE = re.compile(r"^\s*(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(?P<path>\S+)")
_CLAUSE = re.compile(r"^\s*(?P<operator>===|==|~=|!=|<=|>=|<|>)\s*(?P<version>\S+)\s*$")


@dataclass(frozen=True)
class SdkPin:
    """An SDK release (``2.200.0``) and where the project pins it (a phrase for messages:
    ``requirements.txt``, ``pyproject.toml [project] dependencies``, ``[tool.steplint]
    sagemaker-version``)."""

    version: str
    where: str


def exact_pin(requirement: str) -> str | None:
    """The release an exact ``sagemaker`` requirement line pins (``sagemaker[local]==2.200.0
    ; python_version >= '3.9'``), or None for another package, a range, a wildcard or a URL."""
    match = _REQUIREMENT.match(requirement)
    if match is None or re.sub(r"[-_.]+", "-", match.group("name")).lower() != PACKAGE:
        return None
    rest = re.sub(r"\s--\S.*$", "", match.group("rest").split(";", 1)[0]).strip()  # --hash=... options
    if not rest or rest.startswith("@"):
        return None
    pinned = None
    for clause in rest.split(","):
        parsed = _CLAUSE.match(clause)
        if parsed is None:
            return None
        if parsed.group("operator") in ("==", "===") and release_key(parsed.group("version")) is not None:
            pinned = parsed.group("version")
    return pinned


def _read_text(path: Path, root: str) -> str | None:
    """The text of a file inside ``root`` (real paths), or None."""
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return None
    if os.path.commonpath([real, root]) != root or not os.path.isfile(real):
        return None
    try:
        with open(real, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    if len(raw) > MAX_FILE_BYTES:
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _requirement_lines(text: str):
    """Logical lines of a requirements file: continuations joined, comments removed."""
    for line in re.sub(r"\\\r?\n", "", text).splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if line:
            yield line


def requirement_file_pins(path: Path, root: str, seen: set, depth: int = 0):
    """``(version, file)`` for each exact pin in a requirements file and the files it includes."""
    real = os.path.realpath(path)
    if real in seen or depth > MAX_INCLUDE_DEPTH:
        return
    seen.add(real)
    text = _read_text(path, root)
    if text is None:
        return
    for line in _requirement_lines(text):
        include = _INCLUDE.match(line)
        if include is not None:
            yield from requirement_file_pins(Path(real).parent / include.group("path"), root, seen, depth + 1)
            continue
        if line.startswith("-"):
            continue
        version = exact_pin(line)
        if version is not None:
            yield version, real


def pyproject_pins(root: str):
    """Exact pins in ``[project] dependencies`` of the root's ``pyproject.toml``."""
    text = _read_text(Path(root) / "pyproject.toml", root)
    if text is None:
        return
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    project = document.get("project")
    dependencies = project.get("dependencies") if isinstance(project, dict) else None
    for requirement in dependencies if isinstance(dependencies, list) else ():
        version = exact_pin(requirement) if isinstance(requirement, str) else None
        if version is not None:
            yield version, "pyproject.toml [project] dependencies"


def requirement_files(root: str) -> list:
    """The root's ``requirements*.txt`` and ``requirements/*.txt``, sorted."""
    found = []
    for pattern in ("requirements*.txt", "requirements/*.txt"):
        found.extend(sorted(Path(root).glob(pattern)))
    return found


def pinned_sdk(root: Path, setting: str | None = None) -> SdkPin | None:
    """The SDK release the project at ``root`` pins (see the module docstring), or None."""
    if setting is not None:
        return SdkPin(setting, "[tool.steplint] sagemaker-version")
    real_root = os.path.realpath(root)
    pins = list(pyproject_pins(real_root))
    seen: set = set()
    for path in requirement_files(real_root):
        for version, file in requirement_file_pins(path, real_root, seen):
            pins.append((version, os.path.relpath(file, real_root)))
    if not pins:
        return None
    version, where = min(pins, key=lambda pin: (release_key(pin[0]), pin[1]))
    return SdkPin(version, where)


class ProjectPins:
    """``pinned_sdk`` for the project of each file of a run, each project read once.
    ``nearest_project(directory, memo)`` gives a directory's project root or None."""

    def __init__(self, default_root: Path, setting: str | None, nearest_project) -> None:
        self.default_root = Path(default_root)
        self.setting = setting
        self._nearest_project = nearest_project
        self._projects: dict = {}
        self._pins: dict = {}

    def root_of(self, path: str) -> Path:
        """The project root of a file (display or absolute path)."""
        return self._nearest_project(Path(os.path.abspath(path)).parent, self._projects) or self.default_root

    def pin_for(self, path: str) -> SdkPin | None:
        """The pin of the project holding ``path``."""
        return self._pin_of_root(self.root_of(path))

    def _pin_of_root(self, root: Path) -> SdkPin | None:
        if root not in self._pins:
            self._pins[root] = pinned_sdk(root, self.setting)
        return self._pins[root]

    def describe(self, paths) -> str:
        """Every project's pin among ``paths``, as text (a result-cache key part)."""
        directories = {os.path.abspath(directory) for directory in {os.path.dirname(path) for path in paths}}
        roots = sorted({self._nearest_project(Path(directory), self._projects) or self.default_root
                        for directory in directories} | {self.default_root}, key=str)
        return "\n".join(f"{root}\0{self._pin_of_root(root)!r}" for root in roots)
