"""SageMaker platform facts the rules reason from (see docs/domain facts).

Only facts about the platform's fixed container layout and the SDK's class names live
here; limits, property shapes and framework versions are read from installed package data.
"""

from __future__ import annotations

TRAINING_MANAGED_CONFIG_DIR = "/opt/ml/input/config/"
PROCESSING_MANAGED_CONFIG_DIR = "/opt/ml/config/"
TRAINING_CHANNEL_ROOT = "/opt/ml/input/data"
HYPERPARAMETERS_FILE = "/opt/ml/input/config/hyperparameters.json"

FRAMEWORK_ESTIMATORS = frozenset({
    "PyTorch", "TensorFlow", "SKLearn", "XGBoost", "HuggingFace", "MXNet", "Chainer", "RLEstimator",
})
GENERIC_ESTIMATORS = frozenset({"Estimator", "AlgorithmEstimator"})
ESTIMATORS = FRAMEWORK_ESTIMATORS | GENERIC_ESTIMATORS
PROCESSORS = frozenset({
    "Processor", "ScriptProcessor", "FrameworkProcessor", "SKLearnProcessor", "PyTorchProcessor",
    "XGBoostProcessor", "TensorFlowProcessor", "HuggingFaceProcessor", "MXNetProcessor", "SparkJarProcessor",
    "PySparkProcessor",
})

# The SDK's pipeline step classes (sagemaker.workflow.steps, model_step, ...).
STEP_CLASSES = frozenset({
    "ProcessingStep", "TrainingStep", "TransformStep", "CreateModelStep", "ModelStep", "TuningStep",
    "RegisterModel", "ConditionStep", "LambdaStep", "CallbackStep", "EMRStep", "QualityCheckStep",
    "ClarifyCheckStep", "FailStep", "NotebookJobStep", "AutoMLStep",
})

# The kind of job a SageMaker step class runs (sagemaker.workflow.steps, model_step).
STEP_CLASS_KINDS = {
    "TrainingStep": "training", "ProcessingStep": "processing", "TransformStep": "transform",
    "CreateModelStep": "model", "ModelStep": "model", "TuningStep": "tuning",
}
# Property-path prefixes only one kind's Describe* response has (botocore's SageMaker model).
PROPERTY_PATH_KINDS = (
    ("properties.ProcessingOutputConfig", "processing"),
    ("properties.TransformOutput", "transform"),
)

STEP_KINDS = {
    "Training": "training",
    "Processing": "processing",
    "Transform": "transform",
    "CreateModel": "model",
    "Model": "model",
    "RegisterModel": "model",
    "Tuning": "tuning",
}


def managed_config_dir(path: str) -> str | None:
    """The SageMaker-written config directory ``path`` lies in, if any."""
    for prefix in (TRAINING_MANAGED_CONFIG_DIR, PROCESSING_MANAGED_CONFIG_DIR):
        if path.startswith(prefix) or path == prefix.rstrip("/"):
            return prefix
    return None
