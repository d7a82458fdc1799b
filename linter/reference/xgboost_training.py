"""Reference XGBoost training builder: separate data channels plus a ``config`` channel."""

from __future__ import annotations

import json

from sagemaker.inputs import TrainingInput
from sagemaker.s3 import S3Uploader
from sagemaker.workflow.functions import Join
from sagemaker.xgboost import XGBoost
from steplint.reference.training import CHANNEL_ROOT, TrainingStepBuilder

CONFIG_CHANNEL = "config"
HYPERPARAMETERS_FILE_NAME = "hyperparameters.json"


class XGBoostTrainingStepBuilder(TrainingStepBuilder):
    """XGBoost training in the design where the script reads its hyperparameters from a channel.

    The contract maps the hyperparameters dependency to
    /opt/ml/input/data/config/hyperparameters.json, so ``_get_inputs`` delivers it as channel
    ``config``; when the pipeline does not supply it, the builder uploads
    ``config.hyperparameters`` as that file. The estimator gets no ``hyperparameters=``: the
    dependency is used, not redundant. The data prefix becomes channels train, val and test.

    ``config`` attributes: entry_point, source_dir, framework_version, py_version,
    instance_type, instance_count, output_path, hyperparameters.
    """

    def _create_data_channel_from_source(self, base_path):
        """Channels train, val and test from the subdirectories train/, val/ and test/ of one prefix.

        Each channel's prefix ends with '/': S3 matches a prefix by string, so .../train
        would also deliver .../train_old/ into the train channel.
        """
        if isinstance(base_path, str):
            base = base_path.rstrip("/")
            return {split: TrainingInput(s3_data=f"{base}/{split}/") for split in ("train", "val", "test")}
        return {split: TrainingInput(s3_data=Join(on="/", values=[base_path, f"{split}/"]))
                for split in ("train", "val", "test")}

    def _config_dependency(self) -> str | None:
        """The logical name the contract maps into the ``config`` channel, if any."""
        prefix = f"{CHANNEL_ROOT}/{CONFIG_CHANNEL}/"
        for logical_name, path in self.contract.expected_input_paths.items():
            if path.startswith(prefix):
                return logical_name
        return None

    def _prepare_inputs(self, inputs: dict) -> dict:
        logical_name = self._config_dependency()
        if logical_name is not None and logical_name not in inputs:
            inputs[logical_name] = self._upload_hyperparameters()
        return inputs

    def _hyperparameters_prefix(self) -> str:
        """The S3 prefix the builder uploads hyperparameters.json to, known when the pipeline is defined.

        ``config.output_path`` when it is a string; when it is a pipeline variable (a
        ``ParameterString``, resolved only when the pipeline runs) the file goes below the
        session's default bucket instead, ``s3://<default bucket>/<step name>/config``.
        Raises ``ValueError`` in that case when the builder has no ``sagemaker_session``.
        """
        output_path = self.config.output_path
        if isinstance(output_path, str):
            return f"{output_path.rstrip('/')}/{CONFIG_CHANNEL}"
        if self.session is None:
            raise ValueError(f"config.output_path of step {self.step_name!r} is a pipeline variable, so the "
                             "builder uploads hyperparameters.json to the session's default bucket: pass "
                             "sagemaker_session=, or wire the hyperparameters input to an S3 prefix")
        return f"s3://{self.session.default_bucket()}/{self.step_name}/{CONFIG_CHANNEL}"

    def _upload_hyperparameters(self) -> str:
        """Upload ``config.hyperparameters`` as hyperparameters.json; return its S3 prefix (ending in '/').

        The upload happens when the step is created (``sagemaker.s3.S3Uploader``, an
        ``s3.PutObject`` call through the session's boto3 session).
        """
        prefix = self._hyperparameters_prefix()
        S3Uploader.upload_string_as_file_body(json.dumps(self._hyperparameters()),
                                              f"{prefix}/{HYPERPARAMETERS_FILE_NAME}", sagemaker_session=self.session)
        return f"{prefix}/"

    def _create_estimator(self, output_path) -> XGBoost:
        return XGBoost(
            entry_point=getattr(self.config, "entry_point", None) or self.contract.entry_point,
            source_dir=self.config.source_dir,
            framework_version=self.config.framework_version,
            py_version=getattr(self.config, "py_version", "py3"),
            role=self.role,
            instance_type=self.config.instance_type,
            instance_count=self.config.instance_count,
            output_path=output_path,
            sagemaker_session=self.session,
        )
