"""Whose keys a script reads, which reads it really makes, and inputs a builder never sends.

Variants of the ``own_path_tables`` fixture project: one file rewritten per case, and the
findings of the rules concerned compared. Each case is a class of code seen on real
spec-driven trees (README, "Precision on real code"), not one instance.
"""

from __future__ import annotations

import shutil
from textwrap import dedent

import pytest
from steplint.api import check_paths, configure

from tests.conftest import FIXTURES

PROJECT = "own_path_tables"
SCRIPTS = "src/orchard/steps/scripts"


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / PROJECT
    shutil.copytree(FIXTURES / PROJECT, root)
    monkeypatch.chdir(root)
    return root


def findings(root, code: str, path: str | None = None) -> list:
    """``(path, line, message, help)`` of the findings of ``code`` that involve ``path`` (reported
    there or naming it as a related file: SL405 reports a script's read at its contract)."""
    result = check_paths(["."], configure(["."]))
    assert not result.internal_errors, result.internal_errors
    assert not [finding for finding in result.findings if finding.code == "SL901"], "a variant does not parse"
    return sorted((finding.path, finding.line, finding.message, finding.help) for finding in result.findings
                  if finding.code == code and (path is None or path in (finding.path, *finding.related_paths)))


def write_script(root, name: str, text: str) -> str:
    path = f"{SCRIPTS}/{name}"
    (root / path).write_text(dedent(text))
    return path


HEADER = '''\
    """Score expected yield per orchard block."""

    import os


'''


def test_keys_come_from_the_dict_main_builds_not_from_the_contract(project):
    path = write_script(project, "yield_scoring.py", HEADER + '''\
    def main(input_paths, output_paths, environ_vars):
        print(input_paths["counts"], input_paths["model"], output_paths["scores"])
        print(input_paths["calendar"])


    if __name__ == "__main__":
        paths = {"counts": "/opt/ml/processing/input/counts", "model": "/opt/ml/processing/input/model"}
        paths["calendar"] = "/opt/ml/processing/input/counts/calendar"
        main(paths, {"scores": "/opt/ml/processing/output/scores"}, dict(os.environ))
    ''')
    assert findings(project, "SL405", path) == []


def test_a_key_missing_from_the_scripts_own_dict_is_reported_as_such(project):
    path = write_script(project, "yield_scoring.py", HEADER + '''\
    def main(input_paths, output_paths, environ_vars):
        print(input_paths["fruit_counts"], output_paths["scores"], environ_vars.get("SCORE_THRESHOLD"))


    if __name__ == "__main__":
        main(input_paths={"counts": "/opt/ml/processing/input/counts"},
             output_paths={"scores": "/opt/ml/processing/output/scores"}, environ_vars={})
    ''')
    [(where, line, message, help)] = findings(project, "SL405", path)
    assert (where, line) == (path, 10)  # the __main__ block that builds the dict
    assert "yield_scoring.py:7 reads input_paths['fruit_counts']" in message and "its __main__ passes" in message
    assert "raises KeyError" in help and "expected_input_paths" not in message + help


@pytest.mark.parametrize("binding", [
    'input_paths = build_paths()',
    'input_paths = {**BASE, "counts": "/opt/ml/processing/input/counts"}',
    'input_paths = {KEY: "/opt/ml/processing/input/counts"}',
    'input_paths = {"counts": "/opt/ml/processing/input/counts"}\n        input_paths.update(EXTRA)',
    'input_paths = {"counts": "/opt/ml/processing/input/counts"}\n        input_paths[KEY] = "/opt/ml/processing/input/model"',
])
def test_a_dict_steplint_cannot_read_whole_is_cannot_tell(project, binding):
    path = write_script(project, "yield_scoring.py", HEADER + '''\
    BASE = {}
    EXTRA = {}
    KEY = "weather"


    def build_paths():
        return {}


    def main(input_paths, output_paths):
        print(input_paths["weather"], output_paths)


    if __name__ == "__main__":
        ''' + binding + '''
        main(input_paths, {"scores": "/opt/ml/processing/output/scores"})
    ''')
    assert findings(project, "SL405", path) == []


def test_dicts_that_differ_by_branch_are_cannot_tell_for_keys_only_some_hold(project):
    path = write_script(project, "yield_scoring.py", HEADER + '''\
    def main(input_paths, output_paths):
        print(input_paths["counts"], input_paths["fruit_counts"], input_paths["weather"], output_paths)


    if __name__ == "__main__":
        if os.environ.get("LEGACY_NAMES"):
            inputs = {"counts": "/opt/ml/processing/input/counts"}
        else:
            inputs = {"counts": "/opt/ml/processing/input/counts", "fruit_counts": "/opt/ml/processing/input/counts"}
        main(inputs, {"scores": "/opt/ml/processing/output/scores"})
    ''')
    [(_, _, message, _)] = findings(project, "SL405", path)
    assert "yield_scoring.py:7 reads input_paths['weather']" in message


@pytest.mark.parametrize("guard, expected", [
    # made only when the key is present: never a finding
    ('if "tally" not in input_paths:\n        return None\n    tally = input_paths["tally"]', None),
    ('for name in ("a", "b"):\n        if "tally" not in input_paths:\n            continue\n'
     '        tally = input_paths["tally"]', None),
    ('if "tally" in input_paths:\n        tally = input_paths["tally"]', None),
    ('if "tally" in input_paths and "fruit_counts" in input_paths:\n        tally = input_paths["tally"]', None),
    # the script's own check fails first: a finding, but not a KeyError
    ('if "tally" not in input_paths:\n        raise ValueError("tally")\n    tally = input_paths["tally"]',
     "the script's own check for the key raises"),
    ('if "fruit_counts" not in input_paths or "tally" not in input_paths:\n        raise ValueError("inputs")\n'
     '    tally = input_paths.get("tally")', "the script's own check for the key raises"),
    # reached only when a declared key is absent: never made
    ('if "fruit_counts" in input_paths and "model_artifacts" in input_paths:\n        tally = None\n'
     '    else:\n        tally = input_paths["tally"]', None),
    ('if "fruit_counts" not in input_paths:\n        tally = input_paths["tally"]', None),
    ('if "fruit_counts" in input_paths:\n        return None\n    tally = input_paths["tally"]', None),
    # reached only when an undeclared key is absent: made, so reported
    ('if "tally_v2" in input_paths:\n        tally = None\n    else:\n        tally = input_paths["tally"]',
     "raises KeyError"),
    # plain subscript
    ('tally = input_paths["tally"]', "raises KeyError"),
])
def test_membership_guards_against_the_contracts_keys(project, guard, expected):
    path = write_script(project, "ripeness_report.py", '''\
    """Summarise ripeness measurements."""

    from orchard.runtime import run_step


    def main(input_paths, output_paths):
        ''' + guard.replace("\n", "\n    ") + '''
        return output_paths["report"]


    if __name__ == "__main__":
        run_step(main, "orchard.steps.contracts.ripeness_report_contract", "RIPENESS_REPORT_CONTRACT")
    ''')
    (project / "src/orchard/steps/contracts/ripeness_report_contract.py").write_text(dedent('''\
        from ...core.base import ScriptContract

        RIPENESS_REPORT_CONTRACT = ScriptContract(
            entry_point="ripeness_report.py",
            expected_input_paths={
                "fruit_counts": "/opt/ml/processing/input/ripeness",
                "model_artifacts": "/opt/ml/processing/input/reference",
            },
            expected_output_paths={"report": "/opt/ml/processing/output/report"},
        )
    '''))
    reported = findings(project, "SL405", path)
    if expected is None:
        assert reported == []
    else:
        [(_, _, message, help)] = reported
        assert "'tally'" in message and expected in help


@pytest.mark.parametrize("use, reported", [
    ('print(TABLE["INPUT"])', False),
    ('print(TABLE.get("INPUT"))', False),
    ('print(TABLE["INPUT"], TABLE["SCRATCH"])', True),
    ('print(list(TABLE.values()))', True),
    ('print(TABLE)', True),
    ('print(TABLE["INPUT"])  # TABLE also lists the scratch directory', True),
])
def test_a_path_in_a_dict_entry_nothing_reads_is_not_a_use(project, use, reported):
    path = write_script(project, "tree_inventory.py", '''\
    """Count trees per block."""

    TABLE = {
        "INPUT": "/opt/ml/processing/input/surveys",
        "SCRATCH": "/opt/ml/processing/scratch",
    }


    def main():
        ''' + use + '''


    if __name__ == "__main__":
        main()
    ''')
    assert bool(findings(project, "SL405", path)) is reported


BUILDER = "src/orchard/steps/builders/builder_frost_alert_step.py"
CONTRACT = "src/orchard/steps/contracts/frost_alert_contract.py"


@pytest.mark.parametrize("test, reported", [
    ('logical_name == "thresholds"', False),
    ('"thresholds" == logical_name', False),
    ('logical_name == "thresholds" and self.config.bundled_thresholds', True),
    ('logical_name == "thresholds_v1"', True),
])
def test_no_service_rejection_for_an_input_the_builder_always_skips(project, test, reported):
    builder = project / BUILDER
    builder.write_text(builder.read_text().replace(
        'logical_name == "thresholds" and self.config.bundled_thresholds', test))
    assert bool(findings(project, "SL202", CONTRACT)) is reported


def test_an_input_skipped_but_also_named_elsewhere_is_not_taken_as_skipped(project):
    builder = project / BUILDER
    builder.write_text(builder.read_text().replace(
        'logical_name == "thresholds" and self.config.bundled_thresholds', 'logical_name == "thresholds"').replace(
        "        return processing_inputs\n",
        '        if "thresholds" in inputs:\n'
        '            processing_inputs.append(ProcessingInput(source=inputs["thresholds"],\n'
        '                                                     destination="/opt/ml/code/thresholds"))\n'
        "        return processing_inputs\n"))
    assert findings(project, "SL202", CONTRACT)


def test_unread_env_vars_state_only_what_holds(project):
    contract = project / "src/orchard/steps/contracts/yield_scoring_contract.py"
    contract.write_text(contract.read_text().replace(
        'optional_env_vars=', 'required_env_vars=["ORCHARD_ID"],\n    optional_env_vars='))
    helps = {message.split("'")[1]: help for _, _, message, help in findings(project, "SL407")}
    assert set(helps) == {"ORCHARD_ID", "LEGACY_BATCH_SIZE"}
    assert "Any value set for it has no effect" in helps["LEGACY_BATCH_SIZE"]
    assert "The pipeline must configure it for nothing" in helps["ORCHARD_ID"]
