"""Fix builders shared by several rules."""

from __future__ import annotations

from steplint.model.values import Mapping
from steplint.readers.python.project import Contract, Dependency, Spec
from steplint.rule import Applicability, Fix

_MISSING = object()


def remove_contract_input(context, contract: Contract, logical_name: str):
    """The edit removing ``logical_name`` from an inline ``expected_input_paths`` dict;
    None when absent; ``_MISSING`` when present but not editable."""
    written = contract.call.kwarg("expected_input_paths")
    if not isinstance(contract.input_paths, Mapping) or contract.input_paths.entry(logical_name) is None:
        return None
    if not isinstance(written, Mapping):
        return _MISSING
    for index, entry in enumerate(written.entries):
        if context.model.resolve(entry.key) == logical_name:
            edit = context.remove_element(contract.path, written.span, ("Dict", "Call"), index)
            return edit if edit is not None else _MISSING
    return _MISSING


def remove_dependency(context, spec: Spec, dependency: Dependency):
    """The edit removing a dependency from the spec's inline ``dependencies=[...]`` list."""
    if dependency.list_span is None:
        return _MISSING
    edit = context.remove_element(spec.path, dependency.list_span, ("List", "Tuple"), dependency.index)
    return edit if edit is not None else _MISSING


def removal_fix(context, description: str, *edits, inferred: bool = False) -> Fix | None:
    """One fix from all the edits, or None when any needed edit cannot be made. It is safe,
    unless ``inferred``: the edits reach across a spec/contract pair the code does not write
    (paired by evidence), which steplint may have paired wrongly, so the fix is unsafe."""
    if any(edit is _MISSING for edit in edits):
        return None
    present = tuple(edit for edit in edits if edit is not None)
    if not present:
        return None
    if inferred and len({edit.path for edit in present}) > 1:
        return Fix(description + " (spec and contract paired by evidence)", Applicability.UNSAFE, present)
    return Fix(description, Applicability.SAFE, present)


def dependency_removal(context, spec: Spec, dependency: Dependency, contract: Contract | None):
    """A deferred fix removing a dependency and, as one fix, its entry in ``contract``."""
    name = dependency.logical_name

    def build() -> Fix | None:
        edits = [remove_dependency(context, spec, dependency)]
        if contract is not None:
            edits.append(remove_contract_input(context, contract, name))
        inferred = contract is not None and context.model.pairing_of(spec) is not None
        return removal_fix(context, f"remove dependency '{name}'", *edits, inferred=inferred)

    return build


def contract_input_removal(context, contract: Contract, name: str, specs):
    """A deferred fix removing a contract input and, as one fix, the same-named dependency of ``specs``."""

    def build() -> Fix | None:
        edits = [remove_contract_input(context, contract, name)]
        for spec in specs:
            edits.extend(remove_dependency(context, spec, dependency) for dependency in spec.dependencies
                         if dependency.logical_name == name)
        inferred = any(context.model.pairing_of(spec) is not None for spec in specs)
        return removal_fix(context, f"remove input '{name}'", *edits, inferred=inferred)

    return build
