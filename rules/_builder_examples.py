"""Example projects for the builder rules (SL3xx): one step whose builder methods vary."""

from __future__ import annotations

from textwrap import dedent, indent

CORE = "steps/core.py"
CORE_SOURCE = ("class StepSpecification: ...\nclass DependencySpec: ...\nclass OutputSpec: ...\n"
               "class ScriptContract: ...\nclass TrainingScriptContract(ScriptContract): ...\n"
               "class StepBuilderBase: ...\n")


def _method(source: str) -> str:
    return indent(dedent(source).strip("\n"), "    ") + "\n"


def reference_method(kind: str, name: str) -> str:
    """A reference builder's method as source text (the code steplint's rewrite writes)."""
    import libcst as cst
    from steplint.reference.templates import method_template

    template = method_template(kind, name)
    return cst.Module(body=[template.function.with_changes(leading_lines=())]).code


def training_project(get_inputs: str, outputs: str | None = None) -> dict:
    """A PyTorch training step (data dependency ``input_path`` mapped to the channel root)."""
    outputs = outputs if outputs is not None else TRAINING_OUTPUTS
    return {
        CORE: CORE_SOURCE,
        "steps/specs/training_spec.py": dedent('''\
            from steps.core import DependencySpec, DependencyType, NodeType, OutputSpec, StepSpecification
            from steps.contracts.training_contract import TRAINING_CONTRACT

            TRAINING_SPEC = StepSpecification(
                step_type="ModelTraining",
                node_type=NodeType.INTERNAL,
                script_contract=TRAINING_CONTRACT,
                dependencies=[
                    DependencySpec(logical_name="input_path", dependency_type=DependencyType.TRAINING_DATA),
                ],
                outputs=[
                    OutputSpec(
                        logical_name="model_output",
                        output_type=DependencyType.MODEL_ARTIFACTS,
                        property_path="properties.ModelArtifacts.S3ModelArtifacts",
                    ),
                ],
            )
            '''),
        "steps/contracts/training_contract.py": dedent('''\
            from steps.core import TrainingScriptContract

            TRAINING_CONTRACT = TrainingScriptContract(
                entry_point="train.py",
                expected_input_paths={"input_path": "/opt/ml/input/data"},
                expected_output_paths={"model_output": "/opt/ml/model"},
            )
            '''),
        "steps/builders/builder_training_step.py": dedent('''\
            from sagemaker.inputs import TrainingInput
            from sagemaker.pytorch import PyTorch

            from steps.core import StepBuilderBase
            from steps.specs.training_spec import TRAINING_SPEC


            class TrainingStepBuilder(StepBuilderBase):
                def __init__(self, config, sagemaker_session=None, role=None):
                    super().__init__(config=config, spec=TRAINING_SPEC, sagemaker_session=sagemaker_session, role=role)

                def _create_estimator(self, output_path):
                    return PyTorch(
                        entry_point="train.py",
                        framework_version="2.1.0",
                        py_version="py310",
                        output_path=output_path,
                        hyperparameters=self.config.hyperparameters,
                    )

                def _create_data_channel_from_source(self, base_path):
                    return {"data": TrainingInput(s3_data=base_path)}

            ''') + _method(get_inputs) + "\n" + _method(outputs),
    }


def processing_project(get_inputs: str, outputs: str | None = None) -> dict:
    """A processing step with dependency ``data_input`` and output ``processed_data``."""
    outputs = outputs if outputs is not None else SPEC_DRIVEN_OUTPUTS
    return {
        CORE: CORE_SOURCE,
        "steps/specs/preprocessing_spec.py": dedent('''\
            from steps.core import DependencySpec, DependencyType, NodeType, OutputSpec, StepSpecification
            from steps.contracts.preprocessing_contract import PREPROCESSING_CONTRACT

            PREPROCESSING_SPEC = StepSpecification(
                step_type="TabularPreprocessing",
                node_type=NodeType.INTERNAL,
                script_contract=PREPROCESSING_CONTRACT,
                dependencies=[
                    DependencySpec(logical_name="data_input", dependency_type=DependencyType.PROCESSING_OUTPUT),
                ],
                outputs=[
                    OutputSpec(
                        logical_name="processed_data",
                        output_type=DependencyType.PROCESSING_OUTPUT,
                        property_path="properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri",
                    ),
                ],
            )
            '''),
        "steps/contracts/preprocessing_contract.py": dedent('''\
            from steps.core import ScriptContract

            PREPROCESSING_CONTRACT = ScriptContract(
                entry_point="preprocess.py",
                expected_input_paths={"data_input": "/opt/ml/processing/input/data"},
                expected_output_paths={"processed_data": "/opt/ml/processing/output/processed"},
            )
            '''),
        "steps/builders/builder_preprocessing_step.py": dedent('''\
            from sagemaker.processing import ProcessingInput, ProcessingOutput
            from sagemaker.sklearn.processing import SKLearnProcessor

            from steps.core import StepBuilderBase
            from steps.specs.preprocessing_spec import PREPROCESSING_SPEC


            class PreprocessingStepBuilder(StepBuilderBase):
                def __init__(self, config, sagemaker_session=None, role=None):
                    super().__init__(config=config, spec=PREPROCESSING_SPEC, sagemaker_session=sagemaker_session,
                                     role=role)

                def _create_processor(self):
                    return SKLearnProcessor(framework_version="1.2-1", role=self.role, instance_count=1,
                                            instance_type="ml.m5.xlarge")

            ''') + _method(get_inputs) + "\n" + _method(outputs),
    }


TRAINING_OUTPUTS = '''\
def _get_outputs(self, outputs):
    return outputs.get("model_output") or self.config.output_path
'''

TRAINING_LITERAL_OUTPUTS = '''\
def _get_outputs(self, outputs):
    return outputs.get("model_output") or "s3://team-ml-artifacts/models/2024-03-01"
'''

AD_HOC_INPUTS = '''\
def _get_inputs(self, inputs):
    training_inputs = {}
    for logical_name, value in inputs.items():
        if logical_name == "input_path":
            training_inputs["data"] = TrainingInput(s3_data=value)
    return training_inputs
'''

_REFERENCE_METHODS = {
    "REFERENCE_INPUTS": ("training", "_get_inputs"),
    "PROCESSING_REFERENCE_INPUTS": ("processing", "_get_inputs"),
    "PROCESSING_REFERENCE_OUTPUTS": ("processing", "_get_outputs"),
}


def __getattr__(name: str) -> str:
    """The reference methods' source, read from steplint.reference when first asked for."""
    if name not in _REFERENCE_METHODS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = reference_method(*_REFERENCE_METHODS[name])
    globals()[name] = value
    return value

COMPREHENSION_INPUTS = '''\
def _get_inputs(self, inputs):
    """One channel per provided dependency, named after its logical name."""
    return {
        dependency.logical_name: TrainingInput(s3_data=inputs[dependency.logical_name])
        for dependency in self.spec.dependencies.values()
        if dependency.logical_name in inputs
    }
'''

DEAD_BRANCH_INPUTS = '''\
def _get_inputs(self, inputs):
    channels = {}
    for dependency in self.spec.dependencies.values():
        logical_name = dependency.logical_name
        if logical_name not in inputs:
            continue
        if logical_name == "config":
            channels["config"] = TrainingInput(s3_data=inputs[logical_name])
            continue
        channels.update(self._create_data_channel_from_source(inputs[logical_name]))
    return channels
'''

PROCESSING_INPUTS_LITERALS = '''\
def _get_inputs(self, inputs):
    return [
        ProcessingInput(input_name="data", source=inputs["data_input"], destination="/opt/ml/processing/input/data"),
    ]
'''

SPEC_DRIVEN_OUTPUTS = '''\
def _get_outputs(self, outputs):
    return [
        ProcessingOutput(
            output_name=output.logical_name,
            source=self.contract.expected_output_paths[output.logical_name],
            destination=outputs.get(output.logical_name) or f"{self.config.output_path}/{output.logical_name}",
        )
        for output in self.spec.outputs.values()
    ]
'''

PROCESSING_AD_HOC_OUTPUTS = '''\
def _get_outputs(self, outputs):
    return [
        ProcessingOutput(
            output_name="processed",
            source="/opt/ml/processing/output/processed",
            destination="s3://team-ml-artifacts/preprocess/2024-03-01",
        ),
    ]
'''
