"""SL1xx: step specifications."""

from __future__ import annotations

from steplint.model import Contract
from steplint.rule import Applicability, Example, Rule
from steplint.sagemaker_facts import HYPERPARAMETERS_FILE, managed_config_dir
from steplint.values import Mapping

from steplint.rules._examples import CONFIG_DEPENDENCY, DATA_DEPENDENCY, training_project
from steplint.rules._fixes import remove_contract_input, remove_dependency, removal_fix


def _reads_channel(script, logical_name: str, container_path: object) -> bool:
    """Whether a script reads a dependency's input: its contract key or a path under its channel."""
    if script is None:
        return False
    for access in script.accesses:
        if access.kind == "input_key" and access.key == logical_name:
            return True
        if access.kind == "path" and isinstance(container_path, str) and access.key.startswith(container_path):
            return True
    return False


class RedundantDependency(Rule):
    code = "SL101"
    name = "redundant-dependency"
    summary = "A spec dependency that nothing needs: hyperparameters the estimator already receives."
    rationale = (
        "A training step whose builder passes hyperparameters= to its estimator gets them from SageMaker, "
        "which writes /opt/ml/input/config/hyperparameters.json itself. A HYPERPARAMETERS dependency (or one "
        "mapped to a SageMaker-written config file) on such a step forces every pipeline to wire an input that "
        "no channel delivers and no script reads. Steps that deliberately ship hyperparameters through an "
        "input channel (the builder passes no hyperparameters=, the script reads the channel) are not flagged."
    )
    fix_applicability = Applicability.SAFE
    bad_examples = (
        Example(training_project(
            dependencies=DATA_DEPENDENCY + CONFIG_DEPENDENCY,
            input_paths='{"input_path": "/opt/ml/input/data", "config": "/opt/ml/input/data/config/hp.json"}',
        )),
    )
    good_examples = (
        Example(training_project(
            dependencies=DATA_DEPENDENCY,
            input_paths='{"input_path": "/opt/ml/input/data"}',
        )),
        Example(training_project(
            dependencies=DATA_DEPENDENCY + CONFIG_DEPENDENCY,
            input_paths='{"input_path": "/opt/ml/input/data", '
                        '"config": "/opt/ml/input/data/config/hyperparameters.json"}',
            estimator="XGBoost",
            estimator_kwargs="output_path=self.config.output_path,",
            script='''\
                import json

                with open("/opt/ml/input/data/config/hyperparameters.json") as handle:
                    HYPERPARAMETERS = json.load(handle)
                ''',
        )),
    )

    def check(self, context):
        model = context.model
        for spec in model.specs:
            if not isinstance(spec.dependencies, tuple) or model.step_kind(spec) != "training":
                continue
            passing = [(builder, constructed) for builder in model.builders_of(spec)
                       for constructed in builder.constructed
                       if constructed.kind == "estimator" and constructed.call.has_kwarg("hyperparameters")
                       and model.resolve(constructed.call.kwarg("hyperparameters")) is not None]
            if not passing:
                continue
            builder, estimator = passing[0]
            contract = model.contract_of(spec)
            contract = contract if isinstance(contract, Contract) else None
            script = model.script_of(contract) if contract is not None else None
            for dependency in spec.dependencies:
                name = dependency.logical_name
                if not isinstance(name, str):
                    continue
                container_path = None
                if contract is not None and isinstance(contract.input_paths, Mapping):
                    container_path = model.resolve(contract.input_paths.get(name))
                managed = isinstance(container_path, str) and managed_config_dir(container_path) is not None
                if dependency.type_name != "HYPERPARAMETERS" and not managed:
                    continue
                if not managed and _reads_channel(script, name, container_path):
                    continue
                kind = dependency.type_name or "mapped to a SageMaker-written file"
                message = (
                    f"dependency '{name}' ({kind}) is redundant: the {estimator.class_name} estimator built by "
                    f"{builder.name} receives hyperparameters= directly and SageMaker writes "
                    f"{HYPERPARAMETERS_FILE} itself; remove the dependency"
                    + (f" and its '{name}' entry in {contract.name}" if container_path is not None else "")
                )
                edits = [remove_dependency(context, spec, dependency)]
                if contract is not None:
                    edits.append(remove_contract_input(context, contract, name))
                fix = removal_fix(context, f"remove dependency '{name}'", *edits)
                related = [builder.path] + ([contract.path] if contract is not None else [])
                yield self.finding(spec.path, dependency.span, message, fix, related)
