"""Reference spec-driven step builders (SageMaker Python SDK 2.x) that steplint's fixes follow.

``SpecDrivenStepBuilder`` is the minimal base (spec, contract, config, ``_get_inputs``,
``_get_outputs``, ``create_step``); ``PyTorchTrainingStepBuilder``,
``XGBoostTrainingStepBuilder`` and ``ProcessingStepBuilder`` are the concrete references.
The builders import the SageMaker SDK, so they are loaded on first attribute access; the
lint path never imports them and reads their source through ``steplint.reference.templates``.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "SpecDrivenStepBuilder": "base",
    "TrainingStepBuilder": "training",
    "PyTorchTrainingStepBuilder": "pytorch_training",
    "XGBoostTrainingStepBuilder": "xgboost_training",
    "ProcessingStepBuilder": "processing",
}

__all__ = ["ProcessingStepBuilder", "PyTorchTrainingStepBuilder", "SpecDrivenStepBuilder", "TrainingStepBuilder",
           "XGBoostTrainingStepBuilder"]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
