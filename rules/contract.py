"""SL2xx: script contracts."""

from __future__ import annotations

from steplint.rule import Applicability, Example, Rule
from steplint.sagemaker_facts import PROCESSING_MANAGED_CONFIG_DIR, managed_config_dir
from steplint.values import Mapping

from steplint.rules._examples import CONFIG_DEPENDENCY, DATA_DEPENDENCY, training_project
from steplint.rules._fixes import remove_contract_input, remove_dependency, removal_fix

_EXPLANATION = {
    "/opt/ml/input/config/": ("SageMaker writes the files under /opt/ml/input/config/ of a training container "
                              "itself (hyperparameters.json, resourceconfig.json, inputdataconfig.json); input "
                              "channels are mounted only at /opt/ml/input/data/<channel>"),
    PROCESSING_MANAGED_CONFIG_DIR: ("SageMaker writes /opt/ml/config/ of a processing container itself "
                                    "(processingjobconfig.json, resourceconfig.json); processing inputs are "
                                    "delivered only under /opt/ml/processing/"),
}


class ManagedContractPath(Rule):
    code = "SL201"
    name = "managed-contract-path"
    summary = "A contract input path that SageMaker writes itself."
    rationale = (
        "Files in a container's config directory are written by SageMaker, not delivered through an input. "
        "Declaring one as an expected input makes the spec require an upstream output that can never land "
        "there, and hides where the data really comes from (usually the estimator's hyperparameters=)."
    )
    fix_applicability = Applicability.SAFE
    bad_examples = (
        Example(training_project(
            dependencies=DATA_DEPENDENCY,
            input_paths='{"input_path": "/opt/ml/input/data", "config": "/opt/ml/input/config/hyperparameters.json"}',
            estimator="XGBoost",
            estimator_kwargs="output_path=self.config.output_path,",
        )),
    )
    good_examples = (
        Example(training_project(
            dependencies=DATA_DEPENDENCY + CONFIG_DEPENDENCY,
            input_paths='{"input_path": "/opt/ml/input/data", '
                        '"config": "/opt/ml/input/data/config/hyperparameters.json"}',
            estimator="XGBoost",
            estimator_kwargs="output_path=self.config.output_path,",
        )),
    )

    def check(self, context):
        model = context.model
        for contract in model.contracts:
            paths = contract.input_paths
            if not isinstance(paths, Mapping):
                continue
            inline = contract.call.kwarg("expected_input_paths") is paths
            for entry in paths.entries:
                name, path = model.resolve(entry.key), model.resolve(entry.value)
                if not isinstance(name, str) or not isinstance(path, str):
                    continue
                directory = managed_config_dir(path)
                if directory is None:
                    continue
                message = (f"input '{name}' of {contract.name} points at {path}, which is not an input: "
                           f"{_EXPLANATION[directory]}; remove the entry")
                edits = [remove_contract_input(context, contract, name)]
                linked = model.specs_linking(contract)
                for spec in linked:
                    if isinstance(spec.dependencies, tuple):
                        edits.extend(remove_dependency(context, spec, dependency) for dependency in spec.dependencies
                                     if dependency.logical_name == name)
                        message += f" and dependency '{name}' of {spec.name}" if any(
                            dependency.logical_name == name for dependency in spec.dependencies) else ""
                fix = removal_fix(context, f"remove input '{name}'", *edits) if inline else None
                span = entry.key_span if inline else (contract.call.kwarg_span("expected_input_paths")
                                                      or contract.call.span)
                yield self.finding(contract.path, span, message, fix, [spec.path for spec in linked])
