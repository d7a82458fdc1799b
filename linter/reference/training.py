"""The spec-driven training builder: channels from the spec's dependencies and the contract's paths."""

from __future__ import annotations

from typing import Any

from sagemaker.inputs import TrainingInput
from sagemaker.workflow.steps import TrainingStep
from steplint.reference.base import SpecDrivenStepBuilder

CHANNEL_ROOT = "/opt/ml/input/data"


class TrainingStepBuilder(SpecDrivenStepBuilder):
    """Training steps: ``_get_inputs`` returns channels, ``_get_outputs`` the estimator's ``output_path``.

    Subclasses provide ``_create_estimator(output_path)`` and
    ``_create_data_channel_from_source(base_path)``: the channels one S3 prefix becomes
    when a dependency is mapped to the channel root ``/opt/ml/input/data``.
    """

    def _get_inputs(self, inputs):
        """Training channels for the dependencies the specification declares.

        The contract's container path decides the channel: a dependency mapped to the channel
        root /opt/ml/input/data becomes the channels of _create_data_channel_from_source; one
        mapped to /opt/ml/input/data/<channel>/... becomes channel <channel>. Optional
        dependencies that were not provided are skipped.
        """
        channel_root = "/opt/ml/input/data"
        channels = {}
        dependencies = self.spec.dependencies
        for dependency in dependencies.values() if isinstance(dependencies, dict) else dependencies:
            logical_name = dependency.logical_name
            if logical_name not in inputs:
                if dependency.required:
                    raise ValueError(f"required input '{logical_name}' was not provided")
                continue
            container_path = self.contract.expected_input_paths.get(logical_name)
            if container_path is None:
                raise ValueError(f"the script contract has no container path for input '{logical_name}'")
            if container_path.rstrip("/") == channel_root:
                channels.update(self._create_data_channel_from_source(inputs[logical_name]))
            elif container_path.startswith(channel_root + "/"):
                channel = container_path[len(channel_root) + 1:].split("/")[0]
                channels[channel] = TrainingInput(s3_data=inputs[logical_name])
            else:
                raise ValueError(f"input '{logical_name}' maps to {container_path}, where no channel is mounted: "
                                 f"SageMaker mounts channels at {channel_root}/<channel>")
        return channels

    def _get_outputs(self, outputs):
        """The estimator's output_path: the location given for a spec output, else config.output_path.

        SageMaker uploads /opt/ml/model as model.tar.gz and /opt/ml/output/data as
        output.tar.gz below it; the spec's outputs are property paths into that job.
        """
        declared = self.spec.outputs
        for output in declared.values() if isinstance(declared, dict) else declared:
            if outputs.get(output.logical_name) is not None:
                return outputs[output.logical_name]
        return self.config.output_path

    def _create_data_channel_from_source(self, base_path: Any) -> dict:
        raise NotImplementedError

    def _create_estimator(self, output_path: Any) -> Any:
        raise NotImplementedError

    def _prepare_inputs(self, inputs: dict) -> dict:
        """Inputs the builder supplies itself (none by default)."""
        return inputs

    def _hyperparameters(self) -> dict:
        """``config.hyperparameters`` as a plain dict (a dict, or an object with to_dict/model_dump)."""
        hyperparameters = getattr(self.config, "hyperparameters", None) or {}
        if isinstance(hyperparameters, dict):
            return dict(hyperparameters)
        for method in ("to_dict", "model_dump"):
            if hasattr(hyperparameters, method):
                return dict(getattr(hyperparameters, method)())
        return {key: value for key, value in vars(hyperparameters).items() if not key.startswith("_")}

    def create_step(self, inputs=None, outputs=None, step_name=None, dependencies=None) -> TrainingStep:
        """A ``TrainingStep`` (``step_args=estimator.fit(inputs=channels)``) for the given inputs.

        ``inputs`` / ``outputs`` map the spec's logical names to S3 URIs or pipeline
        properties. Raises ``ValueError`` for a missing required input, a logical name the
        spec does not declare, and an input the contract does not map to a channel.
        """
        inputs, outputs = dict(inputs or {}), dict(outputs or {})
        self._check_declared(inputs, "dependencies")
        self._check_declared(outputs, "outputs")
        estimator = self._create_estimator(self._get_outputs(outputs))
        step_args = estimator.fit(inputs=self._get_inputs(self._prepare_inputs(inputs)))
        return TrainingStep(name=step_name or self.step_name, step_args=step_args, depends_on=dependencies)
