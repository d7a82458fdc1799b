"""Module names from file paths, and relative imports resolved against them."""

from __future__ import annotations

from pathlib import Path


def module_name_for(path: Path, root: Path, memo: dict | None = None) -> tuple[str, bool]:
    """The dotted module name of ``path`` and whether it is a package ``__init__``.

    Walks up through directories holding ``__init__.py`` like Python's import system does;
    a file outside any package is named relative to its own directory. ``memo`` keeps what
    was learnt about directories for the next file of the same run.
    """
    is_package = path.name == "__init__.py"
    parts = list(_package_parts(path.parent, root, {} if memo is None else memo))
    if not is_package:
        parts.append(path.stem)
    if not parts:
        parts = [path.parent.name or "__main__"]
    return ".".join(parts), is_package


def _package_parts(directory: Path, root: Path, memo: dict) -> tuple:
    """Names of the packages enclosing ``directory`` (itself included), outermost first."""
    key = (directory, root)
    found = memo.get(key)
    if found is None:
        if (directory / "__init__.py").is_file() and directory != directory.parent:
            outer = () if directory == root else _package_parts(directory.parent, root, memo)
            found = (*outer, directory.name)
        else:
            found = ()
        memo[key] = found
    return found


def resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    """Absolute module for ``from {'.' * level}{target} import ...`` written in ``module``."""
    if level == 0:
        return target or ""
    package_parts = module.split(".") if is_package else module.split(".")[:-1]
    keep = len(package_parts) - (level - 1)
    base = package_parts[: max(keep, 0)]
    if target:
        base = base + target.split(".")
    return ".".join(base)
