"""SageMaker facts read from the data files steplint ships, and checked against the SDK and
botocore that the test extra installs (never on the lint path)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import shutil
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from steplint.sagemaker import data

from tests.conftest import FIXTURES, REPO, fast_and_full


@pytest.fixture(scope="module")
def service():
    model = data.service_model()
    assert model is not None, "botocore's SageMaker service model must be installed"
    return model


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def test_loading_every_data_set_imports_neither_sagemaker_nor_botocore():
    result = run_python('''
        import sys
        from steplint.sagemaker import data

        assert data.service_model() is not None
        assert data.valid_paths("training")
        assert data.scope_config("pytorch", "training") is not None
        assert data.reserved_hyperparameters()
        print(sorted(name for name in sys.modules if name.split(".")[0] in ("sagemaker", "botocore", "boto3")))
        ''')
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_linting_the_fixture_imports_neither_sagemaker_nor_botocore(tmp_path):
    root = shutil.copytree(FIXTURES / "sagemaker_model_defects", tmp_path / "project")
    result = run_python(f'''
        import os, sys
        from steplint.api import check_paths, configure

        os.chdir({str(root)!r})
        codes = sorted(f.code for f in check_paths(["."], configure(["."])).findings)
        assert "SL501" in codes and "SL504" in codes, codes
        print(sorted(name for name in sys.modules if name.split(".")[0] in ("sagemaker", "botocore", "boto3")))
        ''')
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_service_model_is_parsed_once_per_run(tmp_path, monkeypatch):
    from steplint.api import check_paths, configure

    parsed = []
    real_load = json.load

    def counting_load(handle, *args, **kwargs):
        parsed.append(getattr(handle, "name", ""))
        return real_load(handle, *args, **kwargs)

    monkeypatch.setattr(data.json, "load", counting_load)
    data.service_model.cache_clear()
    data.valid_paths.cache_clear()
    monkeypatch.chdir(shutil.copytree(FIXTURES / "sagemaker_model_defects", tmp_path / "project"))
    try:
        result = check_paths(["."], configure(["."]))
    finally:
        data.service_model.cache_clear()
        data.valid_paths.cache_clear()
    assert {"SL501", "SL502", "SL506"} <= {finding.code for finding in result.findings}
    assert len([name for name in parsed if "service_model.json" in str(name)]) == 1


def test_linting_without_the_sdk_or_botocore_findable_reports_every_sagemaker_rule(tmp_path):
    """As in a light install: the packages cannot even be found, and the SL5xx rules still report."""
    root = shutil.copytree(FIXTURES / "sagemaker_model_defects", tmp_path / "project")
    result = run_python(f'''
        import importlib, os, sys

        class Hide:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("sagemaker", "botocore", "boto3"):
                    raise ModuleNotFoundError(name)
                return None

        sys.meta_path.insert(0, Hide())
        for hidden in ("sagemaker", "botocore"):
            try:
                importlib.import_module(hidden)
            except ModuleNotFoundError:
                continue
            raise SystemExit(hidden + " is still importable")
        from steplint.api import check_paths, configure

        os.chdir({str(root)!r})
        print(sorted({{f.code for f in check_paths(["."], configure(["."])).findings}}))
        ''')
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(["SL501", "SL502", "SL503", "SL504", "SL505", "SL506"])


@pytest.mark.parametrize(("kind", "path"), [
    ("training", "properties.ModelArtifacts.S3ModelArtifacts"),
    ("training", "properties.OutputDataConfig.S3OutputPath"),
    ("training", "properties.CheckpointConfig.S3Uri"),
    ("training", "properties.FinalMetricDataList['val:loss'].Value"),
    ("training", "properties.TrainingJobName"),
    ("training", "properties.HyperParameters['epochs']"),
    ("model", "properties.ModelName"),
    ("processing", "properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri"),
    ("processing", "properties.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri"),
    ("transform", "properties.TransformOutput.S3OutputPath"),
    ("tuning", "properties.BestTrainingJob.TrainingJobName"),
    ("tuning", "properties.TrainingJobSummaries[0].TrainingJobName"),
])
def test_paths_the_domain_notes_call_valid_are_valid_in_installed_botocore(service, kind, path):
    assert data.check_property_path(service, kind, path) is None


@pytest.mark.parametrize(("kind", "path", "bad_part"), [
    ("training", "properties.TrainingJobDefinition.OutputDataConfig.S3OutputPath", "TrainingJobDefinition"),
    ("training", "properties.TrainingJobOutput.S3Output", "TrainingJobOutput"),
    ("training", "properties.TrainingMetrics", "TrainingMetrics"),
    ("model", "properties.ModelArtifacts.S3ModelArtifacts", "ModelArtifacts"),
    ("training", "properties.ModelArtifacts.S3ModelArtifacts.Key", "Key"),
    ("processing", "properties.ProcessingOutputConfig.Outputs.S3Output.S3Uri", "S3Output"),
    ("training", "properties.TrainingJobName[0]", "[0]"),
])
def test_paths_the_domain_notes_call_invalid_are_invalid(service, kind, path, bad_part):
    problem = data.check_property_path(service, kind, path)
    assert problem is not None
    assert path[problem.token.start:problem.token.end].strip(".") == bad_part


def test_a_path_copied_from_a_tuning_job_has_one_clear_suggestion():
    suggestions = data.closest_paths("training", "properties.TrainingJobDefinition.OutputDataConfig.S3OutputPath")
    assert data.clear_winner(suggestions) == "properties.OutputDataConfig.S3OutputPath"


def test_an_unrelated_path_has_no_clear_winner():
    assert data.clear_winner(data.closest_paths("training", "properties.TrainingJobOutput.S3Output")) is None


def test_suggestions_keep_the_users_index_keys():
    path = "properties.ProcessingOutputConfig.Output['scores'].S3Output.S3Uri"
    template = data.clear_winner(data.closest_paths("processing", path))
    assert data.fill_indexes(template, data.normalized(path)[1]) == \
        "properties.ProcessingOutputConfig.Outputs['scores'].S3Output.S3Uri"


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_every_enumerated_path_is_valid(service, draw):
    kind = draw.draw(st.sampled_from(sorted(data.STEP_RESPONSE_SHAPES)))
    template = draw.draw(st.sampled_from(data.valid_paths(kind)))
    index = draw.draw(st.sampled_from(["[0]", "['name']"]))
    assert data.check_property_path(service, kind, template.replace(data.INDEX_PLACEHOLDER, index)) is None


@fast_and_full(100, 300)
def test_any_text_is_checked_without_crashing(service, max_examples):
    @settings(max_examples=max_examples, deadline=None)
    @given(st.text(alphabet="properties.ModelArtifacts[]'\"0-9_ ", max_size=60))
    def check(text):
        problem = data.check_property_path(service, "training", text)
        assert problem is None or problem.reason
        data.closest_paths("training", text)

    check()


def test_limits_come_from_the_service_model(service):
    def shape(name):
        return service.shapes[name]

    channel = data.member_string_limit("Channel", "ChannelName")
    assert (channel.min, channel.max, channel.pattern) == (shape("ChannelName")["min"], shape("ChannelName")["max"],
                                                           shape("ChannelName")["pattern"])
    assert channel.violation("train data") and channel.violation("x" * 65) and channel.violation("") \
        and channel.violation("train/val")
    assert channel.violation("train-v2.data_1") is None
    assert data.collection_max("CreateTrainingJobRequest", "InputDataConfig") == ("InputDataConfig", 20)
    assert data.collection_max("CreateProcessingJobRequest", "ProcessingInputs") == ("ProcessingInputs", 10)
    assert data.collection_max("ProcessingOutputConfig", "Outputs") == ("ProcessingOutputs", 10)
    assert data.collection_max("CreateTrainingJobRequest", "HyperParameters") == ("HyperParameters", 100)
    key, value = data.map_limits("CreateTrainingJobRequest", "HyperParameters")
    assert (key.max, value.max) == (256, 2500)
    key, value = data.map_limits("CreateProcessingJobRequest", "Environment")
    assert key.violation("LABEL-FIELD") and key.violation("1ABC") and key.violation("LABEL_FIELD") is None
    assert value.max == 256


def test_framework_versions_follow_the_sdks_aliases():
    pytorch = data.scope_config("pytorch", "training")
    assert data.resolve_version(pytorch, "2.1") == "2.1.0"
    assert data.resolve_version(pytorch, "2.1.0") == "2.1.0"
    assert data.resolve_version(pytorch, "2.9.9") is None
    assert "py310" in data.supported_py_versions(pytorch["versions"]["2.1.0"])
    sklearn = data.scope_config("sklearn", "training")
    assert data.resolve_version(sklearn, "1.2-1") == "1.2-1"
    assert data.resolve_version(sklearn, "1.2") is None
    xgboost = data.scope_config("xgboost", "training")
    assert data.resolve_version(xgboost, "1.7-1") == "1.7-1"
    assert data.supported_py_versions(xgboost["versions"]["1.7-1"]) is None
    assert data.scope_config("chainer", "training") is not None
    assert data.scope_config("no-such-framework", "training") is None


def test_reserved_hyperparameters_are_the_sdks():
    reserved = data.reserved_hyperparameters()
    assert set(reserved) == {"sagemaker_program", "sagemaker_submit_directory", "sagemaker_container_log_level",
                             "sagemaker_job_name", "sagemaker_region"}
    assert reserved["sagemaker_program"] == "SCRIPT_PARAM_NAME"


def test_messages_name_the_versions_read():
    assert data.service_model().source.startswith("botocore 1.")
    assert data.sdk_source().startswith("sagemaker 2.")


def _walk_sdk_properties(properties, path: str):
    """Follow a property path on the SDK's own Properties object, as spec-driven builders do."""
    _, tokens = data.tokenize_property_path(path)
    current = properties
    for token in tokens:
        current = getattr(current, token.value) if token.kind == "attr" else current[data.index_key(token)]
    return current


def test_the_walker_agrees_with_the_sdks_own_properties(monkeypatch):
    """Cross-check with the installed SDK (imported here, in a test, never on the lint path;
    with a region and the EC2 metadata service off, it makes no network calls)."""
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    properties_module = pytest.importorskip("sagemaker.workflow.properties")
    for kind in ("training", "processing", "transform", "model", "tuning"):
        shapes = list(data.STEP_RESPONSE_SHAPES[kind])
        properties = properties_module.Properties(step_name="Step", shape_names=shapes)
        for template in data.valid_paths(kind):
            _walk_sdk_properties(properties, template.replace(data.INDEX_PLACEHOLDER, "[0]"))
    training = properties_module.Properties(step_name="Step", shape_name="DescribeTrainingJobResponse")
    for invalid in ("properties.TrainingJobDefinition.OutputDataConfig.S3OutputPath", "properties.TrainingMetrics"):
        assert data.check_property_path(data.service_model(), "training", invalid) is not None
        with pytest.raises(AttributeError):
            _walk_sdk_properties(training, invalid)


# -- the shipped data against the SDK and botocore the test extra installs ---------------
def load_update_script():
    """``scripts/update_sagemaker_data.py`` as a module (it reads releases as archives and JSON)."""
    spec = importlib.util.spec_from_file_location("update_sagemaker_data", REPO / "scripts" /
                                                  "update_sagemaker_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shipped_entries(framework: str) -> dict:
    """The shipped facts of one framework as ``{entry key: (since, alias target)}``, in the
    script's entry keys (``("py", "training", "2.1.0", "py310")``, ...)."""
    found = {}
    for scope, table in data.sdk_facts()["frameworks"][framework].items():
        for alias, entry in table["version_aliases"].items():
            found[("alias", scope, alias)] = (entry["since"], entry["to"])
        for version, entry in table["versions"].items():
            found[("version", scope, version)] = (entry["since"], None)
            for py, since in entry.get("py_versions", {}).items():
                found[("py", scope, version, py)] = (since, None)
            for alias, alias_entry in entry.get("base_aliases", {}).items():
                found[("base_alias", scope, version, alias)] = (alias_entry["since"], alias_entry["to"])
            for base, base_entry in entry.get("bases", {}).items():
                found[("base", scope, version, base)] = (base_entry["since"], None)
                for py, since in base_entry.get("py_versions", {}).items():
                    found[("base_py", scope, version, base, py)] = (since, None)
    return found


@pytest.fixture(scope="module")
def installed_sdk():
    pytest.importorskip("packaging")
    directories = data.package_dirs("sagemaker")
    assert directories, "the test extra installs the SageMaker SDK"
    return importlib.metadata.version("sagemaker"), directories[0]


def test_the_shipped_framework_versions_are_the_installed_sdks(installed_sdk):
    """Where the shipped data and the installed SDK overlap they agree: the entries the data
    says the installed release lists (``since`` at or before it) are exactly the entries of its
    image configuration; an installed release newer than the data lists at least as much."""
    script = load_update_script()
    version, root = installed_sdk
    installed_key = data.release_key(version)
    newer = installed_key > data.release_key(data.sdk_version())
    for framework in script.FRAMEWORKS:
        config = json.loads((root / "image_uri_config" / f"{framework}.json").read_text(encoding="utf-8"))
        installed = script.entries(framework, config)
        shipped = shipped_entries(framework)
        listed = {key: target for key, (since, target) in shipped.items()
                  if data.release_key(since) <= installed_key}
        if newer:
            assert set(shipped) <= set(installed), (framework, sorted(set(shipped) - set(installed))[:5])
        else:
            assert listed == installed, (framework, sorted(set(listed) ^ set(installed))[:5])
    assert set(data.sdk_facts()["frameworks"]) == set(script.FRAMEWORKS)


def test_every_framework_the_rule_knows_is_in_the_shipped_data():
    from steplint.rules.sagemaker_model import FRAMEWORK_CONFIGS

    for framework in set(FRAMEWORK_CONFIGS.values()):
        assert data.scope_config(framework, "training")["versions"], framework


def test_the_shipped_reserved_hyperparameters_are_the_installed_sdks(installed_sdk):
    script = load_update_script()
    _, root = installed_sdk
    release = {name: (root / name).read_text(encoding="utf-8") for name in ("model.py", "estimator.py")}
    assert data.reserved_hyperparameters() == script.reserved_hyperparameters(release)


def test_the_shipped_service_model_is_installed_botocores(tmp_path):
    """The same shapes as the installed botocore's model reduced the same way; a newer
    botocore may add members and shapes, never drop the ones steplint ships."""
    script = load_update_script()
    shapes, version, date = script.botocore_model("installed", tmp_path)
    roots = [name for names in data.STEP_RESPONSE_SHAPES.values() for name in names] + list(script.REQUEST_SHAPES)
    reduced = script.reduce_service_model(shapes, roots)
    shipped = data.service_model()
    if shipped.source == f"botocore {version} ({date} SageMaker API)":
        assert reduced == shipped.shapes
        return
    for name, shape in shipped.shapes.items():
        assert name in reduced, name
        assert set(shape.get("members", {})) <= set(reduced[name].get("members", {})), name
        assert shape["type"] == reduced[name]["type"], name


def test_the_shipped_data_records_where_it_came_from():
    facts = data.sdk_facts()
    assert facts["generated_by"] == "scripts/update_sagemaker_data.py"
    assert data.release_key(facts["sdk_version"]) >= data.release_key("2.248.0")
    assert facts["history"]["releases"].startswith("2.0.0 .. ")
    assert facts["history"]["releases_read"] >= facts["history"]["release_count"] // facts["history"]["history_step"]
    every_since = {since for framework in facts["frameworks"] for since, _ in shipped_entries(framework).values()}
    assert all(data.release_key("2.0.0") <= data.release_key(since) <= data.release_key(facts["sdk_version"])
               for since in every_since)
    assert len(every_since) > 20  # the history really varies, it is not one release stamped everywhere


def test_release_numbers_compare_as_releases():
    key = data.release_key
    assert key("2.200") == key("2.200.0")
    assert key("2.99.0") < key("2.100.0") < key("2.184.0") < key("2.184.0.post0") < key("2.184.1")
    assert key("2.200.0rc1") is None and key("2.200.*") is None and key("latest") is None
