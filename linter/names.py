"""Module names from file paths, and relative imports resolved against them."""

from __future__ import annotations

from pathlib import Path


def module_name_for(path: Path, root: Path) -> tuple[str, bool]:
    """The dotted module name of ``path`` and whether it is a package ``__init__``.

    Walks up through directories holding ``__init__.py`` like Python's import system does;
    a file outside any package is named relative to its own directory.
    """
    is_package = path.name == "__init__.py"
    parts: list[str] = [] if is_package else [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory != directory.parent:
        parts.insert(0, directory.name)
        if directory == root:
            break
        directory = directory.parent
    if not parts:
        parts = [path.parent.name or "__main__"]
    return ".".join(parts), is_package


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
