"""SL601-SL610 (YAML step interfaces): what each finding says, on small interface projects
(rules/interfaces.py's ``interface``): the key facts (keys, names, variants, step types) in the
one-line message, and what follows and what to do in the help."""

from __future__ import annotations

import re

import pytest
from steplint.api import check_paths, configure
from steplint.rules import all_rules
from steplint.rules.interfaces import INTERFACE_PATH, interface

from tests.conftest import write_project

DATA_LOADING = {"steps/interfaces/data_loading.step.yaml": (
    "step_type: DataLoading\nnode_type: source\nregistry:\n  sagemaker_step_type: Processing\n"
    "contract:\n  entry_point: null\nspec: {}\n")}


def reported(tmp_path, monkeypatch, files: dict, code: str) -> list:
    monkeypatch.chdir(write_project(tmp_path, files))
    result = check_paths(["."], configure(["."]))
    assert not result.internal_errors, result.internal_errors
    return [finding for finding in result.findings if finding.code == code]


def test_sl601_names_the_key_the_section_and_the_close_field(tmp_path, monkeypatch):
    files = interface(("      compatible_sources: [DataLoading]", "      compatable_sources: [DataLoading]"))
    [finding] = reported(tmp_path, monkeypatch, files, "SL601")
    assert finding.message == ("unknown key 'compatable_sources' in spec.dependencies.DATA (did you mean "
                               "'compatible_sources'?)")
    assert "unknown keys ignored" in finding.help and "Correct the key, or remove it." in finding.help


def test_sl602_names_the_key_and_the_variant(tmp_path, monkeypatch):
    files = interface(("  training:\n", "  training:\n    registry:\n      sagemaker_step_type: Training\n"))
    [finding] = reported(tmp_path, monkeypatch, files, "SL602")
    assert finding.message.startswith("key 'registry' under variant 'training' is ignored")
    assert "changes nothing for job type 'training'" in finding.help
    assert "Move the setting into one of those sections or to the base, or remove it." in finding.help


def test_sl603_names_the_key_and_the_line_of_the_later_entry(tmp_path, monkeypatch):
    files = interface(("      required: true\n  outputs:", "      required: false\n      required: true\n  outputs:"))
    [finding] = reported(tmp_path, monkeypatch, files, "SL603")
    later = files[INTERFACE_PATH].splitlines().index("      required: false") + 2
    assert finding.message == (f"key 'required' is written again at line {later} of the same mapping; this earlier "
                               f"entry is ignored")
    assert "keeps only the last value (true)" in finding.help and finding.fix.description == "remove the earlier entry"


def test_sl604_names_the_value_as_written_and_as_yaml_reads_it(tmp_path, monkeypatch):
    files = interface(("      USE_SECURE_PYPI: 'false'\n", "      USE_SECURE_PYPI: off\n"))
    [finding] = reported(tmp_path, monkeypatch, files, "SL604")
    assert finding.message == ("contract.env_vars.optional.USE_SECURE_PYPI is written off, which YAML 1.1 reads as "
                               "the boolean False")
    assert "pydantic rejects a bool there, so the interface fails to load" in finding.help
    assert finding.help.endswith("Quote it: 'off'.")


def test_sl605_names_the_list_the_step_type_and_the_close_dependency(tmp_path, monkeypatch):
    files = interface(("  direct_input_keys: [DATA]", "  direct_input_keys: [DATA, DAT]"))
    [finding] = reported(tmp_path, monkeypatch, files, "SL605")
    assert finding.message == ("patterns.direct_input_keys of TabularPreprocessing names 'DAT', no dependency of the "
                               "step (did you mean 'DATA'?)")
    assert "never used" in finding.help and "Write the dependency's logical name, or remove the entry." in finding.help


def test_sl605_a_node_only_some_variants_inherit_names_them(tmp_path, monkeypatch):
    files = interface(("  training:\n", "  training:\n    contract:\n      skip_inputs: [config]\n"))
    [finding] = reported(tmp_path, monkeypatch, files, "SL605")
    assert finding.message.startswith("contract.skip_inputs of TabularPreprocessing names 'config', no dependency "
                                      "of the step (in variant 'training')")


def test_sl606_names_the_input_and_both_sides(tmp_path, monkeypatch):
    files = interface(("      required: true\n  outputs:", "      required: false\n  outputs:"))
    [finding] = reported(tmp_path, monkeypatch, files, "SL606")
    assert finding.message == ("input 'DATA' of TabularPreprocessing is optional in the contract but required in "
                               "spec.dependencies")
    assert "the pipeline treats the input as required. Make the two agree." in finding.help


def test_sl607_names_the_step_type_and_the_sagemaker_step_type(tmp_path, monkeypatch):
    files = interface(("  entry_point: tabular_preprocessing.py\n", ""))
    [finding] = reported(tmp_path, monkeypatch, files, "SL607")
    assert finding.message == "TabularPreprocessing is a Processing step but contract.entry_point is missing"
    assert "nothing to run" in finding.help and "in contract.entry_point" in finding.help


def test_sl608_names_the_token_and_the_step_type_it_is_close_to(tmp_path, monkeypatch):
    files = {**interface(("compatible_sources: [DataLoading]", "compatible_sources: [Dataloading]")), **DATA_LOADING}
    [finding] = reported(tmp_path, monkeypatch, files, "SL608")
    assert finding.message == ("compatible source 'Dataloading' of dependency 'DATA' names no step type (close: "
                               "'DataLoading')")
    assert "penalised (-0.1) instead of rewarded (+0.1)" in finding.help and finding.help.endswith(
        "Write 'DataLoading'.")
    assert finding.fix.description == "write 'DataLoading'"


def test_sl609_names_the_variant_the_port_and_both_types(tmp_path, monkeypatch):
    files = interface(("          semantic_keywords: [training, data]",
                       "          type: model_artifacts\n          semantic_keywords: [training, data]"))
    [finding] = reported(tmp_path, monkeypatch, files, "SL609")
    base = files[INTERFACE_PATH].splitlines().index("      type: processing_output") + 1
    assert finding.message == (f"variant 'training' changes the type of dependency 'DATA' from processing_output "
                               f"(line {base}) to model_artifacts")
    assert "wires differently for job type 'training'" in finding.help


def test_sl610_names_the_source_the_dependency_and_the_types(tmp_path, monkeypatch):
    model = {"steps/interfaces/data_model.step.yaml": (
        "step_type: DataModel\nregistry:\n  sagemaker_step_type: CreateModel\ncontract:\n  entry_point: null\n"
        "spec:\n  outputs:\n    model_name:\n      type: custom_property\n      property_path: properties.ModelName\n")}
    files = {**interface(("compatible_sources: [DataLoading]", "compatible_sources: [DataModel]")), **model}
    [finding] = reported(tmp_path, monkeypatch, files, "SL610")
    assert finding.message == ("compatible source 'DataModel' of dependency 'DATA' (processing_output) has only "
                               "custom_property outputs")
    assert "every pairing scores 0" in finding.help and "List the step that produces processing_output" in finding.help


def test_a_long_name_keeps_the_message_on_one_short_line(tmp_path, monkeypatch):
    long = "A" * 90
    files = interface(("  direct_input_keys: [DATA]", f"  direct_input_keys: [DATA, {long}]"))
    [finding] = reported(tmp_path, monkeypatch, files, "SL605")
    assert f"names '{long}'" in finding.message and "of TabularPreprocessing" not in finding.message


SL6_EXAMPLES = [pytest.param(rule, example, id=f"{rule.code}-{index}")
                for rule in all_rules() if re.fullmatch(r"SL6(0[1-9]|10)", rule.code)
                for index, example in enumerate(rule.bad_examples)]


@pytest.mark.parametrize(("rule", "example"), SL6_EXAMPLES)
def test_every_finding_is_one_short_line_with_a_help(tmp_path, monkeypatch, rule, example):
    found = reported(tmp_path, monkeypatch, example.files, rule.code)
    assert found
    for finding in found:
        assert len(finding.message) <= 120 and "\n" not in finding.message, finding.message
        assert finding.help and finding.message not in finding.help
