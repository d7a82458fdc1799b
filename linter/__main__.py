"""Entry point for ``python -m steplint``.

``python -m`` puts the working directory first on ``sys.path``, and steplint is usually
run from the root of the repository it checks, which it must not trust: a ``json.py`` or
``libcst.py`` there would be imported instead of the real module. So before importing
anything (only ``sys`` and ``os``, which the interpreter has already loaded), the working
directory is taken off ``sys.path`` (``''``, ``'.'`` and every entry whose real path is
it), and if a module was already imported from it, steplint refuses to run (exit 2).

Not defended: a ``steplint.py`` or ``steplint/`` in the working directory is imported
instead of steplint itself, before any of this runs. On untrusted trees use the
``steplint`` command, or ``python -P -m steplint`` (Python 3.11+), which never puts the
working directory on ``sys.path``.

A working directory inside the interpreter's own installation (its standard library or
``site-packages``, for example to check an installed package in place) holds nothing the
interpreter would not import anyway, so it is left alone.
"""

import os
import sys

EXIT_ERROR = 2


def _real(path: str) -> str:
    """``os.path.realpath``, or ``path`` itself when it is not a path (a NUL character)."""
    try:
        return os.path.realpath(path)
    except ValueError:
        return path


def _inside_interpreter(real_cwd: str) -> bool:
    """Whether the directory lies strictly below one of the interpreter's prefixes (its
    standard library, ``site-packages``, a virtual environment's ``lib``)."""
    for prefix in {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix}:
        base = _real(prefix).rstrip(os.sep) + os.sep
        if real_cwd.startswith(base):
            return True
    return False


def _drop_working_directory(real_cwd: str) -> None:
    """Remove ``''``, ``'.'`` and every entry whose real path is ``real_cwd`` from ``sys.path``."""
    sys.path[:] = [entry for entry in sys.path
                   if entry not in ("", ".") and not (isinstance(entry, str) and _real(entry) == real_cwd)]


def _module_from(module, name: str, real_cwd: str) -> str | None:
    """The file ``module`` (imported as ``name``) was found at through the working directory
    as a ``sys.path`` entry, or None: its first path component below ``real_cwd`` is the
    module's top-level name (``json.py``, ``json/decoder.py``, ``libcst/__init__.py``), as
    opposed to a file that is merely below it (``.venv/lib/.../site-packages/x.py``)."""
    top = name.partition(".")[0]
    locations = [getattr(module, "__file__", None)] + list(getattr(module, "__path__", None) or ())
    for location in locations:
        if not isinstance(location, str):
            continue
        real = _real(location)
        if not real.startswith(real_cwd.rstrip(os.sep) + os.sep):
            continue
        first = real[len(real_cwd.rstrip(os.sep)) + 1:].split(os.sep, 1)[0]
        if first == top or first.split(".", 1)[0] == top:
            return location
    return None


def _shadowing_module(real_cwd: str) -> tuple | None:
    """``(name, file)`` of a module already imported from the working directory, other
    than steplint's own (this file's package: when the working directory is steplint's
    checkout with an editable install, steplint itself lives there)."""
    for key, module in list(sys.modules.items()):
        name = getattr(getattr(module, "__spec__", None), "name", None) or key
        if name == "steplint" or name.startswith("steplint."):
            continue
        location = _module_from(module, name, real_cwd)
        if location is not None:
            return name, location
    return None


def _isolate() -> None:
    """Keep the working directory's modules out of this run; exit 2 when one is already in."""
    try:
        real_cwd = os.path.realpath(os.getcwd())
    except OSError:  # the working directory was removed: nothing can be imported from it
        return
    if _inside_interpreter(real_cwd):
        return
    _drop_working_directory(real_cwd)
    shadowing = _shadowing_module(real_cwd)
    if shadowing is not None:
        name, location = shadowing
        sys.stderr.write(f"steplint: error: module '{name}' was imported from the working directory "
                         f"({location}), whose code steplint must not run; refusing to start\n")
        sys.exit(EXIT_ERROR)


_isolate()

from steplint.cli.main import main  # noqa: E402  (only after the working directory is off sys.path)

sys.exit(main())
