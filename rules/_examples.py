"""Small example projects for rule documentation and tests, in the ``steps/`` layout."""

from __future__ import annotations

from textwrap import dedent

CORE = "steps/core.py"
SPEC = "steps/specs/training_spec.py"
CONTRACT = "steps/contracts/training_contract.py"
BUILDER = "steps/builders/builder_training_step.py"
SCRIPT = "steps/scripts/train.py"


def training_project(*, dependencies: str, input_paths: str, estimator: str = "PyTorch",
                     estimator_kwargs: str = "hyperparameters=self.config.hyperparameters,",
                     script: str | None = None, contract_class: str = "TrainingScriptContract") -> dict:
    """A spec, contract and builder for one training step, with the given variable parts."""
    files = {
        CORE: "class StepSpecification: ...\nclass DependencySpec: ...\nclass OutputSpec: ...\n"
              "class ScriptContract: ...\nclass TrainingScriptContract(ScriptContract): ...\n"
              "class StepBuilderBase: ...\n",
        SPEC: dedent('''\
            from steps.core import DependencySpec, OutputSpec, StepSpecification
            from steps.core import DependencyType, NodeType
            from steps.contracts.training_contract import TRAINING_CONTRACT

            TRAINING_SPEC = StepSpecification(
                step_type="ModelTraining",
                node_type=NodeType.INTERNAL,
                script_contract=TRAINING_CONTRACT,
                dependencies=[
            {dependencies}
                ],
                outputs=[
                    OutputSpec(
                        logical_name="model_output",
                        output_type=DependencyType.MODEL_ARTIFACTS,
                        property_path="properties.ModelArtifacts.S3ModelArtifacts",
                    ),
                ],
            )
            ''').replace("{dependencies}", dedent(dependencies).strip("\n")
                         .replace("\n", "\n        ").join(("        ", ""))),
        CONTRACT: dedent('''\
            from steps.core import {contract_class}

            TRAINING_CONTRACT = {contract_class}(
                entry_point="train.py",
                expected_input_paths={input_paths},
                expected_output_paths={"model_output": "/opt/ml/model"},
            )
            ''').replace("{contract_class}", contract_class).replace("{input_paths}", input_paths),
        BUILDER: dedent('''\
            from sagemaker.{module} import {estimator}

            from steps.core import StepBuilderBase
            from steps.specs.training_spec import TRAINING_SPEC


            class TrainingStepBuilder(StepBuilderBase):
                def __init__(self, config, sagemaker_session=None, role=None):
                    super().__init__(config=config, spec=TRAINING_SPEC, sagemaker_session=sagemaker_session, role=role)

                def _create_estimator(self):
                    return {estimator}(
                        entry_point="train.py",
                        framework_version="2.1.0",
                        py_version="py310",
                        {estimator_kwargs}
                    )
            ''').replace("{module}", estimator.lower()).replace("{estimator}", estimator)
            .replace("{estimator_kwargs}", estimator_kwargs),
    }
    if script is not None:
        files[SCRIPT] = dedent(script)
    return files


DATA_DEPENDENCY = '''\
DependencySpec(
    logical_name="input_path",
    dependency_type=DependencyType.TRAINING_DATA,
    required=True,
),
'''

CONFIG_DEPENDENCY = '''\
DependencySpec(
    logical_name="config",
    dependency_type=DependencyType.HYPERPARAMETERS,
    required=True,
),
'''
