"""The SL1xx/SL2xx/SL4xx catalog: fixture projects, fixes, facts it relies on, and silence on Unknowns."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from steplint.api import check_paths, configure, fix_paths_in_memory
from steplint.rules import all_rules
from steplint.rules._catalog_examples import (
    CONTRACT,
    PROCESSING_STEP,
    SCRIPT,
    SPEC,
    TRAINING_BUILDER,
    TRAINING_CONTRACT,
    TRAINING_SCRIPT,
    TRAINING_STEP,
    project,
)

from tests.conftest import FIXTURES, fast_and_full, run_steplint, write_project

CATALOG_CODES = {"SL102", "SL103", "SL104", "SL105", "SL106", "SL107", "SL202", "SL203", "SL204", "SL205", "SL206",
                 "SL401", "SL402", "SL403", "SL404", "SL405", "SL406", "SL407", "SL408", "SL409"}


def expected(name: str) -> list[str]:
    lines = (FIXTURES / name / "expected_findings.txt").read_text().splitlines()
    return sorted(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def reported(root: Path) -> list[dict]:
    result = run_steplint("--format", "json", ".", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def as_lines(findings: list[dict]) -> list[str]:
    return sorted(f"{f['filename']}:{f['location']['row']}:{f['location']['column']}: {f['code']}" for f in findings)


def copy_fixture(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


def findings_of(files: dict, codes=None) -> list:
    """Findings for a project written to a fresh directory, in process (optionally only ``codes``)."""
    with tempfile.TemporaryDirectory() as directory, working_directory(write_project(Path(directory), files)):
        result = check_paths(["."], configure(["."]))
        assert not result.internal_errors, result.internal_errors
        return [f for f in result.findings if codes is None or f.code in codes]


@contextlib.contextmanager
def working_directory(path: Path):
    """Run steplint from the project root, as a user would (module names follow the layout)."""
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield path
    finally:
        os.chdir(previous)


def codes_of(files: dict, codes=CATALOG_CODES) -> list[str]:
    return sorted(f.code for f in findings_of(files, codes))


# -- fixture projects --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["catalog_defects", "catalog_clean"])
def test_fixture_reports_exactly_the_expected_findings(name, fixture_report):
    assert as_lines(fixture_report(name)) == expected(name)


def test_clean_fixture_has_no_findings_at_all(tmp_path):
    assert expected("catalog_clean") == []
    result = run_steplint(".", cwd=copy_fixture("catalog_clean", tmp_path))
    assert result.returncode == 0, result.stdout


def test_defect_fixture_has_exactly_one_defect_per_catalog_rule():
    codes = [line.rsplit(" ", 1)[1] for line in expected("catalog_defects")]
    assert sorted(codes) == sorted(CATALOG_CODES)


def test_messages_explain_in_sagemaker_terms(fixture_report):
    found = fixture_report("catalog_defects")
    by_code = {f["code"]: f["message"] for f in found}
    helps = {f["code"]: f.get("help", "") for f in found}
    assert "'ID_FIELD'" in by_code["SL406"] and "KeyError" in helps["SL406"]
    assert "channel 'validation'" in by_code["SL409"]
    assert "/opt/ml/input/data/<channel name>" in helps["SL409"] and "'val'" in helps["SL409"]
    assert "model.tar.gz" in by_code["SL203"]
    assert "unrecognized arguments" in helps["SL408"]
    assert "(close: 'TabularPreprocessing')" in by_code["SL106"]


def test_fix_resolves_the_safe_findings_and_is_idempotent(tmp_path):
    root = copy_fixture("catalog_defects", tmp_path)
    before = {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}
    first = run_steplint("--fix", ".", cwd=root)
    assert first.returncode == 1, first.stderr
    remaining = as_lines(reported(root))
    assert remaining == [line for line in expected("catalog_defects") if not line.endswith(("SL103", "SL106"))]
    changed = {path for path, content in before.items() if path.read_bytes() != content}
    specs = root / "src/fraud_pipelines/pipeline_step_specs"
    assert changed == {specs / "tabular_preprocessing_spec.py", specs / "xgboost_training_spec.py"}
    assert 'aliases=["input_path", "training_data"]' in (specs / "tabular_preprocessing_spec.py").read_text()
    assert '["TabularPreprocessing", "ProcessingStep"]' in (specs / "xgboost_training_spec.py").read_text()
    snapshot = {path: path.read_bytes() for path in changed}
    run_steplint("--fix", ".", cwd=root)
    assert {path: path.read_bytes() for path in changed} == snapshot


def test_existing_layout_fixtures_get_no_catalog_findings(fixture_report):
    for name in ("legacy_layout", "steps_layout"):
        if not (FIXTURES / name / "expected_findings.txt").is_file():
            continue
        findings = fixture_report(name)
        assert [f for f in findings if f["code"] in CATALOG_CODES] == [], name


# -- silence on Unknown -------------------------------------------------------------------

READS_UNDECLARED = (SCRIPT, "    label = ", '    meta = input_paths["metadata"]\n    seed = os.environ["SEED"]\n    label = ')
KWARGS_CONTRACT = """\
    from steps.core import ProcessingScriptContract
    from steps.contract_fields import fields_for

    PREPROCESSING_CONTRACT = ProcessingScriptContract(entry_point="preprocess.py", **fields_for("preprocess"))
    """
RENAMED_OUTPUT_KEY = (CONTRACT, '{"processed_data":', '{"output_data":')
EXTRA_ENV = (CONTRACT, '{"TRAIN_RATIO": "0.7"}', '{"TRAIN_RATIO": "0.7", "RANDOM_SEED": "42"}')
EXTRA_ARGUMENT = (CONTRACT, '{"job-type": "training"}', '{"job-type": "training", "mode": "full"}')
SPLIT_CHANNEL_READ = (TRAINING_SCRIPT, '"/opt/ml/input/data/data/train"', '"/opt/ml/input/data/train"')

# name: (the defect with every fact known, the codes it yields, the same defect behind an Unknown)
UNKNOWN_CASES = {
    "contract built from **kwargs": (
        project(PROCESSING_STEP, READS_UNDECLARED), ["SL405", "SL406"],
        project(PROCESSING_STEP, READS_UNDECLARED, add={CONTRACT: KWARGS_CONTRACT}),
    ),
    "paths from an unknown function": (
        project(PROCESSING_STEP, RENAMED_OUTPUT_KEY), ["SL402", "SL404"],
        project(PROCESSING_STEP, RENAMED_OUTPUT_KEY,
                (CONTRACT, '{"output_data": "/opt/ml/processing/output"}', 'build_output_paths("preprocess")')),
    ),
    "paths imported from a module outside the tree": (
        project(PROCESSING_STEP, RENAMED_OUTPUT_KEY), ["SL402", "SL404"],
        project(PROCESSING_STEP, RENAMED_OUTPUT_KEY,
                (CONTRACT, '{"output_data": "/opt/ml/processing/output"}', "OUTPUT_PATHS"),
                (CONTRACT, "from steps.core import ProcessingScriptContract\n",
                 "from steps.core import ProcessingScriptContract\nfrom shared_paths import OUTPUT_PATHS\n")),
    ),
    "env vars from a list built at run time": (
        project(PROCESSING_STEP, READS_UNDECLARED), ["SL405", "SL406"],
        project(PROCESSING_STEP, READS_UNDECLARED,
                (CONTRACT, 'required_env_vars=["LABEL_FIELD"]', 'required_env_vars=REQUIRED + ["LABEL_FIELD"]'),
                (CONTRACT, '"/opt/ml/processing/input/data"}', '"/opt/ml/processing/input/data", **EXTRA}')),
    ),
    "argparse flags that are not literals": (
        project(PROCESSING_STEP, EXTRA_ARGUMENT), ["SL408"],
        project(PROCESSING_STEP, EXTRA_ARGUMENT,
                (SCRIPT, 'parser.add_argument("--job-type", required=True)',
                 'parser.add_argument("--job-type", required=True)\n    parser.add_argument(*EXTRA_FLAGS)')),
    ),
    "environment read as a whole": (
        project(PROCESSING_STEP, EXTRA_ENV), ["SL407"],
        project(PROCESSING_STEP, EXTRA_ENV,
                (SCRIPT, "    label = ", "    settings = {key: os.environ[key] for key in SETTINGS}\n    label = ")),
    ),
    "channel names the builder computes": (
        project(TRAINING_STEP, SPLIT_CHANNEL_READ), ["SL409"],
        project(TRAINING_STEP, SPLIT_CHANNEL_READ,
                (TRAINING_BUILDER, 'return {"data": TrainingInput(s3_data=base_path)}',
                 'return {split: TrainingInput(s3_data=f"{base_path}/{split}") for split in SPLITS}')),
    ),
    "a spec whose contract cannot be resolved": (
        project(PROCESSING_STEP, RENAMED_OUTPUT_KEY), ["SL402", "SL404"],
        project(PROCESSING_STEP, RENAMED_OUTPUT_KEY,
                (SPEC, "script_contract=PREPROCESSING_CONTRACT,", "script_contract=load_contract(),")),
    ),
}


@pytest.mark.parametrize("case", sorted(UNKNOWN_CASES))
def test_rules_stay_silent_when_a_fact_is_unknown(case):
    known, codes, unknown = UNKNOWN_CASES[case]
    assert codes_of(known) == codes
    silent = codes_of(unknown)
    assert not set(codes) & set(silent), silent


def test_unknown_output_paths_silence_only_the_checks_that_need_them():
    files = project(
        PROCESSING_STEP,
        (CONTRACT, '{"DATA": "/opt/ml/processing/input/data"}', '{"data": "/opt/ml/processing/input/data"}'),
        (CONTRACT, '{"processed_data": "/opt/ml/processing/output"}', 'build_output_paths("preprocess")'),
    )
    assert codes_of(files) == ["SL401", "SL403"]


# -- what the scripts are seen to read ------------------------------------------------------


def test_module_level_and_nested_reads_are_both_checked():
    files = project(PROCESSING_STEP, (SCRIPT, "import os\n", 'import os\n\nMODE = os.getenv("RUN_MODE")\n'),
                    (SCRIPT, "    label = ", '    region = os.environ.get("REGION_CODE")\n    label = '))
    found = findings_of(files, {"SL406"})
    # both reported at the contract's declaration, each naming the script's line it reads the variable on
    assert sorted((f.path, f.line) for f in found) == [(CONTRACT, 3), (CONTRACT, 3)]
    assert sorted(f.message.split(" ")[0] for f in found) == ["preprocess.py:14", "preprocess.py:4"]


def test_setting_an_env_var_is_not_reading_it():
    files = project(PROCESSING_STEP, (SCRIPT, "    label = ", '    os.environ["OMP_NUM_THREADS"] = "1"\n    label = '))
    assert codes_of(files) == []


def test_argparse_dest_and_dashes_match_contract_keys():
    files = project(PROCESSING_STEP,
                    (CONTRACT, '{"job-type": "training"}', '{"job_type": "training", "label-field": "y"}'),
                    (SCRIPT, 'parser.add_argument("--job-type", required=True)',
                     'parser.add_argument("--job_type", required=True)\n'
                     '    parser.add_argument("-l", dest="label_field", required=True)'))
    assert codes_of(files) == []


def test_single_data_channel_message_names_the_real_mount_point():
    files = project(TRAINING_STEP, (TRAINING_SCRIPT, '"/opt/ml/input/data/data/train"', '"/opt/ml/input/data/val"'))
    [finding] = findings_of(files, {"SL409"})
    assert "/opt/ml/input/data/data/val" in finding.help and finding.message.startswith("train.py:3 reads")
    # at the contract's input path the script's path is under
    assert (finding.path, finding.line) == (TRAINING_CONTRACT, 5)


def test_training_contract_channel_paths_are_checked_against_the_builder():
    files = project(TRAINING_STEP, (TRAINING_CONTRACT, '"/opt/ml/input/data"', '"/opt/ml/input/data/training"'))
    [finding] = findings_of(files, {"SL409"})
    assert finding.path == TRAINING_CONTRACT and "'training'" in finding.message


def test_entry_point_found_under_configured_script_roots(tmp_path):
    files = project((*PROCESSING_STEP[:4], PROCESSING_STEP[5]))
    files["pyproject.toml"] = '[tool.steplint]\nscript-roots = ["dockers"]\n'
    root = write_project(tmp_path, files)
    (root / "dockers" / "sklearn").mkdir(parents=True)
    (root / "dockers" / "sklearn" / "preprocess.py").write_text("print('outside the checked paths')\n")
    result = check_paths([str(root / "steps")], configure([str(root / "steps")]))
    assert [f for f in result.findings if f.code == "SL205"] == []
    (root / "dockers" / "sklearn" / "preprocess.py").unlink()
    result = check_paths([str(root / "steps")], configure([str(root / "steps")]))
    assert [f.code for f in result.findings if f.code == "SL205"] == ["SL205"]


# -- properties ----------------------------------------------------------------------------

NAMES = st.sets(st.from_regex(r"[a-z][a-z_]{0,7}", fullmatch=True), min_size=1, max_size=4)


def _keyed_project(dependencies: set, contract_keys: set) -> dict:
    dependency_text = "".join(
        f'        DependencySpec(logical_name="{name}", dependency_type=DependencyType.PROCESSING_OUTPUT),\n'
        for name in sorted(dependencies))
    paths = ", ".join(f'"{key}": "/opt/ml/processing/input/{key}"' for key in sorted(contract_keys))
    return project(
        PROCESSING_STEP[:4],
        (SPEC, '''        DependencySpec(
            logical_name="DATA",
            dependency_type=DependencyType.PROCESSING_OUTPUT,
            compatible_sources=["CradleDataLoading"],
        ),
''', dependency_text),
        (CONTRACT, '{"DATA": "/opt/ml/processing/input/data"}', "{" + paths + "}"),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dependencies=NAMES, contract_keys=NAMES)
def test_contract_keys_and_dependencies_are_compared_both_ways(dependencies, contract_keys):
    findings = findings_of(_keyed_project(dependencies, contract_keys), {"SL401", "SL403"})
    unmatched_keys = sorted(f.message.split("'")[1] for f in findings if f.code == "SL401")
    unmatched_dependencies = sorted(f.message.split("'")[1] for f in findings if f.code == "SL403")
    assert unmatched_keys == sorted(contract_keys - dependencies)
    assert unmatched_dependencies == sorted(dependencies - contract_keys)


VARIANTS = st.lists(st.sampled_from(["case", "snake", "kebab", "job"]), min_size=1, max_size=3, unique=True)


def _variant(name: str, changes) -> str:
    parts = ["Cradle", "Data", "Loading"]
    if "snake" in changes:
        name = "_".join(parts)
    elif "kebab" in changes:
        name = "-".join(parts)
    if "case" in changes:
        name = name.lower()
    if "job" in changes:
        name += "_Training"
    return name


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=VARIANTS)
def test_close_variants_of_a_registry_name_are_fixed_to_it(changes):
    variant = _variant("CradleDataLoading", changes)
    files = project(PROCESSING_STEP[:3], (SPEC, '["CradleDataLoading"]', f'["{variant}"]'))
    with tempfile.TemporaryDirectory() as directory, working_directory(write_project(Path(directory), files)):
        outcome = fix_paths_in_memory(["."], configure(["."]))
        fixed = {Path(path).as_posix(): source.text for path, source in outcome.workspace.sources.items()}
    [spec_text] = [text for path, text in fixed.items() if path.endswith(SPEC)]
    assert spec_text == files[SPEC].replace(f'["{variant}"]', '["CradleDataLoading"]')


CATALOG_FIXES = [
    pytest.param(rule, index, example, id=f"{rule.code}-{index}")
    for rule in all_rules() if rule.code in CATALOG_CODES
    for index, example in enumerate(rule.bad_examples) if example.fixed is not None
]


def test_catalog_fixes_are_documented_by_examples():
    assert {param.values[0].code for param in CATALOG_FIXES} == {"SL103", "SL106"}


@pytest.mark.parametrize(("rule", "index", "example"), CATALOG_FIXES)
def test_documented_fix_produces_the_fixed_example(rule, index, example):
    with tempfile.TemporaryDirectory() as directory, working_directory(write_project(Path(directory),
                                                                                   example.files)):
        outcome = fix_paths_in_memory(["."], configure(["."]))
        fixed = {Path(path).as_posix(): source.text for path, source in outcome.workspace.sources.items()}
    assert fixed == example.fixed
    assert [f.code for f in findings_of(example.fixed, {rule.code})] == []


ODD_VALUES = st.sampled_from([
    "None", "42", "'text'", "[]", "{}", "()", "[1, None]", "{None: 1}", "{1: '/opt/ml/x'}", "{'k': None}",
    "{'k': 3}", "{**BASE}", "[*BASE]", "BASE", "make()", "f'{BASE}/x'", "'/opt/ml/' + BASE", "lambda: 1",
    "{'k': '/opt/ml/processing/input/k', 'k': '/opt/ml/processing/input/k'}", "['A', 'A']", "{'': ''}",
    "{'--': 'x'}", "{'/': '/'}", "NodeType.NOWHERE", "DependencyType", "('a',)", "{'a': f'{x}'}",
])
ODD_SLOTS = [
    (CONTRACT, '{"DATA": "/opt/ml/processing/input/data"}'),
    (CONTRACT, '{"processed_data": "/opt/ml/processing/output"}'),
    (CONTRACT, '["LABEL_FIELD"]'),
    (CONTRACT, '{"TRAIN_RATIO": "0.7"}'),
    (CONTRACT, '{"job-type": "training"}'),
    (CONTRACT, '"preprocess.py"'),
    (SPEC, '["training_data"]'),
    (SPEC, '["CradleDataLoading"]'),
    (SPEC, "NodeType.INTERNAL"),
    (SPEC, '"DATA"'),
    (SCRIPT, '"LABEL_FIELD"'),
    (SCRIPT, '"--job-type"'),
    (SCRIPT, '"/opt/ml/processing/input/data"'),
]


def _seen(files: dict) -> list[tuple]:
    """(path, line, column, code, message with numbers masked) for every finding."""
    return sorted((Path(f.path).as_posix(), f.span.line, f.span.col, f.code, re.sub(r"\d+", "#", f.message))
                  for f in findings_of(files))


def assert_stable_under_layout_changes(files: dict, data) -> None:
    """Findings do not depend on layout: blank lines at the end of every file change nothing;
    lines added at the top of one file move that file's findings down by as many lines and
    leave every other finding where it was."""
    before = _seen(files)
    assert all(line >= 1 for _, line, _, _, _ in before)
    assert _seen({path: text + "\n\n" for path, text in files.items()}) == before
    moved = data.draw(st.sampled_from(sorted(files)), label="moved file")
    added = data.draw(st.integers(min_value=1, max_value=3), label="lines added")
    shifted = _seen({**files, moved: "\n" * (added - 1) + "# a comment\n" + files[moved]})
    assert shifted == sorted((path, line + added if path == moved else line, column, code, message)
                             for path, line, column, code, message in before)


@fast_and_full(10, 40)
def test_odd_values_give_findings_that_do_not_depend_on_layout(max_examples):
    settings(max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])(
        given(choices=st.lists(st.tuples(st.sampled_from(ODD_SLOTS), ODD_VALUES), min_size=1, max_size=4,
                               unique_by=lambda choice: choice[0]), data=st.data())(odd_values_are_stable))()


def odd_values_are_stable(choices, data):
    files = project(PROCESSING_STEP, *[(path, old, new) for (path, old), new in choices])
    assert_stable_under_layout_changes(files, data)


TRAINING_SLOTS = [
    (TRAINING_BUILDER, '"data"'),
    (TRAINING_BUILDER, "TrainingInput(s3_data=base_path)"),
    (TRAINING_CONTRACT, '{"input_path": "/opt/ml/input/data"}'),
    (TRAINING_CONTRACT, '{"model_output": "/opt/ml/model"}'),
    (TRAINING_SCRIPT, '"/opt/ml/input/data/data/train"'),
]


@fast_and_full(8, 25)
def test_odd_training_values_give_findings_that_do_not_depend_on_layout(max_examples):
    settings(max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])(
        given(choices=st.lists(st.tuples(st.sampled_from(TRAINING_SLOTS), ODD_VALUES), min_size=1, max_size=3,
                               unique_by=lambda choice: choice[0]), data=st.data())(odd_training_values_are_stable))()


def odd_training_values_are_stable(choices, data):
    files = project(TRAINING_STEP, *[(path, old, new) for (path, old), new in choices])
    assert_stable_under_layout_changes(files, data)
