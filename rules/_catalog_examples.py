"""Small example projects for the SL1xx/SL2xx/SL4xx catalog: one processing step and one
training step in the ``steps/`` layout; each rule's examples vary a few lines of them."""

from __future__ import annotations

from textwrap import dedent

CORE = "steps/core.py"
REGISTRY = "steps/registry.py"
SPEC = "steps/specs/preprocessing_spec.py"
CONTRACT = "steps/contracts/preprocessing_contract.py"
BUILDER = "steps/builders/builder_preprocessing_step.py"
SCRIPT = "steps/scripts/preprocess.py"
TRAINING_SPEC = "steps/specs/training_spec.py"
TRAINING_CONTRACT = "steps/contracts/training_contract.py"
TRAINING_BUILDER = "steps/builders/builder_training_step.py"
TRAINING_SCRIPT = "steps/scripts/train.py"

SOURCES = {
    CORE: (
        "class StepSpecification: ...\nclass DependencySpec: ...\nclass OutputSpec: ...\n"
        "class ScriptContract: ...\nclass TrainingScriptContract(ScriptContract): ...\n"
        "class ProcessingScriptContract(ScriptContract): ...\nclass StepBuilderBase: ...\n"
    ),
    REGISTRY: dedent('''\
        STEP_NAMES = {
            "CradleDataLoading": {"spec_type": "CradleDataLoading", "sagemaker_step_type": "Processing"},
            "TabularPreprocessing": {"spec_type": "TabularPreprocessing", "sagemaker_step_type": "Processing"},
            "PyTorchTraining": {"spec_type": "PyTorchTraining", "sagemaker_step_type": "Training"},
        }


        def get_spec_step_type(step_name):
            return STEP_NAMES[step_name]["spec_type"]
        '''),
    SPEC: dedent('''\
        from steps.contracts.preprocessing_contract import PREPROCESSING_CONTRACT
        from steps.core import DependencySpec, DependencyType, NodeType, OutputSpec, StepSpecification
        from steps.registry import get_spec_step_type

        PREPROCESSING_SPEC = StepSpecification(
            step_type=get_spec_step_type("TabularPreprocessing"),
            node_type=NodeType.INTERNAL,
            script_contract=PREPROCESSING_CONTRACT,
            dependencies=[
                DependencySpec(
                    logical_name="DATA",
                    dependency_type=DependencyType.PROCESSING_OUTPUT,
                    compatible_sources=["CradleDataLoading"],
                ),
            ],
            outputs=[
                OutputSpec(
                    logical_name="processed_data",
                    output_type=DependencyType.PROCESSING_OUTPUT,
                    property_path="properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri",
                    aliases=["training_data"],
                ),
            ],
        )
        '''),
    CONTRACT: dedent('''\
        from steps.core import ProcessingScriptContract

        PREPROCESSING_CONTRACT = ProcessingScriptContract(
            entry_point="preprocess.py",
            expected_input_paths={"DATA": "/opt/ml/processing/input/data"},
            expected_output_paths={"processed_data": "/opt/ml/processing/output"},
            required_env_vars=["LABEL_FIELD"],
            optional_env_vars={"TRAIN_RATIO": "0.7"},
            expected_arguments={"job-type": "training"},
        )
        '''),
    SCRIPT: dedent('''\
        import argparse
        import os

        INPUT_DIR = "/opt/ml/processing/input/data"
        OUTPUT_DIR = "/opt/ml/processing/output"


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--job-type", required=True)
            args = parser.parse_args()
            label = os.environ["LABEL_FIELD"]
            ratio = float(os.environ.get("TRAIN_RATIO", "0.7"))
            print(args.job_type, label, ratio, INPUT_DIR, OUTPUT_DIR)


        if __name__ == "__main__":
            main()
        '''),
    BUILDER: dedent('''\
        from sagemaker.sklearn import SKLearnProcessor

        from steps.core import StepBuilderBase
        from steps.specs.preprocessing_spec import PREPROCESSING_SPEC


        class TabularPreprocessingStepBuilder(StepBuilderBase):
            def __init__(self, config):
                super().__init__(config=config, spec=PREPROCESSING_SPEC)

            def _create_processor(self):
                return SKLearnProcessor(framework_version="1.2-1", role=self.role, instance_count=1,
                                        instance_type="ml.m5.xlarge")
        '''),
    TRAINING_SPEC: dedent('''\
        from steps.contracts.training_contract import TRAINING_CONTRACT
        from steps.core import DependencySpec, DependencyType, NodeType, OutputSpec, StepSpecification
        from steps.registry import get_spec_step_type

        TRAINING_SPEC = StepSpecification(
            step_type=get_spec_step_type("PyTorchTraining"),
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
    TRAINING_CONTRACT: dedent('''\
        from steps.core import TrainingScriptContract

        TRAINING_CONTRACT = TrainingScriptContract(
            entry_point="train.py",
            expected_input_paths={"input_path": "/opt/ml/input/data"},
            expected_output_paths={"model_output": "/opt/ml/model"},
        )
        '''),
    TRAINING_BUILDER: dedent('''\
        from sagemaker.inputs import TrainingInput
        from sagemaker.pytorch import PyTorch

        from steps.core import StepBuilderBase
        from steps.specs.training_spec import TRAINING_SPEC


        class PyTorchTrainingStepBuilder(StepBuilderBase):
            def __init__(self, config):
                super().__init__(config=config, spec=TRAINING_SPEC)

            def _create_data_channel_from_source(self, base_path):
                return {"data": TrainingInput(s3_data=base_path)}

            def _create_estimator(self):
                return PyTorch(entry_point="train.py", framework_version="2.1.0", py_version="py310",
                               hyperparameters=self.config.hyperparameters)
        '''),
    TRAINING_SCRIPT: dedent('''\
        import os

        TRAIN_DIR = "/opt/ml/input/data/data/train"
        MODEL_DIR = os.environ.get("SM_MODEL_DIR", "/opt/ml/model")

        if __name__ == "__main__":
            print(os.listdir(TRAIN_DIR), MODEL_DIR)
        '''),
}

PROCESSING_STEP = (CORE, REGISTRY, SPEC, CONTRACT, SCRIPT, BUILDER)
TRAINING_STEP = (CORE, REGISTRY, TRAINING_SPEC, TRAINING_CONTRACT, TRAINING_SCRIPT, TRAINING_BUILDER)


def project(paths=PROCESSING_STEP, *changes, add: dict | None = None) -> dict:
    """The files at ``paths``, each ``(path, old, new)`` change applied once, plus ``add``."""
    files = {path: SOURCES[path] for path in paths}
    for path, old, new in changes:
        assert files[path].count(old) == 1, (path, old)
        files[path] = files[path].replace(old, new)
    files.update({path: dedent(text) for path, text in (add or {}).items()})
    return files


def contract_project(*changes, paths=(CORE, REGISTRY, SPEC, CONTRACT, SCRIPT)):
    return project(paths, *changes)
