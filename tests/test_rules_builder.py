"""SL301-SL303 (step builders): a bad and a good case per branch of each rule's condition,
in process, on the builder example projects (rules/_builder_examples.py). Which builders
are reviewed (step kind, an empty spec), each smell SL301 and SL302 name, the reference and
fix per step kind, and when SL303 offers its fix. tests/test_builder_rules.py has the facts,
the rewrite and its properties."""

from __future__ import annotations

import pytest
from steplint.rules import _builder_examples as examples

from tests.conftest import write_project
from tests.rule_projects import cli_findings, findings, line_of

TRAINING_BUILDER = "steps/builders/builder_training_step.py"
PROCESSING_BUILDER = "steps/builders/builder_preprocessing_step.py"
TRAINING_SPEC = "steps/specs/training_spec.py"
PROCESSING_SPEC = "steps/specs/preprocessing_spec.py"
CODES = ("SL301", "SL302", "SL303")

NO_WALK = '''\
def _get_inputs(self, inputs):
    return self._create_data_channel_from_source(self.config.input_path)
'''
OVERRIDE_THEN_WALK = '''\
def _get_inputs(self, inputs):
    channels = {}
    if "input_path" in inputs:
        channels.update(self._create_data_channel_from_source(inputs["input_path"]))
    for dependency in self.spec.dependencies.values():
        pass
    return channels
'''
NEGATED_UNDECLARED = '''\
def _get_inputs(self, inputs):
    channels = {}
    for dependency in self.spec.dependencies.values():
        logical_name = dependency.logical_name
        if logical_name != "config":
            channels.update(self._create_data_channel_from_source(inputs[logical_name]))
    return channels
'''
DEAD_AND_AD_HOC = '''\
def _get_inputs(self, inputs):
    channels = {}
    for logical_name, value in inputs.items():
        if logical_name == "config":
            channels["config"] = TrainingInput(s3_data=value)
    return channels
'''
EMPTY = '''\
def _get_inputs(self, inputs):
    return {}
'''


def method_line(files: dict, path: str, name: str) -> int:
    return line_of(files[path], f"def {name}(")


def only(files: dict, code: str):
    [finding] = findings(files, code)
    return finding


def test_the_reference_methods_get_no_builder_finding():
    assert findings(examples.training_project(examples.REFERENCE_INPUTS), *CODES) == []
    assert findings(examples.processing_project(examples.PROCESSING_REFERENCE_INPUTS,
                                                outputs=examples.PROCESSING_REFERENCE_OUTPUTS), *CODES) == []


# -- SL301, training ---------------------------------------------------------------------------------


def test_sl301_training_method_that_does_not_walk_the_spec():
    files = examples.training_project(NO_WALK)
    finding = only(files, "SL301")
    assert (finding.path, finding.line) == (TRAINING_BUILDER, method_line(files, TRAINING_BUILDER, "_get_inputs"))
    assert finding.message == "_get_inputs is not driven by TRAINING_SPEC: spec not walked"
    assert finding.helps("It does not walk self.spec.dependencies.", "take container paths from "
                         "self.contract.expected_input_paths, as steplint.reference.TrainingStepBuilder._get_inputs does")
    assert "iterates the inputs" not in finding.help
    assert finding.fix == "rewrite in the reference form"


def test_sl301_training_method_that_iterates_its_inputs_names_every_smell():
    finding = only(examples.training_project(examples.AD_HOC_INPUTS), "SL301")
    assert finding.says("_get_inputs is not driven by TRAINING_SPEC: iterates the inputs given, literal names, "
                        "literal channels")
    assert finding.helps("It iterates the inputs it is given instead of walking self.spec.dependencies",
                         "it handles logical names as string literals ('input_path')",
                         "it names channels with literals ('data')")


def test_sl301_a_literal_looked_up_before_walking_the_spec_is_not_ad_hoc():
    assert findings(examples.training_project(OVERRIDE_THEN_WALK), *CODES) == []


def test_sl301_comparing_the_walked_name_with_a_literal_is_dispatch():
    files = examples.training_project(examples.DEAD_BRANCH_INPUTS.replace('"config"', '"input_path"'))
    finding = only(files, "SL301")
    assert finding.says(": literal names") and finding.helps("It handles logical names as string literals ('input_path')")
    assert "does not walk" not in finding.help and "iterates" not in finding.help


def test_sl301_an_empty_method_of_a_spec_that_declares_inputs_is_reviewed():
    assert only(examples.training_project(EMPTY), "SL301").helps("It does not walk self.spec.dependencies")


def test_sl301_an_empty_method_of_a_spec_that_declares_no_inputs_is_fine():
    files = examples.training_project(EMPTY)
    files[TRAINING_SPEC] = files[TRAINING_SPEC].replace(
        '        DependencySpec(logical_name="input_path", dependency_type=DependencyType.TRAINING_DATA),\n', "")
    assert "DependencySpec(logical_name" not in files[TRAINING_SPEC]
    assert findings(files, "SL301") == []


# -- SL301, processing and other kinds ---------------------------------------------------------------


def test_sl301_processing_method_with_literal_names_and_paths():
    files = examples.processing_project(examples.PROCESSING_INPUTS_LITERALS)
    finding = only(files, "SL301")
    assert (finding.path, finding.line) == (PROCESSING_BUILDER, method_line(files, PROCESSING_BUILDER, "_get_inputs"))
    assert finding.says("_get_inputs is not driven by PREPROCESSING_SPEC: spec not walked, literal names, "
                        "literal input names, literal paths")
    assert finding.helps("it handles logical names as string literals ('data_input')",
                         "it names ProcessingInputs with literals ('data') instead of their logical names",
                         "it writes container paths as literals ('/opt/ml/processing/input/data')",
                         "as steplint.reference.ProcessingStepBuilder._get_inputs does")
    assert finding.fix.startswith("rewrite in the reference form")


def kind_from_registry(files: dict, step_type: str, sagemaker_step_type: str) -> dict:
    return {**files, "steps/registry.py": f'STEP_NAMES = {{"{step_type}": {{"spec_type": "{step_type}", '
                                          f'"sagemaker_step_type": "{sagemaker_step_type}"}}}}\n'}


@pytest.mark.parametrize("kind", ["Transform", "CreateModel"])
def test_sl301_steps_that_mount_nothing_are_not_reviewed(kind):
    files = kind_from_registry(examples.processing_project(examples.PROCESSING_INPUTS_LITERALS),
                               "TabularPreprocessing", kind)
    assert findings(files, "SL301", "SL303") == []


def test_sl301_a_processing_step_by_the_registry_is_reviewed():
    files = kind_from_registry(examples.processing_project(examples.PROCESSING_INPUTS_LITERALS),
                               "TabularPreprocessing", "Processing")
    assert only(files, "SL301").helps("steplint.reference.ProcessingStepBuilder._get_inputs")


def test_sl301_a_step_of_unknown_kind_gets_no_reference_and_no_fix():
    files = examples.processing_project(examples.PROCESSING_INPUTS_LITERALS)
    builder = files[PROCESSING_BUILDER]
    start = builder.index("    def _create_processor(self):")
    files[PROCESSING_BUILDER] = builder[:start] + builder[builder.index("    def _get_inputs"):]
    files[PROCESSING_SPEC] = files[PROCESSING_SPEC].replace(
        "properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri", "properties.Somewhere")
    finding = only(files, "SL301")
    assert finding.says("_get_inputs is not driven by PREPROCESSING_SPEC")
    assert finding.helps("Walk self.spec.dependencies") and "steplint.reference" not in finding.help
    assert finding.fix is None


# -- SL303, and how it shares dead branches with SL301 ---------------------------------------------------


def test_sl303_only_dead_branch_gets_a_safe_fix_and_no_sl301():
    files = examples.training_project(examples.DEAD_BRANCH_INPUTS)
    assert findings(files, "SL301") == []
    finding = only(files, "SL303")
    assert (finding.path, finding.line) == (TRAINING_BUILDER, line_of(files[TRAINING_BUILDER],
                                                                       'if logical_name == "config":'))
    assert finding.says("branch for input 'config', which TRAINING_SPEC does not declare")
    assert finding.helps("The pipeline passes TrainingStepBuilder only the inputs TRAINING_SPEC declares",
                         "this branch never runs. Remove it.")
    assert finding.fix == "remove the branch for 'config'"


def test_sl303_dead_branch_in_an_ad_hoc_method_leaves_the_fix_to_sl301():
    files = examples.training_project(DEAD_AND_AD_HOC)
    assert only(files, "SL303").fix is None
    finding = only(files, "SL301")
    assert finding.says("undeclared names")
    assert finding.helps("it handles 'config', which TRAINING_SPEC does not declare (dead code)",
                         "without the branches for undeclared names")
    assert "names channels" not in finding.help  # the channel is under the dead name


def test_sl303_a_negated_comparison_is_no_dead_branch():
    assert findings(examples.training_project(NEGATED_UNDECLARED), *CODES) == []


# -- SL302 ------------------------------------------------------------------------------------------------


def test_sl302_processing_outputs_named_every_way_wrong():
    files = examples.processing_project(examples.PROCESSING_REFERENCE_INPUTS, outputs=examples.PROCESSING_AD_HOC_OUTPUTS)
    finding = only(files, "SL302")
    assert (finding.path, finding.line) == (PROCESSING_BUILDER, method_line(files, PROCESSING_BUILDER, "_get_outputs"))
    assert finding.message == ("_get_outputs is not driven by PREPROCESSING_SPEC: spec not walked, undeclared "
                               "output_name, literal paths (+2 more)")
    assert finding.helps("It does not walk self.spec.outputs",
                         "ProcessingOutput output_name 'processed' is not a logical name PREPROCESSING_SPEC declares",
                         "it writes container paths as literals ('/opt/ml/processing/output/processed')",
                         "it writes to the literal bucket s3://team-ml-artifacts, which every account and region "
                         "shares", "it writes a literal date (2024-03-01) into the destination, so every run "
                         "overwrites the same prefix", "Build one ProcessingOutput per entry of self.spec.outputs",
                         "Take the destination from the configuration")
    assert finding.fix is None


def test_sl302_a_literal_output_name_that_is_declared_is_still_a_literal():
    outputs = examples.PROCESSING_AD_HOC_OUTPUTS.replace('output_name="processed"', 'output_name="processed_data"')
    finding = only(examples.processing_project(examples.PROCESSING_REFERENCE_INPUTS, outputs=outputs), "SL302")
    assert finding.says("literal output_name")
    assert finding.helps("it names ProcessingOutputs with literals instead of their logical names")
    assert "is not a logical name" not in finding.help


def test_sl302_output_names_compared_as_literals():
    outputs = examples.SPEC_DRIVEN_OUTPUTS.replace("for output in self.spec.outputs.values()",
                                                   'for output in self.spec.outputs.values() '
                                                   'if output.logical_name == "processed_data"')
    finding = only(examples.processing_project(examples.PROCESSING_REFERENCE_INPUTS, outputs=outputs), "SL302")
    assert finding.says("_get_outputs is not driven by PREPROCESSING_SPEC: literal names")
    assert finding.helps("It handles output names as string literals ('processed_data')")
    assert "does not walk" not in finding.help


def test_sl302_literal_output_names_are_reported_when_the_spec_outputs_are_unknown():
    outputs = examples.SPEC_DRIVEN_OUTPUTS.replace("for output in self.spec.outputs.values()",
                                                   'for output in self.spec.outputs.values() '
                                                   'if output.logical_name == "processed_data"')
    files = examples.processing_project(examples.PROCESSING_REFERENCE_INPUTS, outputs=outputs)
    files[PROCESSING_SPEC] = files[PROCESSING_SPEC].replace("    outputs=[\n", "    outputs=make_outputs() + [\n")
    finding = only(files, "SL302")
    assert finding.helps("It handles output names as string literals ('processed_data')")
    assert "does not declare" not in finding.help


def test_sl302_spec_driven_processing_outputs_are_fine():
    files = examples.processing_project(examples.PROCESSING_REFERENCE_INPUTS, outputs=examples.SPEC_DRIVEN_OUTPUTS)
    assert findings(files, "SL302") == []


def test_sl302_training_output_with_a_literal_bucket_and_date():
    files = examples.training_project(examples.REFERENCE_INPUTS, outputs=examples.TRAINING_LITERAL_OUTPUTS)
    finding = only(files, "SL302")
    assert finding.says("_get_outputs is not driven by TRAINING_SPEC: literal bucket, literal date")
    assert finding.helps("literal bucket s3://team-ml-artifacts, which every account and region shares",
                         "it writes a literal date (2024-03-01)", "Take the destination from the configuration")
    assert "does not walk" not in finding.help  # a training step has no ProcessingOutputs
    assert "ProcessingOutput" not in finding.help


def test_sl302_training_output_looked_up_under_an_undeclared_name():
    outputs = examples.TRAINING_OUTPUTS.replace('"model_output"', '"model"')
    finding = only(examples.training_project(examples.REFERENCE_INPUTS, outputs=outputs), "SL302")
    assert finding.says("_get_outputs is not driven by TRAINING_SPEC: undeclared names")
    assert finding.helps("It looks up 'model', which TRAINING_SPEC does not declare, so the pipeline never gives that "
                         "output location", "Look up only the outputs TRAINING_SPEC declares.")


def test_sl302_training_output_from_the_configuration_is_fine():
    assert findings(examples.training_project(examples.REFERENCE_INPUTS), "SL302") == []


# -- what SL301's fix says it changes, and whom the findings involve -----------------------------------

TRAINING_CONTRACT = "steps/contracts/training_contract.py"
LITERAL_CHANNEL = '''\
def _get_inputs(self, inputs):
    channels = {}
    if "input_path" in inputs:
        channels["train"] = TrainingInput(inputs["input_path"])
    return channels
'''


def channel_contract(files: dict, paths: str) -> dict:
    contract = files[TRAINING_CONTRACT].replace('{"input_path": "/opt/ml/input/data"}', paths)
    assert contract != files[TRAINING_CONTRACT]
    return {**files, TRAINING_CONTRACT: contract}


def test_sl301_fix_notes_nothing_when_the_literal_channel_is_already_the_contracts():
    files = channel_contract(examples.training_project(LITERAL_CHANNEL), '{"input_path": "/opt/ml/input/data/train"}')
    finding = only(files, "SL301")
    assert finding.fix == "rewrite in the reference form"
    assert "no channel is mounted" not in finding.help


def test_sl301_fix_notes_each_dependency_the_contract_maps_where_no_channel_is_mounted():
    files = channel_contract(examples.training_project(LITERAL_CHANNEL),
                             '{"input_path": "/opt/ml/input/data/train", "config": "/opt/ml/input/config/a.json", '
                             '"extra": "/opt/ml/extra"}')
    files[TRAINING_SPEC] = files[TRAINING_SPEC].replace(
        '        DependencySpec(logical_name="input_path", dependency_type=DependencyType.TRAINING_DATA),\n',
        '        DependencySpec(logical_name="input_path", dependency_type=DependencyType.TRAINING_DATA),\n'
        '        DependencySpec(logical_name="config", dependency_type=DependencyType.HYPERPARAMETERS),\n'
        '        DependencySpec(logical_name="extra", dependency_type=DependencyType.TRAINING_DATA),\n')
    finding = only(files, "SL301")
    assert finding.fix == "rewrite in the reference form (raises for 'config', 'extra')"
    assert finding.helps("The contract maps 'config', 'extra' where no channel is mounted, so the reference form "
                         "raises for them.")


@pytest.mark.parametrize(("project", "code", "builder"), [
    (lambda: examples.training_project(examples.AD_HOC_INPUTS), "SL301", TRAINING_BUILDER),
    (lambda: examples.training_project(examples.REFERENCE_INPUTS, outputs=examples.TRAINING_LITERAL_OUTPUTS),
     "SL302", TRAINING_BUILDER),
], ids=["SL301", "SL302"])
def test_a_run_given_only_the_spec_or_the_contract_reports_the_builders_finding(project, code, builder, tmp_path):
    """The finding involves the spec and the contract: a pre-commit run on either shows it."""
    root = write_project(tmp_path, {**project(), "pyproject.toml": "[project]\nname = 'pipelines'\n"})
    for changed in (TRAINING_SPEC, TRAINING_CONTRACT):
        reported = cli_findings(root, changed)
        assert [(f["code"], f["filename"]) for f in reported if f["code"] == code] == [(code, builder)], changed
    assert [f for f in cli_findings(root, "steps/core.py") if f["code"] == code] == []
