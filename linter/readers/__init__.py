"""Readers: one per source form, each turning files into facts and a project index.

In: decoded ``steplint.files.sources.SourceFile`` objects. Out: per-file facts (plain
dataclasses, cacheable) and a cross-file index the rules read. ``python`` reads
specification-driven Python code (specs, contracts, builders and their scripts).

Further source forms are readers (``steplint.readers.api.Reader``) registered by module name
in ``READER_MODULES``; each such module has a ``READER`` instance.
"""

from __future__ import annotations

import functools
import importlib
import os

from steplint.config import Config
from steplint.files.discovery import glob_matcher, root_relative

PYTHON_SUFFIXES = (".py", ".pyi")
READER_MODULES: tuple = ("steplint.readers.yaml", "steplint.readers.pipeline")


@functools.cache
def readers() -> tuple:
    """The registered readers (``steplint.readers.api.Reader`` instances), in registration
    order; the Python reader is not among them (the engine runs it itself)."""
    return tuple(importlib.import_module(name).READER for name in READER_MODULES)


def source_suffixes() -> tuple:
    """File name endings of every form steplint reads: what discovery collects."""
    return PYTHON_SUFFIXES + tuple(suffix for reader in readers() for suffix in reader.suffixes)


def source_globs(config) -> tuple:
    """The globs of every reader that selects files by pattern (``Reader.globs``): what
    discovery collects besides ``source_suffixes()``."""
    return tuple(glob for reader in readers() for glob in reader.globs(config))


def reads(reader, display: str, config, path=None) -> bool:
    """Whether ``reader`` reads the file shown as ``display`` (at ``path``, default the
    display path): its name ends with one of the reader's suffixes, or it is not Python and
    its path from ``config``'s root matches one of the reader's globs (the default settings'
    when ``config`` is None)."""
    if display.endswith(reader.suffixes):
        return True
    if config is None:
        config = Config()
    globs = reader.globs(config)
    if not globs or is_python(display):
        return False
    return glob_matcher(globs)(root_relative(path if path is not None else display, os.path.realpath(config.root)))


def is_python(path: str) -> bool:
    """Whether the file at ``path`` (a display path or name) is read as Python."""
    return path.endswith(PYTHON_SUFFIXES)


def reader_for(path: str, config=None):
    """The registered reader of the file at display path ``path`` (globs taken from
    ``config``), or None for Python files (the built-in Python reader's, whatever other
    readers also read them) and others."""
    if is_python(path):
        return None
    for reader in readers():
        if reads(reader, path, config):
            return reader
    return None


def project_pins(config):
    """The SageMaker SDK releases the projects of a run pin (``steplint.sagemaker.pins.
    ProjectPins``: a file's project is the nearest directory above it that
    ``steplint.files.projects.nearest_project`` finds, else the configuration's root), with
    the configuration's ``sagemaker-version`` setting first."""
    from steplint.files.projects import nearest_project
    from steplint.sagemaker.pins import ProjectPins

    return ProjectPins(config.root, getattr(config, "sagemaker_version", None), nearest_project)
