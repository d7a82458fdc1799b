"""``[tool.steplint]`` configuration: loading, validation, and rule selection.

Where the settings come from: ``--config FILE``, else the nearest ``pyproject.toml`` at or
above the checked paths' common directory that has a ``[tool.steplint]`` table. The
configuration's *root* (module names, the cache's location, ``script-roots``) is that
file's directory; without one it is the nearest project root (``projects.nearest_project``:
a directory holding ``pyproject.toml``, ``setup.cfg`` or ``.git``), else the working
directory.

Every problem is a ``ConfigError`` with a message of one line, which the command line
prints as ``steplint: error: ...`` and exits 2 with: a file that is missing, a directory,
not a regular file, unreadable, over 4 MB, not UTF-8 or not TOML; a value of the wrong
type at any level; an unknown key or rule code; a ``script-roots`` entry outside the root;
an ``interface-globs`` entry that is not a valid glob.

``extend-select``, ``extend-ignore`` and ``extend-exclude`` add to ``select``, ``ignore`` and
``exclude``; ``Config`` holds the lists they make together. Command-line values
(``load_config``'s ``overrides``) replace the file's, except that ``extend-*`` values are
added to the file's, and ``select`` (``ignore``) given there also drops the file's
``extend-select`` (``extend-ignore``), as in ruff.
The upward search reads every ``pyproject.toml`` it passes and reports one it cannot read
or parse rather than skipping it: whether it was meant to configure steplint cannot be
known, and running with other settings than the user wrote would be worse than stopping.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path

from steplint.files.discovery import glob_matcher
from steplint.files.projects import within

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration problem the user must fix (exit code 2). The message is always one
    line: characters that are not printable (a newline in a key or a directory name) are
    shown escaped."""

    def __init__(self, message: str) -> None:
        super().__init__("".join(c if c.isprintable() else repr(c)[1:-1] for c in message))


@dataclass(frozen=True)
class NameSettings:
    """Class and function names steplint recognises, for projects that renamed them."""

    spec_classes: tuple = ("StepSpecification",)
    dependency_classes: tuple = ("DependencySpec",)
    output_classes: tuple = ("OutputSpec",)
    contract_classes: tuple = ("ScriptContract", "TrainingScriptContract", "ProcessingScriptContract")
    training_contract_classes: tuple = ("TrainingScriptContract",)
    builder_bases: tuple = ("StepBuilderBase",)
    step_type_functions: tuple = ("get_spec_step_type", "get_spec_step_type_with_job_type")
    registry_names: tuple = ("STEP_NAMES",)
    dependency_type_enum: str = "DependencyType"
    node_type_enum: str = "NodeType"

    @property
    def known_enums(self) -> frozenset:
        return frozenset({self.dependency_type_enum, self.node_type_enum})


DEFAULT_INTERFACE_GLOBS = ("**/*.step.yaml",)


@dataclass(frozen=True)
class Config:
    """Effective settings for one run."""

    root: Path = field(default_factory=Path.cwd)
    source: Path | None = None
    select: tuple = ("ALL",)
    ignore: tuple = ()
    exclude: tuple = ()
    per_file_ignores: tuple = ()
    script_roots: tuple = ()
    sagemaker_version: str | None = None  # the SDK release SL504 checks against (steplint.sagemaker.pins)
    names: NameSettings = field(default_factory=NameSettings)
    respect_gitignore: bool = True
    # which files hold YAML step interfaces: gitignore-style globs matched against a file's
    # path from the root (steplint.files.discovery.glob_matcher)
    interface_globs: tuple = DEFAULT_INTERFACE_GLOBS
    # which findings fail a run: "error", or "warning" (errors and warnings). Out of the
    # repr, which keys the result cache: it decides the exit code, not the findings.
    fail_on: str = field(default="error", repr=False)

    def is_selected(self, code: str, path: str | None = None) -> bool:
        """Whether ``code`` is enabled (for ``path`` when given): the longest matching
        selector wins, as in ruff; ties go to ``ignore``."""
        ignores = list(self.ignore)
        if path is not None:
            for pattern, codes in self.per_file_ignores:
                if _path_matches(path, pattern):
                    ignores.extend(codes)
        best_select = max((len(s) for s in self.select if _code_matches(code, s)), default=-1)
        best_ignore = max((len(s) for s in ignores if _code_matches(code, s)), default=-1)
        return best_select >= 0 and best_select > best_ignore


def _code_matches(code: str, selector: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def _path_matches(path: str, pattern: str) -> bool:
    import fnmatch

    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, "*/" + pattern) or fnmatch.fnmatch(
        Path(path).name, pattern
    )


TOP_LEVEL_KEYS = {"select", "extend-select", "ignore", "extend-ignore", "exclude", "extend-exclude",
                  "per-file-ignores", "script-roots", "sagemaker-version", "names", "respect-gitignore", "fail-on",
                  "interface-globs"}
FAIL_ON = ("error", "warning")
NAME_KEYS = {f.name.replace("_", "-"): f.name for f in fields(NameSettings)}
MAX_CONFIG_BYTES = 4 * 1024 * 1024  # real pyproject.toml files are a few kilobytes


def find_config_file(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` that has a ``[tool.steplint]`` table.

    Every ``pyproject.toml`` on the way up is read and parsed: one that cannot be read,
    is not UTF-8, is not valid TOML, or whose ``tool`` or ``tool.steplint`` is not a table
    raises ``ConfigError`` (it may hold the settings, so skipping it would run with the
    wrong ones). A directory named ``pyproject.toml`` is not a configuration file and is
    passed over."""
    start = Path(os.path.realpath(start))
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if not os.path.lexists(candidate) or os.path.isdir(candidate):
            continue
        if steplint_table(read_document(candidate), candidate) is not None:
            return candidate
    return None


def read_document(path: Path) -> dict:
    """The TOML document in ``path``. Raises ``ConfigError`` (one line naming the file) when
    it is missing, a directory or another non-regular file, larger than ``MAX_CONFIG_BYTES``,
    unreadable, not UTF-8, or not valid TOML."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        suffix = "is a broken symbolic link" if os.path.islink(path) else "configuration file not found"
        raise ConfigError(f"{path}: {suffix}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read configuration: {error.strerror or error}") from None
    if stat.S_ISDIR(status.st_mode):
        raise ConfigError(f"{path}: is a directory, not a configuration file")
    if not stat.S_ISREG(status.st_mode):
        raise ConfigError(f"{path}: is not a regular file (a FIFO, socket or device); not read")
    if status.st_size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: configuration file is larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MB; "
                          f"not read")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read configuration: {error.strerror or error}") from None
    return _parse_toml(raw, path)


def _parse_toml(raw: bytes, path: Path) -> dict:
    """Decode ``raw`` as UTF-8 and parse it as TOML. Raises ``ConfigError``."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ConfigError(f"{path}: not valid UTF-8 (TOML files must be): byte 0x{raw[error.start]:02x} "
                          f"at line {line}") from None
    try:
        return tomllib.loads(text)
    except ValueError as error:  # TOMLDecodeError, or an integer too long to convert
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None


def steplint_table(document: dict, path: Path) -> dict | None:
    """``document["tool"]["steplint"]``, or None when there is none. Raises ``ConfigError``
    when ``tool`` or ``tool.steplint`` is there but is not a table."""
    tool = document.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table ([tool]), not {_kind(tool)}")
    table = tool.get("steplint")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.steplint] must be a table, not {_kind(table)}")
    return table


def load_config(path: Path | None, known_codes, overrides: dict | None = None, root: Path | None = None) -> Config:
    """Read and validate ``[tool.steplint]`` from ``path`` (or defaults without one).

    The configuration's root is ``path``'s directory; without a file it is ``root`` (the
    caller's project root), else the working directory. ``overrides`` (command-line
    values, keyed as in the file) are merged as the module docstring says. Raises
    ``ConfigError`` with a message of one line for anything malformed."""
    table: dict = {}
    if path is not None:
        table = steplint_table(read_document(path), path) or {}
        root = Path(os.path.realpath(os.path.dirname(os.path.abspath(path))))
    elif root is None:
        root = Path.cwd()
    for key in ("select", "extend-select", "ignore", "extend-ignore"):
        if key in (overrides or {}):  # a bad code given on the command line is named as such
            _codes(overrides[key], key, "command line", known_codes)
    table = merge_overrides(table, overrides or {})
    where = str(path) if path is not None else "command line"
    unknown = sorted(str(key) for key in table if key not in TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}' in [tool.steplint] "
                          f"(known keys: {', '.join(sorted(TOP_LEVEL_KEYS))})")
    select = (_codes(table.get("select", ["ALL"]), "select", where, known_codes)
              + _codes(table.get("extend-select", []), "extend-select", where, known_codes))
    ignore = (_codes(table.get("ignore", []), "ignore", where, known_codes)
              + _codes(table.get("extend-ignore", []), "extend-ignore", where, known_codes))
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{where}: 'per-file-ignores' must be a table of pattern = [codes], not {_kind(per_file)}")
    per_file_ignores = tuple(
        (pattern, _codes(codes, f"per-file-ignores.\"{pattern}\"", where, known_codes))
        for pattern, codes in per_file.items()
    )
    return Config(
        root=root,
        source=path,
        select=select,
        ignore=ignore,
        exclude=_strings(table.get("exclude", []), "exclude", where)
        + _strings(table.get("extend-exclude", []), "extend-exclude", where),
        per_file_ignores=per_file_ignores,
        script_roots=_script_roots(table.get("script-roots", []), root, where),
        sagemaker_version=_release(table.get("sagemaker-version"), "sagemaker-version", where),
        names=_names(table.get("names", {}), where),
        respect_gitignore=_boolean(table.get("respect-gitignore", True), "respect-gitignore", where),
        fail_on=_choice(table.get("fail-on", "error"), "fail-on", FAIL_ON, where),
        interface_globs=_globs(table.get("interface-globs", list(DEFAULT_INTERFACE_GLOBS)), "interface-globs", where),
    )


def merge_overrides(table: dict, overrides: dict) -> dict:
    """``table`` with command-line ``overrides``: each replaces the file's value, except
    ``extend-*`` lists, which are added to the file's; ``select``/``ignore`` also drop the
    file's ``extend-select``/``extend-ignore``. A file value of the wrong type is kept as
    it is, for validation to report."""
    merged = dict(table)
    for key, value in overrides.items():
        if key in ("select", "ignore"):
            merged.pop(f"extend-{key}", None)
            merged[key] = value
        elif key.startswith("extend-") and isinstance(merged.get(key, []), list):
            merged[key] = [*merged.get(key, []), *value]
        elif not key.startswith("extend-"):
            merged[key] = value
    return merged


def _boolean(value, key: str, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: '{key}' must be true or false, not {_kind(value)}")
    return value


def _choice(value, key: str, choices: tuple, where: str) -> str:
    if not isinstance(value, str) or value not in choices:
        shown = f"'{value}'" if isinstance(value, str) else _kind(value)
        raise ConfigError(f"{where}: '{key}' must be one of {', '.join(repr(c) for c in choices)}, not {shown}")
    return value


def _kind(value) -> str:
    """How a TOML value is named in messages: 'an integer', 'an array', ..."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def _script_roots(value, root: Path, where: str) -> tuple:
    """``script-roots`` entries: strings whose real path (relative ones taken from ``root``)
    is at or below ``root``'s. Raises ``ConfigError`` naming the first entry outside."""
    entries = _strings(value, "script-roots", where)
    real_root = os.path.realpath(root)
    for entry in entries:
        try:
            real = os.path.realpath(os.path.join(root, entry))
        except ValueError:  # a NUL character
            raise ConfigError(f"{where}: 'script-roots' entry '{entry}' is not a valid path") from None
        if not within(real, real_root):
            raise ConfigError(f"{where}: 'script-roots' entry '{entry}' is outside the project root "
                              f"{real_root} (it resolves to {real}); script roots must be inside it")
    return entries


def _release(value, key: str, where: str) -> str | None:
    """An exact release number such as ``2.200.0``, or None when absent."""
    if value is not None and (not isinstance(value, str) or re.fullmatch(r"\d+(\.\d+)*(\.post\d+)?", value) is None):
        raise ConfigError(f"{where}: '{key}' must be a release number such as \"2.200.0\", not {value!r}")
    return value


def _strings(value, key: str, where: str) -> tuple:
    """``value`` as a tuple of strings. Raises ``ConfigError`` unless it is a list of strings."""
    if not isinstance(value, list):
        raise ConfigError(f"{where}: '{key}' must be a list of strings, not {_kind(value)}")
    for item in value:
        if not isinstance(item, str):
            raise ConfigError(f"{where}: '{key}' must be a list of strings, but holds {_kind(item)}")
    return tuple(value)


def _globs(value, key: str, where: str) -> tuple:
    """Gitignore-style globs (``**/*.step.yaml``). Raises ``ConfigError`` for a non-list, a
    non-string, or an entry that is not a valid glob or matches nothing."""
    globs = _strings(value, key, where)
    try:
        glob_matcher(globs)
    except ValueError as error:
        raise ConfigError(f"{where}: '{key}' entry {error}") from None
    return globs


def _codes(value, key: str, where: str, known_codes) -> tuple:
    """Rule codes or prefixes (or ``ALL``). Raises ``ConfigError`` for a non-list, a
    non-string, or a code that names no rule."""
    codes = _strings(value, key, where)
    for code in codes:
        if code != "ALL" and (not code or not any(known.startswith(code) for known in known_codes)):
            raise ConfigError(f"{where}: unknown rule code '{code}' in '{key}'")
    return codes


def _names(table, where: str) -> NameSettings:
    """``[tool.steplint.names]`` as ``NameSettings``. Raises ``ConfigError`` for a non-table,
    an unknown key, or a value of the wrong type."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.steplint.names] must be a table, not {_kind(table)}")
    values = {}
    for key, value in table.items():
        if key not in NAME_KEYS:
            raise ConfigError(f"{where}: unknown key '{key}' in [tool.steplint.names] "
                              f"(known keys: {', '.join(sorted(NAME_KEYS))})")
        attribute = NAME_KEYS[key]
        if attribute.endswith("_enum"):
            if not isinstance(value, str):
                raise ConfigError(f"{where}: 'names.{key}' must be a string, not {_kind(value)}")
            values[attribute] = value
        else:
            values[attribute] = _strings(value, f"names.{key}", where)
    return NameSettings(**values)
