"""Helpers the specification, contract and alignment rules share: where a contract's entries
are written, which SageMaker kind a contract serves, and container path arithmetic."""

from __future__ import annotations

import re
from dataclasses import dataclass

from steplint.model.values import Mapping, Seq, Span
from steplint.readers.python.project import CONTRACT_FIELDS, Contract, argument

TRAINING_INPUT_ROOT = "/opt/ml/input/data"
TRAINING_OUTPUT_ROOTS = ("/opt/ml/model", "/opt/ml/output/data", "/opt/ml/checkpoints", "/opt/ml/output/tensorboard")
PROCESSING_ROOT = "/opt/ml/processing"
# Paths the platform itself provides or collects: a script may use them without a contract entry.
PLATFORM_PATHS = {
    "training": ("/opt/ml/input/config", "/opt/ml/model", "/opt/ml/output", "/opt/ml/code", "/opt/ml/checkpoints"),
    "processing": ("/opt/ml/config", "/opt/ml/output/message", "/opt/ml/processing/input/code",
                   "/opt/ml/processing/input/entrypoint"),
}
_FILE_NAME = re.compile(r"^[^.].*\.[A-Za-z][A-Za-z0-9]{0,7}$")


@dataclass(frozen=True)
class Located:
    """A contract entry with a statically known name (and value), and where it is written."""

    name: str
    value: object
    file: str
    span: Span


def _home(model, owner_path: str, raw: object, resolved: object) -> str | None:
    """The file whose text holds the display ``resolved`` that a call wrote as ``raw``."""
    if raw is resolved:
        return owner_path
    found = model.binding_of(raw)
    if found is not None and found[1].value is resolved:
        return found[0].path
    return None


def _fallback_span(contract: Contract, field: str) -> Span:
    return contract.call.kwarg_span(field) or contract.call.span


def mapping_entries(model, contract: Contract, field: str) -> list[Located] | None:
    """The entries of a contract's dict field (``expected_input_paths``, ...) with string keys,
    each located at its key; None when the dict itself is not statically known."""
    return model.derived(("mapping_entries", id(contract), field),
                         lambda: _mapping_entries(model, contract, field))


def _mapping_entries(model, contract: Contract, field: str) -> list[Located] | None:
    resolved = model.resolve(argument(contract.call, field, CONTRACT_FIELDS, None))
    if resolved is None:
        return []
    if not isinstance(resolved, Mapping):
        return None
    home = _home(model, contract.path, argument(contract.call, field, CONTRACT_FIELDS), resolved)
    found = []
    for entry in resolved.entries:
        name = model.resolve(entry.key)
        if not isinstance(name, str):
            return None
        span = entry.key_span if home is not None else _fallback_span(contract, field)
        found.append(Located(name, model.resolve(entry.value), home or contract.path, span))
    return found


def sequence_entries(model, contract: Contract, field: str) -> list[Located] | None:
    """The string items of a contract's list field (``required_env_vars``), located; None when unknown."""
    resolved = model.resolve(argument(contract.call, field, CONTRACT_FIELDS, None))
    if resolved is None:
        return []
    if not isinstance(resolved, Seq):
        return None
    home = _home(model, contract.path, argument(contract.call, field, CONTRACT_FIELDS), resolved)
    found = []
    for item, span in zip(resolved.items, resolved.item_spans):
        name = model.resolve(item)
        if not isinstance(name, str):
            return None
        found.append(Located(name, None, home or contract.path, span if home else _fallback_span(contract, field)))
    return found


def declared_env_vars(model, contract: Contract) -> list[Located] | None:
    """Required and optional env vars a contract declares; None when either list is unknown."""
    required = sequence_entries(model, contract, "required_env_vars")
    optional = mapping_entries(model, contract, "optional_env_vars")
    if required is None or optional is None:
        return None
    return required + optional


def contract_kind(model, contract: Contract) -> str | None:
    """'training' or 'processing': from the steps that link the contract, else its class."""
    kinds = {model.step_kind(spec) for spec in model.specs_linking(contract)} - {None}
    if len(kinds) == 1:
        return kinds.pop()
    if kinds:
        return None
    if contract.is_training:
        return "training"
    if "Processing" in contract.class_name:
        return "processing"
    return None


def normalized(path: str) -> str:
    return path.rstrip("/") or "/"


def is_within(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or below it (path components, not string prefixes)."""
    path, root = normalized(path), normalized(root)
    return path == root or path.startswith(root + "/")


def overlaps(first: str, second: str) -> bool:
    return is_within(first, second) or is_within(second, first)


def looks_like_file(path: str) -> bool:
    """Whether the last component of a container path names a file (``model.tar.gz``, ``x.json``)."""
    return bool(_FILE_NAME.match(normalized(path).rsplit("/", 1)[-1]))


def training_channel(path: str) -> str | None:
    """The channel name of a path below ``/opt/ml/input/data/<channel>``."""
    if not is_within(path, TRAINING_INPUT_ROOT):
        return None
    rest = normalized(path)[len(TRAINING_INPUT_ROOT) + 1:]
    return rest.split("/", 1)[0] or None
