"""``[tool.steplint]`` configuration: loading, validation, and rule selection."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration problem the user must fix (exit code 2)."""


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
    names: NameSettings = field(default_factory=NameSettings)

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


TOP_LEVEL_KEYS = {"select", "ignore", "exclude", "per-file-ignores", "script-roots", "names"}
NAME_KEYS = {f.name.replace("_", "-"): f.name for f in fields(NameSettings)}


def find_config_file(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` that has a ``[tool.steplint]`` table."""
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                text = candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if "[tool.steplint" in text:
                return candidate
    return None


def load_config(path: Path | None, known_codes, overrides: dict | None = None) -> Config:
    """Read and validate ``[tool.steplint]`` from ``path`` (or defaults without one)."""
    table: dict = {}
    root = Path.cwd()
    if path is not None:
        try:
            with open(path, "rb") as handle:
                document = tomllib.load(handle)
        except OSError as error:
            raise ConfigError(f"{path}: cannot read configuration: {error.strerror or error}") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: invalid TOML: {error}") from None
        table = document.get("tool", {}).get("steplint", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.steplint] must be a table")
        root = path.parent.resolve()
    table = {**table, **(overrides or {})}
    where = str(path) if path is not None else "command line"
    unknown = sorted(set(table) - TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}' in [tool.steplint] "
                          f"(known keys: {', '.join(sorted(TOP_LEVEL_KEYS))})")
    select = _codes(table.get("select", ["ALL"]), "select", where, known_codes)
    ignore = _codes(table.get("ignore", []), "ignore", where, known_codes)
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{where}: 'per-file-ignores' must be a table of pattern = [codes]")
    per_file_ignores = tuple(
        (pattern, _codes(codes, f"per-file-ignores.\"{pattern}\"", where, known_codes))
        for pattern, codes in per_file.items()
    )
    return Config(
        root=root,
        source=path,
        select=select,
        ignore=ignore,
        exclude=_strings(table.get("exclude", []), "exclude", where),
        per_file_ignores=per_file_ignores,
        script_roots=_strings(table.get("script-roots", []), "script-roots", where),
        names=_names(table.get("names", {}), where),
    )


def _strings(value, key: str, where: str) -> tuple:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _codes(value, key: str, where: str, known_codes) -> tuple:
    codes = _strings(value, key, where)
    for code in codes:
        if code != "ALL" and not any(known.startswith(code) for known in known_codes):
            raise ConfigError(f"{where}: unknown rule code '{code}' in '{key}'")
    return codes


def _names(table, where: str) -> NameSettings:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.steplint.names] must be a table")
    values = {}
    for key, value in table.items():
        if key not in NAME_KEYS:
            raise ConfigError(f"{where}: unknown key '{key}' in [tool.steplint.names] "
                              f"(known keys: {', '.join(sorted(NAME_KEYS))})")
        attribute = NAME_KEYS[key]
        if attribute.endswith("_enum"):
            if not isinstance(value, str):
                raise ConfigError(f"{where}: 'names.{key}' must be a string")
            values[attribute] = value
        else:
            values[attribute] = _strings(value, f"names.{key}", where)
    return NameSettings(**values)
