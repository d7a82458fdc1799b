"""Reference processing builder: inputs and outputs named by logical name, paths from the contract."""

from __future__ import annotations

import os

from sagemaker.processing import ProcessingInput, ProcessingOutput
from sagemaker.sklearn.processing import SKLearnProcessor
from sagemaker.workflow.functions import Join
from sagemaker.workflow.steps import ProcessingStep
from steplint.reference.base import SpecDrivenStepBuilder


class ProcessingStepBuilder(SpecDrivenStepBuilder):
    """Processing steps.

    Every dependency becomes ``ProcessingInput(input_name=logical_name, destination=<contract
    path>)`` and every output ``ProcessingOutput(output_name=logical_name, source=<contract
    path>)``, so ``properties.ProcessingOutputConfig.Outputs['<logical name>']`` resolves. An
    output with no location given goes below ``config.output_path``.

    The script is ``config.entry_point`` (default: the contract's ``entry_point``) in
    ``config.source_dir``, the directory that holds it: an ``s3://`` prefix, or a local
    directory (absolute, or relative to the working directory, as the SDK reads a training
    ``source_dir``). The SDK uploads a local script when the pipeline definition is built
    (``sagemaker/processing.py``, ``ScriptProcessor._handle_user_code_url``).

    ``config`` attributes: source_dir, entry_point (optional), framework_version,
    instance_type, instance_count, output_path.
    """

    def _get_inputs(self, inputs):
        """One ProcessingInput per dependency the specification declares and the pipeline provides."""
        processing_inputs = []
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
            processing_inputs.append(
                ProcessingInput(input_name=logical_name, source=inputs[logical_name], destination=container_path)
            )
        return processing_inputs

    def _get_outputs(self, outputs):
        """One ProcessingOutput per output the specification declares, named by its logical name."""
        processing_outputs = []
        declared = self.spec.outputs
        for output in declared.values() if isinstance(declared, dict) else declared:
            logical_name = output.logical_name
            container_path = self.contract.expected_output_paths.get(logical_name)
            if container_path is None:
                raise ValueError(f"the script contract has no container path for output '{logical_name}'")
            destination = outputs.get(logical_name)
            if destination is None:
                destination = Join(on="/", values=[self.config.output_path, self.step_name, logical_name])
            processing_outputs.append(
                ProcessingOutput(output_name=logical_name, source=container_path, destination=destination)
            )
        return processing_outputs

    def _script_path(self) -> str:
        """Where ``processor.run(code=...)`` finds the script: ``config.source_dir`` joined with the entry point.

        The SDK resolves a bare file name against the current working directory
        (``ValueError: code x.py wasn't found``), so the entry point is placed in the step's
        source directory. An entry point that is already an ``s3://`` URI or an absolute
        path is used as it is. Raises ``ValueError`` when the entry point is relative and
        ``config.source_dir`` is not set.
        """
        entry_point = getattr(self.config, "entry_point", None) or self.contract.entry_point
        if entry_point.startswith("s3://") or os.path.isabs(entry_point):
            return entry_point
        source_dir = getattr(self.config, "source_dir", None)
        if not source_dir:
            raise ValueError(f"cannot locate the script {entry_point!r} of step {self.step_name!r}: set "
                             "config.source_dir to the directory that holds it (an s3:// prefix or a local "
                             "directory); a bare file name would be looked up in the current working directory")
        if source_dir.startswith("s3://"):
            return f"{source_dir.rstrip('/')}/{entry_point}"
        return os.path.join(source_dir, entry_point)

    def _create_processor(self) -> SKLearnProcessor:
        """The SKLearn processor the step runs on (``sagemaker.sklearn.processing.SKLearnProcessor``)."""
        return SKLearnProcessor(
            framework_version=self.config.framework_version,
            role=self.role,
            instance_type=self.config.instance_type,
            instance_count=self.config.instance_count,
            sagemaker_session=self.session,
        )

    def create_step(self, inputs=None, outputs=None, step_name=None, dependencies=None) -> ProcessingStep:
        """A ``ProcessingStep`` running the contract's script on the given inputs.

        ``inputs`` / ``outputs`` map the spec's logical names to S3 URIs or pipeline
        properties (such as another step's ``properties.ProcessingOutputConfig.Outputs[...]``).
        Raises ``ValueError`` for a missing required input, a logical name the spec does not
        declare or the contract does not map, and a script that cannot be located.
        """
        inputs, outputs = dict(inputs or {}), dict(outputs or {})
        self._check_declared(inputs, "dependencies")
        self._check_declared(outputs, "outputs")
        step_args = self._create_processor().run(
            code=self._script_path(),
            inputs=self._get_inputs(inputs),
            outputs=self._get_outputs(outputs),
        )
        return ProcessingStep(name=step_name or self.step_name, step_args=step_args, depends_on=dependencies)
