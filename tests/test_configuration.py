"""Configuration on untrusted repositories: every malformed input is one line on stderr
and exit 2 (never a traceback, never exit 1, which CI reads as findings); script roots stay
inside the project; the project root without ``[tool.steplint]`` is the nearest project
marker. Through the command line, plus an in-process property test over random documents."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from steplint.api import check_paths, configure
from steplint.config import NAME_KEYS, TOP_LEVEL_KEYS, Config, ConfigError, load_config
from steplint.rules import all_rules
from steplint.rules.contract import MissingEntryPoint
from steplint.rules.specification import RedundantDependency

from tests.conftest import fast_and_full, run_steplint, write_project

SPEC = "steps/specs/dynamic_spec.py"
FILES = {SPEC: ("class StepSpecification: ...\n\n"
                "DYNAMIC_SPEC = StepSpecification(step_type=[n for n in 'ab'])\n")}  # SL904 when checked
CODES = [rule.code for rule in all_rules()]


def assert_one_line_error(result, fragment: str = "") -> str:
    """The run failed the way a configuration error must: exit 2, one line on stderr that
    starts ``steplint: error:``, no traceback, nothing checked."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 2, output
    [line] = result.stderr.splitlines()
    assert line.startswith("steplint: error: "), line
    assert fragment in line, line
    assert "SL904" not in result.stdout
    return line


PYPROJECTS = {
    "tool is a number": (b"tool = 5\n", "'tool' must be a table"),
    "tool is an array": (b"tool = [1]\n", "'tool' must be a table"),
    "tool.steplint is an array": (b"[tool]\nsteplint = []\n", "[tool.steplint] must be a table"),
    "tool.steplint dotted": (b"tool.steplint = 3\n", "[tool.steplint] must be a table"),
    "select is a string": (b'[tool.steplint]\nselect = "SL1"\n', "'select' must be a list of strings"),
    "ignore holds a number": (b"[tool.steplint]\nignore = [1]\n", "'ignore' must be a list of strings"),
    "exclude is a table": (b"[tool.steplint]\nexclude = {a = 1}\n", "'exclude' must be a list of strings"),
    "per-file-ignores is an array": (b"[tool.steplint]\nper-file-ignores = []\n", "'per-file-ignores' must be a table"),
    "per-file-ignores value": (b'[tool.steplint]\nper-file-ignores = {"x" = 3}\n', "'per-file-ignores.\"x\"'"),
    "script-roots is a string": (b'[tool.steplint]\nscript-roots = "s"\n', "'script-roots' must be a list"),
    "names is a number": (b"[tool.steplint]\nnames = 1\n", "[tool.steplint.names] must be a table"),
    "names list is a string": (b'[tool.steplint.names]\nspec-classes = "X"\n', "'names.spec-classes' must be"),
    "names enum is an array": (b"[tool.steplint.names]\nnode-type-enum = []\n", "'names.node-type-enum' must be"),
    "empty rule code": (b'[tool.steplint]\nselect = [""]\n', "unknown rule code ''"),
    "key with a newline": (b'[tool.steplint]\n"sel\\nect" = 1\n', "unknown key 'sel\\nect'"),
    "not UTF-8": (b'[tool.steplint]\nselect = ["\xff"]\n', "not valid UTF-8 (TOML files must be): byte 0xff at line 2"),
    "not UTF-8, no steplint table": (b'[project]\nname = "caf\xe9"\n', "not valid UTF-8"),
    "invalid TOML, no steplint table": (b"[project\n", "invalid TOML"),
    "nested too deeply": (b"a = " + b"[" * 1000 + b"]" * 1000 + b"\n", "nested too deeply"),
    "integer too long": (b"a = " + b"1" * 5000 + b"\n", "invalid TOML"),
    "too large": (b"# " + b"x" * (5 * 1024 * 1024) + b"\n", "larger than 4 MB"),
}


@pytest.mark.parametrize("content, fragment", PYPROJECTS.values(), ids=PYPROJECTS.keys())
def test_malformed_pyproject_found_by_the_search(tmp_path, content, fragment):
    """Found by the upward search from the checked directory, which is below it: a file the
    search cannot read or parse is reported, never skipped."""
    root = write_project(tmp_path / "project", {**FILES, "pyproject.toml": content})
    line = assert_one_line_error(run_steplint("steps", cwd=root), fragment)
    assert "pyproject.toml" in line


@pytest.mark.parametrize("content, fragment", [PYPROJECTS["tool is a number"], PYPROJECTS["not UTF-8"],
                                               PYPROJECTS["invalid TOML, no steplint table"]])
def test_malformed_config_file_given_with_config(tmp_path, content, fragment):
    root = write_project(tmp_path / "project", {**FILES, "settings.toml": content})
    line = assert_one_line_error(run_steplint("--config", "settings.toml", ".", cwd=root), fragment)
    assert line.startswith("steplint: error: settings.toml: ")


@pytest.mark.parametrize("kind, fragment", [("directory", "is a directory, not a configuration file"),
                                            ("fifo", "is not a regular file"),
                                            ("missing", "configuration file not found"),
                                            ("broken link", "is a broken symbolic link")])
def test_config_file_that_is_not_a_file(tmp_path, kind, fragment):
    root = write_project(tmp_path / "project", FILES)
    target = root / "settings.toml"
    if kind == "directory":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "broken link":
        target.symlink_to("nowhere.toml")
    assert_one_line_error(run_steplint("--config", "settings.toml", ".", cwd=root), fragment)


def test_fifo_named_pyproject_is_reported_not_read(tmp_path):
    """Reading it would block for ever; a directory of that name is just not a file."""
    root = write_project(tmp_path / "project", FILES)
    os.mkfifo(root / "pyproject.toml")
    assert_one_line_error(run_steplint(".", cwd=root), "is not a regular file")
    os.unlink(root / "pyproject.toml")
    (root / "pyproject.toml").mkdir()
    result = run_steplint(".", cwd=root)
    assert result.returncode == 0 and "SL904" in result.stdout, result.stderr  # a warning


# script-roots must stay inside the project

ENTRY_POINT_PROJECT = MissingEntryPoint.bad_examples[0].files  # with script-roots = ["steps/scripts"]


@pytest.mark.parametrize("entry", ["/etc", "../../..", "everything", "steps/../.."])
def test_script_root_outside_the_project_is_a_configuration_error(tmp_path, entry):
    root = write_project(tmp_path / "project", {
        **ENTRY_POINT_PROJECT, "pyproject.toml": f'[tool.steplint]\nscript-roots = ["steps/scripts", "{entry}"]\n'})
    (root / "everything").symlink_to("/")
    line = assert_one_line_error(run_steplint("steps", cwd=root), f"'script-roots' entry '{entry}' is outside")
    assert str(root) in line


def test_script_root_that_is_a_link_inside_the_project_is_searched(tmp_path):
    root = write_project(tmp_path / "project", {
        **ENTRY_POINT_PROJECT, "pyproject.toml": '[tool.steplint]\nscript-roots = ["scripts"]\n'})
    (root / "scripts").symlink_to(root / "steps" / "scripts")
    result = run_steplint("steps", cwd=root)
    [line] = [line for line in result.stdout.splitlines() if "SL205" in line]
    assert "entry_point 'tabular_preprocess.py' of PREPROCESSING_CONTRACT does not exist in scripts" in line
    (root / "steps" / "scripts" / "tabular_preprocess.py").write_text("print('hi')\n")
    result = run_steplint("steps", cwd=root)
    assert "SL205" not in result.stdout, result.stdout + result.stderr


def test_sl205_never_walks_nor_crashes_on_a_script_root_outside_a_config_made_in_code(tmp_path):
    """A ``Config`` built by an API user is not validated: SL205 skips such roots."""
    root = write_project(tmp_path / "project", ENTRY_POINT_PROJECT)
    config = Config(root=root, script_roots=("/etc", "../../..", "bad\0path", "steps/scripts"))
    result = check_paths([root / "steps"], config)
    assert not result.internal_errors
    [finding] = [finding for finding in result.findings if finding.code == "SL205"]
    assert "does not exist in /etc, ../../.., " in finding.message


# the root without [tool.steplint]

BROKEN = RedundantDependency.bad_examples[0].files  # namespace packages: module names come from the root


@pytest.mark.parametrize("marker", [".git", "setup.cfg", "pyproject.toml"])
def test_root_without_a_steplint_table_is_the_nearest_project_marker(tmp_path, marker):
    """Run from a subdirectory, modules are still named from the project root
    (``steps.core``), so the spec's imports resolve and its SL101 is found; with the
    working directory as the root they would not."""
    root = write_project(tmp_path / "project", BROKEN)
    if marker == ".git":
        (root / ".git").mkdir()
    else:
        (root / marker).write_text("[project]\nname = 'x'\n" if marker == "pyproject.toml" else "[metadata]\n")
    result = run_steplint(".", cwd=root / "steps")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "specs/training_spec.py:15:9: SL101 redundant-dependency" in result.stdout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_steplint(root / "steps", cwd=elsewhere)
    assert "SL101 redundant-dependency" in result.stdout, result.stdout + result.stderr


def test_configure_gives_the_nearest_project_root(tmp_path, monkeypatch):
    root = write_project(tmp_path / "project", {**BROKEN, "setup.cfg": "[metadata]\n"})
    monkeypatch.chdir(tmp_path)
    config = configure([root / "steps" / "specs", root / "steps" / "contracts" / "training_contract.py"])
    assert config.root == root.resolve() and config.source is None
    (root / "steps" / "pyproject.toml").write_text('[tool.steplint]\nignore = ["SL101"]\n')
    config = configure([root / "steps" / "specs"])
    assert config.root == (root / "steps").resolve() and config.ignore == ("SL101",)


# property: any document is a Config or a ConfigError, never anything else

SCALARS = (st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | st.dates() | st.datetimes()
           | st.sampled_from(["ALL", "SL1", "SL101", "SL999", "steps", "/etc", "..", "*.py"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
NAMES = st.dictionaries(st.sampled_from(sorted(NAME_KEYS)) | st.text(max_size=6), VALUES, max_size=4)
STEPLINT = st.dictionaries(st.sampled_from(sorted(TOP_LEVEL_KEYS)) | st.text(max_size=6),
                           VALUES | NAMES | st.lists(st.sampled_from(["SL1", "ALL", "SL20", "steps"])), max_size=5)
DOCUMENTS = (st.builds(lambda value: {"tool": value}, VALUES)
             | st.builds(lambda value: {"tool": {"steplint": value}}, VALUES)
             | st.builds(lambda table: {"tool": {"steplint": table}}, STEPLINT))


def load_both_ways(raw: bytes) -> None:
    """Write ``raw`` as a project's pyproject.toml and load it as ``--config`` and through the
    search; each must give a Config or raise ConfigError."""
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        (root / "pyproject.toml").write_bytes(raw)
        for load in (lambda: load_config(root / "pyproject.toml", CODES), lambda: configure([root])):
            try:
                assert isinstance(load(), Config)
            except ConfigError as error:
                assert "\n" not in str(error)


@fast_and_full(50, 150)
def test_any_document_is_a_config_or_a_config_error(max_examples):
    @settings(max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(document=DOCUMENTS)
    @example(document={"tool": {"steplint": {"select": ["SL1"], "names": {"spec-classes": ["Spec"]}}}})
    @example(document={"tool": {"steplint": {"script-roots": ["..", "/"]}}})
    def check(document):
        load_both_ways(tomli_w.dumps(document).encode("utf-8"))

    check()


@fast_and_full(50, 150)
def test_any_bytes_are_a_config_or_a_config_error(max_examples):
    @settings(max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(raw=st.binary(max_size=64) | st.builds(lambda tail: b"[tool.steplint]\n" + tail, st.binary(max_size=64)))
    @example(raw=b"[tool.steplint]\nselect = [\"\xff\"]\n")
    @example(raw=b"\xef\xbb\xbf[tool.steplint]\n")
    def check(raw):
        load_both_ways(raw)

    check()


def test_a_bad_code_on_the_command_line_is_blamed_on_the_command_line_not_the_file(tmp_path):
    write_project(tmp_path, {"pyproject.toml": '[tool.steplint]\nselect = ["SL1"]\n', "a.py": "x = 1\n"})
    given = run_steplint("check", "--select", "SL999", ".", cwd=tmp_path)
    assert given.returncode == 2
    assert "command line: unknown rule code 'SL999' in 'select'" in given.stderr and "pyproject" not in given.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.steplint]\nselect = ["SL998"]\n')
    in_file = run_steplint("check", "--extend-select", "SL1", ".", cwd=tmp_path)
    assert in_file.returncode == 2 and "pyproject.toml: unknown rule code 'SL998' in 'select'" in in_file.stderr
