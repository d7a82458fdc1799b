"""Reference PyTorch training builder: hyperparameters go to the estimator, data to one channel."""

from __future__ import annotations

from sagemaker.inputs import TrainingInput
from sagemaker.pytorch import PyTorch
from steplint.reference.training import TrainingStepBuilder


class PyTorchTrainingStepBuilder(TrainingStepBuilder):
    """PyTorch training.

    Hyperparameters are passed as ``hyperparameters=``; SageMaker writes them to
    /opt/ml/input/config/hyperparameters.json, so the spec declares no dependency for them.
    The training data is one prefix holding train/ val/ test/, delivered as the single
    channel ``data`` (the script reads /opt/ml/input/data/data/train and so on).

    ``config`` attributes: entry_point (default: the contract's), source_dir,
    framework_version, py_version, instance_type, instance_count, output_path, hyperparameters.
    """

    def _create_data_channel_from_source(self, base_path):
        """One ``data`` channel holding the prefix's train/ val/ test/ subdirectories."""
        return {"data": TrainingInput(s3_data=base_path)}

    def _create_estimator(self, output_path) -> PyTorch:
        return PyTorch(
            entry_point=getattr(self.config, "entry_point", None) or self.contract.entry_point,
            source_dir=self.config.source_dir,
            framework_version=self.config.framework_version,
            py_version=self.config.py_version,
            role=self.role,
            instance_type=self.config.instance_type,
            instance_count=self.config.instance_count,
            output_path=output_path,
            hyperparameters=self._hyperparameters(),
            sagemaker_session=self.session,
        )
