"""A repository cannot reach steplint through its caches: no code runs, nothing outside the
cache is deleted, no forged result is reported, and left-overs of killed runs go away.

Each test plants what an attacker could commit (a crafted pickle at every cache path, a
forged cache file, symbolic links inside a cache directory) and runs steplint as a user
or CI would, in every mode that reads the cache."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import time

import pytest
from steplint.engine.cache import STALE_SALT_SECONDS
from steplint.engine.userdirs import project_cache_dir

from tests.conftest import run_steplint

SPEC = "src/mlpipelines/pipeline_step_specs/pytorch_training_spec.py"
MODES = (
    ("--format", "json", "."),
    ("--format", "json", SPEC),
    ("--diff", "."),
    ("--fix", "--format", "json", "."),
)


class _Payload:
    """Unpickling this writes a marker file: the harmless stand-in for arbitrary code."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def findings_of(result) -> list:
    assert "Traceback" not in result.stderr, result.stderr
    return sorted((f["filename"], f["location"]["row"], f["code"]) for f in json.loads(result.stdout))


def plant_pickles(cache_dir, marker) -> int:
    """Overwrite every file below ``cache_dir`` with a crafted pickle; return how many."""
    payload = pickle.dumps((3, "salt", _Payload(str(marker))))
    files = [path for path in cache_dir.rglob("*") if path.is_file()]
    for path in files:
        path.write_bytes(payload)
    return len(files)


# In the checkout is where a repository can plant files; the per-user default location, the
# same nine runs again, is in the slow suite.
@pytest.mark.parametrize("inside", [True, pytest.param(False, marks=pytest.mark.slow)],
                         ids=["cache-dir-in-checkout", "default-cache"])
def test_crafted_pickles_at_every_cache_path_run_no_code(legacy_cwd, tmp_path, inside):
    marker = tmp_path / "pwned"
    expected = findings_of(run_steplint("--no-cache", "--format", "json", ".", cwd=legacy_cwd))
    cache_dir = legacy_cwd / ".steplint_cache" if inside else project_cache_dir(legacy_cwd)
    options = ("--cache-dir", cache_dir) if inside else ()
    assert findings_of(run_steplint(*options, "--format", "json", ".", cwd=legacy_cwd)) == expected
    assert plant_pickles(cache_dir, marker) >= 3  # the snapshot, a result, the ignore file...
    # The old default location, at its old deterministic names, gets the same treatment.
    old = legacy_cwd / ".steplint_cache"
    for relative in ("facts/0123456789abcdef01234567/snapshot", "results/" + "a" * 40):
        (old / relative).parent.mkdir(parents=True, exist_ok=True)
        (old / relative).write_bytes(pickle.dumps(_Payload(str(marker))))
    for mode in MODES[:3]:
        result = run_steplint(*options, *mode, cwd=legacy_cwd)
        assert not marker.exists(), mode
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        if "json" in mode and mode[-1] == ".":
            assert findings_of(result) == expected
    stdin = run_steplint(*options, "--stdin-filename", SPEC, cwd=legacy_cwd, input=(legacy_cwd / SPEC).read_text())
    assert stdin.returncode == 1 and not marker.exists()
    fixed = run_steplint(*options, *MODES[3], cwd=legacy_cwd)
    assert fixed.returncode in (0, 1) and "Traceback" not in fixed.stderr and not marker.exists()


def test_a_forged_result_claiming_no_findings_is_not_reported(legacy_cwd):
    cache_dir = legacy_cwd / ".steplint_cache"
    first = run_steplint("--cache-dir", cache_dir, "--format", "json", ".", cwd=legacy_cwd)
    expected = findings_of(first)
    assert expected
    (entry,) = (cache_dir / "results").iterdir()
    head, mac, payload = entry.read_bytes().split(b"\n", 2)
    document = json.loads(payload)
    document[2] = []  # no findings
    entry.write_bytes(b"\n".join((head, mac, json.dumps(document).encode())))
    again = run_steplint("--cache-dir", cache_dir, "--format", "json", ".", cwd=legacy_cwd)
    assert findings_of(again) == expected


def test_forged_facts_after_the_signed_header_are_not_used(legacy_cwd):
    """The signature of a facts file covers its header, which lists a digest of each entry:
    entries edited in place (same length, so the header still frames them) are re-extracted,
    not believed."""
    cache_dir = legacy_cwd / ".steplint_cache"
    expected = {mode: findings_of(run_steplint("--no-cache", *mode, cwd=legacy_cwd)) for mode in MODES[:2]}
    assert all(expected.values())
    run_steplint("--cache-dir", cache_dir, "--format", "json", ".", cwd=legacy_cwd)
    forged = 0
    for path in (cache_dir / "facts").rglob("*"):
        if path.is_file() and path.name != "index":
            data = path.read_bytes()
            head_length = data.split(b"\n", 3)[2]
            body_at = data.index(b"\n", data.index(head_length)) + 1 + int(head_length)
            forged += data[body_at:].count(b"/opt/ml/")
            path.write_bytes(data[:body_at] + data[body_at:].replace(b"/opt/ml/", b"/opt/mX/"))
    assert forged
    for mode in MODES[:2]:
        shutil.rmtree(cache_dir / "results", ignore_errors=True)
        again = run_steplint("--cache-dir", cache_dir, *mode, cwd=legacy_cwd)
        assert findings_of(again) == expected[mode]


def test_a_cache_written_by_another_user_is_not_read(legacy_cwd, tmp_path):
    cache_dir = legacy_cwd / ".steplint_cache"
    other = {"XDG_CACHE_HOME": str(tmp_path / "other-user")}
    expected = findings_of(run_steplint("--cache-dir", cache_dir, "--format", "json", ".", cwd=legacy_cwd,
                                        env=other))
    spec = legacy_cwd / SPEC
    spec.write_text(spec.read_text().replace('"config"', '"settings"'))
    changed = findings_of(run_steplint("--no-cache", "--format", "json", ".", cwd=legacy_cwd))
    assert changed != expected
    # Another user's key: the cache directory's files are foreign and ignored, whatever they hold.
    assert findings_of(run_steplint("--cache-dir", cache_dir, "--format", "json", ".", cwd=legacy_cwd)) == changed


def outside_tree(tmp_path):
    """A directory next to the project with old files and subdirectories, as a clone's neighbours."""
    outside = tmp_path / "neighbours"
    for number in range(20):
        (outside / f"dir{number}").mkdir(parents=True)
        (outside / f"dir{number}" / "keep.txt").write_text("keep")
        (outside / f"{number:040x}").write_text("keep")
    (outside / ("0" * 24)).mkdir()
    (outside / ("0" * 24) / "snapshot").write_text("keep")
    old = time.time() - 3 * STALE_SALT_SECONDS
    for path in outside.rglob("*"):
        os.utime(path, (old, old), follow_symlinks=False)
    return outside, sorted(path.relative_to(outside) for path in outside.rglob("*"))


# Two edited runs are the first writes (a snapshot, a delta, results); twelve (slow) are
# enough runs to fold deltas and prune results (more than 8 of each) as well.
@pytest.mark.parametrize("edits", [2, pytest.param(12, marks=pytest.mark.slow)])
def test_symbolic_links_in_a_cache_directory_are_never_followed(legacy_cwd, tmp_path, edits):
    outside, before = outside_tree(tmp_path)
    cache_dir = legacy_cwd / ".steplint_cache"
    cache_dir.mkdir()
    (cache_dir / "facts").symlink_to(os.path.relpath(outside, cache_dir))
    (cache_dir / "results").symlink_to(outside)
    expected = findings_of(run_steplint("--no-cache", "--format", "json", ".", cwd=legacy_cwd))
    spec = legacy_cwd / SPEC
    original = spec.read_text()
    for edit in range(edits):
        spec.write_text(original + f"# edit {edit}\n")
        result = run_steplint("--cache-dir", cache_dir, "--format", "json", ".", cwd=legacy_cwd)
        assert findings_of(result) == expected
    assert sorted(path.relative_to(outside) for path in outside.rglob("*")) == before


@pytest.mark.parametrize("runs", [1, pytest.param(3, marks=pytest.mark.slow)])
def test_a_cache_directory_that_is_a_link_out_of_the_project_is_not_used(legacy_cwd, tmp_path, runs):
    outside, before = outside_tree(tmp_path)
    (legacy_cwd / ".steplint_cache").symlink_to(outside)
    for _ in range(runs):
        result = run_steplint("--cache-dir", legacy_cwd / ".steplint_cache", "--format", "json", ".",
                              cwd=legacy_cwd)
        assert result.returncode == 1 and findings_of(result)
    assert sorted(path.relative_to(outside) for path in outside.rglob("*")) == before


def test_temporary_files_of_killed_runs_are_removed_by_a_later_run(legacy_cwd):
    run_steplint(".", cwd=legacy_cwd)
    cache_dir = project_cache_dir(legacy_cwd)
    (salt_dir,) = (cache_dir / "facts").iterdir()
    stray = [salt_dir / ".tmp-0123456789abcdef", cache_dir / "results" / ".tmp-fedcba9876543210"]
    fresh = salt_dir / ".tmp-00000000000000ff"  # a concurrent run's file being written now: kept
    hour_ago = time.time() - 2 * 3600
    for path in stray + [fresh]:
        path.write_bytes(b"half a cache file")
    for path in stray:
        os.utime(path, (hour_ago, hour_ago))
    spec = legacy_cwd / SPEC
    spec.write_text(spec.read_text() + "# edited\n")  # the run writes a delta and a result
    run_steplint(".", cwd=legacy_cwd)
    assert not any(path.exists() for path in stray)
    assert fresh.exists()


def test_no_cache_file_is_ever_written_into_the_checked_project(legacy_cwd):
    before = sorted(path.relative_to(legacy_cwd) for path in legacy_cwd.rglob("*"))
    for arguments in ((".",), (SPEC,), ("--diff", ".")):
        run_steplint(*arguments, cwd=legacy_cwd)
    assert sorted(path.relative_to(legacy_cwd) for path in legacy_cwd.rglob("*")) == before
