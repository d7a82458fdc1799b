"""SL102-SL107 (step specifications): a bad and a good case per branch of each rule's condition.

SL101 has its own module (tests/test_rules_sl101.py). Each case varies the catalog's
processing spec (rules/_catalog_examples.py) and asserts the exact finding (code, file,
line, key words of the message and of its help, the fix when there is one) or its absence.
"""

from __future__ import annotations

import pytest
from steplint.rules._catalog_examples import BUILDER, CONTRACT, CORE, REGISTRY, SOURCES, SPEC, project

from tests.conftest import write_project
from tests.rule_projects import cli_findings, findings, fixed, line_of

SPEC_ONLY = (CORE, REGISTRY, SPEC)
SECOND_DEPENDENCY = '''            compatible_sources=["CradleDataLoading"],
        ),
'''
SECOND_OUTPUT = '''            aliases=["training_data"],
        ),
'''


def spec(*changes, paths=SPEC_ONLY) -> dict:
    return project(paths, *changes)


def add_dependency(text: str):
    return (SPEC, SECOND_DEPENDENCY, SECOND_DEPENDENCY + text)


def add_output(name: str, aliases: str | None = None):
    alias_line = f"            aliases={aliases},\n" if aliases is not None else ""
    return (SPEC, SECOND_OUTPUT, SECOND_OUTPUT + f'''        OutputSpec(
            logical_name="{name}",
            output_type=DependencyType.PROCESSING_OUTPUT,
            property_path="properties.ProcessingOutputConfig.Outputs['{name}'].S3Output.S3Uri",
{alias_line}        ),
''')


def test_the_unchanged_spec_has_no_spec_findings():
    assert findings(spec(), "SL102", "SL103", "SL104", "SL105", "SL106", "SL107") == []


# -- SL102 duplicate-logical-name -----------------------------------------------------------------


def test_sl102_two_dependencies_with_one_name():
    files = spec(add_dependency('        DependencySpec(logical_name="DATA", '
                                'dependency_type=DependencyType.PROCESSING_OUTPUT),\n'))
    [finding] = findings(files, "SL102")
    first = files[SPEC].splitlines().index("        DependencySpec(") + 1
    assert (finding.path, finding.line) == (SPEC, line_of(files[SPEC], 'DependencySpec(logical_name="DATA"'))
    assert finding.says("PREPROCESSING_SPEC declares dependency 'DATA' twice", f"(first at line {first})")
    assert finding.helps("The builder's inputs", "only one 'DATA' can be wired", "Rename one of the two")


def test_sl102_two_outputs_with_one_name():
    files = spec(add_output("processed_data"))
    [finding] = findings(files, "SL102")
    assert finding.says("declares output 'processed_data' twice")
    assert finding.helps("The builder's outputs", "only one 'processed_data' can be wired")
    assert finding.line == files[SPEC].splitlines().index("        OutputSpec(", 20) + 1


def test_sl102_a_dependency_and_an_output_may_differ_in_name_only_by_kind_of_list():
    files = spec(add_dependency('        DependencySpec(logical_name="metadata", '
                                'dependency_type=DependencyType.PROCESSING_OUTPUT),\n'), add_output("metadata"))
    assert findings(files, "SL102") == []
    assert [f.code for f in findings(files, "SL104")] == ["SL104"]


def test_sl102_three_of_one_name_give_two_findings_pointing_at_the_first():
    duplicate = '        DependencySpec(logical_name="DATA", dependency_type=DependencyType.PROCESSING_OUTPUT),\n'
    files = spec(add_dependency(duplicate * 2))
    first = files[SPEC].splitlines().index("        DependencySpec(") + 1
    assert [f.says(f"(first at line {first})") for f in findings(files, "SL102")] == [True, True]


# -- SL103 alias-conflict ---------------------------------------------------------------------------


def test_sl103_alias_equal_to_its_own_name_is_removed_by_the_fix():
    files = spec((SPEC, 'aliases=["training_data"]', 'aliases=["processed_data", "training_data"]'))
    [finding] = findings(files, "SL103")
    assert (finding.path, finding.line) == (SPEC, line_of(files[SPEC], "aliases="))
    assert finding.message == "output 'processed_data' lists its own logical name as an alias"
    assert finding.helps("Remove the alias.")
    assert finding.fix == "remove alias 'processed_data'"
    assert fixed(files)[SPEC] == spec()[SPEC]


def test_sl103_own_name_in_aliases_bound_to_a_constant_is_reported_at_the_output_without_a_fix():
    files = spec((SPEC, 'aliases=["training_data"]', "aliases=ALIASES"),
                 (SPEC, "PREPROCESSING_SPEC = ", 'ALIASES = ["processed_data"]\n\nPREPROCESSING_SPEC = '))
    [finding] = findings(files, "SL103")
    assert finding.says("lists its own logical name as an alias") and finding.fix is None
    assert finding.line == files[SPEC].splitlines().index("        OutputSpec(") + 1


def test_sl103_alias_equal_to_another_outputs_name():
    files = spec(add_output("metadata", '["processed_data"]'))
    [finding] = findings(files, "SL103")
    assert finding.message == ("alias 'processed_data' of output 'metadata' is also the logical name of output "
                               "'processed_data'")
    assert finding.helps("asking for 'processed_data' could be wired to either output", "Rename the alias.")
    assert finding.line == line_of(files[SPEC], 'aliases=["processed_data"]') and finding.fix is None


def test_sl103_alias_equal_to_another_outputs_alias():
    files = spec(add_output("metadata", '["training_data"]'))
    [finding] = findings(files, "SL103")
    assert finding.says("alias 'training_data' of output 'metadata'", "is also the alias of output 'processed_data'")


def test_sl103_distinct_aliases_are_fine():
    assert findings(spec(add_output("metadata", '["meta"]')), "SL103") == []


def test_sl103_alias_from_a_constant_is_resolved():
    files = spec((SPEC, 'aliases=["training_data"]', 'aliases=[OWN_NAME]'),
                 (SPEC, "PREPROCESSING_SPEC = ", 'OWN_NAME = "processed_data"\n\nPREPROCESSING_SPEC = '))
    assert [f.code for f in findings(files, "SL103")] == ["SL103"]


# -- SL104 name-reused -------------------------------------------------------------------------------


def test_sl104_output_named_like_a_dependency():
    files = spec((SPEC, 'logical_name="processed_data"', 'logical_name="DATA"'))
    [finding] = findings(files, "SL104")
    dependency_line = files[SPEC].splitlines().index("        DependencySpec(") + 1
    assert finding.says(f"'DATA' is both a dependency (line {dependency_line}) and an output of PREPROCESSING_SPEC")
    assert finding.helps("use 'DATA' for two data sets", "Rename the output, with its key in the contract's "
                                                         "expected_output_paths")
    assert finding.line == files[SPEC].splitlines().index("        OutputSpec(") + 1


def test_sl104_names_differing_in_case_are_different_names():
    assert findings(spec((SPEC, 'logical_name="processed_data"', 'logical_name="data"')), "SL104") == []


# -- SL105 node-type-shape ------------------------------------------------------------------------------

NO_DEPENDENCIES = (SPEC, '''    dependencies=[
        DependencySpec(
            logical_name="DATA",
            dependency_type=DependencyType.PROCESSING_OUTPUT,
            compatible_sources=["CradleDataLoading"],
        ),
    ],
''', "    dependencies=[],\n")
NO_OUTPUTS = (SPEC, '''    outputs=[
        OutputSpec(
            logical_name="processed_data",
            output_type=DependencyType.PROCESSING_OUTPUT,
            property_path="properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri",
            aliases=["training_data"],
        ),
    ],
''', "    outputs=[],\n")
SHAPES = {  # (has dependencies, has outputs): the changes that make that shape
    (True, True): (), (False, True): (NO_DEPENDENCIES,), (True, False): (NO_OUTPUTS,),
    (False, False): (NO_DEPENDENCIES, NO_OUTPUTS),
}
WANTED = {"SOURCE": (False, True), "INTERNAL": (True, True), "SINK": (True, False), "SINGULAR": (False, False)}


@pytest.mark.parametrize("node_type", sorted(WANTED))
@pytest.mark.parametrize("shape", sorted(SHAPES), ids=lambda s: f"deps{int(s[0])}-outs{int(s[1])}")
def test_sl105_each_node_type_against_each_shape(node_type, shape):
    files = spec((SPEC, "NodeType.INTERNAL", f"NodeType.{node_type}"), *SHAPES[shape])
    found = findings(files, "SL105")
    if shape == WANTED[node_type]:
        assert found == []
        return
    [finding] = found
    assert (finding.path, finding.line) == (SPEC, line_of(files[SPEC], "node_type="))
    assert finding.says(f"PREPROCESSING_SPEC is a {node_type} node but has")
    has_dependencies, has_outputs = shape
    wants_dependencies, wants_outputs = WANTED[node_type]
    if has_dependencies != wants_dependencies:
        assert ("1 dependency" if has_dependencies else "no dependencies") in finding.message.split(" node but")[1]
    if has_outputs != wants_outputs:
        assert ("1 output" if has_outputs else "no outputs") in finding.message.split(" node but")[1]
    expected = (f"{'at least one dependency' if wants_dependencies else 'no dependencies'} and "
                f"{'at least one output' if wants_outputs else 'no outputs'}")
    assert finding.helps(f"A {node_type} node has {expected}.", "Change node_type")


def test_sl105_an_unknown_node_type_is_not_judged():
    assert findings(spec((SPEC, "NodeType.INTERNAL", "NodeType.SOMETHING_ELSE"), NO_DEPENDENCIES), "SL105") == []


def test_sl105_dependencies_built_at_run_time_are_not_judged():
    files = spec((SPEC, "NodeType.INTERNAL", "NodeType.SOURCE"),
                 (SPEC, "    dependencies=[\n", "    dependencies=make_dependencies() + [\n"))
    assert findings(files, "SL105") == []


# -- SL106 unknown-compatible-source -------------------------------------------------------------------


def sources(value: str, *more):
    return spec((SPEC, '["CradleDataLoading"]', value), *more)


def test_sl106_a_case_and_separator_variant_is_fixed_to_the_registry_name():
    files = sources('["cradle_data_loading"]')
    [finding] = findings(files, "SL106")
    assert (finding.path, finding.line) == (SPEC, line_of(files[SPEC], "compatible_sources="))
    assert finding.message == "compatible source 'cradle_data_loading' is not in the registry (close: 'CradleDataLoading')"
    assert finding.helps("never matches 'cradle_data_loading' (of dependency 'DATA')", "Use 'CradleDataLoading'.")
    assert finding.fix == "replace with 'CradleDataLoading'"
    assert fixed(files)[SPEC] == spec()[SPEC]


@pytest.mark.parametrize("variant", ["CradleDataLoading_Training", "Cradle-Data-Loading-calibration"])
def test_sl106_a_job_type_suffix_is_matched_too(variant):
    [finding] = findings(sources(f'["{variant}"]'), "SL106")
    assert finding.says(f"'{variant}'", "(close: 'CradleDataLoading')")


def test_sl106_a_name_close_to_nothing_points_at_the_registry():
    [finding] = findings(sources('["DataLoad"]'), "SL106")
    assert finding.message == "compatible source 'DataLoad' is not in the registry"
    assert finding.helps("Use a key of the step registry.") and finding.fix is None


def test_sl106_two_close_names_are_listed_without_a_fix():
    files = sources('["tabular_preprocessing"]', (REGISTRY, '    "PyTorchTraining"',
                                                   '    "Tabular_Preprocessing": {"spec_type": "Tabular_Preprocessing",'
                                                   ' "sagemaker_step_type": "Processing"},\n    "PyTorchTraining"'))
    [finding] = findings(files, "SL106")
    assert finding.says("(close: 'TabularPreprocessing', 'Tabular_Preprocessing')") and finding.fix is None
    assert finding.helps("Use one of 'TabularPreprocessing', 'Tabular_Preprocessing'.")


@pytest.mark.parametrize("known", ["CradleDataLoading", "ProcessingStep", "TrainingStep"])
def test_sl106_registry_keys_and_their_sagemaker_step_classes_are_known(known):
    assert findings(sources(f'["{known}"]'), "SL106") == []


def test_sl106_a_step_class_no_registry_step_uses_is_unknown():
    [finding] = findings(sources('["TransformStep"]'), "SL106")
    assert finding.says("'TransformStep'")


def test_sl106_spec_types_that_differ_from_their_key_are_known():
    files = sources('["CradleLoad"]', (REGISTRY, '"spec_type": "CradleDataLoading"', '"spec_type": "CradleLoad"'))
    assert findings(files, "SL106") == []


def test_sl106_without_a_registry_nothing_is_judged():
    assert findings(project((CORE, SPEC), (SPEC, '["CradleDataLoading"]', '["DataLoad"]'),
                            (SPEC, "get_spec_step_type(\"TabularPreprocessing\")", '"TabularPreprocessing"'),
                            (SPEC, "from steps.registry import get_spec_step_type\n", "")), "SL106") == []


def test_sl106_a_registry_with_a_key_it_cannot_read_is_not_used():
    files = sources('["DataLoad"]', (REGISTRY, "STEP_NAMES = {\n", "STEP_NAMES = {\n    make_key(): {},\n"))
    assert findings(files, "SL106") == []


def test_sl106_sources_bound_to_a_constant_are_reported_at_the_dependency_without_a_fix():
    files = sources("SOURCES", (SPEC, "PREPROCESSING_SPEC = ", 'SOURCES = ["cradle_data_loading"]\n\n'
                                                            "PREPROCESSING_SPEC = "))
    [finding] = findings(files, "SL106")
    assert finding.says("(close: 'CradleDataLoading')") and finding.fix is None
    assert finding.line == line_of(files[SPEC], "DependencySpec(")


# -- SL107 missing-script-contract ----------------------------------------------------------------------

WITHOUT_CONTRACT = ((SPEC, "from steps.contracts.preprocessing_contract import PREPROCESSING_CONTRACT\n", ""),
                    (SPEC, "    script_contract=PREPROCESSING_CONTRACT,\n", ""))


def processor(call: str) -> tuple:
    """Construct ``call`` where the catalog's builder constructs its SKLearnProcessor."""
    text = SOURCES[BUILDER]
    start = text.index("SKLearnProcessor(framework_version")
    return (BUILDER, text[start:text.index(")", start) + 1], call)


def uncontracted(*changes) -> dict:
    return project((CORE, REGISTRY, SPEC, BUILDER), *WITHOUT_CONTRACT, *changes)


def test_sl107_a_spec_without_contract_whose_builder_runs_a_script(tmp_path):
    files = uncontracted()
    [finding] = findings(files, "SL107")
    assert (finding.path, finding.line) == (SPEC, line_of(files[SPEC], "PREPROCESSING_SPEC = "))
    assert finding.says("the spec links no script_contract, but TabularPreprocessingStepBuilder runs a "
                        "script with SKLearnProcessor")
    assert finding.helps("Nothing maps PREPROCESSING_SPEC's logical names", "Add script_contract=")
    reported = [f for f in cli_findings(write_project(tmp_path, files)) if f["code"] == "SL107"]
    assert [(f["filename"], f["location"]["row"]) for f in reported] == [(SPEC, finding.line)]


def test_sl107_a_spec_with_a_contract_is_fine():
    assert findings(project((CORE, REGISTRY, SPEC, CONTRACT, BUILDER)), "SL107") == []


@pytest.mark.parametrize("call", ['Processor(image_uri="my-image", role=self.role, instance_count=1, '
                                  'instance_type="ml.m5.xlarge")',
                                  'SparkJarProcessor(framework_version="3.3", role=self.role, instance_count=1, '
                                  'instance_type="ml.m5.xlarge")'])
def test_sl107_processors_that_run_no_user_script_need_no_contract(call):
    name = call.split("(")[0]
    files = uncontracted(processor(call), (BUILDER, "from sagemaker.sklearn import SKLearnProcessor",
                                           f"from sagemaker.processing import {name}" if name == "Processor"
                                           else f"from sagemaker.spark.processing import {name}"))
    assert findings(files, "SL107") == []


def test_sl107_a_script_processor_needs_one():
    files = uncontracted(processor('ScriptProcessor(image_uri="my-image", command=["python3"], role=self.role, '
                                   'instance_count=1, instance_type="ml.m5.xlarge")'),
                         (BUILDER, "from sagemaker.sklearn import SKLearnProcessor",
                          "from sagemaker.processing import ScriptProcessor"))
    [finding] = findings(files, "SL107")
    assert finding.says("runs a script with ScriptProcessor")


@pytest.mark.parametrize(("call", "runs"), [
    ('PyTorch(framework_version="2.1.0", py_version="py310", role=self.role)', "PyTorch"),
    ('Estimator(image_uri="my-image", entry_point="train.py", role=self.role)', "Estimator"),
    ('Estimator(image_uri="my-image", role=self.role)', None),
])
def test_sl107_estimators_run_a_script_when_they_are_a_framework_or_get_an_entry_point(call, runs):
    name = call.split("(")[0]
    module = "sagemaker.pytorch" if name == "PyTorch" else "sagemaker.estimator"
    files = uncontracted(processor(call), (BUILDER, "from sagemaker.sklearn import SKLearnProcessor",
                                           f"from {module} import {name}"))
    found = findings(files, "SL107")
    if runs is None:
        assert found == []
    else:
        [finding] = found
        assert finding.says(f"runs a script with {runs}")


def test_sl103_own_name_in_a_tuple_of_aliases_is_removed_by_the_fix():
    files = spec((SPEC, 'aliases=["training_data"]', 'aliases=("processed_data", "training_data")'))
    assert only_code(files, "SL103").fix == "remove alias 'processed_data'"
    assert 'aliases=("training_data",)' in fixed(files)[SPEC]


def test_sl106_no_fix_when_the_registry_name_cannot_be_written_in_the_same_quotes():
    files = sources("['o\\'brien_loading']", (REGISTRY, '    "PyTorchTraining"',
                                              '    "O\'BrienLoading": {"spec_type": "O\'BrienLoading", '
                                              '"sagemaker_step_type": "Processing"},\n    "PyTorchTraining"'))
    finding = only_code(files, "SL106")
    assert finding.says("(close: 'O'BrienLoading')")
    assert finding.fix is None


def only_code(files: dict, code: str):
    [finding] = findings(files, code)
    return finding
