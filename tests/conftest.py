"""Shared test helpers: write small projects to disk and run steplint as a user does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def write_project(root: Path, files: dict) -> Path:
    """Write ``{relative path: str or bytes}`` below ``root`` and return ``root``."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


def run_steplint(*arguments, cwd: Path, env: dict | None = None, input: str | None = None):
    """Run ``python -m steplint`` in a subprocess, as pre-commit or a terminal would."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "steplint", *map(str, arguments)],
        cwd=cwd, env=environment, capture_output=True, text=True, input=input, timeout=300,
    )


@pytest.fixture(autouse=True)
def user_dirs(tmp_path_factory, monkeypatch):
    """Every test gets its own per-user cache and state directories (steplint keeps its
    caches and fix journal there), so tests neither share state nor touch the real home."""
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(base / "state"))
    return base


@pytest.fixture
def project(tmp_path):
    """A function that writes files into a fresh project directory."""

    def make(files: dict) -> Path:
        return write_project(tmp_path / "project", files)

    return make


@pytest.fixture
def legacy_cwd(tmp_path, monkeypatch):
    """A copy of fixtures/legacy_layout, made the working directory."""
    root = tmp_path / "legacy_layout"
    shutil.copytree(FIXTURES / "legacy_layout", root)
    monkeypatch.chdir(root)
    return root
