"""Helpers the specification, contract and alignment rules share: container path arithmetic,
and (re-exported from the Python reader) where a contract's entries are written and which
SageMaker kind a contract serves."""

from __future__ import annotations

from steplint.readers.python.declarations import (  # noqa: F401  (re-exported for the rules)
    Located,
    contract_kind,
    declared_env_vars,
    mapping_entries,
    sequence_entries,
)
from steplint.sagemaker.paths import (  # noqa: F401  (re-exported for the rules)
    PLATFORM_PATHS,
    PROCESSING_ROOT,
    TRAINING_INPUT_ROOT,
    TRAINING_OUTPUT_ROOTS,
    is_within,
    looks_like_file,
    normalized,
    overlaps,
    training_channel,
)
