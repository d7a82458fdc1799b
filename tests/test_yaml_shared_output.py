"""SL612 on YAML step interfaces, through the CLI: two dependencies of a step that list the same
source, whose only output either can take (by the dependency resolver's scoring) is one and the
same; where the finding points, what it says, and every shape the rule leaves alone."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_steplint, write_project

CONSUMER = "steps/interfaces/tabular_preprocessing.step.yaml"
LOADER = "steps/interfaces/data_loading.step.yaml"


def consumer(secondary: str = "compatible_sources: [DataLoading]", variants: str = "", data: str = "",
             kind: str = "processing_output") -> str:
    """TabularPreprocessing: DATA (required) and DATA_SECONDARY (optional, of type ``kind``),
    each listing sources."""
    return f"""\
step_type: TabularPreprocessing
registry:
  sagemaker_step_type: Processing
contract:
  entry_point: tabular_preprocessing.py
spec:
  dependencies:
    DATA:
      type: processing_output
      compatible_sources: [DataLoading]{data}
    DATA_SECONDARY:
      type: {kind}
      required: false
      {secondary}
  outputs:
    processed_data:
      type: processing_output
{variants}"""


def loader(outputs: str = "    DATA:\n      type: processing_output\n", step_type: str = "DataLoading",
           variants: str = "") -> str:
    """A source step with the given ``spec.outputs`` entries."""
    return (f"step_type: {step_type}\nregistry:\n  sagemaker_step_type: CradleDataLoading\ncontract:\n"
            f"  entry_point: null\nspec:\n  outputs:\n{outputs}{variants}")


def findings(tmp_path, files: dict) -> list:
    root = write_project(tmp_path, files)
    result = run_steplint(".", "--select", "SL612", "--no-cache", "--output-format", "json", cwd=root)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def test_two_dependencies_that_can_only_take_the_one_output_of_their_source(tmp_path):
    files = {CONSUMER: consumer(), LOADER: loader()}
    [finding] = findings(tmp_path, files)
    line = files[CONSUMER].splitlines().index("      compatible_sources: [DataLoading]", 12) + 1
    assert (finding["filename"], finding["location"]) == (CONSUMER, {"row": line, "column": 28})
    assert finding["message"] == ("dependencies 'DATA' and 'DATA_SECONDARY' both list DataLoading and can take only "
                                  "its output 'DATA'")
    assert "mounts its 'DATA' at both inputs" in finding["help"]
    assert "resolve_step_dependencies binds each dependency on its own" in finding["help"]
    assert "feed 'DATA_SECONDARY' from a step" in finding["help"]


def test_the_finding_goes_to_the_optional_dependency_whatever_the_order(tmp_path):
    files = {CONSUMER: consumer().replace("    DATA:\n      type: processing_output\n      compatible_sources: "
                                          "[DataLoading]\n", "").replace(
        "  outputs:\n", "    DATA:\n      type: processing_output\n      compatible_sources: [DataLoading]\n"
                        "  outputs:\n", 1), LOADER: loader()}
    [finding] = findings(tmp_path, files)
    line = files[CONSUMER].splitlines().index("      compatible_sources: [DataLoading]") + 1
    assert finding["location"]["row"] == line
    assert "'DATA' and 'DATA_SECONDARY'" in finding["message"]


def test_three_dependencies_are_one_finding(tmp_path):
    files = {CONSUMER: consumer(data="\n    SIGNATURE:\n      compatible_sources: [DataLoading]"), LOADER: loader()}
    [finding] = findings(tmp_path, files)
    assert "'DATA', 'SIGNATURE' and 'DATA_SECONDARY' all list DataLoading" in finding["message"]
    assert "at all 3 inputs" in finding["help"]


def test_a_trailing_step_in_the_list_names_the_source_as_the_resolver_reads_it(tmp_path):
    files = {CONSUMER: consumer("compatible_sources: [ProcessingStep, DataLoadingStep]"), LOADER: loader()}
    [finding] = findings(tmp_path, files)
    assert finding["location"]["column"] == 44 and "list DataLoading" in finding["message"]


def test_a_variant_that_lists_the_source_is_named(tmp_path):
    variants = ("variants:\n  training:\n    spec:\n      dependencies:\n        DATA_SECONDARY:\n"
                "          compatible_sources: [DataLoading]\n")
    files = {CONSUMER: consumer("compatible_sources: [FeatureStore]", variants), LOADER: loader()}
    [finding] = findings(tmp_path, files)
    assert finding["location"]["row"] == files[CONSUMER].splitlines().index(
        "          compatible_sources: [DataLoading]") + 1
    assert "(in variant 'training')" in finding["message"]


@pytest.mark.parametrize("outputs", [
    # an output for each input (the rule's good example)
    "    DATA:\n      type: processing_output\n    DATA_SECONDARY:\n      type: processing_output\n",
    # a second output either can take (both outputs score above 0.5 for DATA_SECONDARY)
    "    DATA:\n      type: processing_output\n    METADATA:\n      type: processing_output\n",
    # two outputs that score the same for both dependencies (0.4 + 0.2 + 0.1: no letter in common)
    "    q:\n      type: processing_output\n    z:\n      type: processing_output\n",
], ids=["own-output", "second-output", "tie"])
def test_silent_when_the_source_offers_more_than_one_output(tmp_path, outputs):
    assert findings(tmp_path, {CONSUMER: consumer(), LOADER: loader(outputs)}) == []


def test_silent_when_their_only_outputs_differ(tmp_path):
    outputs = "    DATA:\n      type: processing_output\n    model:\n      type: model_artifacts\n"
    files = {CONSUMER: consumer(kind="model_artifacts"), LOADER: loader(outputs)}
    assert findings(tmp_path, files) == []


def test_silent_when_the_source_offers_one_of_them_nothing(tmp_path):
    assert findings(tmp_path, {CONSUMER: consumer(kind="model_artifacts"), LOADER: loader()}) == []


def test_silent_when_only_one_of_them_lists_the_source(tmp_path):
    files = {CONSUMER: consumer("compatible_sources: [FeatureStore]"), LOADER: loader()}
    assert findings(tmp_path, files) == []


def test_silent_when_a_variant_of_the_source_offers_another_output(tmp_path):
    variants = ("variants:\n  training:\n    spec:\n      outputs:\n        DATA_SECONDARY:\n"
                "          type: processing_output\n")
    assert findings(tmp_path, {CONSUMER: consumer(), LOADER: loader(variants=variants)}) == []


def test_silent_when_the_one_output_depends_on_the_source_s_job_type(tmp_path):
    outputs = "    DATA:\n      type: processing_output\n    META:\n      type: model_artifacts\n"
    swapped = ("variants:\n  training:\n    spec:\n      outputs:\n        DATA:\n          type: model_artifacts\n"
               "        META:\n          type: processing_output\n")
    assert findings(tmp_path, {CONSUMER: consumer(), LOADER: loader(outputs, variants=swapped)}) == []


@pytest.mark.parametrize(("files", "why"), [
    ({LOADER: loader("    DATA:\n      type: processing_outputs\n")}, "an output type the loader rejects"),
    ({LOADER: loader("    DATA:\n      type: processing_output\n      aliases: null\n")}, "aliases: null"),
    ({LOADER: loader("    DATA:\n      type: processing_output\n      data_type: 7\n")}, "a data type not a string"),
    ({LOADER: loader("    DATA:\n      type: processing_output\n      logical_name: raw\n")}, "a renamed port"),
    ({LOADER: loader(), "steps/interfaces/data_loading_copy.step.yaml": loader()}, "two files of one step type"),
    ({LOADER: loader(step_type="Data_Loading").replace("DataLoading", "Data_Loading"),
      CONSUMER: consumer("compatible_sources: [Data_Loading]").replace("[DataLoading]", "[Data_Loading]")},
     "a step type the registry may normalise"),
    ({LOADER: loader().replace("spec:\n", "spec:\n  step_type: Loader\n")}, "spec.step_type"),
    ({CONSUMER: consumer("compatible_sources: [DataLoading]\n      semantic_keywords: secondary")},
     "keywords that are not a list"),
])
def test_silent_when_a_score_cannot_be_computed(tmp_path, files, why):
    assert findings(tmp_path, {CONSUMER: consumer(), LOADER: loader(), **files}) == [], why


def test_silent_when_a_score_lies_at_the_threshold(tmp_path):
    # zzz shares no letter with either name and its data type is not theirs: 0.4 (type) + 0.1
    # (listed source) = 0.5, which the resolver does not take (> 0.5) but steplint does not tell
    # apart from 0.5 give or take the resolver's rounding
    zzz = "    zzz:\n      type: processing_output\n      data_type: Boolean\n"
    files = {CONSUMER: consumer(), LOADER: loader("    DATA:\n      type: processing_output\n" + zzz)}
    assert findings(tmp_path, files) == []
    files[LOADER] = files[LOADER].replace("type: processing_output\n      data_type", "type: model_artifacts\n"
                                                                                   "      data_type")
    assert len(findings(tmp_path, files)) == 1  # zzz scoring 0 instead: the finding comes back
