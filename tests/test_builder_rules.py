"""SL301 ad-hoc-get-inputs, SL302 ad-hoc-get-outputs, SL303 dead-input-branch, and the builder facts."""

from __future__ import annotations

import pickle
from pathlib import Path
from textwrap import dedent

import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from steplint.api import check_paths, configure, fix_paths_in_memory
from steplint.config import NameSettings
from steplint.files.sources import SourceFile
from steplint.readers.python.builder_facts import builder_method_facts
from steplint.readers.python.edits import ParsedFile
from steplint.readers.python.extract import extract_facts
from steplint.rules._builder_examples import (
    AD_HOC_INPUTS,
    DEAD_BRANCH_INPUTS,
    PROCESSING_AD_HOC_OUTPUTS,
    PROCESSING_INPUTS_LITERALS,
    PROCESSING_REFERENCE_INPUTS,
    REFERENCE_INPUTS,
    processing_project,
    training_project,
)

from tests.conftest import FIXTURES, fast_and_full, python_source, run_steplint, write_project

TRAINING_BUILDER = "steps/builders/builder_training_step.py"
PROCESSING_BUILDER = "steps/builders/builder_preprocessing_step.py"
HELPER = '''    def _create_data_channel_from_source(self, base_path):
        return {"data": TrainingInput(s3_data=base_path)}

'''


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Projects are checked from their own directory, as a user runs steplint."""
    monkeypatch.chdir(tmp_path)


def _facts(source: str):
    """Module facts of ``source`` (as the engine extracts them)."""
    text = dedent(source)
    parsed = ParsedFile(SourceFile(Path("builder.py"), "builder.py", text, "utf-8", False), cst.parse_module(text))
    return extract_facts(parsed.module, parsed.span_of, path="builder.py", module_name="builder", is_package=False,
                         known_enums=NameSettings().known_enums, source_text=text)


def _method_facts(method_source: str):
    source = "from sagemaker.inputs import TrainingInput\n\nclass B:\n" + \
        "".join("    " + line if line.strip() else line for line in dedent(method_source).splitlines(True))
    facts = _facts(source)
    [method] = facts.classes["B"].methods.values()
    return method.builder


def _findings(root: Path, select: str = "SL3"):
    config = configure([str(root)], overrides={"select": [select]})
    return check_paths([str(root)], config).findings


def _fixed(root: Path, unsafe: bool, select: str = "SL3") -> dict:
    """What the fixer would change (display path -> text), nothing written."""
    config = configure([str(root)], overrides={"select": [select]})
    return fix_paths_in_memory([str(root)], config, unsafe=unsafe).changed


def _without_helper(files: dict) -> dict:
    files = dict(files)
    files[TRAINING_BUILDER] = files[TRAINING_BUILDER].replace(HELPER, "")
    return files


# -- facts ---------------------------------------------------------------------------------
def test_facts_of_an_ad_hoc_get_inputs():
    facts = _method_facts(AD_HOC_INPUTS)
    assert facts.walks == frozenset({"parameter"})
    assert facts.parameter == "inputs"
    [literal] = facts.name_literals
    assert (literal.value, literal.how, literal.branch is not None) == ("input_path", "compare", True)
    [channel] = facts.channels
    assert (channel.name, channel.under) == ("data", "input_path")


def test_facts_of_the_reference_methods_show_a_spec_driven_method():
    facts = _method_facts(REFERENCE_INPUTS)
    assert facts.walks == frozenset({"dependencies"})
    assert facts.contract_reads == frozenset({"inputs"})
    assert facts.name_literals == () and facts.channels == () and facts.literals == ()
    processing = _method_facts(PROCESSING_REFERENCE_INPUTS)
    [io] = processing.processing
    assert (io.kind, io.name_kind, io.path) == ("ProcessingInput", "logical", None)


def test_facts_of_literal_outputs():
    facts = _method_facts(PROCESSING_AD_HOC_OUTPUTS)
    [io] = facts.processing
    assert (io.kind, io.name_kind, io.name, io.path) == (
        "ProcessingOutput", "literal", "processed", "/opt/ml/processing/output/processed")
    assert {(use.kind, use.value) for use in facts.literals} == {
        ("container-path", "/opt/ml/processing/output/processed"),
        ("s3-bucket", "s3://team-ml-artifacts"),
        ("date", "2024-03-01"),
    }


def test_only_builder_methods_are_analysed_and_facts_pickle():
    facts = _facts('''
        class B:
            def __init__(self, config):
                self.config = config

            def _create_estimator(self):
                return {"data": TrainingInput(s3_data="s3://bucket/2024-01-01")}

            def _get_inputs(self, inputs):
                return {"data": TrainingInput(s3_data=inputs["input_path"])}
        ''')
    methods = facts.classes["B"].methods
    assert methods["__init__"].builder is None and methods["_create_estimator"].builder is None
    assert methods["_get_inputs"].builder.name_literals[0].how == "lookup"
    assert pickle.loads(pickle.dumps(facts)) == facts


def test_an_imported_alias_of_training_input_still_names_a_channel():
    source = ('from sagemaker.inputs import TrainingInput as TI\n\nclass B:\n'
              '    def _get_inputs(self, inputs):\n        return {"train": TI(s3_data=inputs["x"])}\n')
    [method] = _facts(source).classes["B"].methods.values()
    assert [channel.name for channel in method.builder.channels] == ["train"]


def test_non_builder_functions_are_not_analysed():
    module = cst.parse_module("def _get_inputs(self, inputs):\n    return inputs\n")
    assert builder_method_facts(module.body[0], lambda node: None) is not None
    renamed = module.body[0].with_changes(name=cst.Name("get_inputs"))
    assert builder_method_facts(renamed, lambda node: None) is None


# -- SL301 ---------------------------------------------------------------------------------
def test_sl301_names_the_smells_and_offers_an_unsafe_fix_only(tmp_path):
    root = write_project(tmp_path, training_project(AD_HOC_INPUTS))
    [finding] = _findings(root)
    assert finding.code == "SL301" and finding.path.endswith(TRAINING_BUILDER)
    assert finding.message == ("_get_inputs is not driven by TRAINING_SPEC: iterates the inputs given, literal names, "
                               "literal channels")
    assert "It iterates the inputs it is given instead of walking self.spec.dependencies" in finding.help
    assert "it handles logical names as string literals ('input_path')" in finding.help
    assert "it names channels with literals ('data')" in finding.help
    assert finding.fix.applicability.value == "unsafe"
    assert _fixed(root, unsafe=False) == {}

    result = run_steplint(".", cwd=root)
    assert result.returncode == 1
    assert "[unsafe fix: rewrite in the reference form]" in result.stdout
    assert "1 more fixable with --unsafe-fixes" in result.stdout


@pytest.mark.parametrize("files, builder", [
    (training_project(AD_HOC_INPUTS), TRAINING_BUILDER),
    (_without_helper(training_project(AD_HOC_INPUTS)), TRAINING_BUILDER),
    (processing_project(PROCESSING_INPUTS_LITERALS), PROCESSING_BUILDER),
], ids=["training", "training-without-helper", "processing"])
def test_sl301_rewrite_reparses_is_idempotent_and_leaves_no_finding(tmp_path, files, builder):
    root = write_project(tmp_path, files)
    original = (root / builder).read_text()
    first = run_steplint("--fix", "--unsafe-fixes", ".", cwd=root)
    assert "Traceback" not in first.stderr
    text = (root / builder).read_text()
    cst.parse_module(text)
    assert text != original
    assert "self.spec.dependencies" in text and "self.contract.expected_input_paths" in text
    assert text.count("def _create_data_channel_from_source") == (1 if builder == TRAINING_BUILDER else 0)
    assert text.split("def _get_inputs")[0] == original.split("def _get_inputs")[0]
    assert text.split("def _get_outputs")[1] == original.split("def _get_outputs")[1]
    assert not [finding for finding in _findings(root, "SL30") if finding.code in ("SL301", "SL303")]
    second = run_steplint("--fix", "--unsafe-fixes", ".", cwd=root)
    assert (root / builder).read_text() == text, second.stdout


def test_sl301_rewrite_adapts_names_and_lifts_the_builders_own_channels(tmp_path):
    files = training_project('''\
        def _get_inputs(self, step_inputs):
            channels = {}
            if "input_path" in step_inputs:
                base = step_inputs["input_path"]
                channels["train"] = TI(f"{base}/train", content_type="text/csv")
                channels["val"] = TI(
                    s3_data=f"{base}/val",
                    content_type="text/csv",
                )
            return channels
        ''')
    files = _without_helper(files)
    files[TRAINING_BUILDER] = files[TRAINING_BUILDER].replace(
        "from sagemaker.inputs import TrainingInput", "from sagemaker.inputs import TrainingInput as TI")
    root = write_project(tmp_path, files)
    changed = _fixed(root, unsafe=True)
    [text] = changed.values()
    assert "def _get_inputs(self, step_inputs):" in text
    assert "if logical_name not in step_inputs:" in text
    assert "channels[channel] = TI(s3_data=step_inputs[logical_name])" in text
    assert "TrainingInput" not in text.replace("import TrainingInput as TI", "")
    assert indent_block(dedent('''\
        def _create_data_channel_from_source(self, base_path):
            """Channels for the S3 prefix of a dependency mapped to /opt/ml/input/data."""
            return {
                "train": TI(f"{base_path}/train", content_type="text/csv"),
                "val": TI(s3_data=f"{base_path}/val", content_type="text/csv"),
            }
        '''), 4) in text


def test_sl301_rewrite_adds_the_import_the_reference_needs(tmp_path):
    files = training_project('''\
        def _get_inputs(self, inputs):
            return {"data": channel(inputs["input_path"])}
        ''')
    files[TRAINING_BUILDER] = files[TRAINING_BUILDER].replace(
        "from sagemaker.inputs import TrainingInput\n", "from steps.channels import channel\n").replace(HELPER, "")
    root = write_project(tmp_path, files)
    [text] = _fixed(root, unsafe=True).values()
    assert text.startswith("from steps.channels import channel\nfrom sagemaker.pytorch import PyTorch\n"
                           "from sagemaker.inputs import TrainingInput\n")
    assert 'return {"data": TrainingInput(s3_data=base_path)}' in text


def test_a_spec_driven_builder_in_another_style_gets_no_builder_finding():
    findings = _findings(FIXTURES / "steps_layout")
    assert findings == []
    assert not [finding for finding in _findings(FIXTURES / "legacy_layout") if finding.code != "SL301"]


# -- SL303 ---------------------------------------------------------------------------------
DEAD_SHAPES = {
    "if-alone": ('''\
        if logical_name == "config":
            continue
        ''', ""),
    "elif": ('''\
        if logical_name == "other":
            pass
        elif logical_name == "config":
            continue
        else:
            pass
        ''', '''\
        if logical_name == "other":
            pass
        else:
            pass
        '''),
    "head-of-chain": ('''\
        if logical_name == "config":
            continue
        elif logical_name == "other":
            pass
        ''', '''\
        if logical_name == "other":
            pass
        '''),
    "with-else": ('''\
        if logical_name == "config":
            continue
        else:
            channels.update(self._create_data_channel_from_source(inputs[logical_name]))
        ''', '''\
        channels.update(self._create_data_channel_from_source(inputs[logical_name]))
        '''),
}


def _dead_branch_method(branch: str) -> str:
    body = indent_block(dedent(branch), 8)
    return ("def _get_inputs(self, inputs):\n"
            "    channels = {}\n"
            "    for dependency in self.spec.dependencies.values():\n"
            "        logical_name = dependency.logical_name\n"
            + body +
            "        channels.update(self._create_data_channel_from_source(inputs[logical_name]))\n"
            "    return channels\n")


def indent_block(text: str, width: int) -> str:
    return "".join(" " * width + line if line.strip() else line for line in text.splitlines(True))


def _apply(changed: dict) -> None:
    for display, text in changed.items():
        Path(display).write_text(text)


@pytest.mark.parametrize("shape", sorted(DEAD_SHAPES))
def test_sl303_safe_fix_removes_only_the_dead_branch(tmp_path, shape):
    before, after = (branch.replace('logical_name == "other"', "dependency.required") for branch in DEAD_SHAPES[shape])
    root = write_project(tmp_path, training_project(_dead_branch_method(before)))
    [finding] = _findings(root)
    assert finding.code == "SL303" and "'config'" in finding.message
    assert finding.fix is not None and finding.fix.applicability.value == "safe"
    changed = _fixed(root, unsafe=False)
    [text] = changed.values()
    assert text == training_project(_dead_branch_method(after))[TRAINING_BUILDER]
    _apply(changed)
    assert _findings(root) == [] and _fixed(root, unsafe=False) == {}


def test_sl303_leaves_the_fix_to_sl301_when_the_method_is_ad_hoc(tmp_path):
    root = write_project(tmp_path, training_project('''\
        def _get_inputs(self, inputs):
            channels = {}
            if "legacy_config" in inputs:
                channels["config"] = TrainingInput(inputs["legacy_config"])
            channels["data"] = TrainingInput(inputs["input_path"])
            return channels
        '''))
    by_code = {finding.code: finding for finding in _findings(root)}
    assert set(by_code) == {"SL301", "SL303"}
    assert by_code["SL303"].fix is None
    assert "undeclared names" in by_code["SL301"].message
    assert "it handles 'legacy_config', which TRAINING_SPEC does not declare (dead code)" in by_code["SL301"].help


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(branches=st.lists(st.sampled_from(["input_path", "config", "legacy", "extra_data"]), min_size=1,
                         max_size=4, unique=True))
def test_sl303_reports_exactly_the_branches_the_spec_does_not_declare(tmp_path_factory, branches):
    chain = "".join(f'{"if" if index == 0 else "elif"} logical_name == "{name}":\n    pass\n'
                    for index, name in enumerate(branches))
    files = {**training_project(_dead_branch_method(chain)), "pyproject.toml": "[tool.steplint]\n"}
    root = write_project(tmp_path_factory.mktemp("dead"), files)
    findings = _findings(root)
    dead = sorted(finding.message.split("'")[1] for finding in findings if finding.code == "SL303")
    assert dead == sorted(name for name in branches if name != "input_path")
    assert any(finding.code == "SL301" for finding in findings) == ("input_path" in branches)
    changed = _fixed(root, unsafe=True)
    for text in changed.values():
        cst.parse_module(text)
    _apply(changed)
    assert not [finding for finding in _findings(root) if finding.code in ("SL301", "SL303")]


# -- SL302 ---------------------------------------------------------------------------------
def test_sl302_explains_literal_outputs(tmp_path):
    root = write_project(tmp_path, processing_project(PROCESSING_REFERENCE_INPUTS, outputs=PROCESSING_AD_HOC_OUTPUTS))
    [finding] = _findings(root)
    assert finding.code == "SL302" and finding.fix is None
    assert "undeclared output_name" in finding.message and len(finding.message) <= 120
    assert "ProcessingOutput output_name 'processed' is not a logical name PREPROCESSING_SPEC declares" in \
        finding.help
    assert "Outputs['<logical name>'] paths of the spec do not reach it" in finding.help
    assert "literal bucket s3://team-ml-artifacts" in finding.help
    assert "literal date (2024-03-01)" in finding.help


def test_sl302_flags_a_training_output_looked_up_under_an_undeclared_name(tmp_path):
    root = write_project(tmp_path, training_project(REFERENCE_INPUTS, outputs='''\
        def _get_outputs(self, outputs):
            return outputs.get("model_artifacts") or self.config.output_path
        '''))
    [finding] = _findings(root)
    assert finding.code == "SL302"
    assert "undeclared names" in finding.message
    assert "It looks up 'model_artifacts', which TRAINING_SPEC does not declare" in finding.help


def test_dead_branch_example_gets_sl303_only(tmp_path):
    root = write_project(tmp_path, training_project(DEAD_BRANCH_INPUTS))
    assert [finding.code for finding in _findings(root)] == ["SL303"]


# -- robustness ----------------------------------------------------------------------------
@fast_and_full(10, 40)
def test_builder_facts_never_crash_on_any_parsable_method_body(max_examples):
    settings(max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])(
        given(body=python_source(auto_target=False))(builder_facts_of_any_method_body))()


def builder_facts_of_any_method_body(body):
    method = "def _get_inputs(self, inputs):\n" + indent_block(body or "pass\n", 4) + "\n    pass\n"
    try:
        module = cst.parse_module(method)
    except cst.ParserSyntaxError:
        module = None
    assume(module is not None)
    parsed = ParsedFile(SourceFile(Path("b.py"), "b.py", method, "utf-8", False), module)
    facts = builder_method_facts(module.body[0], parsed.span_of, {})
    assert facts.name == "_get_inputs"
    assert pickle.loads(pickle.dumps(facts)) == facts


def test_sl301_fix_says_when_the_contract_renames_a_channel(tmp_path):
    files = training_project('''\
        def _get_inputs(self, inputs):
            channels = {}
            if "input_path" in inputs:
                channels["training"] = TrainingInput(inputs["input_path"])
            return channels
        ''')
    files["steps/contracts/training_contract.py"] = files["steps/contracts/training_contract.py"].replace(
        '"/opt/ml/input/data"', '"/opt/ml/input/data/train"')
    root = write_project(tmp_path, files)
    [finding] = _findings(root)
    assert finding.fix.description == "rewrite in the reference form (channel 'training' becomes 'train')"


def test_sl301_reports_but_does_not_rewrite_a_decorated_method(tmp_path):
    files = training_project(AD_HOC_INPUTS)
    files[TRAINING_BUILDER] = files[TRAINING_BUILDER].replace(
        "    def _get_inputs(self, inputs):", "    @log_calls\n    def _get_inputs(self, inputs):")
    root = write_project(tmp_path, files)
    [finding] = _findings(root)
    assert finding.code == "SL301" and finding.fix is None


# -- SL301: a branch that only changes where an input comes from --------------------------
SOURCE_OVERRIDE = '''\
def _get_inputs(self, inputs):
    processing_inputs = []
    for dependency in self.spec.dependencies:
        logical_name = dependency.logical_name
        if logical_name == "data_input":
            processing_inputs.append(ProcessingInput(
                input_name=logical_name,
                source=self.config.data_input_path,
                destination=self.contract.expected_input_paths[logical_name],
            ))
            continue
        processing_inputs.append(ProcessingInput(
            input_name=logical_name,
            source=inputs[logical_name],
            destination=self.contract.expected_input_paths[logical_name],
        ))
    return processing_inputs
'''
SOURCE_OVERRIDE_PLACED_BY_LITERAL = {
    "literal input name": ('input_name=logical_name,\n                source=self.config',
                           'input_name="data_input",\n                source=self.config'),
    "literal destination": ('source=self.config.data_input_path,\n                destination=self.contract'
                            '.expected_input_paths[logical_name],',
                            'source=self.config.data_input_path,\n                destination='
                            '"/opt/ml/processing/input/data",'),
    "input dropped": ('            processing_inputs.append(ProcessingInput(\n                input_name=logical_name,\n'
                      '                source=self.config.data_input_path,\n                destination=self.contract'
                      '.expected_input_paths[logical_name],\n            ))\n            continue',
                      '            continue'),
}


def test_sl301_accepts_a_branch_that_takes_an_input_from_the_config_but_places_it_by_spec_and_contract():
    write_project(Path.cwd(), processing_project(SOURCE_OVERRIDE))
    assert [f for f in _findings(Path.cwd()) if f.code == "SL301"] == []


@pytest.mark.parametrize("variant", sorted(SOURCE_OVERRIDE_PLACED_BY_LITERAL))
def test_sl301_still_reports_a_branch_that_places_or_drops_the_input_itself(variant):
    old, new = SOURCE_OVERRIDE_PLACED_BY_LITERAL[variant]
    assert old in SOURCE_OVERRIDE
    write_project(Path.cwd(), processing_project(SOURCE_OVERRIDE.replace(old, new)))
    [finding] = [f for f in _findings(Path.cwd()) if f.code == "SL301"]
    assert finding.path == PROCESSING_BUILDER and "'data_input'" in finding.help


@pytest.mark.parametrize("delegated", [False, True], ids=["ad-hoc", "delegated"])
def test_a_get_inputs_that_hands_its_work_to_a_call_steplint_cannot_follow_is_cannot_tell(tmp_path, delegated):
    """``return self._handler.get_inputs(self, inputs)`` builds its inputs elsewhere: SL301 cannot
    tell whether that follows the spec, so it stays silent; the ad hoc original is reported."""
    import re
    import shutil

    from tests.conftest import FIXTURES, run_steplint

    root = tmp_path / "legacy"
    shutil.copytree(FIXTURES / "legacy_layout", root)
    builder = root / "src/mlpipelines/pipeline_steps/builder_training_step_pytorch.py"
    if delegated:
        text = builder.read_text()
        text, count = re.subn(r"(    def _get_inputs\(self, inputs[^\n]*\n)(?:        [^\n]*\n|\n)+",
                              r"\1        return self._handler.get_inputs(self, inputs)\n\n", text)
        assert count == 1
        builder.write_text(text)
    result = run_steplint("--no-cache", "--select", "SL301", ".", cwd=root)
    assert ("SL301" in result.stdout) is not delegated, result.stdout + result.stderr
