"""Properties over generated input: step modules in many shapes never crash the loader or
the rules; fixes parse, are idempotent, touch only their edits and leave files without
fixable findings byte-identical; arbitrary valid Python is checked without a crash, with
findings that move with the lines and fixes that are idempotent."""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import libcst as cst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from steplint.api import check_paths, configure, fix_paths_in_memory
from steplint.cli import main as cli

from tests.conftest import fast_and_full, python_source, write_project

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CORE = ("class StepSpecification: ...\nclass DependencySpec: ...\nclass OutputSpec: ...\n"
        "class ScriptContract: ...\nclass TrainingScriptContract(ScriptContract): ...\n"
        "class StepBuilderBase: ...\nclass DependencyType: ...\nclass NodeType: ...\n")
CHANNELS = ("input_path", "config", "validation", "checkpoint")
PATHS = {"input_path": "/opt/ml/input/data", "config": "/opt/ml/input/config/hyperparameters.json",
         "validation": "/opt/ml/input/data/validation", "checkpoint": "/opt/ml/checkpoints"}
TYPES = {"input_path": "TRAINING_DATA", "config": "HYPERPARAMETERS", "validation": "TRAINING_DATA",
         "checkpoint": "MODEL_ARTIFACTS"}


@st.composite
def formatting(draw):
    return {
        "indent": draw(st.sampled_from(["    ", "  ", "\t"])),
        "quote": draw(st.sampled_from(["'", '"'])),
        "trailing": draw(st.booleans()),
        "comments": draw(st.booleans()),
        "one_line": draw(st.booleans()),
        "hoisted": draw(st.booleans()),  # the list bound to a module constant first
        "parenthesised": draw(st.booleans()),
        "newline": draw(st.sampled_from(["\n", "\r\n"])),
    }


def render_list(items: list, style: dict, depth: int) -> str:
    if not items:
        return "[]"
    if style["one_line"]:
        return "[" + ", ".join(items) + ("," if style["trailing"] else "") + "]"
    pad = style["indent"] * depth
    lines = []
    for index, item in enumerate(items):
        comma = "," if index < len(items) - 1 or style["trailing"] else ""
        comment = f"  # item {index}" if style["comments"] else ""
        if style["comments"] and index == 0:
            lines.append(f"{pad}{style['indent']}# leading comment")
        lines.append(f"{pad}{style['indent']}{item}{comma}{comment}")
    return "[\n" + "\n".join(lines) + f"\n{pad}]"


def spec_module(channels: list, style: dict) -> str:
    q = style["quote"]
    items = [f"DependencySpec(logical_name={q}{name}{q}, dependency_type=DependencyType.{TYPES[name]}, "
             f"required={name != 'checkpoint'})" for name in channels]
    dependencies = render_list(items, style, 0 if style["hoisted"] else 1)
    if style["parenthesised"]:
        dependencies = f"({dependencies})"
    i = style["indent"]
    head = ("from steps.core import DependencySpec, DependencyType, NodeType, OutputSpec, StepSpecification\n"
            "from steps.contracts.training_contract import TRAINING_CONTRACT\n\n")
    if style["hoisted"]:
        head += f"DEPENDENCIES = {dependencies}\n\n"
        dependencies = "DEPENDENCIES"
    text = (head + "TRAINING_SPEC = StepSpecification(\n"
            f"{i}step_type={q}ModelTraining{q},\n{i}node_type=NodeType.INTERNAL,\n"
            f"{i}script_contract=TRAINING_CONTRACT,\n{i}dependencies={dependencies},\n"
            f"{i}outputs=[OutputSpec(logical_name={q}model_output{q}, output_type=DependencyType.MODEL_ARTIFACTS, "
            f"property_path={q}properties.ModelArtifacts.S3ModelArtifacts{q})],\n)\n")
    return text.replace("\n", style["newline"])


def contract_module(channels: list, style: dict) -> str:
    q = style["quote"]
    entries = [f"{q}{name}{q}: {q}{PATHS[name]}{q}" for name in channels]
    mapping = render_list(entries, style, 1)[1:-1]
    i = style["indent"]
    text = ("from steps.core import TrainingScriptContract\n\n"
            "TRAINING_CONTRACT = TrainingScriptContract(\n"
            f"{i}entry_point={q}train.py{q},\n{i}expected_input_paths={{{mapping}}},\n"
            f"{i}expected_output_paths={{{q}model_output{q}: {q}/opt/ml/model{q}}},\n)\n")
    return text.replace("\n", style["newline"])


BUILDER = ("from sagemaker.pytorch import PyTorch\n\nfrom steps.core import StepBuilderBase\n"
           "from steps.specs.training_spec import TRAINING_SPEC\n\n\n"
           "class TrainingStepBuilder(StepBuilderBase):\n"
           "    def __init__(self, config):\n        super().__init__(config=config, spec=TRAINING_SPEC)\n\n"
           "    def _create_estimator(self):\n"
           "        return PyTorch(entry_point='train.py', hyperparameters=self.config.hyperparameters)\n")


@st.composite
def projects(draw):
    channels = draw(st.lists(st.sampled_from(CHANNELS), unique=True, max_size=4))
    contract_channels = draw(st.lists(st.sampled_from(CHANNELS), unique=True, max_size=4))
    return {
        "steps/core.py": CORE,
        "steps/specs/training_spec.py": spec_module(channels, draw(formatting())).encode(),
        "steps/contracts/training_contract.py": contract_module(contract_channels, draw(formatting())).encode(),
        "steps/builders/builder_training_step.py": BUILDER,
        "steps/scripts/train.py": "import os\nprint(os.listdir('/opt/ml/input/data'))\n",
    }


@contextmanager
def project_dir(files: dict):
    """A temporary project, as the working directory (module names come from it)."""
    previous = os.getcwd()
    with tempfile.TemporaryDirectory() as directory:
        root = write_project(Path(directory), files)
        os.chdir(root)
        try:
            yield root
        finally:
            os.chdir(previous)


def edit_lines(text: str, edits) -> set:
    """1-based numbers of the lines each edit touches (an insertion touches its line)."""
    lines = set()
    for edit in edits:
        first = text.count("\n", 0, edit.start) + 1
        last = text.count("\n", 0, max(edit.start, edit.end - 1)) + 1
        lines.update(range(first, last + 1))
    return lines


@fast_and_full(15, 50)
def test_generated_step_modules_never_crash_and_fixes_are_clean(max_examples):
    settings(SETTINGS, max_examples=max_examples)(given(files=projects())(generated_step_modules_are_clean))()


def generated_step_modules_are_clean(files):
    with project_dir(files) as root:
        config = configure(["."])
        result = check_paths(["."], config)
        assert not result.internal_errors
        outcome = fix_paths_in_memory(["."], config, unsafe=True)
        assert not outcome.result.internal_errors
        fixable = {edit.path for finding in result.findings if finding.fix for edit in finding.fix.edits}
        assert set(outcome.changed) <= fixable
        for text in outcome.changed.values():
            cst.parse_module(text)  # every result parses
        first_pass_edits: dict = {}
        for finding in result.findings:
            if finding.fix is not None:
                for edit in finding.fix.edits:
                    first_pass_edits.setdefault(edit.path, []).append(edit)
        for display, text in outcome.changed.items():
            before_text = (root / display).read_bytes().decode("utf-8")  # displays may be absolute
            allowed = edit_lines(before_text, first_pass_edits.get(display, ()))
            matcher = difflib.SequenceMatcher(a=before_text.splitlines(True), b=text.splitlines(True), autojunk=False)
            for tag, first, last, _, _ in matcher.get_opcodes():
                if tag != "equal":
                    touched = set(range(first + 1, last + 1)) or {first + 1}
                    assert touched <= allowed | {first}, (display, tag, first, last, sorted(allowed))
        # idempotent: fixing the fixed files changes nothing more
        for display in outcome.changed:
            (root / display).write_bytes(outcome.workspace.sources[display].encoded())
        again = fix_paths_in_memory(["."], configure(["."]), unsafe=True)
        assert again.changed == {}


@fast_and_full(15, 50)
def test_files_without_fixable_findings_are_byte_identical_after_fix(max_examples):
    settings(SETTINGS, max_examples=max_examples)(given(files=projects())(unfixable_files_stay_identical))()


def unfixable_files_stay_identical(files):
    with project_dir(files) as root:
        before = {relative: (root / relative).read_bytes() for relative in files}
        result = check_paths(["."], configure(["."]))
        fixable = {(root / edit.path).resolve() for finding in result.findings if finding.fix for edit in finding.fix.edits}
        code = cli.main([".", "--fix", "--unsafe-fixes", "--no-cache"])
        assert code in (0, 1)
        for relative, data in before.items():
            if (root / relative).resolve() not in fixable:
                assert (root / relative).read_bytes() == data, relative


def _seen(result) -> list[tuple]:
    """(path, line, column, code, message with numbers masked) for every finding of a run."""
    return sorted((Path(f.path).as_posix(), f.span.line, f.span.col, f.code, re.sub(r"\d+", "#", f.message))
                  for f in result.findings)


@fast_and_full(15, 50)
def test_arbitrary_valid_python_is_checked_and_fixed_consistently(max_examples):
    settings(SETTINGS, max_examples=max_examples)(given(source=python_source(auto_target=False))(
        any_python_is_checked_and_fixed_consistently))()


def any_python_is_checked_and_fixed_consistently(source):
    """Any syntactically valid module, made to pass the prefilter, as a spec module, a
    contract module and a script: checked without an internal error; a blank line added at
    the top of the spec module moves its findings down one line and leaves the others; the
    fixes parse and are idempotent (fixing the fixed files changes nothing)."""
    keyword_line = "# StepSpecification ScriptContract StepBuilderBase STEP_NAMES\n"
    files = {"steps/core.py": CORE, "steps/specs/any_spec.py": keyword_line + source,
             "steps/scripts/train.py": source,
             "steps/contracts/c.py": "from steps.core import ScriptContract\n"
                                     "C = ScriptContract(entry_point='train.py')\n"}
    with project_dir(files):
        result = check_paths(["."], configure(["."]))
        assert not result.internal_errors
        before = _seen(result)
    with project_dir({**files, "steps/specs/any_spec.py": keyword_line + "\n" + source}):
        shifted = check_paths(["."], configure(["."]))
        assert _seen(shifted) == sorted(
            (path, line + 1 if path == "steps/specs/any_spec.py" else line, column, code, message)
            for path, line, column, code, message in before)
    with project_dir(files) as root:
        outcome = fix_paths_in_memory(["."], configure(["."]), unsafe=True)
        assert not outcome.result.internal_errors
        for display, text in outcome.changed.items():
            cst.parse_module(text)
            (root / display).write_bytes(outcome.workspace.sources[display].encoded())
        assert fix_paths_in_memory(["."], configure(["."]), unsafe=True).changed == {}
