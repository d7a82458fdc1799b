"""Measure what installing steplint costs: wall time and installed size.

Two measurements, each in a fresh temporary directory:

- ``wheel``: build a wheel from the working tree (``pip wheel --no-deps``), create a fresh
  virtual environment and time ``pip install <wheel>`` in it (wall clock, seconds); the size
  is ``du -sk`` of the environment's ``site-packages`` (MB = 10**6 bytes), with the number
  of distributions installed, and how much of it the empty environment already held (the
  pip and setuptools that ``python -m venv`` puts in every environment) so the rest is
  what installing steplint added.
- ``hook``: what pre-commit does for a ``language: python`` hook: commit a snapshot of the
  working tree to a scratch git repository, then time ``pre-commit install-hooks`` for a
  configuration using it, with an empty ``PRE_COMMIT_HOME``; the size is ``du -sk`` of the
  hook environment's ``site-packages``.

pip talks to the package index, so this script needs the network; it is not part of the
tests. Each measurement is run ``--repeat`` times (default 2) and every run is printed: the
first may fill pip's cache, later ones show the warm-cache time. Usage::

    python scripts/measure_install.py [--repeat N] [wheel] [hook]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "measure", "GIT_AUTHOR_EMAIL": "measure@example.invalid",
                "GIT_COMMITTER_NAME": "measure", "GIT_COMMITTER_EMAIL": "measure@example.invalid"}


def site_packages_mb(venv: Path) -> float:
    """``du -sk`` of the environment's site-packages, in MB (10**6 bytes)."""
    found = sorted(venv.glob("lib/python*/site-packages"))
    total = sum(int(subprocess.run(["du", "-sk", str(path)], check=True, capture_output=True, text=True)
                    .stdout.split()[0]) for path in found)
    return total * 1024 / 1e6


def distributions(venv: Path) -> int:
    return sum(len(list(path.glob("*.dist-info"))) for path in venv.glob("lib/python*/site-packages"))


def build_wheel(target: Path, source: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(target),
                    str(source)], check=True)
    return next(target.glob("steplint-*.whl"))


def measure_wheel(scratch: Path) -> tuple[float, float, int, float]:
    """(seconds for pip install, MB of site-packages, distributions, MB the empty venv held)."""
    wheel = build_wheel(scratch / "dist", snapshot_tree(scratch / "source"))
    venv = scratch / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    empty = site_packages_mb(venv)
    start = time.monotonic()
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], check=True)
    seconds = time.monotonic() - start
    return seconds, site_packages_mb(venv), distributions(venv), empty


def _git(cwd: Path, *arguments: str) -> str:
    return subprocess.run(["git", *arguments], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_IDENTITY}).stdout.strip()


def snapshot_tree(target: Path) -> Path:
    """Copy the working tree's tracked and untracked (not ignored) files to ``target``
    (no stale ``build/`` directory can leak into the wheel)."""
    listed = _git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for relative in filter(None, listed):
        source = REPO / relative
        if source.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)
    return target


def snapshot(target: Path) -> str:
    """Commit a copy of the working tree to a new repository; its commit."""
    snapshot_tree(target)
    _git(target, "init", "-q")
    _git(target, "add", ".")
    _git(target, "commit", "-q", "-m", "snapshot")
    return _git(target, "rev-parse", "HEAD")


def measure_hook(scratch: Path) -> tuple[float, float, int, None]:
    """(seconds for pre-commit install-hooks, MB of the hook env's site-packages, distributions, None)."""
    hooks = scratch / "hooks"
    revision = snapshot(hooks)
    project = scratch / "project"
    project.mkdir()
    _git(project, "init", "-q")
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {revision}\n    hooks:\n      - id: steplint\n")
    home = scratch / "pre-commit-home"
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "pre_commit", "install-hooks"], cwd=project, check=True,
                   env={**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(home)}, capture_output=True)
    seconds = time.monotonic() - start
    venvs = [path.parent.parent.parent for path in home.glob("repo*/py_env-*/lib/python*/site-packages")]
    return seconds, sum(site_packages_mb(v) for v in venvs), sum(distributions(v) for v in venvs), None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="*", choices=("wheel", "hook"), default=["wheel", "hook"])
    parser.add_argument("--repeat", type=int, default=2)
    options = parser.parse_args(argv)
    for what in options.what:
        for run in range(1, options.repeat + 1):
            with tempfile.TemporaryDirectory(prefix=f"steplint-{what}-") as scratch:
                measure = measure_wheel if what == "wheel" else measure_hook
                seconds, size, count, empty = measure(Path(scratch))
            held = f" ({empty:.1f} MB of it in the empty venv, {size - empty:.1f} MB added)" if empty else ""
            print(f"{what} run {run}: {seconds:.1f} s, site-packages {size:.1f} MB{held}, {count} distributions",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
