"""Reference processing builder: inputs and outputs named by logical name, paths from the contract."""

from __future__ import annotations

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

    ``config`` attributes: framework_version, instance_type, instance_count, output_path.
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

    def _create_processor(self) -> SKLearnProcessor:
        return SKLearnProcessor(
            framework_version=self.config.framework_version,
            role=self.role,
            instance_type=self.config.instance_type,
            instance_count=self.config.instance_count,
            sagemaker_session=self.session,
        )

    def create_step(self, inputs=None, outputs=None, step_name=None, dependencies=None) -> ProcessingStep:
        step_args = self._create_processor().run(
            code=self.contract.entry_point,
            inputs=self._get_inputs(inputs or {}),
            outputs=self._get_outputs(outputs or {}),
        )
        return ProcessingStep(name=step_name or self.step_name, step_args=step_args, depends_on=dependencies)
