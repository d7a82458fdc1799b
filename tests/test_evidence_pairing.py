"""Links the code does not write, made from evidence (linter/readers/python/pairing.py): a spec
without ``script_contract=`` and the one contract named like it or keyed by its logical names,
a builder passing no spec and its step type's specs. The rules about the pair then run on it;
when two candidates fit equally, nothing is paired (cannot tell)."""

from __future__ import annotations

import pytest
import steplint.readers.python.steps as python_steps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from steplint.rules._catalog_examples import BUILDER, CONTRACT, CORE, REGISTRY, SCRIPT, SPEC, project

from tests.rule_projects import findings

STEP = (CORE, REGISTRY, SPEC, CONTRACT, SCRIPT, BUILDER)
UNLINKED = ((SPEC, "from steps.contracts.preprocessing_contract import PREPROCESSING_CONTRACT\n", ""),
            (SPEC, "    script_contract=PREPROCESSING_CONTRACT,\n", ""))
RENAMED_INPUT = (CONTRACT, '{"DATA": "/opt/ml/processing/input/data"}', '{"raw": "/opt/ml/processing/input/data"}')
PAIR_RULES = ("SL401", "SL402", "SL403", "SL404", "SL406", "SL408")


def moved_contract(files: dict, name: str) -> dict:
    """``files`` with the contract renamed to ``<NAME>_CONTRACT`` in ``steps/contracts/<name>_contract.py``."""
    files = dict(files)
    text = files.pop(CONTRACT).replace("PREPROCESSING_CONTRACT", f"{name.upper()}_CONTRACT")
    files[f"steps/contracts/{name}_contract.py"] = text
    return files


def reading_env(files: dict, variable: str) -> dict:
    """``files`` whose script also reads ``os.environ[variable]``, which nothing declares."""
    return {**files, SCRIPT: files[SCRIPT].replace('label = os.environ["LABEL_FIELD"]',
                                                   f'label = os.environ["LABEL_FIELD"] + os.environ["{variable}"]')}


def test_a_spec_without_script_contract_is_paired_with_the_contract_named_like_it():
    seen = findings(project(STEP, *UNLINKED, RENAMED_INPUT))
    codes = {(item.code, item.path) for item in seen}
    assert ("SL403", SPEC) in codes and ("SL401", CONTRACT) in codes
    missing = next(item for item in seen if item.code == "SL403")
    assert missing.says("'DATA'", "PREPROCESSING_SPEC", "PREPROCESSING_CONTRACT")
    assert ("SL107", SPEC) in codes  # the link itself is still missing
    unlinked = next(item for item in seen if item.code == "SL107")
    assert unlinked.helps("paired the spec with PREPROCESSING_CONTRACT", "script_contract=PREPROCESSING_CONTRACT")


def test_the_same_findings_as_when_the_spec_links_the_contract():
    linked = findings(project(STEP, RENAMED_INPUT), "SL401", "SL403")
    paired = findings(project(STEP, *UNLINKED, RENAMED_INPUT), "SL401", "SL403")
    assert [(item.code, item.path, item.line) for item in paired] == [
        (item.code, item.path, item.line - (2 if item.path == SPEC else 0)) for item in linked]


def test_a_contract_with_disjoint_keys_is_not_paired_by_its_name():
    disjoint = (CONTRACT, '{"processed_data": "/opt/ml/processing/output"}', '{"report": "/opt/ml/processing/output"}')
    assert not findings(project(STEP, *UNLINKED, RENAMED_INPUT, disjoint), *PAIR_RULES)


def test_a_contract_keyed_by_the_spec_s_logical_names_is_paired_and_its_builder_joins_the_step():
    files = reading_env(moved_contract(project(STEP, *UNLINKED), "cleaning"), "SHARD_COUNT")
    undeclared = findings(files, "SL406")
    assert [(item.path, item.says("'SHARD_COUNT'", "CLEANING_CONTRACT")) for item in undeclared] == [
        ("steps/contracts/cleaning_contract.py", True)]  # SL406 reports at the contract the fix edits


def test_two_contracts_keyed_alike_pair_with_neither():
    files = reading_env(moved_contract(project(STEP, *UNLINKED), "cleaning"), "SHARD_COUNT")
    files["steps/contracts/scrubbing_contract.py"] = files["steps/contracts/cleaning_contract.py"].replace(
        "CLEANING_CONTRACT", "SCRUBBING_CONTRACT")
    assert not findings(files, *PAIR_RULES)


def test_a_spec_passing_script_contract_none_is_not_paired():
    files = reading_env(project(STEP, *UNLINKED[:1], (SPEC, "script_contract=PREPROCESSING_CONTRACT",
                                                      "script_contract=None")), "SHARD_COUNT")
    assert not findings(files, *PAIR_RULES)


def test_a_spec_with_an_unknown_step_type_is_not_paired():
    unknown_type = (SPEC, 'step_type=get_spec_step_type("TabularPreprocessing")', "step_type=STEP_TYPE")
    assert not findings(project(STEP, *UNLINKED, RENAMED_INPUT, unknown_type), *PAIR_RULES)


REQUIRED_FOLD = (SCRIPT, 'parser.add_argument("--job-type", required=True)\n',
                 'parser.add_argument("--job-type", required=True)\n    parser.add_argument("--fold", required=True)\n')
UNPLACED_SPEC = (BUILDER, "spec=PREPROCESSING_SPEC", "spec=config.load_spec()")


def test_a_builder_passing_no_spec_is_paired_by_its_class_name():
    seen = findings(project(STEP, REQUIRED_FOLD, UNPLACED_SPEC), "SL408")
    assert [(item.path, item.says("--fold", "TabularPreprocessingStepBuilder")) for item in seen] == [
        ("steps/contracts/preprocessing_contract.py", True)]


def test_two_builders_named_after_one_step_type_pair_with_neither():
    files = project(STEP, REQUIRED_FOLD, UNPLACED_SPEC)
    files["steps/builders/experimental/builder_preprocessing_step.py"] = files[BUILDER]
    assert not findings(files, "SL408")


def test_a_builder_passing_a_spec_from_another_package_is_not_paired():
    outside = (BUILDER, "from steps.specs.preprocessing_spec import PREPROCESSING_SPEC",
               "from vendor_steps.specs import PREPROCESSING_SPEC")
    assert not findings(project(STEP, REQUIRED_FOLD, outside), "SL408")


def test_the_step_records_what_was_paired_and_by_what(monkeypatch):
    recorded = []
    real = python_steps.steps_of

    def steps_of(model):
        steps = real(model)
        recorded.extend(steps)
        return steps

    monkeypatch.setattr(python_steps, "steps_of", steps_of)
    findings(moved_contract(project(STEP, *UNLINKED, UNPLACED_SPEC), "cleaning"))
    links = {link.describe() for step in recorded for link in step.inferred_links}
    assert links == {"PREPROCESSING_SPEC paired with CLEANING_CONTRACT by matching logical names",
                     "TabularPreprocessingStepBuilder paired with PREPROCESSING_SPEC by the registry's "
                     "builder_step_name"} or links == {
        "PREPROCESSING_SPEC paired with CLEANING_CONTRACT by matching logical names",
        "TabularPreprocessingStepBuilder paired with PREPROCESSING_SPEC by the builder's class name"}


# -- never pairs when two candidates fit equally --------------------------------------------
NAMES = st.lists(st.sampled_from(["DATA", "labels", "weights", "calendar", "lookup"]), min_size=1, max_size=3,
                 unique=True)


def _spec(spec: str, dependencies, outputs) -> str:
    """``spec`` (the catalog's spec text) with one dependency per name and one output per name."""
    dependency = spec[spec.index("        DependencySpec("):spec.index("    ],\n    outputs")]
    output = spec[spec.index("        OutputSpec("):spec.rindex("    ],\n)")]
    text = spec.replace(dependency, "".join(dependency.replace('"DATA"', f'"{name}"') for name in dependencies))
    return text.replace(output, "".join(output.replace("'processed_data'", f"'{name}'").replace(
        '"processed_data"', f'"{name}"') for name in outputs))


def _paths(names, directory: str) -> str:
    return "{" + ", ".join(f'"{name}": "/opt/ml/processing/{directory}/{name}"' for name in names) + "}"


def _contract(name: str, inputs, outputs) -> str:
    return (f"from steps.core import ProcessingScriptContract\n\n{name} = ProcessingScriptContract(\n"
            f'    entry_point="preprocess.py",\n'
            f"    expected_input_paths={_paths(inputs, 'input')},\n"
            f"    expected_output_paths={_paths(outputs, 'output')},\n"
            f'    required_env_vars=["LABEL_FIELD"],\n    optional_env_vars={{"TRAIN_RATIO": "0.7"}},\n'
            f'    expected_arguments={{"job-type": "training"}},\n)\n')


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(dependencies=NAMES, outputs=st.lists(st.sampled_from(["processed_data", "report"]), min_size=1, max_size=2,
                                             unique=True),
       by=st.sampled_from(["names", "keys"]), extra=st.sampled_from([(), ("calendar_v2",)]))
def test_never_pairs_when_two_candidates_fit_equally(dependencies, outputs, by, extra):
    """Two contracts that fit the spec equally (both named like it, or both keyed exactly by
    its logical names): no rule that needs the pair reports anything, while the same project
    with one of them removed does (so the pairing would have been visible)."""
    files = reading_env(project(STEP, *UNLINKED), "SHARD_COUNT")
    files[SPEC] = _spec(files[SPEC], dependencies, outputs)
    inputs = tuple(dependencies) + extra  # with an extra key the contracts are named like the spec, not keyed
    if by == "names":
        first, second = CONTRACT, "steps/contracts/legacy/preprocessing_contract.py"
        name = "PREPROCESSING_CONTRACT"
        files[first] = _contract(name, inputs, outputs)
        files[second] = _contract(name, inputs, outputs)
    else:
        del files[CONTRACT]
        first, second = "steps/contracts/cleaning_contract.py", "steps/contracts/scrubbing_contract.py"
        files[first] = _contract("CLEANING_CONTRACT", dependencies, outputs)
        files[second] = _contract("SCRUBBING_CONTRACT", dependencies, outputs)
    assert not findings(files, *PAIR_RULES)
    alone = {path: text for path, text in files.items() if path != second}
    assert findings(alone, *PAIR_RULES), "with one candidate the pair is made and its findings appear"


UNREADABLE = ("from steps.core import ProcessingScriptContract\nfrom steps.settings import LEGACY_FIELDS\n\n"
              "{name} = ProcessingScriptContract(**LEGACY_FIELDS)\n")


@pytest.mark.parametrize("variant", ["names", "keys"])
def test_a_candidate_steplint_cannot_read_pairs_nothing(variant):
    """A contract whose keys steplint cannot read could be the better fit: nothing is paired."""
    if variant == "names":
        files = reading_env(project(STEP, *UNLINKED), "SHARD_COUNT")
        files["steps/contracts/legacy/preprocessing_contract.py"] = UNREADABLE.format(name="PREPROCESSING_CONTRACT")
    else:
        files = reading_env(moved_contract(project(STEP, *UNLINKED), "cleaning"), "SHARD_COUNT")
        files["steps/contracts/scrubbing_contract.py"] = UNREADABLE.format(name="SCRUBBING_CONTRACT")
    assert not findings(files, *PAIR_RULES)
    readable = {path: text for path, text in files.items() if "LEGACY_FIELDS" not in text}
    assert [item.code for item in findings(readable, *PAIR_RULES)] == ["SL406"]


MANAGED_INPUT = ((CONTRACT, '{"DATA": "/opt/ml/processing/input/data"}',
                  '{"DATA": "/opt/ml/processing/input/data", "config": "/opt/ml/input/config/hyperparameters.json"}'),
                 (SPEC, "    ],\n    outputs=[", "        DependencySpec(\n            logical_name=\"config\",\n"
                  "            dependency_type=DependencyType.HYPERPARAMETERS,\n        ),\n    ],\n    outputs=["))


@pytest.mark.parametrize("linked", [True, False], ids=["linked", "paired"])
def test_a_fix_across_a_pair_the_code_does_not_write_is_unsafe(tmp_path, monkeypatch, linked):
    """SL201 removes the contract entry and the spec's dependency as one fix: safe when the spec
    links the contract, unsafe when steplint paired them by evidence (it may have paired wrongly)."""
    from steplint.api import check_paths, configure

    from tests.conftest import write_project

    root = write_project(tmp_path / "p", project(STEP, *MANAGED_INPUT, *(() if linked else UNLINKED)))
    monkeypatch.chdir(root)
    [finding] = [f for f in check_paths(["."], configure(["."])).findings if f.code == "SL201"]
    assert finding.fix is not None and finding.fix.paths == {CONTRACT, SPEC}
    assert finding.fix.applicability.value == ("safe" if linked else "unsafe")
