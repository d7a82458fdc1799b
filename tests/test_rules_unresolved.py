"""SL904 unresolved-value: a bad and a good case per branch: each kind of field (spec fields,
a dependency's logical name, the linked contract, contract fields), each cause (a
comprehension, a name bound nowhere, a call outside the tree, a call steplint does not run,
``**kwargs``), where the cause is (this file or the module that binds it), and the grouping
of fields unknown for one cause."""

from __future__ import annotations

import pytest

from tests.conftest import run_steplint, write_project
from tests.rule_projects import findings, line_of

CORE = {"steps/core.py": "class StepSpecification: ...\nclass DependencySpec: ...\nclass OutputSpec: ...\nclass ScriptContract: ...\n"
                         "class TrainingScriptContract(ScriptContract): ...\n"}
SPEC_PATH = "steps/specs/s.py"
CONTRACT_PATH = "steps/contracts/c.py"


def spec(*fields: str, head: str = "") -> dict:
    body = "".join(f"    {field},\n" for field in fields)
    return {**CORE, SPEC_PATH: f"from steps.core import DependencySpec, OutputSpec, StepSpecification\n{head}\n"
                               f"S = StepSpecification(\n{body})\n"}


def contract(*fields: str, head: str = "", **more) -> dict:
    body = "".join(f"    {field},\n" for field in fields)
    return {**CORE, **more, CONTRACT_PATH: f"from steps.core import TrainingScriptContract\n{head}\n"
                                           f"C = TrainingScriptContract(\n{body})\n"}


def test_literal_spec_and_contract_fields_are_known():
    files = {**spec("step_type='X'", "dependencies=[DependencySpec(logical_name='data')]", "outputs=[]"),
             **contract("entry_point='train.py'", "expected_input_paths={'data': '/opt/ml/input/data'}",
                        "expected_output_paths={}", "required_env_vars=[]", "optional_env_vars={}",
                        "expected_arguments={}")}
    assert findings(files, "SL904") == []


def test_spec_dependencies_from_a_comprehension():
    files = spec("step_type='X'", "dependencies=[DependencySpec(logical_name=name) for name in NAMES]",
                 head="NAMES = ['data', 'config']\n")
    [finding] = findings(files, "SL904")
    assert (finding.path, finding.line) == (SPEC_PATH, line_of(files[SPEC_PATH], "dependencies="))
    assert finding.says("specification S: 'dependencies' is not statically known")
    assert finding.helps("Rules that need it skip this step", "suppress SL904 here")


@pytest.mark.parametrize(("field", "value"), [
    ("step_type", "spec_type_for('x')"),
    ("outputs", "[OutputSpec(logical_name=name) for name in NAMES]"),
    ("dependencies", "list(make_dependencies())"),
])
def test_each_spec_field_the_rules_need(field, value):
    files = spec(f"{field}={value}", *(f for f in ("step_type='X'", "dependencies=[]", "outputs=[]")
                                        if not f.startswith(field)), head="NAMES = ['a']\n")
    [finding] = findings(files, "SL904")
    assert finding.line == line_of(files[SPEC_PATH], f"{field}=")
    assert finding.says(f"specification S: '{field}' is not statically known")


def test_a_dependency_whose_logical_name_is_bound_nowhere():
    files = spec("step_type='X'", "dependencies=[DependencySpec(logical_name=NAME)]")
    [finding] = findings(files, "SL904")
    line = line_of(files[SPEC_PATH], "logical_name=NAME")
    column = files[SPEC_PATH].splitlines()[line - 1].index("NAME)") + 1
    assert finding.line == line
    assert finding.says("dependency of S: 'logical_name' is not statically known",
                        "(name 'NAME' is not bound at module level)")
    assert finding.helps(f"The cause is at {SPEC_PATH}:{line}:{column}.")


def test_an_unknown_output_logical_name_is_reported_as_an_output():
    files = spec("step_type='X'", "outputs=[OutputSpec(logical_name=NAME)]")
    [finding] = findings(files, "SL904")
    assert finding.says("output of S: 'logical_name'")


def test_a_script_contract_steplint_cannot_resolve():
    files = spec("step_type='X'", "dependencies=[]", "script_contract=load_contract()")
    [finding] = findings(files, "SL904")
    assert (finding.path, finding.line) == (SPEC_PATH, line_of(files[SPEC_PATH], "script_contract="))
    assert finding.message == "specification S: 'script_contract' is not statically known"
    assert finding.helps("Cause: cannot resolve the script contract")


def test_contract_field_from_a_call_steplint_cannot_follow_says_where():
    files = contract("entry_point='train.py'", "expected_input_paths=build_paths()")
    [finding] = findings(files, "SL904")
    line = line_of(files[CONTRACT_PATH], "build_paths()")
    column = files[CONTRACT_PATH].splitlines()[line - 1].index("build_paths()") + 1
    assert (finding.path, finding.line) == (CONTRACT_PATH, line)
    assert finding.says("contract C: 'expected_input_paths' is not statically known", "'build_paths' is not bound")
    assert finding.helps(f"The cause is at {CONTRACT_PATH}:{line}:{column}.")


def test_contract_field_from_a_function_of_the_tree_that_steplint_does_not_run():
    files = contract("entry_point='train.py'", "expected_input_paths=paths('x')",
                     head="def paths(kind):\n    return {'a': '/opt/ml/input/data/' + kind}\n")
    [finding] = findings(files, "SL904")
    assert finding.says("(a call to paths(), which steplint does not run)")


def test_the_cause_in_another_module_is_located_there():
    files = contract("entry_point='train.py'", "expected_input_paths=PATHS", head="from steps.paths import PATHS\n",
                     **{"steps/paths.py": "PATHS = make()\n"})
    [finding] = findings(files, "SL904")
    assert finding.path == CONTRACT_PATH
    assert finding.says("'make' is not bound") and finding.helps("The cause is at steps/paths.py:1:9.")


def test_fields_a_kwargs_may_set_share_one_finding_at_the_call():
    files = contract("expected_input_paths={'data': '/opt/ml/input/data'}", "**SETTINGS",
                     head="SETTINGS = dict(entry_point='train.py')\n")
    [finding] = findings(files, "SL904")
    assert (finding.path, finding.line) == (CONTRACT_PATH, line_of(files[CONTRACT_PATH], "C = "))
    assert finding.says("contract C: 5 fields are not statically known (the call passes *args or **kwargs)")
    assert finding.helps("The fields: 'entry_point', 'expected_output_paths', 'required_env_vars', "
                         "'optional_env_vars', 'expected_arguments'.", "Rules that need them skip")


def test_a_field_given_explicitly_beside_kwargs_keeps_its_own_cause():
    files = contract("expected_input_paths=build_paths()", "**SETTINGS", head="SETTINGS = dict(entry_point='train.py')\n")
    found = findings(files, "SL904")
    [own] = [f for f in found if "'expected_input_paths'" in f.message]
    assert own.line == line_of(files[CONTRACT_PATH], "build_paths()")
    assert own.says("'build_paths' is not bound") and "**kwargs" not in own.message
    [other] = [f for f in found if f is not own]
    assert other.says("5 fields") and "'expected_input_paths'" not in other.help
    assert [f.line for f in found if f is not own] == [line_of(files[CONTRACT_PATH], "C = ")]


def test_fields_given_explicitly_beside_kwargs_are_known():
    files = contract("entry_point='train.py'", "expected_input_paths={}", "expected_output_paths={}",
                     "required_env_vars=[]", "optional_env_vars={}", "expected_arguments={}", "**EXTRA",
                     head="EXTRA = {}\n")
    assert findings(files, "SL904") == []


def test_a_contract_without_kwargs_has_no_unknown_missing_fields():
    assert findings(contract("entry_point='train.py'"), "SL904") == []


def test_it_is_a_warning(tmp_path):
    files = contract("entry_point='train.py'", "expected_input_paths=build_paths()")
    root = write_project(tmp_path, files)
    result = run_steplint("check", ".", cwd=root)
    line = line_of(files[CONTRACT_PATH], "expected_input_paths=")
    assert result.returncode == 0 and f"{CONTRACT_PATH}:{line}:5: SL904 unresolved-value" in result.stdout
    assert run_steplint("check", "--fail-on", "warning", ".", cwd=root).returncode == 1


def test_a_cause_too_long_for_the_message_line_is_given_in_the_help():
    files = contract("entry_point='train.py'", "expected_input_paths=build_paths()")
    long_name = "XGBOOST_MODEL_EVALUATION_CONTRACT"
    files[CONTRACT_PATH] = files[CONTRACT_PATH].replace("C = ", f"{long_name} = ")
    [finding] = findings(files, "SL904")
    assert finding.message == f"contract {long_name}: 'expected_input_paths' is not statically known"
    line = line_of(files[CONTRACT_PATH], "build_paths()")
    assert finding.helps("Cause: name 'build_paths' is not bound at module level.",
                         f"The cause is at {CONTRACT_PATH}:{line}:")
