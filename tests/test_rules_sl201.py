"""SL201 managed-contract-path: one bad and one good case per branch of the rule's condition.

A contract input mapped into a directory SageMaker writes itself is flagged: a training
container's /opt/ml/input/config/ and a processing container's /opt/ml/config/ (each with
its own explanation in the help). The help names the linked spec's dependency of the same
name when there is one; the fix (removing the entry, and that dependency) is offered only when the
paths are written inline in the contract call.
"""

from __future__ import annotations

from steplint.rules._catalog_examples import CONTRACT, PROCESSING_STEP, SPEC, project
from steplint.rules._examples import CONTRACT as TRAINING_CONTRACT
from steplint.rules._examples import DATA_DEPENDENCY, training_project
from steplint.rules._examples import SPEC as TRAINING_SPEC

from tests.conftest import write_project
from tests.rule_projects import cli_findings, findings, fixed, line_of

PROCESSING_PATHS = '{"DATA": "/opt/ml/processing/input/data"}'
JOB_CONFIG = "/opt/ml/config/processingjobconfig.json"
HYPERPARAMETERS = "/opt/ml/input/config/hyperparameters.json"
JOB_CONFIG_DEPENDENCY = '''\
        DependencySpec(
            logical_name="job_config",
            dependency_type=DependencyType.PROCESSING_OUTPUT,
        ),
        DependencySpec(
'''


def processing(path: str, *, dependency: bool = False, hoisted: bool = False) -> dict:
    """The catalog's processing step with contract input 'job_config' at ``path`` (and a spec
    dependency of that name); ``hoisted``: the paths bound to a module constant first."""
    paths = '{"DATA": "/opt/ml/processing/input/data", "job_config": "' + path + '"}'
    changes = [(CONTRACT, PROCESSING_PATHS, "INPUT_PATHS" if hoisted else paths)]
    if hoisted:
        changes.append((CONTRACT, "PREPROCESSING_CONTRACT = ", f"INPUT_PATHS = {paths}\n\nPREPROCESSING_CONTRACT = "))
    if dependency:
        changes.append((SPEC, "        DependencySpec(\n", JOB_CONFIG_DEPENDENCY))
    return project(PROCESSING_STEP, *changes)


def training(path: str) -> dict:
    return training_project(dependencies=DATA_DEPENDENCY, estimator="XGBoost",
                            estimator_kwargs="output_path=self.config.output_path,",
                            input_paths='{"input_path": "/opt/ml/input/data", "config": "' + path + '"}')


# -- the processing container's /opt/ml/config/ ---------------------------------------------


def test_processing_input_in_the_processing_config_directory():
    files = processing(JOB_CONFIG)
    [finding] = findings(files, "SL201")
    assert (finding.path, finding.line) == (CONTRACT, line_of(files[CONTRACT], "job_config"))
    assert finding.says(f"input 'job_config' of PREPROCESSING_CONTRACT is {JOB_CONFIG}, which SageMaker writes")
    assert finding.helps("SageMaker writes /opt/ml/config/ of a processing container itself",
                         "delivers processing inputs only under /opt/ml/processing/", "Remove the entry;")
    assert "/opt/ml/input/config/" not in finding.help
    assert finding.fix == "remove input 'job_config'"


def test_the_processing_config_directory_itself():
    assert [f.code for f in findings(processing("/opt/ml/config"), "SL201")] == ["SL201"]


def test_processing_input_under_the_processing_root_is_not_flagged():
    assert findings(processing("/opt/ml/processing/input/config/processingjobconfig.json"), "SL201") == []


def test_a_directory_that_only_starts_like_the_config_directory_is_not_flagged():
    assert findings(processing("/opt/ml/configuration/settings.json"), "SL201") == []


def test_processing_fix_removes_the_entry_and_the_dependency(tmp_path):
    files = processing(JOB_CONFIG, dependency=True)
    [finding] = findings(files, "SL201")
    assert finding.helps("Remove the entry and dependency 'job_config' of PREPROCESSING_SPEC; a script that reads it "
                         f"through the contract's paths can open {JOB_CONFIG} directly.")
    changed = fixed(files)
    assert changed[CONTRACT] == project(PROCESSING_STEP)[CONTRACT]
    assert changed[SPEC] == project(PROCESSING_STEP)[SPEC]
    assert findings({**files, **changed}, "SL201") == []


def test_cli_reports_the_processing_branch(tmp_path):
    files = processing(JOB_CONFIG)
    reported = [f for f in cli_findings(write_project(tmp_path, files)) if f["code"] == "SL201"]
    assert [(f["filename"], f["location"]["row"]) for f in reported] == [(CONTRACT, line_of(files[CONTRACT], "job_config"))]
    assert reported[0]["message"].endswith(f"is {JOB_CONFIG}, which SageMaker writes")
    assert "of a processing container itself" in reported[0]["help"]


# -- the training container's /opt/ml/input/config/ -------------------------------------------------


def test_training_input_in_the_training_config_directory():
    files = training(HYPERPARAMETERS)
    [finding] = findings(files, "SL201")
    assert (finding.path, finding.line) == (TRAINING_CONTRACT, line_of(files[TRAINING_CONTRACT], HYPERPARAMETERS))
    assert finding.says(f"input 'config' of TRAINING_CONTRACT is {HYPERPARAMETERS}")
    assert finding.helps("SageMaker writes the files under /opt/ml/input/config/ of a training container itself",
                         "mounts input channels only at /opt/ml/input/data/<channel>")
    assert "dependency 'config'" not in finding.help  # the spec declares none


def test_training_config_directory_itself():
    assert [f.code for f in findings(training("/opt/ml/input/config"), "SL201")] == ["SL201"]


def test_training_channel_named_config_is_not_flagged():
    assert findings(training("/opt/ml/input/data/config/hyperparameters.json"), "SL201") == []


def test_training_help_names_the_linked_dependency():
    files = training_project(
        dependencies=DATA_DEPENDENCY + 'DependencySpec(\n    logical_name="config",\n'
                                       '    dependency_type=DependencyType.HYPERPARAMETERS,\n),\n',
        input_paths='{"input_path": "/opt/ml/input/data", "config": "' + HYPERPARAMETERS + '"}')
    [finding] = findings(files, "SL201")
    assert finding.helps("Remove the entry and dependency 'config' of TRAINING_SPEC;")
    changed = fixed(files)
    assert 'logical_name="config"' not in changed[TRAINING_SPEC]
    assert HYPERPARAMETERS not in changed[TRAINING_CONTRACT]


# -- how the paths are written ------------------------------------------------------------------------


def test_paths_bound_to_a_constant_are_flagged_at_the_keyword_without_a_fix():
    files = processing(JOB_CONFIG, hoisted=True)
    [finding] = findings(files, "SL201")
    assert (finding.path, finding.line) == (CONTRACT, line_of(files[CONTRACT], "expected_input_paths=INPUT_PATHS"))
    assert finding.fix is None
    assert fixed(files).get(CONTRACT) is None


def test_outputs_in_the_config_directory_are_not_this_rule():
    files = project(PROCESSING_STEP, (CONTRACT, '"/opt/ml/processing/output"}', '"/opt/ml/config/out"}'))
    assert findings(files, "SL201") == []


def test_unknown_paths_are_not_judged():
    files = project(PROCESSING_STEP, (CONTRACT, PROCESSING_PATHS, "build_paths()"))
    assert findings(files, "SL201") == []


def test_path_from_a_module_constant_is_resolved():
    files = project(PROCESSING_STEP, (CONTRACT, PROCESSING_PATHS, '{"DATA": "/opt/ml/processing/input/data", '
                                                                  '"job_config": CONFIG_FILE}'),
                    (CONTRACT, "PREPROCESSING_CONTRACT = ", f'CONFIG_FILE = "{JOB_CONFIG}"\n\nPREPROCESSING_CONTRACT = '))
    [finding] = findings(files, "SL201")
    assert finding.says(f"is {JOB_CONFIG}")


def test_an_entry_whose_key_is_unknown_is_not_judged():
    files = project(PROCESSING_STEP, (CONTRACT, PROCESSING_PATHS, '{"DATA": "/opt/ml/processing/input/data", '
                                                                  f'job_config_key(): "{JOB_CONFIG}"}}'))
    assert findings(files, "SL201") == []


def test_an_entry_whose_path_is_unknown_is_not_judged():
    files = project(PROCESSING_STEP, (CONTRACT, PROCESSING_PATHS, '{"DATA": "/opt/ml/processing/input/data", '
                                                                  '"job_config": config_path()}'))
    assert findings(files, "SL201") == []
