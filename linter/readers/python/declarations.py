"""Where a Python contract's declarations are written, and which SageMaker kind a contract serves.

A contract's dict and list fields (``expected_input_paths``, ``required_env_vars`` ...) may be
literals in the call or module constants elsewhere; ``mapping_entries`` and
``sequence_entries`` resolve them and locate each entry at the text that holds it, so a
finding (or a fix) points at the key a user would edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from steplint.model.values import Mapping, Seq, Span
from steplint.readers.python.project import CONTRACT_FIELDS, Contract, argument


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
