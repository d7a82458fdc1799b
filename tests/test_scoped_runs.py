"""Scoped runs: ``steplint <files>`` with a project index checks only the part of the project
those files can affect, and reports exactly what a whole-project run reports on them.

Each comparison runs the command line twice on the same tree: once with ``--no-cache`` (a
whole-project run: no index) and once after a run that wrote the index, with ``--verbose``
saying whether the run was scoped. The command line runs in this process (the same
``main`` the ``steplint`` script calls) because the fixture sweep makes hundreds of runs.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO, run_steplint

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402
from steplint.cli.main import main  # noqa: E402

SCOPED = "steplint: scoped:"
WHOLE = "steplint: whole project:"


def lint(*arguments, cwd: Path) -> tuple:
    """``(exit code, stdout, stderr)`` of ``steplint *arguments`` run in ``cwd``."""
    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(argument) for argument in arguments])
    finally:
        os.chdir(before)
    return code, out.getvalue(), err.getvalue()


def age(root: Path, seconds: float = 3600) -> None:
    """Set every file's modification time ``seconds`` back: a checkout made a while ago."""
    past = time.time() - seconds
    for directory, _, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(directory, name), (past, past))


def copy(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    age(root)
    return root


def compare(root: Path, cache: Path, display: str) -> str:
    """Lint ``display`` scoped (the index written by an earlier run) and whole; assert the
    two reports (and exit codes) are the same; return the scoped run's note."""
    whole = lint(display, "--no-cache", "--output-format", "json", cwd=root)
    scoped = lint(display, "--cache-dir", cache, "--output-format", "json", "--verbose", cwd=root)
    assert (scoped[0], scoped[1]) == (whole[0], whole[1]), (display, scoped[2])
    notes = [line for line in scoped[2].splitlines() if line.startswith((SCOPED, WHOLE))]
    assert len(notes) == 1, scoped[2]
    return notes[0]


def fixture_files(root: Path) -> list:
    return lint("--show-files", ".", cwd=root)[1].split()


PROJECTS = sorted(path.name for path in FIXTURES.iterdir() if (path / "pyproject.toml").is_file())


@pytest.mark.parametrize("name", PROJECTS)
def test_a_scoped_run_reports_what_a_whole_run_reports_on_every_fixture(name, tmp_path):
    """Two files of different kinds per fixture project here (every file under ``-m slow``)."""
    root = copy(name, tmp_path)
    cache = tmp_path / "cache"
    files = fixture_files(root)
    lint(files[0], "--cache-dir", cache, cwd=root)  # writes the index
    picked = {}
    for display in files:
        picked.setdefault(Path(display).suffix + str(Path(display).parent.name), display)
    notes = [compare(root, cache, display) for display in list(picked.values())[:2]]
    assert notes


@pytest.mark.slow
@pytest.mark.parametrize("name", PROJECTS)
def test_every_file_of_every_fixture_scoped_and_whole(name, tmp_path):
    root = copy(name, tmp_path)
    cache = tmp_path / "cache"
    files = fixture_files(root)
    lint(files[0], "--cache-dir", cache, cwd=root)
    notes = [compare(root, cache, display) for display in files]
    assert any(note.startswith(SCOPED) for note in notes) or name in ("golden",), notes


@pytest.fixture
def generated(tmp_path) -> tuple:
    """A generated spec-driven project of 9 steps, checked once (the index written)."""
    root = tmp_path / "generated"
    generate(root, 9)
    age(root)
    cache = tmp_path / "cache"
    code, _, err = lint("src/benchproj/steps/specs/xgboost_0001_spec.py", "--cache-dir", cache, "--verbose",
                        cwd=root)
    assert "no project index yet" in err
    return root, cache


STEPS = "src/benchproj/steps"

EDITS = {
    "a spec renames an output": (f"{STEPS}/specs/processing_0002_spec.py", 'logical_name="', 'logical_name="renamed_'),
    "a contract moves an input": (f"{STEPS}/contracts/xgboost_0001_contract.py", "/opt/ml/input/data",
                                  "/opt/ml/processing/input"),
    "a script reads an undeclared variable": (f"{STEPS}/scripts/pytorch_0003.py", "import os\n",
                                              'import os\nREGION = os.environ["UNDECLARED_REGION"]\n'),
    "a builder hard-codes an argument": (f"{STEPS}/builders/builder_processing_0005.py", "super().__init__(",
                                         "super().__init__(  # edited\n            "),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edited_file_is_checked_scoped_with_the_findings_of_a_whole_run(edit, generated):
    root, cache = generated
    display, old, new = EDITS[edit]
    path = root / display
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    before = lint(display, "--no-cache", "--output-format", "json", cwd=root)
    note = compare(root, cache, display)
    assert note.startswith(SCOPED), note
    assert int(note.split("; ")[1].split()[0]) < 40  # of the project's 63 files
    # the next run starts from the recorded stamps: still scoped, same report
    assert compare(root, cache, display).startswith(SCOPED)
    assert before == lint(display, "--no-cache", "--output-format", "json", cwd=root)


def test_an_edit_changing_which_files_declare_a_step_runs_the_whole_project(generated):
    root, cache = generated
    spec = root / STEPS / "specs" / "xgboost_0001_spec.py"
    text = spec.read_text()
    old = "contracts.xgboost_0001_contract import XGBOOST_0001_CONTRACT"
    assert old in text
    spec.write_text(text.replace(old, "contracts.xgboost_0004_contract import XGBOOST_0004_CONTRACT as "
                                      "XGBOOST_0001_CONTRACT"))
    note = compare(root, cache, f"{STEPS}/specs/xgboost_0001_spec.py")
    assert note.startswith(WHOLE) and "is now linked to other files" in note, note
    # that run wrote a new index: the next one is scoped again
    assert compare(root, cache, f"{STEPS}/specs/xgboost_0001_spec.py").startswith(SCOPED)


def test_an_edited_shared_module_checks_every_step_that_imports_it(generated):
    root, cache = generated
    registry = root / STEPS / "registry" / "step_names.py"
    registry.write_text(registry.read_text().replace('"description": "Generated', '"description": "Edited', 1))
    note = compare(root, cache, f"{STEPS}/registry/step_names.py")
    assert note.startswith(SCOPED), note


@pytest.mark.parametrize("change", ["added", "removed"])
def test_a_file_added_or_removed_since_the_index_runs_the_whole_project(change, generated):
    root, cache = generated
    if change == "added":
        (root / STEPS / "scripts" / "backfill.py").write_text('if __name__ == "__main__":\n    pass\n')
    else:
        (root / STEPS / "configs" / "config_pytorch_0003.py").unlink()
    note = compare(root, cache, f"{STEPS}/specs/xgboost_0001_spec.py")
    assert note.startswith(WHOLE) and "added or removed" in note, note


def test_a_file_that_starts_declaring_pipeline_steps_runs_the_whole_project(tmp_path):
    """The SDK-pipeline reader's files are read only where a given file can affect them: a file
    that now holds a pipeline (and was no pipeline file when the index was written) makes the
    run check the whole project, which writes an index that knows it."""
    root = copy("sdk_pipeline_clean", tmp_path)
    cache = tmp_path / "cache"
    display = "pipelines/churn/code/prepare.py"
    lint(display, "--cache-dir", cache, cwd=root)
    assert compare(root, cache, display).startswith(SCOPED)
    path = root / display
    path.write_text(path.read_text() + "\n" + (root / "pipelines/abalone/pipeline.py").read_text())
    note = compare(root, cache, display)
    assert note.startswith(WHOLE) and display in note, note
    assert compare(root, cache, display).startswith(SCOPED)


def test_files_written_just_before_the_index_are_read_again(tmp_path):
    """A stamp taken within the file system's time resolution of the read is not trusted: the
    file is hashed again, so an edit that keeps size and time is still seen."""
    root = tmp_path / "fresh"
    generate(root, 3)
    cache = tmp_path / "cache"
    display = f"{STEPS}/contracts/xgboost_0001_contract.py"
    lint(display, "--cache-dir", cache, cwd=root)
    path = root / display
    status = path.stat()
    text = path.read_text()
    edited = text.replace("/opt/ml/input/data", "/opt/ml/procesing/input", 1)
    edited = edited[:len(text)] if len(edited) >= len(text) else edited + " " * (len(text) - len(edited))
    path.write_text(edited)
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))  # same size, same time
    assert path.stat().st_size == status.st_size
    compare(root, cache, display)


def test_the_command_line_says_how_a_run_was_scoped(tmp_path):
    root = copy("steps_layout", tmp_path)
    spec = "src/buyer_models/steps/specs/pytorch_training_spec.py"
    first = run_steplint(spec, "--verbose", cwd=root)
    second = run_steplint(spec, "--verbose", cwd=root)
    quiet = run_steplint(spec, cwd=root)
    assert "steplint: whole project: no project index yet" in first.stderr
    assert second.stderr.startswith(SCOPED) and "files loaded" in second.stderr, second.stderr
    assert "scoped" not in quiet.stderr
    assert first.stdout == second.stdout == quiet.stdout


def test_a_scoped_run_stores_new_stamps_beside_the_index_without_writing_it_again(tmp_path):
    """A pre-commit run stores the stamps of the files it read in a small file tied to the
    index; the next run uses them (it neither re-reads those files nor calls them changed),
    and stamps left by another index are ignored."""
    root = tmp_path / "project"
    generate(root, 3)
    age(root)
    cache = tmp_path / "cache"
    display = f"{STEPS}/contracts/xgboost_0001_contract.py"
    lint(display, "--cache-dir", cache, cwd=root)
    (index,) = cache.glob("facts/*/index")
    written = index.read_bytes()
    path = root / display
    path.write_text(path.read_text() + "# an edit\n")
    age(root, 60)
    assert compare(root, cache, display).startswith(f"{SCOPED} 1 given, 1 changed")
    assert index.read_bytes() == written
    stamps = index.with_name("index-stamps")
    assert stamps.is_file()
    assert compare(root, cache, display).startswith(f"{SCOPED} 1 given, 0 changed")
    stamps.unlink()  # what the edit was known by
    assert compare(root, cache, display).startswith(f"{SCOPED} 1 given, 1 changed")


def test_stamps_written_for_another_index_are_ignored(tmp_path):
    from steplint.config import NameSettings
    from steplint.engine.cache import FactsCache

    cache = FactsCache(tmp_path / "cache", NameSettings())
    cache.write_index(("first",))
    assert cache.read_index() == ("first",) and cache.index_stamps() == {}
    cache.write_index_stamps({"a.py": (1, 2, "d")})
    assert cache.read_index() == ("first",) and cache.index_stamps() == {"a.py": (1, 2, "d")}
    (stamps,) = (tmp_path / "cache").glob("facts/*/index-stamps")
    kept = stamps.read_bytes()
    cache.write_index(("second",))
    assert not stamps.exists()
    stamps.write_bytes(kept)
    assert cache.read_index() == ("second",) and cache.index_stamps() == {}


# -- property: any sequence of edits, each followed by a scoped run of some files ------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.conftest import fast_and_full  # noqa: E402

GENERATED_FILES = [f"{STEPS}/{kind}" for kind in (
    "specs/pytorch_0000_spec.py", "specs/xgboost_0001_spec.py", "specs/processing_0002_spec.py",
    "contracts/pytorch_0000_contract.py", "contracts/xgboost_0001_contract.py",
    "contracts/processing_0002_contract.py", "scripts/pytorch_0000.py", "scripts/processing_0002.py",
    "builders/builder_xgboost_0001.py", "registry/step_names.py")]
# (old, new) text edits; each applies where its old text occurs
TEXT_EDITS = [
    ('logical_name="', 'logical_name="renamed_'),
    ("/opt/ml/input/data", "/opt/ml/processing/input"),
    ("/opt/ml/processing/output", "/opt/ml/output/data"),
    ("import os\n", 'import os\nREGION = os.environ["UNDECLARED_REGION"]\n'),
    ("required=True", "required=False"),
    ('"Processing"', '"Training"'),
    ("import os\n", "import os\n# a comment\n"),
]


@st.composite
def edit_sessions(draw):
    """Rounds of (edits as (file, edit index), the files the next run is given)."""
    rounds = []
    for _ in range(draw(st.integers(1, 3))):
        edits = draw(st.lists(st.tuples(st.sampled_from(GENERATED_FILES), st.integers(0, len(TEXT_EDITS) - 1)),
                              max_size=3))
        given_files = draw(st.lists(st.sampled_from(GENERATED_FILES), min_size=1, max_size=2, unique=True))
        rounds.append((edits, given_files))
    return rounds


@fast_and_full(3, 25)
def test_scoped_runs_match_whole_runs_after_any_edits(max_examples, tmp_path_factory):
    """Whatever is edited (a spec, a contract, a script, a builder, the registry every step
    imports) and whichever files the next run is given, a run with the project index reports
    what a run of the whole project reports on them."""
    base = tmp_path_factory.mktemp("generated")
    generate(base / "project", 4)
    age(base / "project")

    def check(rounds):
        work = Path(tmp_path_factory.mktemp("session"))
        root = work / "project"
        shutil.copytree(base / "project", root)
        cache = work / "cache"
        lint(GENERATED_FILES[0], "--cache-dir", cache, cwd=root)
        for edits, given_files in rounds:
            for display, number in edits:
                old, new = TEXT_EDITS[number]
                path = root / display
                path.write_text(path.read_text().replace(old, new, 1))
            whole = lint(*given_files, "--no-cache", "--output-format", "json", cwd=root)
            scoped = lint(*given_files, "--cache-dir", cache, "--output-format", "json", cwd=root)
            assert (scoped[0], scoped[1]) == (whole[0], whole[1]), (rounds, scoped[2])

    settings(max_examples=max_examples, deadline=None,
             suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])(
        given(rounds=edit_sessions())(check))()


def test_the_note_names_why_a_run_given_files_checks_the_whole_project(tmp_path):
    """A fix run is never scoped; an index another project wrote into the same --cache-dir
    is not used, and the note says so."""
    first, second = copy("steps_layout", tmp_path), copy("legacy_layout", tmp_path)
    cache = tmp_path / "shared-cache"
    spec = "src/buyer_models/steps/specs/pytorch_training_spec.py"
    lint(spec, "--cache-dir", cache, cwd=first)
    lint("src/mlpipelines/pipeline_step_specs/pytorch_training_spec.py", "--cache-dir", cache, cwd=second)
    _, _, err = lint(spec, "--cache-dir", cache, "--verbose", cwd=first)
    assert "whole project: the project index was written for other settings or another project" in err, err
    _, _, err = lint(spec, "--cache-dir", cache, "--verbose", "--fix", cwd=first)
    assert "whole project: --fix and --diff runs are never scoped" in err, err
