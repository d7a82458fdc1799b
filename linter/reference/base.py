"""The minimal spec-driven builder base: the parts of ``StepBuilderBase`` the references need."""

from __future__ import annotations

import difflib
from typing import Any

COLLECTION_KIND = {"dependencies": "input", "outputs": "output"}


def declared_items(collection: Any) -> list:
    """The items of ``spec.dependencies`` or ``spec.outputs``: a list, or a dict keyed by logical name."""
    return list(collection.values()) if isinstance(collection, dict) else list(collection)


class SpecDrivenStepBuilder:
    """A step builder driven by its step specification and script contract.

    ``spec`` declares the step's dependencies and outputs (``spec.dependencies`` and
    ``spec.outputs``: lists, or dicts keyed by logical name); ``spec.script_contract`` maps
    the same logical names to container paths. ``config`` carries everything else
    (instance type, framework version, S3 locations); the references read it by attribute.

    Raises ``ValueError`` when the spec links no script contract.
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

    def _check_declared(self, given: dict, collection: str) -> None:
        """Refuse logical names the specification does not declare.

        ``given`` maps logical names to S3 locations (or pipeline properties); ``collection``
        is ``"dependencies"`` (for ``create_step(inputs=...)``) or ``"outputs"``. A name the
        spec does not declare would otherwise be dropped without a word (a typo, or an input
        wired for an older spec), so this raises ``ValueError`` naming the undeclared names,
        the declared ones and the closest match.
        """
        declared = [item.logical_name for item in declared_items(getattr(self.spec, collection))]
        undeclared = [name for name in given if name not in declared]
        if not undeclared:
            return
        kind = COLLECTION_KIND[collection]
        names = ", ".join(repr(name) for name in undeclared)
        listed = ", ".join(repr(name) for name in declared) or "none"
        folded = {str(name).lower(): name for name in declared}
        hints = [f"{name!r} -> {folded[close[0]]!r}" for name in undeclared
                 if (close := difflib.get_close_matches(str(name).lower(), list(folded), n=1, cutoff=0.5))]
        hint = f"; did you mean {', '.join(hints)}?" if hints else ""
        plural = "s" if len(undeclared) > 1 else ""
        raise ValueError(f"{kind}{plural} {names} not declared by the specification of step {self.step_name!r} "
                         f"(declared {kind}s: {listed}){hint}")

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
