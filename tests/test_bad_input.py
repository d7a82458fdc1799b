"""Bad input, one case per test, through the command line: each yields one clear line (a
finding or a usage error), never a traceback, and every other file is still checked.

Each project holds a *canary*: a healthy spec with a dynamically built field, so a run that
went on checking the other files reports ``SL904`` for it.

Files that the prefilter skips (no step keyword: no spec, contract, builder or registry
name) are not parsed, so a syntax error in such a file is not reported: steplint checks
step code, not every module; Python and the project's other linters report the rest. A
contract's entry-point script is parsed whatever it contains.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys

import pytest
from steplint import api
from steplint.cli import main as cli
from steplint.engine import scope
from steplint.files import discovery

from tests.conftest import run_steplint, write_project

CORE = "class StepSpecification: ...\nclass DependencySpec: ...\nclass ScriptContract: ...\n"
CANARY = "steps/specs/canary_spec.py"
FILES = {
    "steps/core.py": CORE,
    CANARY: ("from steps.core import DependencySpec, StepSpecification\n\n"
             "CANARY_SPEC = StepSpecification(\n"
             "    step_type='Canary',\n"
             "    dependencies=[DependencySpec(logical_name=n) for n in ('a', 'b')],\n"
             ")\n"),
}
SPEC_HEAD = "from steps.core import DependencySpec, StepSpecification\n"
# what makes a file step code for the prefilter (an import alone does not), added below what a test is about
SPEC_USE = "TAIL_SPEC = StepSpecification(step_type='Tail')\n"


def lint(tmp_path, files: dict, *arguments, paths=(".",)):
    """Write the project and run steplint on it; ``--fail-on warning``, so that the canary's
    SL904 (a warning) makes a run that checked it exit 1, and 2 stays an error."""
    root = write_project(tmp_path / "project", {**FILES, **files})
    return root, run_steplint(*paths, "--fail-on", "warning", *arguments, cwd=root)


def lines_of(result, prefix: str) -> list:
    return [line for line in result.stdout.splitlines() if line.startswith(prefix)]


def assert_clean_run(result, expected_exit: int = 1) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == expected_exit, output
    assert lines_of(result, f"{CANARY}:5:5: SL904"), output  # the other files were checked


def test_syntax_error(tmp_path):
    _, result = lint(tmp_path, {"steps/specs/broken_spec.py": SPEC_HEAD + "SPEC = StepSpecification(\n"})
    assert_clean_run(result)
    [line] = lines_of(result, "steps/specs/broken_spec.py:")
    assert ": SL901 syntax-error: syntax error:" in line


def test_syntax_error_outside_step_code_is_not_reported(tmp_path):
    _, result = lint(tmp_path, {"steps/util.py": "def helper(:\n    pass\n"})
    assert_clean_run(result)
    assert not lines_of(result, "steps/util.py")


def test_undecodable_bytes(tmp_path):
    _, result = lint(tmp_path, {"steps/specs/latin_spec.py": SPEC_HEAD.encode() + b"X = StepSpecification(step_type='\xe9t\xe9')\n"})
    assert_clean_run(result)
    assert lines_of(result, "steps/specs/latin_spec.py:1:1: SL902 unreadable-file: cannot decode as utf-8: "
                            "byte 0xe9 at line 2 is not valid utf-8")


def test_unknown_encoding_declaration(tmp_path):
    _, result = lint(tmp_path, {"steps/specs/odd_spec.py": b"# -*- coding: klingon -*-\n" + SPEC_HEAD.encode()})
    assert_clean_run(result)
    [line] = lines_of(result, "steps/specs/odd_spec.py:1:1: SL902")
    assert "klingon" in line


def dynamic_spec(name: str) -> str:
    return (SPEC_HEAD + f"{name} = StepSpecification(\n    step_type='X',\n"
            "    dependencies=[DependencySpec(logical_name=n) for n in 'ab'],\n)\n")


def test_utf8_bom(tmp_path):
    _, result = lint(tmp_path, {"steps/specs/bom_spec.py": b"\xef\xbb\xbf" + dynamic_spec("BOM_SPEC").encode()})
    assert_clean_run(result)
    assert lines_of(result, "steps/specs/bom_spec.py:4:5: SL904")  # positions unaffected by the BOM


@pytest.mark.parametrize("newline", ["\r\n", "mixed"], ids=["crlf", "mixed"])
def test_crlf_and_mixed_line_endings(tmp_path, newline):
    lines = dynamic_spec("EOL_SPEC").splitlines(keepends=True)
    if newline == "mixed":
        text = "".join(line.replace("\n", "\r\n") if index % 2 else line for index, line in enumerate(lines))
    else:
        text = "".join(lines).replace("\n", "\r\n")
    _, result = lint(tmp_path, {"steps/specs/eol_spec.py": text.encode()})
    assert_clean_run(result)
    assert lines_of(result, "steps/specs/eol_spec.py:4:5: SL904")


def test_tabs(tmp_path):
    text = dynamic_spec("TAB_SPEC").replace("    ", "\t")
    _, result = lint(tmp_path, {"steps/specs/tab_spec.py": text})
    assert_clean_run(result)
    assert lines_of(result, "steps/specs/tab_spec.py:4:2: SL904")


def test_nul_bytes(tmp_path):
    _, result = lint(tmp_path, {"steps/specs/nul_spec.py": (SPEC_HEAD + "X = 1\x00\n" + SPEC_USE).encode()})
    assert_clean_run(result)
    assert lines_of(result, "steps/specs/nul_spec.py:2:1: SL901 syntax-error: source contains a NUL byte")


def test_empty_file(tmp_path):
    _, result = lint(tmp_path, {"steps/specs/empty_spec.py": "", "steps/__init__.py": ""})
    assert_clean_run(result)
    assert not lines_of(result, "steps/specs/empty_spec.py")


@pytest.mark.slow  # writes and reads 20 MB: several seconds
def test_ten_megabyte_files(tmp_path):
    """A 10 MB module without step code is skipped by the prefilter; one that uses a spec
    class is reported as too large to check (parsing it would take minutes) and skipped."""
    data = "".join(f"VALUE_{index} = {{'key': [{index}, 'text', None]}}\n" for index in range(300_000))
    assert len(data) > 10_000_000
    _, result = lint(tmp_path, {"steps/generated.py": data,
                                "steps/specs/generated_spec.py": SPEC_HEAD + data + SPEC_USE})
    assert_clean_run(result)
    assert not lines_of(result, "steps/generated.py")
    [line] = lines_of(result, "steps/specs/generated_spec.py:1:1: SL902 unreadable-file: file has ")
    assert "not checked" in line


def test_deeply_nested_expressions(tmp_path):
    deep = "X_SPEC = StepSpecification(step_type=" + "[" * 2000 + "1" + "]" * 2000 + ")\n"
    plain = "X = " + "(" * 2000 + "1" + ")" * 2000 + "\n"
    legal = "Y_SPEC = StepSpecification(step_type='Y', dependencies=" + "[" * 190 + "]" * 190 + ")\n"
    _, result = lint(tmp_path, {"steps/specs/deep_spec.py": SPEC_HEAD + deep,
                                "steps/specs/legal_spec.py": SPEC_HEAD + legal,
                                "steps/deep_data.py": plain})
    assert_clean_run(result)
    assert "RecursionError" not in result.stdout + result.stderr
    column = len("X_SPEC = StepSpecification(step_type=") + 200  # where CPython reports it: the 200th bracket
    assert lines_of(result, f"steps/specs/deep_spec.py:2:{column}: SL901 syntax-error: syntax error: too many "
                            "nested parentheses")
    [legal_line] = lines_of(result, "steps/specs/legal_spec.py:")  # legal Python: checked, dependencies unknown
    assert ": SL904 " in legal_line and "'dependencies'" in legal_line


def test_unreadable_fifo(tmp_path):
    """Tests run as root, for whom permissions do not block reads, so the unreadable file here
    is a FIFO named like a module: reading it would block forever; it is reported instead."""
    root = write_project(tmp_path / "project", FILES)
    os.mkfifo(root / "steps" / "specs" / "pipe_spec.py")
    result = run_steplint(".", cwd=root)
    assert_clean_run(result)
    assert lines_of(result, "steps/specs/pipe_spec.py:1:1: SL902 unreadable-file: is not a regular file")


def test_unreadable_permissions(tmp_path, monkeypatch, capsys):
    """Permission denied, in process: a real chmod 000 when not root, else a read that raises
    PermissionError the way a chmod 000 file does for other users."""
    root = write_project(tmp_path / "project", {**FILES, "steps/specs/secret_spec.py": dynamic_spec("S")})
    secret = root / "steps" / "specs" / "secret_spec.py"
    if os.geteuid() == 0:
        real_stat = os.stat

        def read_bytes(path):
            if path.name == "secret_spec.py":
                raise PermissionError(13, "Permission denied", str(path))
            return real_read_bytes(path)

        real_read_bytes = type(secret).read_bytes
        monkeypatch.setattr(type(secret), "read_bytes", read_bytes)
        assert real_stat(secret)
    else:
        secret.chmod(0)
    monkeypatch.chdir(root)
    code = cli.main(["."])
    output = capsys.readouterr()
    assert code == 1
    assert "steps/specs/secret_spec.py:1:1: SL902 unreadable-file: cannot read file: Permission denied" in output.out
    assert f"{CANARY}:5:5: SL904" in output.out


def test_directory_named_like_a_module(tmp_path):
    root = write_project(tmp_path / "project", {**FILES, "steps/specs/folder_spec.py/inner_spec.py": dynamic_spec("I")})
    result = run_steplint(".", "--fail-on", "warning", cwd=root)
    assert_clean_run(result)
    assert lines_of(result, "steps/specs/folder_spec.py/inner_spec.py:4:5: SL904")
    result = run_steplint("steps/specs/folder_spec.py", CANARY, "--fail-on", "warning", cwd=root)  # named
    assert_clean_run(result)


def test_symlink_loop(tmp_path):
    root = write_project(tmp_path / "project", FILES)
    specs = root / "steps" / "specs"
    os.symlink("loop_b.py", specs / "loop_a.py")
    os.symlink("loop_a.py", specs / "loop_b.py")
    os.symlink(".", specs / "self")  # a directory loop as well
    os.symlink("missing.py", specs / "dangling_spec.py")
    result = run_steplint(".", cwd=root)
    assert_clean_run(result)
    assert lines_of(result, "steps/specs/loop_a.py:1:1: SL902 unreadable-file: cannot read file: Too many levels "
                            "of symbolic links")
    assert lines_of(result, "steps/specs/dangling_spec.py:1:1: SL902 unreadable-file: is a broken symbolic link "
                            "to 'missing.py'")
    assert len(lines_of(result, f"{CANARY}:")) == 1  # the directory loop is walked once


def test_nonexistent_path_argument(tmp_path):
    _, result = lint(tmp_path, {}, paths=("no/such/dir", CANARY))
    assert_clean_run(result, expected_exit=2)
    assert result.stderr.strip().splitlines() == ["steplint: error: no/such/dir: no such file or directory"]


def test_file_vanishing_between_discovery_and_reading(tmp_path, monkeypatch, capsys):
    root = write_project(tmp_path / "project", {**FILES, "steps/specs/gone_spec.py": dynamic_spec("G")})
    real_discover = discovery.discover

    def discover(*arguments, **options):
        found = real_discover(*arguments, **options)
        (root / "steps" / "specs" / "gone_spec.py").unlink()
        return found

    for module in (api, scope):  # wherever the command line calls discovery from
        if hasattr(module, "discover"):
            monkeypatch.setattr(module, "discover", discover)
    monkeypatch.chdir(root)
    code = cli.main(["."])
    output = capsys.readouterr()
    assert code == 1
    assert "steps/specs/gone_spec.py:1:1: SL902 unreadable-file: file disappeared before it could be read" in output.out
    assert f"{CANARY}:5:5: SL904" in output.out


DYNAMIC = {
    "steps/specs/loop_spec.py": (SPEC_HEAD + "DEPENDENCIES = []\nfor name in ('a', 'b'):\n"
                                 "    DEPENDENCIES.append(DependencySpec(logical_name=name))\n"
                                 "LOOP_SPEC = StepSpecification(step_type='Loop', dependencies=DEPENDENCIES)\n"),
    "steps/specs/kwargs_spec.py": (SPEC_HEAD + "SETTINGS = dict(step_type='Kwargs')\n"
                                   "KWARGS_SPEC = StepSpecification(**SETTINGS)\n"),
    "steps/specs/unknown_call_spec.py": (SPEC_HEAD + "from steps.factory import make_step_type\n"
                                         "CALL_SPEC = StepSpecification(step_type=make_step_type('x'))\n"),
    "steps/contracts/dynamic_contract.py": (
        "from steps.core import ScriptContract\n\n"
        "PATHS = {name: f'/opt/ml/processing/input/{name}' for name in ('a', 'b')}\n"
        "DYNAMIC_CONTRACT = ScriptContract(\n"
        "    entry_point='run.py',\n"
        "    expected_input_paths=PATHS,\n"
        "    required_env_vars=load_env_names(),\n"
        ")\n"),
}


def test_dynamically_built_specs_and_contracts(tmp_path):
    _, result = lint(tmp_path, DYNAMIC)
    assert_clean_run(result)
    expected = {
        "steps/specs/loop_spec.py:5:49: SL904": "'DEPENDENCIES' is changed after it is bound (line 4)",
        "steps/specs/kwargs_spec.py:3:15: SL904": "4 fields are not statically known (the call passes *args or **kwargs)",
        "steps/specs/unknown_call_spec.py:3:31: SL904": "'step_type'",
        "steps/contracts/dynamic_contract.py:6:5: SL904": "'expected_input_paths'",
        "steps/contracts/dynamic_contract.py:7:5: SL904": "'required_env_vars'",
    }
    for prefix, fragment in expected.items():
        [line] = lines_of(result, prefix)
        assert fragment in line, line
        assert "not statically known" in line
    _, reported = lint(tmp_path / "json", DYNAMIC, "--output-format", "json")
    causes = {(f["filename"], f["location"]["row"]): f["message"] + " " + (f["help"] or "")
              for f in json.loads(reported.stdout) if f["code"] == "SL904"}
    assert "DictComp" in causes[("steps/contracts/dynamic_contract.py", 6)]
    assert "name 'load_env_names' is not bound" in causes[("steps/contracts/dynamic_contract.py", 7)]


def test_malformed_pyproject(tmp_path):
    _, result = lint(tmp_path, {"pyproject.toml": "[tool.steplint]\nselect = [\"SL1\"\n"})
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("steplint: error: ") and "pyproject.toml: invalid TOML" in line


@pytest.mark.parametrize("where", ["command line", "pyproject"])
def test_unknown_rule_code(tmp_path, where):
    if where == "pyproject":
        _, result = lint(tmp_path, {"pyproject.toml": "[tool.steplint]\nignore = [\"SL999\"]\n"})
    else:
        _, result = lint(tmp_path, {}, "--select", "SL999")
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        result.stderr.strip().splitlines()[0]] and "unknown rule code 'SL999'" in result.stderr


def test_closed_output_pipe(tmp_path):
    """``steplint | head -1``: the reader goes away; steplint stops without a traceback."""
    root = write_project(tmp_path / "project", {**FILES, **{f"steps/specs/s{index}_spec.py": dynamic_spec(f"S{index}")
                                                            for index in range(200)}})
    if shutil.which("head") is None:
        pytest.skip("no head command")
    import subprocess

    pipeline = subprocess.run(f"{sys.executable} -m steplint . | head -1", shell=True, cwd=root,
                              capture_output=True, text=True, timeout=300)
    assert "Traceback" not in pipeline.stderr
    assert len(pipeline.stdout.splitlines()) == 1
    assert stat.S_ISDIR(os.stat(root).st_mode)


def test_self_referential_calls(tmp_path):
    """``a = a()`` and getters that call each other: the model gives up (Unknown), never
    recursing until Python's limit."""
    text = (SPEC_HEAD + "factory = factory()\n\ndef ping():\n    return pong()\n\ndef pong():\n    return ping()\n\n"
            "X_SPEC = StepSpecification(step_type=factory(), dependencies=ping())\n")
    _, result = lint(tmp_path, {"steps/specs/cyclic_spec.py": text})
    assert_clean_run(result)
    assert "internal error" not in result.stderr
    assert lines_of(result, "steps/specs/cyclic_spec.py:10:")
