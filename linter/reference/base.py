"""The minimal spec-driven builder base: the parts of ``StepBuilderBase`` the references need."""

from __future__ import annotations

from typing import Any


class SpecDrivenStepBuilder:
    """A step builder driven by its step specification and script contract.

    ``spec`` declares the step's dependencies and outputs (``spec.dependencies`` and
    ``spec.outputs``: lists, or dicts keyed by logical name); ``spec.script_contract`` maps
    the same logical names to container paths. ``config`` carries everything else
    (instance type, framework version, S3 locations); the references read it by attribute.
    """

    def __init__(self, config: Any, spec: Any, sagemaker_session: Any = None, role: str | None = None) -> None:
        if spec is None or getattr(spec, "script_contract", None) is None:
            raise ValueError("a spec-driven builder needs a step specification that links a script contract")
        self.config = config
        self.spec = spec
        self.contract = spec.script_contract
        self.session = sagemaker_session
        self.role = role

    @property
    def step_name(self) -> str:
        """The default step name: the specification's step type."""
        return str(self.spec.step_type)

    def _get_inputs(self, inputs: dict) -> Any:
        """What the job receives for the step's dependencies (channels, processing inputs)."""
        raise NotImplementedError

    def _get_outputs(self, outputs: dict) -> Any:
        """Where the job's outputs go."""
        raise NotImplementedError

    def create_step(self, inputs: dict | None = None, outputs: dict | None = None, step_name: str | None = None,
                    dependencies: list | None = None) -> Any:
        """The pipeline step, given the S3 locations (or pipeline properties) of its inputs."""
        raise NotImplementedError
