"""SL103-SL105 and SL201 on YAML step interfaces, through the CLI (issue 14): a bad and a good
case per rule, where each finding points (the YAML node that declares it), what it says, the
fix each rule offers there (SL103 removes an alias item; SL201 offers none in YAML), that a
node every variant inherits is reported once, and when the rules stay silent."""

from __future__ import annotations

import json

from steplint.rules.container_paths import YAML_MANAGED_INPUT
from steplint.rules.logical_names import YAML_INTERFACE, YAML_SPEC

from tests.conftest import run_steplint, write_project
from tests.rule_projects import line_of

TRAINING_INTERFACE = "steps/interfaces/xgboost_training.step.yaml"
CODES = "SL103,SL104,SL105,SL201"


def edited(text: str, *changes) -> str:
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def findings(root) -> list:
    result = run_steplint(root, "--select", CODES, "--no-cache", "--output-format", "json", cwd=root)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def fix(root) -> str:
    result = run_steplint(root, "--select", CODES, "--no-cache", "--fix", cwd=root)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    return result.stdout


def spec_project(tmp_path, *changes):
    text = edited(YAML_SPEC, *changes)
    return write_project(tmp_path, {YAML_INTERFACE: text}), text


def test_the_example_interfaces_have_no_findings(tmp_path):
    assert findings(write_project(tmp_path / "spec", {YAML_INTERFACE: YAML_SPEC})) == []
    good_training = YAML_MANAGED_INPUT.replace("/opt/ml/input/config/", "/opt/ml/input/data/config/")
    assert findings(write_project(tmp_path / "training", {TRAINING_INTERFACE: good_training})) == []


# -- SL201 managed-contract-path ------------------------------------------------------------------


def test_sl201_a_yaml_input_in_the_training_config_directory(tmp_path):
    root = write_project(tmp_path, {TRAINING_INTERFACE: YAML_MANAGED_INPUT})
    [finding] = findings(root)
    assert finding["code"] == "SL201" and finding["filename"].endswith(TRAINING_INTERFACE)
    assert finding["location"]["row"] == line_of(YAML_MANAGED_INPUT, "/opt/ml/input/config/")
    assert ("input 'config' of XGBoostTraining is /opt/ml/input/config/hyperparameters.json, which SageMaker writes"
            == finding["message"])
    assert "mounts input channels only at /opt/ml/input/data/<channel>" in finding["help"]
    assert "Remove the entry and dependency 'config' of XGBoostTraining" in finding["help"]
    assert finding["fix"] is None  # the YAML entries are mappings: no removal offered


def test_sl201_a_yaml_processing_input_in_the_processing_config_directory(tmp_path):
    text = edited(YAML_SPEC, ("      path: /opt/ml/processing/input/data\n",
                              "      path: /opt/ml/processing/input/data\n"
                              "    job_config:\n      path: /opt/ml/config/processingjobconfig.json\n"),
                  ("    DATA:\n      type: processing_output\n",
                   "    DATA:\n      type: processing_output\n    job_config:\n      type: processing_output\n"))
    [finding] = findings(write_project(tmp_path, {YAML_INTERFACE: text}))
    assert finding["code"] == "SL201" and finding["location"]["row"] == line_of(text, "/opt/ml/config/")
    assert "SageMaker writes /opt/ml/config/ of a processing container itself" in finding["help"]


def test_sl201_an_input_under_the_channel_directory_is_not_flagged(tmp_path):
    text = YAML_MANAGED_INPUT.replace("/opt/ml/input/config/", "/opt/ml/input/data/config/")
    assert findings(write_project(tmp_path, {TRAINING_INTERFACE: text})) == []


def test_sl201_a_variant_that_moves_the_path_is_reported_at_the_variant(tmp_path):
    good = YAML_MANAGED_INPUT.replace("/opt/ml/input/config/", "/opt/ml/input/data/config/")
    text = good + ("variants:\n  calibration:\n    contract:\n      inputs:\n        config:\n"
                   "          path: /opt/ml/input/config/resourceconfig.json\n")
    [finding] = findings(write_project(tmp_path, {TRAINING_INTERFACE: text}))
    assert finding["location"]["row"] == line_of(text, "resourceconfig.json")


# -- SL103 alias-conflict ------------------------------------------------------------------------


def test_sl103_an_alias_equal_to_its_own_name_is_removed_from_the_flow_list(tmp_path):
    root, text = spec_project(tmp_path, ("aliases: [training_data]", "aliases: [processed_data, training_data]"))
    [finding] = findings(root)
    assert (finding["code"], finding["location"]["row"]) == ("SL103", line_of(text, "aliases:"))
    assert finding["location"]["column"] == text.splitlines()[finding["location"]["row"] - 1].index("[") + 2
    assert finding["message"] == "output 'processed_data' lists its own logical name as an alias"
    assert finding["fix"]["applicability"] == "safe"
    fix(root)
    assert (root / YAML_INTERFACE).read_text() == YAML_SPEC
    assert findings(root) == []


def test_sl103_an_alias_in_a_block_list_is_removed_with_its_line(tmp_path):
    root, text = spec_project(tmp_path, ("aliases: [training_data]",
                                         "aliases:\n      - training_data\n      - processed_data  # same name"))
    [finding] = findings(root)
    assert finding["location"]["row"] == line_of(text, "- processed_data")
    fix(root)
    assert (root / YAML_INTERFACE).read_text() == edited(YAML_SPEC, ("aliases: [training_data]",
                                                                     "aliases:\n      - training_data"))


def test_sl103_an_alias_shadowing_another_outputs_alias(tmp_path):
    root, text = spec_project(tmp_path, ("    processed_data:\n      path: /opt/ml/processing/output\n",
                                         "    processed_data:\n      path: /opt/ml/processing/output\n"
                                         "    metadata:\n      path: /opt/ml/processing/metadata\n"),
                              ("      aliases: [training_data]\n",
                               "      aliases: [training_data]\n    metadata:\n      type: processing_output\n"
                               "      property_path: properties.ProcessingOutputConfig.Outputs['metadata'].S3Output."
                               "S3Uri\n      aliases: [training_data]\n"))
    [finding] = findings(root)
    assert finding["location"]["row"] == text.splitlines().index("      aliases: [training_data]", 25) + 1
    assert finding["message"] == ("alias 'training_data' of output 'metadata' is also the alias of output "
                                  "'processed_data'")
    assert finding["fix"] is None


def test_sl103_an_alias_every_variant_inherits_is_reported_once(tmp_path):
    root, _ = spec_project(tmp_path, ("aliases: [training_data]", "aliases: [processed_data]"))
    (root / YAML_INTERFACE).write_text((root / YAML_INTERFACE).read_text() + (
        "variants:\n  training:\n    spec:\n      dependencies:\n        DATA:\n          required: true\n"
        "  calibration:\n    spec:\n      dependencies:\n        DATA:\n          required: false\n"))
    assert [finding["code"] for finding in findings(root)] == ["SL103"]


# -- SL104 name-reused ---------------------------------------------------------------------------


def test_sl104_a_yaml_name_that_is_both_a_dependency_and_an_output(tmp_path):
    root, text = spec_project(tmp_path, ("    processed_data:\n      path", "    DATA:\n      path"),
                              ("    processed_data:\n      type", "    DATA:\n      type"),
                              ("Outputs['processed_data']", "Outputs['DATA']"))
    [finding] = findings(root)
    rows = [number for number, line in enumerate(text.splitlines(), 1) if line == "    DATA:"]
    assert (finding["code"], finding["location"]["row"]) == ("SL104", rows[-1])
    assert finding["message"] == f"'DATA' is both a dependency (line {rows[-2]}) and an output of TabularPreprocessing"
    assert "with its key in contract.outputs" in finding["help"]


# -- SL105 node-type-shape -----------------------------------------------------------------------


def test_sl105_a_source_node_with_a_dependency(tmp_path):
    root, text = spec_project(tmp_path, ("node_type: internal", "node_type: source"))
    [finding] = findings(root)
    assert (finding["code"], finding["location"]["row"]) == ("SL105", line_of(text, "node_type:"))
    assert finding["message"] == "TabularPreprocessing is a source node but has 1 dependency"
    assert "A source node has no dependencies and at least one output" in finding["help"]


def test_sl105_a_sink_node_with_outputs(tmp_path):
    root, _ = spec_project(tmp_path, ("node_type: internal", "node_type: sink"))
    [finding] = findings(root)
    assert finding["message"] == "TabularPreprocessing is a sink node but has 1 output"


def test_sl105_a_missing_node_type_is_not_judged(tmp_path):
    root, _ = spec_project(tmp_path, ("node_type: internal\n", ""),
                           ("  dependencies:\n    DATA:\n      type: processing_output\n", "  dependencies: {}\n"),
                           ("  inputs:\n    DATA:\n      path: /opt/ml/processing/input/data\n", "  inputs: {}\n"))
    assert findings(root) == []


def test_sl105_a_node_type_the_loader_does_not_know_is_not_judged(tmp_path):
    root, _ = spec_project(tmp_path, ("node_type: internal", "node_type: leaf"))
    assert findings(root) == []


# -- SL206 orphan-script -------------------------------------------------------------------------

ORPHAN_INTERFACE = "steps/interfaces/preprocessing.step.yaml"
ORPHAN_YAML = """\
step_type: Preprocessing
registry:
  sagemaker_step_type: Processing
contract:
  entry_point: preprocess.py
"""
MAIN = 'import os\n\nif __name__ == "__main__":\n    print(os.listdir("/opt/ml/processing/input/data"))\n'


def orphans(root) -> list:
    result = run_steplint(root, "--select", "SL206", "--no-cache", "--output-format", "json", cwd=root)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def orphan_project(tmp_path, interface: str = ORPHAN_YAML, **scripts):
    files = {ORPHAN_INTERFACE: interface, "steps/scripts/preprocess.py": MAIN}
    files.update({f"steps/scripts/{name}.py": text for name, text in scripts.items()})
    return write_project(tmp_path, files)


def test_sl206_a_script_beside_a_yaml_steps_script_that_nothing_names(tmp_path):
    [finding] = orphans(orphan_project(tmp_path, backfill=MAIN))
    assert (finding["filename"], finding["location"]["row"]) == ("steps/scripts/backfill.py", 3)
    assert finding["message"] == "no contract names entry point backfill.py (it has a __main__ block)"


def test_sl206_a_yaml_entry_point_that_names_no_file_is_shown_as_the_likely_one(tmp_path):
    root = orphan_project(tmp_path, ORPHAN_YAML.replace("preprocess.py", "preprocessing.py"), backfill=MAIN)
    (root / "steps/scripts/preprocessing_v2.py").write_text(MAIN)
    (root / "steps/scripts/preprocess.py").unlink()
    (root / "steps/interfaces/other.step.yaml").write_text(ORPHAN_YAML.replace("Preprocessing", "Other")
                                                           .replace("preprocess.py", "backfill_job.py"))
    (root / "steps/scripts/backfill_job.py").write_text(MAIN)
    reported = {finding["filename"]: finding for finding in orphans(root)}
    assert set(reported) == {"steps/scripts/backfill.py", "steps/scripts/preprocessing_v2.py"}
    renamed = reported["steps/scripts/preprocessing_v2.py"]
    assert renamed["message"] == ("no contract names entry point preprocessing_v2.py (close: 'preprocessing.py' "
                                  "of Preprocessing)")
    assert renamed["related"] == [ORPHAN_INTERFACE]


def test_sl206_a_script_a_yaml_interface_names_or_a_helper_is_silent(tmp_path):
    interface = ORPHAN_YAML + "  input_source_overrides:\n    DATA: backfill\n"
    assert orphans(orphan_project(tmp_path / "named", interface, backfill=MAIN)) == []
    assert orphans(orphan_project(tmp_path / "helper", cleaning="def clean(frame):\n    return frame\n")) == []


def test_sl206_a_yaml_step_running_its_containers_own_command_could_run_any_script(tmp_path):
    interface = ORPHAN_YAML + "compute:\n  kind: byo_container\n  container_entrypoint: [bash, entrypoint.sh]\n"
    assert orphans(orphan_project(tmp_path, interface, backfill=MAIN)) == []


def test_sl206_an_interface_steplint_cannot_read_could_name_any_script(tmp_path):
    root = orphan_project(tmp_path, backfill=MAIN)
    assert orphans(root)
    (root / "steps/interfaces/backfill.step.yaml").write_text("step_type: Backfill\ncontract: &c\n  inputs: *c\n")
    assert orphans(root) == []
